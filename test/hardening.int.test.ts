// Defects an adversarial review found (issue 11), each shown on the real MariaDB and the emulators through
// the real SDKs: the case, then proof that nothing changed (KMS versions and stages, accounts, passwords, grants).
import * as openapiCore from '@alicloud/openapi-core';
import * as rds from '@alicloud/rds20140815';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkClass } from '../src/alibaba/interop.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { Fixture, REGION } from './support/fixture.js';

const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected the step to fail');
    },
    (err: unknown) => err as Error,
  );

describe('the master can become the target', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
  });
  afterEach(async () => fx?.stop());

  /** The app secret names `user`; a pending version for its alternate is staged by hand, as a tampered or older run would leave it. */
  async function seedWithAccount(user: string, alternate: string): Promise<void> {
    await fx.seed(fx.appSecret({ AccountName: user }));
    const pending = fx.appSecret({ AccountName: alternate, AccountPassword: 'Pending-Password-1' });
    await fx.store.putPending(fx.secretName, 'staged', JSON.stringify(pending));
  }

  it.each([
    ['the app secret names <master>_rt, so the master is the alternate', (m: string) => [`${m}_rt`, m] as const],
    ["the app secret names the master's own account", (m: string) => [m, `${m}_rt`] as const],
  ])('refuses at new and at set when %s; the master keeps its grants and password', async (_, accounts) => {
    const [user, alternate] = accounts(fx.sandbox.master.user);
    await seedWithAccount(user, alternate);
    const before = await fx.snapshot();
    const masterGrants = await fx.grants(fx.sandbox.master.user, fx.sandbox.master.host);

    const atNew = await rejection(fx.invoke('new'));
    expect(atNew.name).toBe('PreconditionError');
    expect(atNew.message).toMatch(/MasterSecret: the master account would be rotated itself/);
    const atSet = await rejection(fx.invoke('set', 'staged'));
    expect(atSet.name).toBe('PreconditionError');
    expect(atSet.message).toMatch(/MasterSecret: the master account would be rotated itself/);

    expect(await fx.snapshot()).toEqual(before);
    expect(await fx.grants(fx.sandbox.master.user, fx.sandbox.master.host)).toEqual(masterGrants);
    expect(await fx.login({ AccountName: fx.sandbox.master.user, AccountPassword: fx.sandbox.master.password })).toBe('hello');
  });

  it('refuses a MasterSecret that names the rotated secret itself, at new, changing nothing', async () => {
    await fx.seed(fx.appSecret({ MasterSecret: fx.secretName }));
    const before = await fx.snapshot();
    const err = await rejection(fx.invoke('new'));
    expect(err.name).toBe('PreconditionError');
    expect(err.message).toMatch(/MasterSecret: names the rotated secret itself/);
    expect(await fx.snapshot()).toEqual(before);
  });

  it('refuses at new a MasterSecret that does not exist, before a pending version is staged', async () => {
    await fx.admin.createSecret({ name: fx.secretName, data: JSON.stringify(fx.appSecret()) });
    const before = await fx.snapshot();
    const err = await rejection(fx.invoke('new'));
    expect(err.name).toBe('SecretNotFoundError');
    expect(err.message).toContain(`master secret ${fx.masterName}`);
    expect(await fx.snapshot()).toEqual(before);
  });
});

describe('the master cannot hand on everything it copies', () => {
  let fx: Fixture;
  const roles: string[] = [];
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => {
    const conn = await adminConnection(fx.sandbox.server);
    try {
      for (const role of roles.splice(0)) await conn.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
    } finally {
      await conn.end();
    }
    await fx?.stop();
  });

  async function refusedAtSet(expected: RegExp): Promise<void> {
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    const err = await rejection(fx.invoke('set', VersionId));
    expect(err.name).toBe('PreconditionError');
    expect(err.message).toMatch(expected);
    // Refused before the first write: no half-made alternate.
    expect(await fx.snapshot()).toEqual(before);
    expect(await fx.grants(`${fx.sandbox.app.user}_rt`).catch(() => 'no such account')).toBe('no such account');
  }

  it('refuses a role the master has no ADMIN OPTION on, naming the role, before creating the alternate', async () => {
    const role = `r_${fx.sandbox.app.user}`;
    roles.push(role);
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query(`CREATE ROLE ${quoteIdentifier(role)}`);
      await conn.query(`GRANT ${quoteIdentifier(role)} TO ?@?`, [fx.sandbox.app.user, fx.sandbox.app.host]);
    } finally {
      await conn.end();
    }
    await refusedAtSet(new RegExp(`the master account cannot grant or revoke role \`${role}\``));
  });

  it('refuses privileges the master may not pass on (no GRANT OPTION), naming one, before creating the alternate', async () => {
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query('REVOKE GRANT OPTION ON *.* FROM ?@?', [fx.sandbox.master.user, fx.sandbox.master.host]);
    } finally {
      await conn.end();
    }
    await refusedAtSet(new RegExp(`the master account cannot grant or revoke SELECT on \`${fx.sandbox.database}\`\\.\\*`));
  });
});

