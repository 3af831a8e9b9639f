// Single-account rotation (RotationStrategy single) end to end on the real MariaDB through the real
// KMS SDK: the self-managed account changing its own password, and the RDS API backend resetting it;
// recovery through ACSPrevious and a stale ACSPending the database holds; and the invariant with a
// fault at every KMS call, before and after it is applied: at every moment ACSCurrent or ACSPending
// logs in, and once the retried rotation completes ACSCurrent does and the old password does not
// (MariaDB has no dual passwords). Passwords are compared as booleans, never printed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MysqlBackend } from '../src/backends/mysql/backend.js';
import type { Step } from '../src/event.js';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { createLogger, SecretMask } from '../src/log.js';
import { planRotation } from '../src/steps/index.js';
import { Fixture, type AppSecret } from './support/fixture.js';

const FAULT = { status: 503, code: 'ServiceUnavailable' };
const STEPS: Step[] = ['new', 'set', 'test', 'end'];

const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected the step to fail');
    },
    (err: unknown) => err as Error,
  );

async function mysqlUsers(fx: Fixture): Promise<string[]> {
  const conn = await adminConnection(fx.sandbox.server);
  try {
    const [rows] = await conn.query('SELECT User FROM mysql.user WHERE User IN (?, ?) ORDER BY User', [
      fx.sandbox.app.user,
      `${fx.sandbox.app.user}_rt`,
    ]);
    return (rows as { User: string }[]).map((r) => r.User);
  } finally {
    await conn.end();
  }
}

/** Whether these credentials read the sandbox's row now. */
const works = async (fx: Fixture, secret: AppSecret | undefined): Promise<boolean> =>
  secret !== undefined && (await fx.login(secret)) === 'hello';

/** The invariant, read with the fault hooks off (its reads are not calls of the rotation). */
async function currentOrPendingLogsIn(fx: Fixture): Promise<boolean> {
  const { before, after } = fx.faults;
  fx.faults.before = undefined;
  fx.faults.after = undefined;
  try {
    return (await works(fx, await fx.secretAt({ stage: 'ACSCurrent' }))) || (await works(fx, await fx.secretAt({ stage: 'ACSPending' })));
  } finally {
    fx.faults.before = before;
    fx.faults.after = after;
  }
}

/** new, set, test, end as the flow runs them, the invariant checked after each step and after a failure. */
async function rotateChecked(fx: Fixture): Promise<'done' | 'failed'> {
  let versionId: string | undefined;
  for (const step of STEPS) {
    try {
      versionId = (await fx.invoke(step, versionId)).VersionId;
    } catch (err) {
      expect((err as Error).name, `${step} failed`).toBe('TransientError');
      expect(await currentOrPendingLogsIn(fx), `after ${step} failed`).toBe(true);
      return 'failed';
    }
    expect(await currentOrPendingLogsIn(fx), `after ${step}`).toBe(true);
  }
  return 'done';
}

/** Every KMS call of one rotation gets a fault, before and after it is applied; each time the rotation is retried to the end. */
async function faultAtEveryKmsCall(fx: Fixture): Promise<number> {
  // A clean rotation first, counting its calls: each later rotation makes the same ones.
  let calls = 0;
  fx.faults.before = () => (calls++, undefined);
  expect(await rotateChecked(fx)).toBe('done');
  fx.faults.before = undefined;
  expect(calls).toBeGreaterThan(8);
  for (const when of ['before', 'after'] as const) {
    for (let failAt = 1; failAt <= calls; failAt++) {
      const old = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      let n = 0;
      fx.faults.before = () => (++n === failAt && when === 'before' ? FAULT : undefined);
      fx.faults.after = () => (n === failAt && when === 'after' ? FAULT : undefined);
      expect(await rotateChecked(fx), `fault ${when} call ${failAt}`).toBe('failed');
      fx.faults.before = undefined;
      fx.faults.after = undefined;
      // Retried: the next run of the flow starts at new again.
      expect(await rotateChecked(fx), `retry after a fault ${when} call ${failAt}`).toBe('done');
      const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      expect(current.AccountName).toBe(fx.sandbox.app.user);
      expect(current.AccountPassword === old.AccountPassword, `a new password after a fault ${when} call ${failAt}`).toBe(false);
      expect(await works(fx, current)).toBe(true);
      expect(await works(fx, old), `the old password after a fault ${when} call ${failAt}`).toBe(false);
      expect(await fx.secretAt({ stage: 'ACSPending' })).toBeUndefined();
    }
  }
  return calls;
}

