// Issue 11, item 9: a success that is not one. A 200 answer without the fields the API documents (`{}`,
// another VersionId, a malformed account list) must fail the step with TransientError, so the flow
// retries it, instead of being taken for success (PutSecretValue `{}`: `new` reported a version KMS
// never said it stored, and `set` then failed with SecretNotFoundError on every run).
// The emulators' `respond` hook replaces the body of a call that was applied: the change stays.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminConnection } from '../src/local/fixtures/mysql-sandbox.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { forgetVersionData } from '../src/secrets/version-cache.js';
import type { KmsCall } from '../src/local/emulators/kms/emulator.js';
import type { RdsCall } from '../src/local/emulators/rds/emulator.js';
import { Fixture } from './support/fixture.js';

type Body = Record<string, unknown>;

/** A `respond` hook answering `action` with `replace(realBody)`, `times` times (default: always). */
function answer<C extends KmsCall | RdsCall>(
  action: string,
  replace: (body: Body) => Body,
  times = Infinity,
): (call: C, body: Body) => Body | undefined {
  let left = times;
  return (call, body) => {
    if (call.action !== action || left <= 0) return undefined;
    left -= 1;
    return replace(body);
  };
}

const malformed = (action: string, about: string) =>
  expect.objectContaining({
    name: 'TransientError',
    message: expect.stringContaining(`${action} ${about} answered without the expected fields`),
  });

describe('malformed KMS answers are TransientError (issue 11, item 9)', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  const kms = (action: string) => malformed(`KMS ${action}`, `for secret ${fx.secretName}`);

  it('PutSecretValue answered {}: new fails with TransientError, and a retried new succeeds and the rotation completes', async () => {
    fx.faults.respond = answer('PutSecretValue', () => ({}));
    await expect(fx.invoke('new')).rejects.toEqual(kms('PutSecretValue'));

    fx.faults.respond = undefined;
    // The version was stored after all (the change stays): the retry reuses it rather than staging another.
    const retried = await fx.invoke('new');
    expect(Object.values(await fx.stages()).filter((s) => s.includes('ACSPending'))).toHaveLength(1);
    await fx.invoke('set', retried.VersionId);
    await fx.invoke('test', retried.VersionId);
    await fx.invoke('end', retried.VersionId);
    const current = await fx.secretAt({ stage: 'ACSCurrent' });
    expect(current?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
    expect(await fx.login(current!)).toBe('hello');
  });

  it('PutSecretValue answered with another VersionId: TransientError', async () => {
    fx.faults.respond = answer('PutSecretValue', (body) => ({ ...body, VersionId: 'some-other-version' }));
    await expect(fx.invoke('new')).rejects.toEqual(kms('PutSecretValue'));
  });

  it('PutSecretValue answered without SecretName: TransientError', async () => {
    fx.faults.respond = answer('PutSecretValue', ({ SecretName: _name, ...rest }) => rest);
    await expect(fx.invoke('new')).rejects.toEqual(kms('PutSecretValue'));
  });

  it('GetSecretValue answered {}: TransientError, and nothing changes', async () => {
    const before = await fx.snapshot();
    fx.faults.respond = answer('GetSecretValue', () => ({}));
    await expect(fx.invoke('new')).rejects.toEqual(kms('GetSecretValue'));
    expect(await fx.snapshot()).toEqual(before);
  });

  it('GetSecretValue by VersionId answered with another version: TransientError', async () => {
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    fx.faults.respond = answer('GetSecretValue', (body) => ({ ...body, VersionId: 'some-other-version' }));
    // In a new container: set reads the version by its id rather than taking new's data from memory.
    forgetVersionData();
    await expect(fx.invoke('set', VersionId)).rejects.toEqual(kms('GetSecretValue'));
    expect(await fx.snapshot()).toEqual(before);
  });

  it('ListSecretVersionIds answered {}: end fails with TransientError and the stages stay as they were', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    const before = await fx.snapshot();
    fx.faults.respond = answer('ListSecretVersionIds', () => ({}));
    await expect(fx.invoke('end', VersionId)).rejects.toEqual(kms('ListSecretVersionIds'));
    expect(await fx.snapshot()).toEqual(before);

    // A field of another type: a malformed answer too, not a CloudApiError.
    fx.faults.respond = answer('ListSecretVersionIds', (body) => ({ ...body, VersionIds: 'none' }));
    await expect(fx.invoke('end', VersionId)).rejects.toEqual(kms('ListSecretVersionIds'));
    expect(await fx.snapshot()).toEqual(before);

    fx.faults.respond = undefined;
    await fx.invoke('end', VersionId);
    expect((await fx.stages())[VersionId]).toEqual(['ACSCurrent']);
  });

  it('UpdateSecretVersionStage answered {}: end fails with TransientError, and a retried end converges', async () => {
    const { VersionId } = await fx.invoke('new');
    await fx.invoke('set', VersionId);
    fx.faults.respond = answer('UpdateSecretVersionStage', () => ({}), 1);
    await expect(fx.invoke('end', VersionId)).rejects.toEqual(kms('UpdateSecretVersionStage'));
    fx.faults.respond = undefined;
    await fx.invoke('end', VersionId);
    const stages = await fx.stages();
    expect(stages[VersionId]).toEqual(['ACSCurrent']);
    expect(Object.values(stages).filter((s) => s.includes('ACSPrevious'))).toHaveLength(1);
    expect(Object.values(stages).flat()).not.toContain('ACSPending');
  });
});

