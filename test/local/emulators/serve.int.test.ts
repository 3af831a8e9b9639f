// The one emulator command line, serve.ts: it starts the emulator named first with that emulator's flags,
// prints only the endpoint, stops on SIGTERM, and refuses an unknown emulator or flag before serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../../src/config.js';
import { KmsSecretStore } from '../../../src/secrets/kms-store.js';
import { runServe, serveEmulator } from '../../support/emulator-process.js';

const dir = mkdtempSync(join(tmpdir(), 'serve-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve.ts', () => {
  it('serves the KMS emulator with its seed file and the access keys it is given', async () => {
    const seed = join(dir, 'secrets.json');
    writeFileSync(seed, JSON.stringify([{ SecretName: 'seeded', SecretData: '{"AccountName":"u","AccountPassword":"p-123456"}' }]));
    const served = await serveEmulator(['kms', '--port', '0', '--seed', seed, '--access-key', 'cli-id:cli-secret']);
    try {
      expect(served.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const endpoint = parseEndpoint(served.endpoint, 'KMS_ENDPOINT');
      const signed = new KmsSecretStore({
        endpoint,
        regionId: 'cn-hangzhou',
        credentials: { accessKeyId: 'cli-id', accessKeySecret: 'cli-secret' },
      });
      expect(await signed.find('seeded', { stage: 'ACSCurrent' })).toMatchObject({ versionId: 'v1', stages: ['ACSCurrent'] });
      const wrongKey = new KmsSecretStore({
        endpoint,
        regionId: 'cn-hangzhou',
        credentials: { accessKeyId: 'cli-id', accessKeySecret: 'other' },
      });
      await expect(wrongKey.find('seeded', { stage: 'ACSCurrent' })).rejects.toThrow(/SignatureDoesNotMatch/);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('refuses an unknown emulator with exit code 2 and a usage text naming the emulators', async () => {
    const { code, stdout, stderr } = await runServe(['ftp']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/usage: serve\.ts <emulator>/);
    expect(stderr).toMatch(/\bkms\b[\s\S]*\brds\b/);
  });

  it("refuses a flag the emulator does not take, and another emulator's flag, before listening", async () => {
    for (const args of [
      ['kms', '--bogus'],
      ['kms', '--instance', 'x=mysql://r@h:1'],
    ]) {
      const { code, stdout, stderr } = await runServe(args);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/Unknown option '--(bogus|instance)'/);
    }
  });

  it('refuses a seed file that is not JSON, or not a list of secrets, without quoting the file', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"SecretName": "s", "SecretData": Sup3rSecretValue}]');
    const notJson = await runServe(['kms', '--seed', broken]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('--seed: the file is not valid JSON');
    expect(notJson.stderr).not.toContain('Sup3rSecret');

    const misshapen = join(dir, 'misshapen.json');
    writeFileSync(misshapen, JSON.stringify([{ SecretName: 's', SecretData: 42 }]));
    const wrongShape = await runServe(['kms', '--seed', misshapen]);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stderr).toMatch(/--seed: 0\.SecretData: /);

    const missing = await runServe(['kms', '--seed', join(dir, 'no-such-file.json')]);
    expect(missing.stderr).toContain('--seed: the file cannot be read');
  });

  it('refuses a malformed common flag', async () => {
    const { code, stderr } = await runServe(['rds', '--port', 'eighty']);
    expect(code).toBe(1);
    expect(stderr).toContain('--port takes a port number');
  });
});
