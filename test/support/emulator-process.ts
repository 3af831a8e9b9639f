/**
 * An emulator started the way a user starts one, `node --import tsx src/local/emulators/serve.ts ...`,
 * in a process of its own: its endpoint as printed on stdout and a stop that waits for it to exit, or,
 * for arguments it must refuse, how it ended.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

function spawnServe(args: readonly string[]): { child: ChildProcessWithoutNullStreams; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/emulators/serve.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, stderr: () => stderr };
}

export interface ServedEmulator {
  endpoint: string;
  /** Sends SIGTERM and resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
}

export async function serveEmulator(args: readonly string[]): Promise<ServedEmulator> {
  const { child, stderr } = spawnServe(args);
  const endpoint = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited with code ${String(code)}: ${stderr()}`)));
  });
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Runs serve.ts to its end: exit code, stdout and stderr. */
export async function runServe(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { child, stderr } = spawnServe(args);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr: stderr() };
}