describe('malformed RDS answers are TransientError (issue 11, item 9)', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds();
  });
  afterEach(async () => fx?.stop());

  const rds = (action: string) => malformed(`RDS ${action}`, `on instance ${fx.rds!.instanceId}`);

  it.each<[string, (body: Body) => Body]>([
    ['{}', () => ({})],
    ['an account list that is not a list', (body) => ({ ...body, Accounts: { DBInstanceAccount: 'none' } })],
    ['accounts without names', (body) => ({ ...body, Accounts: { DBInstanceAccount: [{ AccountStatus: 'Available' }] } })],
  ])('DescribeAccounts answered with %s: set fails with TransientError before changing anything', async (_, replace) => {
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    const callsBefore = fx.rds!.emulator.calls.length;
    fx.rds!.faults.respond = answer('DescribeAccounts', replace);
    await expect(fx.invoke('set', VersionId)).rejects.toEqual(rds('DescribeAccounts'));
    expect(await fx.snapshot()).toEqual(before);
    expect(fx.rds!.emulator.calls.slice(callsBefore).filter((c) => !c.action.startsWith('Describe'))).toEqual([]);
  });

  it('DescribeAccounts answered with an Accounts object without its list: no such account (RDS may leave an empty list out)', async () => {
    const { VersionId } = await fx.invoke('new');
    const before = await fx.snapshot();
    const callsBefore = fx.rds!.emulator.calls.length;
    fx.rds!.faults.respond = answer('DescribeAccounts', () => ({ Accounts: {} }));
    await expect(fx.invoke('set', VersionId)).rejects.toMatchObject({
      name: 'PreconditionError',
      message: expect.stringMatching(/AccountName: the current account does not exist$/),
    });
    expect(await fx.snapshot()).toEqual(before);
    expect(fx.rds!.emulator.calls.slice(callsBefore).filter((c) => !c.action.startsWith('Describe'))).toEqual([]);
  });

  it('DescribeDBInstanceAttribute answered {}: new fails with TransientError and stages nothing', async () => {
    const before = await fx.snapshot();
    fx.rds!.faults.respond = answer('DescribeDBInstanceAttribute', () => ({}));
    await expect(fx.invoke('new')).rejects.toEqual(rds('DescribeDBInstanceAttribute'));
    expect(await fx.snapshot()).toEqual(before);
  });

  it('DescribeDBInstanceNetInfo answered {}: TransientError, not a missing Endpoint', async () => {
    // NetInfo is asked only when DescribeDBInstanceAttribute gave no internal address.
    const noAddress = answer('DescribeDBInstanceAttribute', (body) => {
      const items = (body['Items'] as { DBInstanceAttribute: Body[] }).DBInstanceAttribute;
      return { ...body, Items: { DBInstanceAttribute: items.map(({ ConnectionString: _c, Port: _p, ...rest }) => rest) } };
    });
    const emptyNetInfo = answer('DescribeDBInstanceNetInfo', () => ({}));
    fx.rds!.faults.respond = (call, body) => noAddress(call, body) ?? emptyNetInfo(call, body);
    const { VersionId } = await fx.invoke('new');
    await expect(fx.invoke('set', VersionId)).rejects.toEqual(rds('DescribeDBInstanceNetInfo'));
  });

  it.each(['CreateAccount', 'GrantAccountPrivilege', 'ResetAccountPassword'])(
    '%s answered {} without RequestId: set fails with TransientError, and a retried set converges',
    async (action) => {
      const { VersionId } = await fx.invoke('new');
      fx.rds!.faults.respond = answer(action, () => ({}), 1);
      await expect(fx.invoke('set', VersionId)).rejects.toEqual(rds(action));
      fx.rds!.faults.respond = undefined;
      await fx.invoke('set', VersionId);
      await fx.invoke('test', VersionId);
      await fx.invoke('end', VersionId);
      expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
    },
  );

  it('RevokeAccountPrivilege answered {} without RequestId: set fails with TransientError, and a retried set converges', async () => {
    const other = `${fx.sandbox.database}_x`;
    const conn = await adminConnection(fx.sandbox.server);
    try {
      await conn.query(`CREATE DATABASE ${quoteIdentifier(other)}`);
    } finally {
      await conn.end();
    }
    try {
      const alt = `${fx.sandbox.app.user}_rt`;
      const { api, instanceId } = fx.rds!;
      await api.createAccount(instanceId, { name: alt, password: 'Old-Passw0rd!', type: 'Normal', description: 'left behind' });
      await api.grant(instanceId, alt, [{ dbName: other, privilege: 'ReadWrite' }]);
      const { VersionId } = await fx.invoke('new');
      fx.rds!.faults.respond = answer('RevokeAccountPrivilege', () => ({}), 1);
      await expect(fx.invoke('set', VersionId)).rejects.toEqual(rds('RevokeAccountPrivilege'));
      fx.rds!.faults.respond = undefined;
      await fx.invoke('set', VersionId);
      await fx.invoke('end', VersionId);
      expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
      expect((await api.describeAccount(instanceId, alt))?.privileges).toEqual([{ dbName: fx.sandbox.database, privilege: 'ReadWrite' }]);
    } finally {
      const cleanup = await adminConnection(fx.sandbox.server);
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(other)}`);
      } finally {
        await cleanup.end();
      }
    }
  });

  it('a mutating call answered with RequestId alone, as Alibaba documents, is a success', async () => {
    fx.rds!.faults.respond = (call, body) => (call.action.startsWith('Describe') ? undefined : { RequestId: body['RequestId'] });
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Step)).toEqual(['new', 'set', 'test', 'end']);
    expect(await fx.login((await fx.secretAt({ stage: 'ACSCurrent' }))!)).toBe('hello');
  });
});