describe('single-account rotation of a self-managed MariaDB secret', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    // No MasterSecret: single by default. The master secret the fixture seeds is never read.
    await fx.seed(fx.appSecret({ MasterSecret: undefined, Team: 'payments' }));
  });
  afterEach(async () => fx?.stop());

  it('rotates the account’s own password three times, keeping the account, its grants and every other field', async () => {
    const grants = await fx.grants(fx.sandbox.app.user);
    for (let round = 1; round <= 3; round++) {
      const before = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      const runs = await fx.rotate();
      // end's result names no account (README: Step results).
      expect(runs.map((r) => [r.step, r.result.AccountName, r.result.Skipped])).toEqual(
        STEPS.map((step) => [step, step === 'end' ? undefined : fx.sandbox.app.user, undefined]),
      );
      const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      const { AccountPassword: newPassword, ...fields } = current;
      const { AccountPassword: oldPassword, ...oldFields } = before;
      expect(fields).toEqual(oldFields);
      expect(newPassword === oldPassword).toBe(false);
      expect(await fx.secretAt({ stage: 'ACSPrevious' })).toEqual(before);
      expect(await works(fx, current)).toBe(true);
      // MariaDB keeps one password: the old one stopped working at set.
      expect(await works(fx, before)).toBe(false);
    }
    expect(await mysqlUsers(fx)).toEqual([fx.sandbox.app.user]);
    expect(await fx.grants(fx.sandbox.app.user)).toEqual(grants);
    // The fixture created the master secret; no step read it.
    expect(fx.kms.calls.filter((c) => c.secretName === fx.masterName).map((c) => c.action)).toEqual(['CreateSecret']);
    const passwords = [(await fx.secretAt({ stage: 'ACSCurrent' }))!.AccountPassword, fx.sandbox.app.password];
    expect(passwords.map((p) => fx.logs.join('\n').includes(p))).toEqual([false, false]);
  });

  it('shows the change in the dry run through Backend.preview, and the plan changes nothing', async () => {
    const mask = new SecretMask();
    const log = createLogger({ mask, sink: () => {} });
    const before = await fx.snapshot();
    const plan = await planRotation({
      secretName: fx.secretName,
      requestId: 'plan',
      store: fx.store,
      backend: new MysqlBackend({ label: `secret ${fx.secretName}`, log, ca: undefined, accountNameMaxLength: undefined }),
      passwordConfig: { passwordLength: 24, excludeCharacters: '' },
      log,
      mask,
    });
    expect(plan.PendingAccount).toBe(fx.sandbox.app.user);
    expect(plan.Changes).toEqual([
      { kind: 'note', text: expect.stringContaining('no dual passwords') },
      { kind: 'sql', statement: "SET PASSWORD = '<redacted>'" },
    ]);
    expect(await fx.snapshot()).toEqual(before);
  });

  it('recovers through ACSPrevious when ACSCurrent was moved back after the database changed', async () => {
    await fx.rotate();
    const versions = await fx.stages();
    const [v1] = Object.entries(versions).find(([, s]) => s.includes('ACSPrevious'))!;
    const [v2] = Object.entries(versions).find(([, s]) => s.includes('ACSCurrent'))!;
    // An operator's mistake: ACSCurrent back on the old version, whose password the database no longer holds.
    await fx.store.moveStage(fx.secretName, 'ACSCurrent', v1, v2);
    // The emulator hands ACSPrevious to the version ACSCurrent left; KMS may not.
    if (!(await fx.stages())[v2]?.includes('ACSPrevious')) await fx.store.moveStage(fx.secretName, 'ACSPrevious', v2, v1);
    expect(await fx.stages()).toMatchObject({ [v1]: ['ACSCurrent'], [v2]: ['ACSPrevious'] });
    expect(await works(fx, await fx.secretAt({ stage: 'ACSCurrent' }))).toBe(false);
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Skipped)).toEqual([undefined, undefined, undefined, undefined]);
    expect(await works(fx, await fx.secretAt({ stage: 'ACSCurrent' }))).toBe(true);
    expect(fx.logs.some((line) => line.includes('"check":"previous-login"'))).toBe(true);
  });

  it('keeps, in the version that replaces it, the password of a stale ACSPending the database already holds', async () => {
    const { VersionId: stale } = await fx.invoke('new');
    await fx.invoke('set', stale);
    const held = (await fx.secretAt({ versionId: stale }))!;
    // The operator edits ACSCurrent (a new field) before end ran: ACSPending no longer fits it, and only its password works.
    const updated = { ...(await fx.secretAt({ stage: 'ACSCurrent' }))!, Note: 'moved' };
    await fx.admin.putSecretValue({ name: fx.secretName, versionId: 'operator-update', data: JSON.stringify(updated) });
    expect(await works(fx, updated)).toBe(false);
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Skipped)).toEqual([undefined, 'the pending credentials already log in', undefined, undefined]);
    const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
    expect(current['Note']).toBe('moved');
    expect(current.AccountPassword === held.AccountPassword).toBe(true);
    expect(await works(fx, current)).toBe(true);
    expect((await fx.stages())[stale]).toEqual([]);
  });

  it('lets two sets of one version at the same moment both succeed (a retry racing a slow first attempt)', async () => {
    const { VersionId } = await fx.invoke('new');
    const results = await Promise.all([fx.invoke('set', VersionId), fx.invoke('set', VersionId)]);
    expect(results.map((r) => r.VersionId)).toEqual([VersionId, VersionId]);
    expect(await works(fx, await fx.secretAt({ versionId: VersionId }))).toBe(true);
    await fx.invoke('test', VersionId);
    await fx.invoke('end', VersionId);
    expect(await works(fx, await fx.secretAt({ stage: 'ACSCurrent' }))).toBe(true);
  });

  it('refuses RotationStrategy alternate without a MasterSecret at new, changing nothing', async () => {
    await fx.admin.putSecretValue({
      name: fx.secretName,
      versionId: 'alternate',
      data: JSON.stringify(fx.appSecret({ MasterSecret: undefined, RotationStrategy: 'alternate' })),
    });
    const before = await fx.snapshot();
    const err = await rejection(fx.invoke('new'));
    expect(err.name).toBe('InvalidSecretError');
    expect(err.message).toMatch(/MasterSecret: required with RotationStrategy "alternate"/);
    expect(await fx.snapshot()).toEqual(before);
  });
});

