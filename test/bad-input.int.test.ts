// Bad input fails with the documented error name and changes nothing: KMS versions and stages,
// the sandbox's accounts, passwords and grants are compared before and after.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handle } from '../src/handler.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { Fixture, REGION } from './support/fixture.js';

interface Case {
  name: string;
  error: string;
  /** Seeds the secrets (default: the valid pair) and returns the event to send. */
  arrange?: (fx: Fixture) => Promise<unknown>;
  env?: Record<string, string>;
}

const event = (fx: Fixture, fields: Record<string, unknown>) => ({ SecretName: fx.secretName, RegionId: REGION, ...fields });

/** A valid `new`, then the pending version replaced by one with `changes`. */
async function tamperedPending(fx: Fixture, changes: Record<string, unknown>): Promise<unknown> {
  await fx.seed();
  const { VersionId } = await fx.invoke('new');
  const pending = await fx.secretAt({ versionId: VersionId });
  await fx.store.putPending(fx.secretName, 'tampered', JSON.stringify({ ...pending, ...changes }));
  return event(fx, { Step: 'set', VersionId: 'tampered' });
}

/** A valid `new`, then the master secret replaced by `data` (or deleted): the event for `set`. */
async function masterChangedAfterNew(fx: Fixture, data: string | undefined): Promise<unknown> {
  await fx.seed();
  const { VersionId } = await fx.invoke('new');
  if (data === undefined) await fx.admin.deleteSecret(fx.masterName);
  else await fx.admin.putSecretValue({ name: fx.masterName, versionId: 'changed', data });
  return event(fx, { Step: 'set', VersionId });
}

