// The server's password policy in a whole rotation (issue 14, item 5) on a throwaway MariaDB running
// simple_password_check: `new` reads it through the master and generates a password that meets it;
// a configuration that cannot meet it is refused before anything is staged; and a policy tightened
// after `new` is refused at `set` with nothing changed. Assertions never print a password.
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { Fixture } from './support/fixture.js';
import { refusal } from './support/failure.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from './support/throwaway-mariadb.js';

describe('a rotation under the server’s password policy (throwaway MariaDB with simple_password_check)', () => {
  let db: ThrowawayMariadb;
  let root: mysql.Connection;
  let fx: Fixture | undefined;
  beforeAll(async () => {
    db = await startThrowawayMariadb();
    root = await adminConnection(db.server);
  });
  afterEach(async () => {
    await root.query('UNINSTALL SONAME ?', ['simple_password_check']).catch(() => undefined);
    await fx?.stop();
    fx = undefined;
  });
  afterAll(async () => {
    await root?.end();
    await db?.stop();
  });

  /** The sandbox first (its accounts predate the policy), then the plugin with these settings. */
  async function withPolicy(settings: { minimalLength: number; digits: number; others: number }): Promise<Fixture> {
    fx = await Fixture.start({ server: db.server });
    await fx.seed();
    await root.query('INSTALL SONAME ?', ['simple_password_check']);
    await root.query(`SET GLOBAL simple_password_check_minimal_length = ${Number(settings.minimalLength)}`);
    await root.query(`SET GLOBAL simple_password_check_digits = ${Number(settings.digits)}`);
    await root.query(`SET GLOBAL simple_password_check_other_characters = ${Number(settings.others)}`);
    return fx;
  }

  it('generates a password that meets the policy, and the rotation completes', async () => {
    const f = await withPolicy({ minimalLength: 40, digits: 6, others: 4 });
    const env = { ...f.env, PASSWORD_LENGTH: '44' };
    const { invokeStep } = await import('../src/local/runner/rotate.js');
    const options = { env, context: { credentials: (await import('../src/local/fixtures/kms-admin.js')).LOCAL_CREDENTIALS } };
    const input = { SecretName: f.secretName, RegionId: 'cn-hangzhou' };
    let versionId: string | undefined;
    for (const step of ['new', 'set', 'test', 'end'] as const) versionId = (await invokeStep(input, step, versionId, options)).VersionId;
    const current = await f.secretAt({ stage: 'ACSCurrent' });
    expect(current?.AccountName).toBe(`${f.sandbox.app.user}_rt`);
    const password = current?.AccountPassword ?? '';
    expect(password.length).toBe(44);
    expect((password.match(/[0-9]/g) ?? []).length >= 6).toBe(true);
    expect(await f.login(current!)).toBe('hello');
  });

  it('refuses at new, staging nothing, when the configured length cannot meet the server’s minimum', async () => {
    const f = await withPolicy({ minimalLength: 40, digits: 1, others: 1 });
    const before = await f.stages();
    const err = await refusal(f.invoke('new'));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toMatch(/PASSWORD_LENGTH/);
    expect(await f.stages()).toEqual(before);
  });

  it('refuses at set, changing nothing, when the policy was tightened after new', async () => {
    fx = await Fixture.start({ server: db.server });
    await fx.seed();
    const { VersionId } = await fx.invoke('new');
    await root.query('INSTALL SONAME ?', ['simple_password_check']);
    await root.query('SET GLOBAL simple_password_check_minimal_length = 60');
    const err = await refusal(fx.invoke('set', VersionId));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toMatch(/does not meet the server's password policy \(minLength\); the policy changed since new staged it/);
    const [rows] = await root.query('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?', [`${fx.sandbox.app.user}_rt`]);
    expect((rows as { n: number }[])[0]?.n).toBe(0);
  });
});
