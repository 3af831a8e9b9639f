/**
 * Suite-wide leak guard (vitest setupFiles): captures everything this test file's worker writes to
 * stdout and stderr — process.stdout/stderr.write, vitest's console, and the piped output of child
 * processes the tests spawn — and fails the file in afterAll if any registered secret appears in it,
 * raw, JSON-escaped or URL-encoded. The failure names the file and counts the distinct secrets; it
 * never prints one. Registered: the test context's credentials (LOCAL_CREDENTIALS, the MYSQL_URL
 * password) and, through the hook of test/support/secret-registry.ts, every password the KMS
 * emulator stores in SecretData and every sandbox password samplePassword() makes.
 * Not captured: output a child process writes straight to an inherited descriptor or that a
 * synchronous spawn (execFileSync, spawnSync) returns, and the in-memory log `sink` lines
 * (secrecy tests check those themselves).
 */
import { ChildProcess } from 'node:child_process';
import { relative } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/local/fixtures/kms-admin.js';
import { countLeakedSecrets, installSecretHook, registerSecret } from '../support/secret-registry.js';

type Chunk = string | Uint8Array;

/** Captured text per channel (the worker's two streams, each child stream), joined only to scan. */
interface Capture {
  channels: Map<string, Chunk[]>;
  children: number;
}

const STATE = Symbol.for('fc-secret-rotation.test.secret-guard');
const slots = globalThis as Record<symbol, Capture | undefined>;

function record(channel: string, chunk: unknown): void {
  const capture = slots[STATE];
  if (!capture || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) return;
  const list = capture.channels.get(channel) ?? [];
  list.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk)); // a copy: the writer may reuse its buffer
  capture.channels.set(channel, list);
}

const tapped = new WeakSet<object>();

/** Wraps a writable's write (once) so every chunk is recorded before it is written. */
function tapWrite(stream: { write: (...args: never[]) => boolean }, channel: string): void {
  if (tapped.has(stream)) return;
  tapped.add(stream);
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  (stream as { write: (...args: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
    record(channel, chunk);
    return original(chunk, ...rest);
  };
}

/** Wraps a readable's push (what the pipe handle calls) so reading stays the test's business. */
function tapPush(stream: Readable, channel: string): void {
  const original = stream.push.bind(stream);
  stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
    record(channel, chunk);
    return original(chunk, encoding);
  };
}

function installCapture(): void {
  // vitest's console writes to its own Writables (forwarded to the main process), not process.stdout;
  // a worker reused for another file may have a new console, so this part runs for every file.
  const streams = console as unknown as { _stdout?: { write: () => boolean }; _stderr?: { write: () => boolean } };
  if (streams._stdout && (streams._stdout as unknown) !== process.stdout) tapWrite(streams._stdout, 'console.stdout');
  if (streams._stderr && (streams._stderr as unknown) !== process.stderr) tapWrite(streams._stderr, 'console.stderr');
  if (slots[STATE]) return;
  slots[STATE] = { channels: new Map(), children: 0 };
  tapWrite(process.stdout, 'stdout');
  tapWrite(process.stderr, 'stderr');
  // spawn, execFile, exec and fork all go through ChildProcess.prototype.spawn (untyped: internal to Node).
  const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, ...args: unknown[]) => unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: ChildProcess, ...args: unknown[]) {
    const result = spawn.apply(this, args);
    const capture = slots[STATE];
    const id = capture ? ++capture.children : 0;
    if (this.stdout) tapPush(this.stdout, `child${id}.stdout`);
    if (this.stderr) tapPush(this.stderr, `child${id}.stderr`);
    return result;
  };
}

/**
 * Output a command documents and the tests collect on purpose: `emulate` prints the emulators'
 * fixed local access key secret for the user to export (README: the local walkthrough). Removed
 * from child processes' output only, line by line, before the scan; nothing else is exempt.
 */
const DOCUMENTED_CHILD_OUTPUT = [/^export ALIBABA_CLOUD_ACCESS_KEY_SECRET=\S*$/gm];

/** Everything captured since this file started, one text per channel (documented child output removed). */
export function capturedText(): string[] {
  const capture = slots[STATE];
  if (!capture) return [];
  return [...capture.channels].map(([channel, chunks]) => {
    // Concatenated before decoding, so a character split across two chunks decodes whole.
    const text = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString('utf8');
    return channel.startsWith('child') ? DOCUMENTED_CHILD_OUTPUT.reduce((t, pattern) => t.replace(pattern, ''), text) : text;
  });
}

installCapture();
installSecretHook();
// A worker may run several files one after another: each file is judged on its own output.
slots[STATE]?.channels.clear();
registerSecret(LOCAL_CREDENTIALS.accessKeySecret);
registerSecret(process.env['MYSQL_URL'] ? decodeURIComponent(new URL(process.env['MYSQL_URL']).password) : undefined);

afterAll(() => {
  // A channel's chunks are joined as written, so a secret split across two writes is still found.
  const leaked = countLeakedSecrets(capturedText().join('\n'));
  if (leaked > 0) {
    const testPath = expect.getState().testPath;
    const file = testPath ? relative(process.cwd(), testPath) : 'this test file';
    throw new Error(
      `Secret leak guard: ${file} wrote ${leaked} distinct registered secret${leaked === 1 ? '' : 's'} ` +
        `to stdout/stderr (raw, JSON-escaped or URL-encoded); the values are not shown. See test/setup/secret-guard.ts.`,
    );
  }
});
