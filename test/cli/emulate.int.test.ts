// `emulate` as the README's walkthrough uses it: the three emulators in one process, seeded from a
// file, printing the environment to export; then status and rotate against that environment, and a
// clean stop on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, uniqueName, type Sandbox } from '../../src/local/fixtures/mysql-sandbox.js';
import { runCli } from '../support/cli.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ prefix: 'em' });
});
afterAll(async () => {
  await sandbox?.cleanup();
});

describe('emulate', () => {
  it('serves a seeded secret that status and rotate then work on, and stops on SIGINT', async () => {
    const name = uniqueName('emu-app-');
    const common = { Endpoint: sandbox.server.host, Port: sandbox.server.port, SSL: false };
    const seed = [
      {
        SecretName: `${name}-master`,
        SecretData: JSON.stringify({ ...common, AccountName: sandbox.master.user, AccountPassword: sandbox.master.password }),
      },
      {
        SecretName: name,
        SecretData: JSON.stringify({
          ...common,
          AccountName: sandbox.app.user,
          AccountPassword: sandbox.app.password,
          MasterSecret: `${name}-master`,
          DBName: sandbox.database,
        }),
        Tags: { 'fc-rotation': '30d' },
      },
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'emulate-')), 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const child = spawn(
      process.execPath,
      [
        'bin/fc-secret-rotation.mjs',
        'emulate',
        '--region',
        'cn-hangzhou',
        '--kms-port',
        '0',
        '--rds-port',
        '0',
        '--cloudflow-port',
        '0',
        '--seed',
        file,
      ],
      { env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const env: Record<string, string> = {};
      const lines = createInterface({ input: child.stdout });
      for await (const line of lines) {
        const match = /^export ([A-Z_]+)=(.*)$/.exec(line);
        if (match) env[match[1] as string] = match[2] as string;
        if (env['ALIBABA_CLOUD_ACCESS_KEY_SECRET']) break;
      }
      expect(Object.keys(env).sort()).toEqual([
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        'ALIBABA_CLOUD_REGION_ID',
        'CLOUDFLOW_ENDPOINT',
        'KMS_ENDPOINT',
        'RDS_ENDPOINT',
      ]);
      const status = await runCli(['status', name], env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/state +idle/);
      const rotate = await runCli(['rotate', name, '--json'], env);
      expect(rotate.code, rotate.stderr).toBe(0);
      expect(JSON.parse(rotate.stdout)).toMatchObject({ Status: 'Succeeded' });
      const after = await runCli(['status', name, '--json'], env);
      expect(JSON.parse(after.stdout)).toMatchObject({ State: 'idle', Current: { AccountName: `${sandbox.app.user}_rt` } });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
