// planRotation end to end through the real SDKs: the KMS emulator, the real MariaDB, and the RDS
// emulator. It reports what a rotation would do, and leaves KMS, mysql.user and the grants, and the
// RDS accounts exactly as they were; where set would refuse, it refuses with set's error.
import { afterEach, describe, expect, it } from 'vitest';
import { MysqlBackend } from '../../src/backends/mysql/backend.js';
import { RdsApiBackend } from '../../src/backends/rds/backend.js';
import { adminConnection } from '../../src/local/fixtures/mysql-sandbox.js';
import { createLogger, SecretMask } from '../../src/log.js';
import { planRotation, type PlanContext } from '../../src/steps/index.js';
import { Fixture } from '../support/fixture.js';
import { refusal } from '../support/failure.js';

function planContext(fx: Fixture, logs: string[]): PlanContext {
  const mask = new SecretMask();
  const log = createLogger({ mask, debug: true, sink: (line) => logs.push(line) });
  const label = `secret ${fx.secretName}`;
  const common = { label, log, ca: undefined, accountNameMaxLength: undefined };
  const backend = fx.rds ? new RdsApiBackend({ ...common, instanceId: fx.rds.instanceId, api: fx.rds.api }) : new MysqlBackend(common);
  return {
    secretName: fx.secretName,
    requestId: 'plan-request',
    store: fx.store,
    backend,
    passwordConfig: { passwordLength: 24, excludeCharacters: '/@"\'\\' },
    log,
    mask,
  };
}

describe('planRotation (self-managed MySQL)', () => {
  let fx: Fixture;
  afterEach(async () => fx?.stop());

  it('lists the KMS calls and the SQL of a first rotation, and changes nothing in KMS or the database', async () => {
    fx = await Fixture.start();
    await fx.seed();
    const before = await fx.snapshot();
    const logs: string[] = [];
    const plan = await planRotation(planContext(fx, logs));
    const alt = `${fx.sandbox.app.user}_rt`;
    expect(plan).toMatchObject({
      SecretName: fx.secretName,
      Backend: 'mysql',
      CurrentAccount: fx.sandbox.app.user,
      PendingAccount: alt,
    });
    expect(plan.Kms.map((c) => `${c.step} ${c.action}`)).toEqual([
      'new PutSecretValue',
      'end UpdateSecretVersionStage',
      'end UpdateSecretVersionStage',
      'end UpdateSecretVersionStage',
    ]);
    expect(plan.Changes).toEqual([
      { kind: 'sql', statement: `CREATE USER '${alt}'@'%' IDENTIFIED BY PASSWORD '<redacted>'` },
      { kind: 'sql', statement: `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${fx.sandbox.database}\`.* TO '${alt}'@'%'` },
      { kind: 'sql', statement: `ALTER USER '${alt}'@'%' REQUIRE NONE` },
      { kind: 'sql', statement: `ALTER USER '${alt}'@'%' IDENTIFIED BY PASSWORD '<redacted>'` },
    ]);
    expect(await fx.snapshot()).toEqual(before);
    expect(Object.values(await fx.stages())).toEqual([['ACSCurrent']]);
    const shown = JSON.stringify(plan) + logs.join('\n');
    for (const password of [fx.sandbox.app.password, fx.sandbox.master.password]) expect(shown).not.toContain(password);
  });

  it("refuses where set would, with set's error, changing nothing: a master that cannot pass on the privileges", async () => {
    fx = await Fixture.start();
    await fx.seed();
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [fx.sandbox.master.user, '%']);
      await conn.query('GRANT CREATE USER, SELECT ON *.* TO ?@?', [fx.sandbox.master.user, '%']);
    } finally {
      await conn.end();
    }
    const before = await fx.snapshot();
    const planned = await refusal(planRotation(planContext(fx, [])));
    expect(planned).toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/the master account cannot grant or revoke/),
    });
    expect(await fx.snapshot()).toEqual(before);

    const { VersionId } = await fx.invoke('new');
    const set = await refusal(fx.invoke('set', VersionId));
    // The handler puts the step before the message; the rest is set's own, the plan's too.
    expect(set).toMatchObject({ name: planned.name, message: `step set: ${planned.message}` });
  });
});

describe('planRotation (RDS API)', () => {
  let fx: Fixture;
  afterEach(async () => fx?.stop());

  it('lists CreateAccount, GrantAccountPrivilege and ResetAccountPassword, and changes nothing in KMS or on RDS', async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds();
    const { api, instanceId, emulator } = fx.rds!;
    const alt = `${fx.sandbox.app.user}_rt`;
    const described = async () => [await api.describeAccount(instanceId, fx.sandbox.app.user), await api.describeAccount(instanceId, alt)];
    const kmsBefore = fx.kms.snapshot();
    const accountsBefore = await described();
    const callsBefore = emulator.calls.length;
    const plan = await planRotation(planContext(fx, []));
    expect(plan.Backend).toBe('rds-api');
    expect(plan.Changes.map((c) => (c.kind === 'rds' ? c.action : c.kind))).toEqual([
      'CreateAccount',
      'GrantAccountPrivilege',
      'ResetAccountPassword',
    ]);
    expect(plan.Changes[0]).toMatchObject({ params: { AccountName: alt, AccountPassword: '<redacted>' } });
    expect(emulator.calls.slice(callsBefore).filter((c) => !c.action.startsWith('Describe'))).toEqual([]);
    expect(await described()).toEqual(accountsBefore);
    expect(fx.kms.snapshot()).toEqual(kmsBefore);

    // The rotation itself then makes the RDS calls and the KMS writes the plan listed, in its order.
    const kmsCallsBefore = fx.kms.calls.length;
    await fx.rotate();
    expect(
      emulator.calls
        .slice(callsBefore)
        .filter((c) => !c.action.startsWith('Describe'))
        .map((c) => c.action),
    ).toEqual(plan.Changes.map((c) => (c.kind === 'rds' ? c.action : c.kind)));
    const kmsWrites = fx.kms.calls.slice(kmsCallsBefore).filter((c) => ['PutSecretValue', 'UpdateSecretVersionStage'].includes(c.action));
    expect(kmsWrites.map((c) => c.action)).toEqual(plan.Kms.map((c) => c.action));
  });
});