describe('end promotes blindly', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  it('refuses end straight after new (set never ran), stages unchanged', async () => {
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    const err = await rejection(fx.invoke('end', VersionId));
    expect(err.name).toBe('PreconditionError');
    expect(err.message).toMatch(/the pending credentials do not work, so ACSCurrent stays where it is/);
    expect(await fx.snapshot()).toEqual(before);
    // The application keeps working on the version it had.
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });

  it('refuses end after the alternate was dropped between test and end, stages unchanged', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    await fx.invoke('test', VersionId);
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query('DROP USER ?@?', [`${fx.sandbox.app.user}_rt`, fx.sandbox.app.host]);
    } finally {
      await conn.end();
    }
    const before = await fx.snapshot();
    expect((await rejection(fx.invoke('end', VersionId))).name).toBe('PreconditionError');
    expect(await fx.snapshot()).toEqual(before);
    // A rerun of the rotation from set repairs it; end then promotes.
    await fx.invoke('set', VersionId);
    expect((await fx.invoke('end', VersionId)).Skipped).toBeUndefined();
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });
});

describe('two ends of one version at the same moment', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  it('both succeed through the real KMS SDK, rather than the loser failing as not retryable', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    await fx.invoke('test', VersionId);
    const results = await Promise.all([fx.invoke('end', VersionId), fx.invoke('end', VersionId)]);
    expect(results.map((r) => r.VersionId)).toEqual([VersionId, VersionId]);
    const stages = await fx.stages();
    expect(stages[VersionId]).toEqual(['ACSCurrent']);
    expect(stages['v1']).toEqual(['ACSPrevious']);
  });
});

describe('RDS API backend: end promotes blindly', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds();
  });
  afterEach(async () => fx?.stop());

  it('refuses end after the alternate was deleted through the RDS API, stages unchanged', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    const { api, instanceId, emulator } = fx.rds!;
    // DeleteAccount is not in the RDS client the function ships (it never deletes): call the API as an operator would.
    await deleteAccount(emulator.endpoint, instanceId, `${fx.sandbox.app.user}_rt`);
    expect(await api.describeAccount(instanceId, `${fx.sandbox.app.user}_rt`)).toBeUndefined();
    const before = await fx.stages();
    expect((await rejection(fx.invoke('end', VersionId))).name).toBe('PreconditionError');
    expect(await fx.stages()).toEqual(before);
  });
});

describe('RDS privileges are never read back', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    // No DBName: a login alone (SELECT 1) then proves nothing about the application's database.
    await fx.seedRds(fx.rdsSecret({ DBName: undefined }));
  });
  afterEach(async () => fx?.stop());

  const privilegesOf = async (name: string) => (await fx.rds!.api.describeAccount(fx.rds!.instanceId, name))?.privileges;

  /** set, test and end of the version go through, and the new current account holds its partner's privileges and logs in. */
  async function finishesRight(versionId: string): Promise<void> {
    await fx.invoke('set', versionId);
    await fx.invoke('test', versionId);
    await fx.invoke('end', versionId);
    const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
    expect(await privilegesOf(current.AccountName)).toEqual(await privilegesOf(fx.sandbox.app.user));
    expect(await fx.login(current)).toBe('hello');
  }

  it('refuses a set planned from a stale copy of the current account (TransientError), and a retry builds the alternate right', async () => {
    const { emulator, instanceId } = fx.rds!;
    const { VersionId } = await fx.invoke('new');
    emulator.listStaleCopy(instanceId, fx.sandbox.app.user, 1);
    const err = await rejection(fx.invoke('set', VersionId));
    expect(err.name).toBe('TransientError');
    // The password comes last: the half-made alternate cannot be logged in to.
    expect(await fx.login((await fx.secretAt({ versionId: VersionId }))!)).toMatch(/^refused/);

    await finishesRight(VersionId);
  });

  it('refuses a set while DescribeAccounts keeps listing a stale copy, and never promotes an alternate without privileges', async () => {
    const { emulator, instanceId } = fx.rds!;
    const { VersionId } = await fx.invoke('new');
    const before = await fx.stages();
    emulator.listStaleCopy(instanceId, fx.sandbox.app.user, 1000);
    for (let attempt = 0; attempt < 3; attempt++) expect((await rejection(fx.invoke('set', VersionId))).name).toBe('TransientError');
    expect(await fx.stages()).toEqual(before);
    emulator.listStaleCopy(instanceId, fx.sandbox.app.user, 0);
    await finishesRight(VersionId);
  });

  it("refuses end when the pending account logs in but lacks its partner's privileges, and moves nothing", async () => {
    const { api, instanceId } = fx.rds!;
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    await api.revoke(instanceId, `${fx.sandbox.app.user}_rt`, [fx.sandbox.database]);
    // test proves the login; the comparison that decides is end's, before ACSCurrent moves.
    expect(await fx.invoke('test', VersionId)).toMatchObject({ Check: 'login' });
    const before = await fx.stages();
    const err = await rejection(fx.invoke('end', VersionId));
    expect(err.name).toBe('PreconditionError');
    expect(err.message).toMatch(/the pending account's privileges differ from the current account's/);
    expect(await fx.stages()).toEqual(before);
  });
});

