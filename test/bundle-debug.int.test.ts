// Issue 11, item 12: with DEBUG=* set on the function, the bundled HTTP client printed every request's
// headers, x-acs-security-token included. The deployable bundle, run as FC runs it (its own process,
// the function's environment, FC's context credentials), must write no credential to stdout or stderr
// (FC's logs) whatever debug switches its environment sets.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../src/config.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';

/** FC's context credentials: the emulators accept any AccessKey; the token is distinctive so a leak is unmistakable. */
const CREDENTIALS = { ...LOCAL_CREDENTIALS, securityToken: 'sts-token-bundle-debug-7c1e94' };

/**
 * The debug switches an operator could set on the function: the `debug` package's (httpx, under every
 * Alibaba SDK, logs through it), and Node core's own channels for HTTP, HTTPS, sockets and TLS.
 */
const SWITCHES: { switch: string; env: Environment; printed: RegExp }[] = [
  // Nothing may print: with the bundled httpx this printed every request's headers.
  { switch: 'DEBUG=*', env: { DEBUG: '*', NODE_DEBUG: '' }, printed: /^$/ },
  // Node prints its own lines (the check is not vacuous), but never a request's headers.
  {
    switch: 'NODE_DEBUG=http,https,net,tls',
    env: { DEBUG: '', NODE_DEBUG: 'http,https,net,tls' },
    printed: /^HTTP \d+: createConnection /m,
  },
];

interface Reply {
  id?: number;
  result?: { VersionId: string; Skipped?: string };
  error?: { name: string; message: string };
}

/** test/support/fc-host.mjs over a bundle, with both of the child's output streams captured whole. */
class DebugHost {
  stdout = '';
  stderr = '';
  private nextId = 0;
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  static async start(bundle: string, env: Environment): Promise<DebugHost> {
    const child = fork('test/support/fc-host.mjs', [bundle], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const host = new DebugHost(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the FC host exited with code ${code}: ${host.stderr.slice(0, 2000)}`)));
    });
    return host;
  }

  invoke(event: Record<string, string>, requestId: string): Promise<{ VersionId: string; Skipped?: string }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        this.child.off('message', onMessage);
        if (m.error) {
          // Where it failed, from the function's own (masked) log line: the error's name and frames.
          const unexpected = this.stdout
            .split('\n')
            .reverse()
            .find((line) => line.includes('"unexpected error"'));
          reject(new Error(`${m.error.name}: ${m.error.message}${unexpected ? ` (${unexpected})` : ''}`));
        } else resolve(m.result!);
      };
      this.child.on('message', onMessage);
      const data = Buffer.from(JSON.stringify(event)).toString('base64');
      this.child.send({ id, event: data, context: { requestId, credentials: CREDENTIALS } });
    });
  }

  /** Ends the host (fc-host.mjs exits on disconnect) and waits until both of its streams are drained. */
  async stop(): Promise<void> {
    const drained = [this.child.stdout!, this.child.stderr!].map((s) =>
      s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)),
    );
    const exited =
      this.child.exitCode === null && this.child.signalCode === null
        ? new Promise((resolve) => this.child.once('exit', resolve))
        : undefined;
    if (this.child.connected) this.child.disconnect();
    await Promise.all([exited, ...drained]);
  }
}

/** A value as it could be printed: raw, URL-encoded (a query string), JSON-escaped (a body). */
function spellings(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/** The credentials found in `output`, by name; the values themselves never reach a failure message. */
function leaked(output: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => spellings(value).some((s) => output.includes(s)))
    .map(([name]) => name);
}

let outdir: string;
let bundle: string;
beforeAll(() => {
  // Its own output directory: test/bundle.int.test.ts builds dist/ at the same time.
  outdir = mkdtempSync(join(tmpdir(), 'bundle-debug-'));
  bundle = join(outdir, 'index.js');
  execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', outdir], { stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const BACKENDS = [
  { backend: 'a self-managed MySQL secret', rds: false },
  { backend: 'an RDS secret with InstanceId', rds: true },
];

describe.each(SWITCHES.flatMap((debug) => BACKENDS.map((backend) => ({ ...debug, ...backend }))))(
  'issue 11 item 12: $switch on the function prints no credential, on $backend',
  ({ env, printed, rds }) => {
    let fx: Fixture;
    let host: DebugHost;
    let credentials: Record<string, string>;
    let versionId: string;
    beforeAll(async () => {
      fx = rds ? await Fixture.start({ rds: { engineVersion: '5.7' } }) : await Fixture.start();
      if (rds) await fx.seedRds();
      else await fx.seed();
      const before = await fx.secretAt({ stage: 'ACSCurrent' });
      host = await DebugHost.start(bundle, { ...fx.env, ...env });
      const input = { SecretName: fx.secretName, RegionId: REGION, ...(rds ? { InstanceId: fx.rds!.instanceId } : {}) };
      let id: string | undefined;
      for (const [i, step] of (['new', 'set', 'test', 'end'] as const).entries()) {
        const result = await host.invoke({ ...input, Step: step, ...(id ? { VersionId: id } : {}) }, `dbg-${i}`);
        expect(result.Skipped).toBeUndefined();
        id = result.VersionId;
      }
      versionId = id!;
      await host.stop();
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      const master = rds ? undefined : await fx.store.find(fx.masterName, { stage: 'ACSCurrent' });
      credentials = {
        accessKeySecret: CREDENTIALS.accessKeySecret,
        securityToken: CREDENTIALS.securityToken,
        'previous password': before!.AccountPassword,
        'current password': current!.AccountPassword,
        ...(master ? { 'master password': (JSON.parse(master.data) as { AccountPassword: string }).AccountPassword } : {}),
      };
    }, 60_000);
    afterAll(async () => {
      await host?.stop();
      await fx?.stop();
    });

    it('rotates the secret', async () => {
      expect(versionId).toBe('dbg-0');
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
      expect(await fx.login(current!)).toBe('hello');
      expect(await fx.secretAt({ stage: 'ACSPending' })).toBeUndefined();
    });

    it('writes neither the AccessKey secret, the STS token nor any password to stdout or stderr', () => {
      expect(leaked(host.stdout, credentials)).toEqual([]);
      expect(leaked(host.stderr, credentials)).toEqual([]);
    });

    it('writes only its own JSON log lines to stdout and no SDK debug line to stderr', () => {
      const lines = host.stdout.split('\n').filter((line) => line !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      // Named only: what printed the headers, never the values.
      expect([...new Set(host.stderr.match(/httpx:\w+|x-acs-[\w-]+|authorization|securitytoken/gi) ?? [])]).toEqual([]);
      // A boolean: a failure must not print the captured output.
      expect(printed.test(host.stderr), `stderr matches ${printed}`).toBe(true);
    });
  },
);

describe('issue 11 item 12: the bundle', () => {
  it('has no `debug` package inside that reads DEBUG', () => {
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/process\.env\.DEBUG\b/);
  });
});
