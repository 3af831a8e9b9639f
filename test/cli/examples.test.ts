// examples/local/: the seed file the README's walkthrough feeds `emulate` holds secrets in the
// CONTRACT's formats, and its accounts and passwords are the ones setup.sql creates.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMysqlSecret } from '../../src/backends/mysql/backend.js';
import { readSeedFile } from '../../src/local/emulators/kms/emulator.js';
import { MasterSecretSchema, parseSecret, parseSecretJson } from '../../src/secrets/schema.js';

describe('examples/local', () => {
  it('seeds an app secret and its master, both valid, for the accounts setup.sql makes from scratch', async () => {
    const seed = await readSeedFile('examples/local/seed.json');
    const sql = readFileSync('examples/local/setup.sql', 'utf8');
    const app = seed.find((s) => s.SecretName === 'demo-app');
    const master = seed.find((s) => s.SecretName === 'demo-app-master');
    expect(app && master).toBeTruthy();
    const appSecret = readMysqlSecret(parseSecretJson(app?.SecretData ?? '', 'demo-app'), 'demo-app');
    expect(appSecret).toMatchObject({ masterSecret: 'demo-app-master', strategy: 'alternate' });
    const masterSecret = parseSecret(MasterSecretSchema, parseSecretJson(master?.SecretData ?? '', 'master'), 'master');
    for (const account of [appSecret.account, { user: masterSecret.AccountName, password: masterSecret.AccountPassword }]) {
      expect(sql).toContain(`CREATE USER '${account.user}'@'%' IDENTIFIED BY '${account.password}'`);
      expect(sql).toMatch(new RegExp(`DROP USER IF EXISTS [^;]*'${account.user}'@'%'`));
    }
    expect(sql).toMatch(/DROP USER IF EXISTS [^;]*'demo_app_rt'@'%'/);
  });
});