const cases: Case[] = [
  { name: 'unknown Step', error: 'InvalidEventError', arrange: async (fx) => (await fx.seed(), event(fx, { Step: 'rotate' })) },
  { name: 'missing SecretName', error: 'InvalidEventError', arrange: async () => ({ RegionId: REGION, Step: 'new' }) },
  { name: 'event is not JSON', error: 'InvalidEventError', arrange: async () => Buffer.from('{"SecretName": "x", Step: new') },
  { name: 'event is a JSON array', error: 'InvalidEventError', arrange: async () => Buffer.from('[1,2]') },
  { name: 'set without VersionId', error: 'InvalidEventError', arrange: async (fx) => (await fx.seed(), event(fx, { Step: 'set' })) },
  {
    name: 'malformed RegionId',
    error: 'InvalidEventError',
    arrange: async (fx) => (await fx.seed(), event(fx, { Step: 'new', RegionId: 'Hangzhou!' })),
  },
  { name: 'missing secret', error: 'SecretNotFoundError', arrange: async (fx) => event(fx, { Step: 'new' }) },
  {
    name: 'secret is not JSON',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed('Endpoint=10.0.0.5;user=app'), event(fx, { Step: 'new' })),
  },
  {
    name: 'secret of type Rds',
    error: 'InvalidSecretError',
    arrange: async (fx) => {
      await fx.admin.createSecret({ name: fx.secretName, data: JSON.stringify(fx.appSecret()), type: 'Rds' });
      return event(fx, { Step: 'new' });
    },
  },
  {
    name: 'Port out of range',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret({ Port: 70000 })), event(fx, { Step: 'new' })),
  },
  {
    name: 'SSL neither boolean nor "true"/"false"',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret({ SSL: 'yes' })), event(fx, { Step: 'new' })),
  },
  {
    name: 'AccountPassword missing',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret({ AccountPassword: undefined })), event(fx, { Step: 'new' })),
  },
  {
    name: 'hostile account name',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret({ AccountName: "x'@'%' IDENTIFIED BY 'p'; --" })), event(fx, { Step: 'new' })),
  },
  {
    name: 'alternate name longer than 16 characters',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret({ AccountName: 'abcdefghijklmn' })), event(fx, { Step: 'new' })),
  },
  {
    name: 'malformed ACCOUNT_NAME_MAX_LENGTH',
    error: 'ConfigurationError',
    env: { ACCOUNT_NAME_MAX_LENGTH: 'sixteen' },
    arrange: async (fx) => (await fx.seed(), event(fx, { Step: 'new' })),
  },
  {
    name: 'RotationStrategy alternate without a MasterSecret',
    error: 'InvalidSecretError',
    arrange: async (fx) => (
      await fx.seed(fx.appSecret({ MasterSecret: undefined, RotationStrategy: 'alternate' })),
      event(fx, { Step: 'new' })
    ),
  },
  {
    name: 'tampered pending: AccountName is not the alternate',
    error: 'PreconditionError',
    arrange: (fx) => tamperedPending(fx, { AccountName: fx.sandbox.master.user }),
  },
  {
    name: 'tampered pending: another Endpoint',
    error: 'PreconditionError',
    arrange: (fx) => tamperedPending(fx, { Endpoint: '10.9.9.9' }),
  },
  {
    name: 'tampered pending: another MasterSecret',
    error: 'PreconditionError',
    arrange: (fx) => tamperedPending(fx, { MasterSecret: 'someone-elses-master' }),
  },
  // A master secret's faults are refused at new, before a pending version is staged, and at set when
  // the master secret changed after new (a pending version left from before).
  {
    name: 'master secret for another host, at new',
    error: 'PreconditionError',
    arrange: async (fx) => (await fx.seed(fx.appSecret(), fx.masterSecret({ Endpoint: 'db.other.example' })), event(fx, { Step: 'new' })),
  },
  {
    name: 'master secret for another host, at set',
    error: 'PreconditionError',
    arrange: async (fx) => masterChangedAfterNew(fx, JSON.stringify(fx.masterSecret({ Endpoint: 'db.other.example' }))),
  },
  {
    name: 'master secret is not JSON, at new',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret(), 'not json'), event(fx, { Step: 'new' })),
  },
  {
    name: 'master secret is not JSON, at set',
    error: 'InvalidSecretError',
    arrange: async (fx) => masterChangedAfterNew(fx, 'not json'),
  },
  {
    name: 'missing master secret, at new',
    error: 'SecretNotFoundError',
    arrange: async (fx) => {
      await fx.admin.createSecret({ name: fx.secretName, data: JSON.stringify(fx.appSecret()) });
      return event(fx, { Step: 'new' });
    },
  },
  {
    name: 'missing master secret, at set',
    error: 'SecretNotFoundError',
    arrange: async (fx) => masterChangedAfterNew(fx, undefined),
  },
  {
    name: 'wrong current password',
    error: 'PreconditionError',
    arrange: async (fx) => {
      await fx.seed(fx.appSecret({ AccountPassword: 'Not-the-password-1' }));
      const { VersionId } = await fx.invoke('new');
      return event(fx, { Step: 'set', VersionId });
    },
  },
  {
    name: 'master password wrong',
    error: 'PreconditionError',
    arrange: async (fx) => {
      await fx.seed(fx.appSecret(), fx.masterSecret({ AccountPassword: 'Not-the-password-1' }));
      const { VersionId } = await fx.invoke('new');
      return event(fx, { Step: 'set', VersionId });
    },
  },
  {
    name: 'test with an unknown VersionId',
    error: 'SecretNotFoundError',
    arrange: async (fx) => (await fx.seed(), event(fx, { Step: 'test', VersionId: 'no-such-version' })),
  },
  {
    name: 'end of a version that is not pending',
    error: 'PreconditionError',
    arrange: async (fx) => {
      await fx.seed();
      const { VersionId } = await fx.invoke('new');
      await fx.store.moveStage(fx.secretName, 'ACSPending', 'v1');
      return event(fx, { Step: 'end', VersionId });
    },
  },
];

describe('bad input', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
  });
  afterEach(async () => {
    await fx?.stop();
  });

  it('has at least 15 cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));

  it.each(cases)('$name → $error, nothing changed', async (c) => {
    const rawEvent = c.arrange ? await c.arrange(fx) : event(fx, { Step: 'new' });
    const before = await fx.snapshot();
    const lines: string[] = [];
    const failure = await handle(
      rawEvent,
      { requestId: 'bad-input', credentials: LOCAL_CREDENTIALS },
      { env: { ...fx.env, ...c.env }, sink: (l) => lines.push(l) },
    ).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure?.name).toBe(c.error);
    expect(failure?.constructor.name).toBe(c.error);
    expect(await fx.snapshot()).toEqual(before);
    const logged = lines.map((l) => JSON.parse(l) as { level: string; errorName?: string });
    expect(logged.at(-1)).toMatchObject({ level: 'error', errorName: c.error });
  });
});