describe('the single-account invariant on the real MariaDB, a fault at every KMS call', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start();
    await fx.seed(fx.appSecret({ MasterSecret: undefined }));
  });
  afterAll(async () => fx?.stop());

  it('self-managed: ACSCurrent or ACSPending logs in at every moment; the retried rotation leaves only the new password', async () => {
    expect(await faultAtEveryKmsCall(fx)).toBeGreaterThan(8);
  }, 120_000);
});

describe('single-account rotation through the RDS API backend', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds(fx.rdsSecret({ RotationStrategy: 'single' }));
  });
  afterAll(async () => fx?.stop());

  const privileges = async (name: string) => (await fx.rds!.api.describeAccount(fx.rds!.instanceId, name))?.privileges;

  it('resets the account’s own password twice: no alternate created, privileges untouched, only the new password logs in', async () => {
    const held = await privileges(fx.sandbox.app.user);
    for (let round = 1; round <= 2; round++) {
      const before = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      const runs = await fx.rotate();
      expect(runs.map((r) => [r.result.AccountName, r.result.Skipped])).toEqual(
        STEPS.map((step) => [step === 'end' ? undefined : fx.sandbox.app.user, undefined]),
      );
      expect(runs[2]!.result.Check).toBe('login');
      const current = (await fx.secretAt({ stage: 'ACSCurrent' }))!;
      expect(current.AccountName).toBe(fx.sandbox.app.user);
      expect(await works(fx, current)).toBe(true);
      expect(await works(fx, before)).toBe(false);
    }
    expect(await privileges(fx.sandbox.app.user)).toEqual(held);
    expect(await fx.rds!.api.describeAccount(fx.rds!.instanceId, `${fx.sandbox.app.user}_rt`)).toBeUndefined();
    const actions = fx.rds!.emulator.calls.map((c) => c.action);
    expect(actions.filter((a) => a === 'ResetAccountPassword')).toHaveLength(2);
    expect(actions.filter((a) => ['CreateAccount', 'GrantAccountPrivilege', 'RevokeAccountPrivilege'].includes(a))).toHaveLength(2); // the fixture's own
  });

  it('keeps the invariant with a fault at every KMS call', async () => {
    expect(await faultAtEveryKmsCall(fx)).toBeGreaterThan(8);
  }, 120_000);
});
