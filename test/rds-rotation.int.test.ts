// Scenario 1 end to end: an ApsaraDB RDS account rotated through the RDS API backend, against the
// RDS account API emulator (real SDK, real MariaDB underneath) and the KMS emulator.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { handle } from '../src/handler.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { RdsApiBackend } from '../src/backends/rds/backend.js';
import { createLogger } from '../src/log.js';
import { Fixture, REGION } from './support/fixture.js';

async function privileges(fx: Fixture, account: string): Promise<string[]> {
  const described = await fx.rds!.api.describeAccount(fx.rds!.instanceId, account);
  return (described?.privileges ?? []).map((p) => `${p.dbName}:${p.privilege}`).sort();
}

async function withAdmin<T>(fx: Fixture, work: (conn: Awaited<ReturnType<typeof adminConnection>>) => Promise<T>): Promise<T> {
  const conn = await adminConnection(fx.sandbox.server);
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

describe('RDS API backend', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
  });
  afterEach(async () => fx?.stop());

  it('rotates twice; each time ACSCurrent reads the data, ACSPrevious logs in and privileges are equal', async () => {
    await fx.seedRds();
    const base = fx.sandbox.app.user;
    for (const expected of [`${base}_rt`, base]) {
      const before = await fx.secretAt({ stage: 'ACSCurrent' });
      const runs = await fx.rotate();
      expect(runs.map((r) => r.result.Backend)).toEqual(['rds-api', 'rds-api', 'rds-api', 'rds-api']);
      expect(runs[2]!.result.Check).toBe('login');
      const current = await fx.secretAt({ stage: 'ACSCurrent' });
      const previous = await fx.secretAt({ stage: 'ACSPrevious' });
      expect(current?.AccountName).toBe(expected);
      expect(previous).toEqual(before);
      // No Endpoint in the secret: the login went to the VPC address from DescribeDBInstanceNetInfo.
      expect(current?.Endpoint).toBeUndefined();
      expect(await fx.login(current!)).toBe('hello');
      expect(await fx.login(previous!)).toBe('hello');
      expect(await privileges(fx, `${base}_rt`)).toEqual(await privileges(fx, base));
      expect(await privileges(fx, base)).toEqual([`${fx.sandbox.database}:ReadWrite`]);
      expect(await fx.secretAt({ stage: 'ACSPending' })).toBeUndefined();
    }
    const actions = fx.rds!.emulator.calls.map((c) => c.action);
    expect(actions.filter((a) => a === 'CreateAccount')).toHaveLength(2); // the app account, then its alternate once
    expect(actions).not.toContain('DeleteAccount');
  });

  it('revokes what the alternate holds beyond the current account, and replaces a differing privilege type', async () => {
    const other = `${fx.sandbox.database}_x`;
    await withAdmin(fx, (c) => c.query(`CREATE DATABASE ${quoteIdentifier(other)}`));
    try {
      const alt = `${fx.sandbox.app.user}_rt`;
      const { api, instanceId } = fx.rds!;
      await api.createAccount(instanceId, { name: alt, password: 'Old-Passw0rd!', type: 'Normal', description: 'left behind' });
      await api.grant(instanceId, alt, [
        { dbName: fx.sandbox.database, privilege: 'ReadOnly' },
        { dbName: other, privilege: 'ReadWrite' },
      ]);
      await fx.seedRds();
      await fx.rotate();
      expect(await privileges(fx, alt)).toEqual([`${fx.sandbox.database}:ReadWrite`]);
      expect(await fx.login({ AccountName: alt, AccountPassword: 'Old-Passw0rd!' })).toMatch(/^refused/);
      expect(fx.rds!.emulator.calls.map((c) => c.action)).toContain('RevokeAccountPrivilege');
    } finally {
      await withAdmin(fx, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(other)}`));
    }
  });

  it('refuses a Custom privilege before changing anything', async () => {
    // An operator's manual change: RDS grants on the escaped database name, so revoke there.
    const escaped = fx.sandbox.database.replace(/_/g, '\\_');
    await withAdmin(fx, (c) => c.query(`REVOKE INSERT ON ${quoteIdentifier(escaped)}.* FROM ?@'%'`, [fx.sandbox.app.user]));
    expect(await privileges(fx, fx.sandbox.app.user)).toEqual([`${fx.sandbox.database}:Custom`]);
    await fx.seedRds();
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    const callsBefore = fx.rds!.emulator.calls.length;
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/Custom/),
    });
    expect(await fx.snapshot()).toEqual(before);
    const mutating = fx.rds!.emulator.calls.slice(callsBefore).filter((c) => !c.action.startsWith('Describe'));
    expect(mutating).toEqual([]);
  });

  it('waits for a new account to become Available', async () => {
    fx.rds!.emulator.keepUnavailable(fx.rds!.instanceId, `${fx.sandbox.app.user}_rt`, 2);
    await fx.seedRds();
    const runs = await fx.rotate();
    expect(runs.every((r) => r.result.Skipped === undefined)).toBe(true);
    const waits = fx.logs.filter((l) => l.includes('waiting for the RDS account to become Available'));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('reports a busy instance as TransientError, and a fresh invocation then converges', async () => {
    await fx.seedRds();
    const { VersionId } = await fx.invoke('new');
    fx.rds!.emulator.makeBusy(fx.rds!.instanceId, 1, 'OperationDenied.DBInstanceStatus');
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({ name: 'TransientError' });
    fx.rds!.emulator.makeBusy(fx.rds!.instanceId, 1, 'IncorrectDBInstanceState');
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({ name: 'TransientError' });
    await fx.invoke('set', VersionId);
    await fx.invoke('test', VersionId);
    await fx.invoke('end', VersionId);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('refuses an alternate of another AccountType before changing anything', async () => {
    const { api, instanceId } = fx.rds!;
    await api.createAccount(instanceId, {
      name: `${fx.sandbox.app.user}_rt`,
      password: 'Other-Passw0rd!',
      type: 'Super',
      description: 'admin',
    });
    await fx.seedRds();
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/AccountType/),
    });
    expect(await fx.snapshot()).toEqual(before);
  });

  it('converges when CreateAccount is applied but its response is lost', async () => {
    await fx.seedRds();
    const { VersionId } = await fx.invoke('new');
    let lost = 0;
    fx.rds!.faults.after = (call) =>
      call.action === 'CreateAccount' && lost++ === 0 ? { status: 503, code: 'ServiceUnavailable' } : undefined;
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({ name: 'TransientError' });
    expect(await fx.rds!.api.describeAccount(fx.rds!.instanceId, `${fx.sandbox.app.user}_rt`)).toBeDefined();
    await fx.invoke('set', VersionId);
    await fx.invoke('test', VersionId);
    await fx.invoke('end', VersionId);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
    expect(await privileges(fx, `${fx.sandbox.app.user}_rt`)).toEqual(await privileges(fx, fx.sandbox.app.user));
  });

  it('gives up waiting for Available with a TransientError, and a later attempt finishes', async () => {
    const { api, instanceId, emulator } = fx.rds!;
    const alt = `${fx.sandbox.app.user}_rt`;
    emulator.keepUnavailable(instanceId, alt, 5);
    const backend = new RdsApiBackend({
      label: 'secret t',
      log: createLogger({ sink: () => undefined }),
      instanceId,
      api,
      ca: undefined,
      accountNameMaxLength: undefined,
      availabilityDelaysMs: [5, 5],
    });
    const plan = {
      current: { user: fx.sandbox.app.user, password: fx.sandbox.app.password },
      pending: { user: alt, password: 'New-Passw0rd!x' },
    };
    await expect(backend.apply(plan)).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/not Available/) });
    emulator.keepUnavailable(instanceId, alt, 0);
    await backend.apply(plan);
    expect(await backend.loginState({ ...plan.pending, database: fx.sandbox.database })).toBe('works');
  });

  it('refuses a current account the RDS API does not know, though it logs in', async () => {
    // A user made with SQL behind RDS's back: DescribeAccounts does not list it.
    const ghost = `${fx.sandbox.app.user}g`;
    await withAdmin(fx, async (c) => {
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [ghost, '%', fx.sandbox.app.password]);
      await c.query(`GRANT SELECT ON ${quoteIdentifier(fx.sandbox.database)}.* TO ?@?`, [ghost, '%']);
    });
    try {
      await fx.seedRds(fx.rdsSecret({ AccountName: ghost }));
      const { VersionId } = await fx.invoke('new');
      const before = await fx.snapshot();
      const err = await fx.invoke('set', VersionId).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/the current account does not exist/);
      expect((err as Error).name).toBe('PreconditionError');
      expect(await fx.snapshot()).toEqual(before);
    } finally {
      await withAdmin(fx, (c) => c.query('DROP USER IF EXISTS ?@?', [ghost, '%']));
    }
  });

  it('refuses to rotate the privileged account, since RDS allows only one', async () => {
    const { api, instanceId } = fx.rds!;
    const admin = `${fx.sandbox.app.user}s`;
    await api.createAccount(instanceId, { name: admin, password: fx.sandbox.app.password, type: 'Super', description: 'privileged' });
    try {
      await fx.seedRds(fx.rdsSecret({ AccountName: admin }));
      const { VersionId } = await fx.invoke('new');
      await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({
        name: 'PreconditionError',
        message: expect.stringMatching(/privileged/),
      });
      expect(await api.describeAccount(instanceId, `${admin}_rt`)).toBeUndefined();
    } finally {
      await withAdmin(fx, (c) => c.query('DROP USER IF EXISTS ?@?', [admin, '%']));
    }
  });

  it("uses the secret's Endpoint and Port when it has them", async () => {
    await fx.seedRds(fx.rdsSecret({ Endpoint: fx.sandbox.server.host, Port: String(fx.sandbox.server.port) }));
    await fx.rotate();
    expect(fx.rds!.emulator.calls.map((c) => c.action)).not.toContain('DescribeDBInstanceNetInfo');
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(current?.Port).toBe(String(fx.sandbox.server.port));
    expect(await fx.login(current!)).toBe('hello');
  });
});

describe('RDS API backend: bad input changes nothing', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '5.6' } });
  });
  afterEach(async () => fx?.stop());

  const cases: { name: string; error: string; arrange: (fx: Fixture) => Promise<unknown> }[] = [
    {
      name: 'unknown instance',
      error: 'InvalidEventError',
      arrange: async (f) => (await f.seedRds(), { SecretName: f.secretName, RegionId: REGION, Step: 'new', InstanceId: 'rm-doesnotexist' }),
    },
    {
      name: 'RDS-style secret without InstanceId in the event',
      error: 'InvalidSecretError',
      arrange: async (f) => (await f.seedRds(), { SecretName: f.secretName, RegionId: REGION, Step: 'new' }),
    },
    {
      name: 'name too long for a MySQL 5.6 instance',
      error: 'InvalidSecretError',
      arrange: async (f) => (
        await f.seedRds(f.rdsSecret({ AccountName: 'abcdefghijklmn' })),
        { SecretName: f.secretName, RegionId: REGION, Step: 'new', InstanceId: f.rds!.instanceId }
      ),
    },
    {
      name: 'name RDS does not accept',
      error: 'InvalidSecretError',
      arrange: async (f) => (
        await f.seedRds(f.rdsSecret({ AccountName: 'App-User' })),
        { SecretName: f.secretName, RegionId: REGION, Step: 'new', InstanceId: f.rds!.instanceId }
      ),
    },
    {
      name: 'secret not JSON',
      error: 'InvalidSecretError',
      arrange: async (f) => (
        await f.seedRds('AccountName=app'),
        { SecretName: f.secretName, RegionId: REGION, Step: 'new', InstanceId: f.rds!.instanceId }
      ),
    },
    {
      name: 'current credentials that do not log in',
      error: 'PreconditionError',
      arrange: async (f) => {
        await f.seedRds(f.rdsSecret({ AccountPassword: 'Not-the-passw0rd' }));
        const { VersionId } = await f.invoke('new');
        return { SecretName: f.secretName, RegionId: REGION, Step: 'set', VersionId, InstanceId: f.rds!.instanceId };
      },
    },
  ];

  it.each(cases)('$name → $error', async (c) => {
    const event = await c.arrange(fx);
    const before = await fx.snapshot();
    const err = await handle(event, { requestId: 'bad', credentials: LOCAL_CREDENTIALS }, { env: fx.env, sink: () => undefined }).catch(
      (e: Error) => e,
    );
    expect((err as Error).name).toBe(c.error);
    expect(await fx.snapshot()).toEqual(before);
  });
});