describe('account state is not copied', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  async function root<T>(work: (conn: Awaited<ReturnType<typeof adminConnection>>) => Promise<T>): Promise<T> {
    const conn = await adminConnection(fx.sandbox.server);
    try {
      return await work(conn);
    } finally {
      await conn.end();
    }
  }

  const stateOf = (user: string) =>
    root(async (conn) => {
      const [rows] = await conn.query(
        "SELECT JSON_VALUE(Priv, '$.account_locked') AS locked, JSON_VALUE(Priv, '$.password_lifetime') AS lifetime FROM mysql.global_priv WHERE User = ? AND Host = ?",
        [user, fx.sandbox.app.host],
      );
      return (rows as { locked: string | null; lifetime: string | null }[])[0];
    });

  it('unlocks a pre-existing locked alternate, so test passes and the application logs in after end', async () => {
    const alternate = `${fx.sandbox.app.user}_rt`;
    await root(async (conn) => {
      await conn.query("CREATE USER ?@? IDENTIFIED BY 'Old-Alternate-Password-1' ACCOUNT LOCK", [alternate, fx.sandbox.app.host]);
    });
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
    expect(current.AccountName).toBe(alternate);
    expect(await fx.login(current)).toBe('hello');
    expect((await stateOf(alternate))?.locked).not.toMatch(/^(1|true)$/);
  });

  it("gives the alternate the current account's password expiry", async () => {
    await root((conn) => conn.query('ALTER USER ?@? PASSWORD EXPIRE INTERVAL 90 DAY', [fx.sandbox.app.user, fx.sandbox.app.host]));
    await fx.rotate();
    expect((await stateOf(`${fx.sandbox.app.user}_rt`))?.lifetime).toBe('90');
    // And back: the next rotation makes the original account match again.
    await root((conn) => conn.query('ALTER USER ?@? PASSWORD EXPIRE NEVER', [`${fx.sandbox.app.user}_rt`, fx.sandbox.app.host]));
    await root((conn) => conn.query('ALTER USER ?@? PASSWORD EXPIRE DEFAULT', [fx.sandbox.app.user, fx.sandbox.app.host]));
    await fx.rotate();
    expect((await stateOf(fx.sandbox.app.user))?.lifetime).toBe('0');
  });
});

describe('a stray ACSPending blocks rotation forever', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  it.each([
    ['binary', { data: Buffer.from('not a secret of ours').toString('base64'), dataType: 'binary' as const }],
    ['not JSON', { data: 'not json at all', dataType: 'text' as const }],
  ])('replaces an ACSPending version whose SecretData is %s, and the rotation completes', async (_, stray) => {
    await fx.admin.putSecretValue({ name: fx.secretName, versionId: 'stray', stages: ['ACSPending'], ...stray });
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    const stages = await fx.stages();
    expect(stages['stray']).toEqual([]);
    expect(stages[runs[0]!.result.VersionId]).toEqual(['ACSCurrent']);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });
});

async function deleteAccount(endpointUrl: string, instanceId: string, accountName: string): Promise<void> {
  const url = new URL(endpointUrl);
  const client = new (sdkClass(rds))(
    new openapiCore.$OpenApiUtil.Config({ endpoint: url.host, protocol: 'http', regionId: REGION, ...LOCAL_CREDENTIALS }),
  );
  await client.deleteAccount(new rds.DeleteAccountRequest({ DBInstanceId: instanceId, accountName }));
}
