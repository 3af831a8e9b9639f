// Bad input fails with the documented error name and changes nothing: before and after each case,
// KMS versions, stages and data, the sandbox accounts' mysql.user, mysql.db and mysql.tables_priv
// rows, and in RDS mode the accounts DescribeAccounts lists, are compared (test/support/world-snapshot.ts).
// One fixture per describe; each case gets its own secret names on it, so cases stay independent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../src/handler.js';
import { quoteIdentifier } from '../src/backends/mysql/sql.js';
import { LOCAL_CREDENTIALS } from '../src/local/fixtures/kms-admin.js';
import { adminConnection, samplePassword, uniqueName } from '../src/local/fixtures/mysql-sandbox.js';
import { Fixture, REGION } from './support/fixture.js';
import { worldSnapshot } from './support/world-snapshot.js';

interface Case {
  name: string;
  /** The CONTRACT error name; SKIPPED for the documented no-ops (a step retried after ACSCurrent moved). */
  error: string;
  /** Seeds the secrets (default: the valid pair) and returns the event to send. */
  arrange?: (fx: Fixture) => Promise<unknown>;
  env?: Record<string, string>;
  /** Accounts the case makes beyond the fixture's, compared too and dropped after the describe. */
  extraUsers?: (fx: Fixture) => string[];
}

/** Not an error: the step answers Skipped ("already ACSCurrent", README: idempotency) and changes nothing. */
const SKIPPED = 'Skipped';

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

const seeded = (fields: Record<string, unknown>) => async (fx: Fixture) => (await fx.seed(), event(fx, fields));
const seededWith =
  (app: (fx: Fixture) => Parameters<Fixture['seed']>[0], fields: Record<string, unknown> = { Step: 'new' }) =>
  async (fx: Fixture) => (await fx.seed(app(fx)), event(fx, fields));
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** A valid `new`, then the event for `step` on the version `pick` chooses (given the pending one's id). */
function afterNew(step: 'set' | 'test' | 'end', pick: (pendingId: string) => string) {
  return async (fx: Fixture) => {
    await fx.seed();
    const { VersionId } = await fx.invoke('new');
    return event(fx, { Step: step, VersionId: pick(VersionId) });
  };
}

/** A version holding only a custom stage (neither ACSPending nor ACSCurrent), with valid pending-like data. */
async function unstagedVersion(fx: Fixture, step: 'set' | 'test' | 'end'): Promise<unknown> {
  await fx.seed();
  const data = JSON.stringify(fx.appSecret({ AccountName: `${fx.sandbox.app.user}_rt`, AccountPassword: 'Unstaged-Passw0rd-1' }));
  await fx.admin.putSecretValue({ name: fx.secretName, versionId: 'unstaged', data, stages: ['Custom1'] });
  return event(fx, { Step: step, VersionId: 'unstaged' });
}

const moreCases: Case[] = [
  // Events: fields missing, mistyped or malformed.
  { name: 'Step mistyped (a number)', error: 'InvalidEventError', arrange: seeded({ Step: 1 }) },
  { name: 'Step in another case ("NEW")', error: 'InvalidEventError', arrange: seeded({ Step: 'NEW' }) },
  {
    name: 'SecretName mistyped (a number)',
    error: 'InvalidEventError',
    arrange: async () => ({ SecretName: 42, RegionId: REGION, Step: 'new' }),
  },
  {
    name: 'SecretName with characters KMS never allows',
    error: 'InvalidEventError',
    arrange: async () => ({ SecretName: 'app; DROP USER root', RegionId: REGION, Step: 'new' }),
  },
  { name: 'missing RegionId', error: 'InvalidEventError', arrange: async (fx) => ({ SecretName: fx.secretName, Step: 'new' }) },
  { name: 'test without VersionId', error: 'InvalidEventError', arrange: seeded({ Step: 'test' }) },
  { name: 'end without VersionId', error: 'InvalidEventError', arrange: seeded({ Step: 'end' }) },
  { name: 'set with a malformed VersionId', error: 'InvalidEventError', arrange: seeded({ Step: 'set', VersionId: '../v1' }) },
  { name: 'end with a mistyped VersionId (a number)', error: 'InvalidEventError', arrange: seeded({ Step: 'end', VersionId: 7 }) },
  {
    name: 'test with a VersionId longer than 64 characters',
    error: 'InvalidEventError',
    arrange: seeded({ Step: 'test', VersionId: 'v'.repeat(65) }),
  },
  { name: 'InstanceId malformed', error: 'InvalidEventError', arrange: seeded({ Step: 'new', InstanceId: 'rm-$(id)' }) },
  { name: 'InstanceId mistyped (an object)', error: 'InvalidEventError', arrange: seeded({ Step: 'new', InstanceId: { id: 'rm-1' } }) },
  { name: 'event is a JSON string', error: 'InvalidEventError', arrange: async () => Buffer.from('"new"') },
  { name: 'event is empty', error: 'InvalidEventError', arrange: async () => Buffer.from('') },
  // SecretData: malformed, incomplete, hostile.
  {
    name: 'secret is a JSON array',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(JSON.stringify([fx.appSecret()])), event(fx, { Step: 'new' })),
  },
  { name: 'AccountName missing', error: 'InvalidSecretError', arrange: seededWith((fx) => fx.appSecret({ AccountName: undefined })) },
  { name: 'Endpoint missing', error: 'InvalidSecretError', arrange: seededWith((fx) => fx.appSecret({ Endpoint: undefined })) },
  {
    name: 'AccountPassword not a string',
    error: 'InvalidSecretError',
    arrange: seededWith((fx) => fx.appSecret({ AccountPassword: 12345678 as unknown as string })),
  },
  { name: 'Port 0', error: 'InvalidSecretError', arrange: seededWith((fx) => fx.appSecret({ Port: 0 })) },
  { name: 'Port not a number', error: 'InvalidSecretError', arrange: seededWith((fx) => fx.appSecret({ Port: '33o6' })) },
  {
    name: 'SSL an object',
    error: 'InvalidSecretError',
    arrange: seededWith((fx) => fx.appSecret({ SSL: { mode: 'on' } as unknown as string })),
  },
  {
    name: 'AccountName with a double quote',
    error: 'InvalidSecretError',
    arrange: seededWith((fx) => fx.appSecret({ AccountName: 'app"x' })),
  },
  { name: 'AccountName with a backtick', error: 'InvalidSecretError', arrange: seededWith((fx) => fx.appSecret({ AccountName: 'app`x' })) },
  {
    name: 'RotationStrategy unknown',
    error: 'InvalidSecretError',
    arrange: seededWith((fx) => fx.appSecret({ RotationStrategy: 'rolling' })),
  },
  {
    name: 'MasterSecret naming the rotated secret itself',
    error: 'PreconditionError',
    arrange: seededWith((fx) => fx.appSecret({ MasterSecret: fx.secretName })),
  },
  {
    name: 'master secret on another Port, at new',
    error: 'PreconditionError',
    arrange: async (fx) => (await fx.seed(fx.appSecret(), fx.masterSecret({ Port: 3307 })), event(fx, { Step: 'new' })),
  },
  {
    name: 'master secret without AccountPassword, at new',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seed(fx.appSecret(), fx.masterSecret({ AccountPassword: undefined })), event(fx, { Step: 'new' })),
  },
  // Versions that are not the ones the step may act on.
  // ACSCurrent's own id is the documented no-op of a retried set or end, not an error: pinned as such.
  { name: "set with ACSCurrent's VersionId", error: SKIPPED, arrange: afterNew('set', () => 'v1') },
  { name: "end with ACSCurrent's VersionId", error: SKIPPED, arrange: afterNew('end', () => 'v1') },
  { name: 'set with an unknown VersionId', error: 'SecretNotFoundError', arrange: afterNew('set', () => 'no-such-version') },
  { name: 'end with an unknown VersionId', error: 'SecretNotFoundError', arrange: afterNew('end', () => 'no-such-version') },
  { name: 'set of a version with only a custom stage', error: 'PreconditionError', arrange: (fx) => unstagedVersion(fx, 'set') },
  { name: 'test of a version neither ACSPending nor ACSCurrent', error: 'PreconditionError', arrange: (fx) => unstagedVersion(fx, 'test') },
  { name: 'end of a version with only a custom stage', error: 'PreconditionError', arrange: (fx) => unstagedVersion(fx, 'end') },
  // Secrets KMS holds in a form the function does not rotate.
  {
    name: 'ACSCurrent of SecretDataType binary',
    error: 'InvalidSecretError',
    arrange: async (fx) => {
      await fx.seed();
      await fx.admin.putSecretValue({ name: fx.secretName, versionId: 'bin', data: base64(fx.appSecret()), dataType: 'binary' });
      return event(fx, { Step: 'new' });
    },
  },
  {
    name: 'master secret of SecretDataType binary',
    error: 'InvalidSecretError',
    arrange: async (fx) => {
      await fx.seed();
      await fx.admin.putSecretValue({ name: fx.masterName, versionId: 'bin', data: base64(fx.masterSecret()), dataType: 'binary' });
      return event(fx, { Step: 'new' });
    },
  },
  {
    name: 'secret of type RAMCredentials',
    error: 'InvalidSecretError',
    arrange: async (fx) => {
      await fx.admin.createSecret({ name: fx.secretName, data: JSON.stringify(fx.appSecret()), type: 'RAMCredentials' });
      return event(fx, { Step: 'new' });
    },
  },
  {
    name: 'secret of type ECS',
    error: 'InvalidSecretError',
    arrange: async (fx) => {
      await fx.admin.createSecret({ name: fx.secretName, data: JSON.stringify(fx.appSecret()), type: 'ECS' });
      return event(fx, { Step: 'new' });
    },
  },
];

const rdsEvent = (fx: Fixture, fields: Record<string, unknown>) => event(fx, { InstanceId: fx.rds?.instanceId, ...fields });

const rdsCases: Case[] = [
  {
    name: 'RDS: unknown instance',
    error: 'InvalidEventError',
    arrange: async (fx) => (await fx.seedRds(), rdsEvent(fx, { Step: 'new', InstanceId: 'rm-doesnotexist' })),
  },
  {
    name: 'RDS: unknown instance at set',
    error: 'InvalidEventError',
    arrange: async (fx) => {
      await fx.seedRds();
      const { VersionId } = await fx.invoke('new');
      return rdsEvent(fx, { Step: 'set', VersionId, InstanceId: 'rm-doesnotexist' });
    },
  },
  {
    name: 'RDS: InstanceId malformed',
    error: 'InvalidEventError',
    arrange: async (fx) => (await fx.seedRds(), rdsEvent(fx, { Step: 'new', InstanceId: 'rm-../x' })),
  },
  {
    name: 'RDS: AccountPassword missing',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seedRds(fx.rdsSecret({ AccountPassword: undefined })), rdsEvent(fx, { Step: 'new' })),
  },
  {
    name: 'RDS: account missing on the instance',
    error: 'PreconditionError',
    arrange: async (fx) => {
      await fx.seedRds(fx.rdsSecret({ AccountName: `${fx.sandbox.app.user}x` }));
      const { VersionId } = await fx.invoke('new');
      return rdsEvent(fx, { Step: 'set', VersionId });
    },
    extraUsers: (fx) => [`${fx.sandbox.app.user}x`, `${fx.sandbox.app.user}x_rt`],
  },
  {
    name: 'RDS: account made with SQL, unknown to the RDS API',
    error: 'PreconditionError',
    arrange: async (fx) => {
      const ghost = `${fx.sandbox.app.user}g`;
      await withAdmin(fx, async (c) => {
        await c.query('CREATE USER ?@? IDENTIFIED BY ?', [ghost, '%', fx.sandbox.app.password]);
        await c.query(`GRANT SELECT ON ${quoteIdentifier(fx.sandbox.database)}.* TO ?@?`, [ghost, '%']);
      });
      await fx.seedRds(fx.rdsSecret({ AccountName: ghost }));
      const { VersionId } = await fx.invoke('new');
      return rdsEvent(fx, { Step: 'set', VersionId });
    },
    extraUsers: (fx) => [`${fx.sandbox.app.user}g`, `${fx.sandbox.app.user}g_rt`],
  },
  {
    name: 'RDS: privileged account with the alternate strategy',
    error: 'PreconditionError',
    arrange: async (fx) => {
      const admin = `${fx.sandbox.app.user}s`;
      await fx.rds!.api.createAccount(fx.rds!.instanceId, {
        name: admin,
        password: fx.sandbox.app.password,
        type: 'Super',
        description: 'privileged',
      });
      await fx.seedRds(fx.rdsSecret({ AccountName: admin, RotationStrategy: 'alternate' }));
      const { VersionId } = await fx.invoke('new');
      return rdsEvent(fx, { Step: 'set', VersionId });
    },
    extraUsers: (fx) => [`${fx.sandbox.app.user}s`, `${fx.sandbox.app.user}s_rt`],
  },
  {
    name: 'RDS: wrong current password',
    error: 'PreconditionError',
    arrange: async (fx) => {
      await fx.seedRds(fx.rdsSecret({ AccountPassword: 'Not-the-passw0rd' }));
      const { VersionId } = await fx.invoke('new');
      return rdsEvent(fx, { Step: 'set', VersionId });
    },
  },
  {
    name: "RDS: set with ACSCurrent's VersionId",
    error: SKIPPED,
    arrange: async (fx) => (await fx.seedRds(), await fx.invoke('new'), rdsEvent(fx, { Step: 'set', VersionId: 'v1' })),
  },
  {
    name: 'RDS: AccountName RDS does not accept',
    error: 'InvalidSecretError',
    arrange: async (fx) => (await fx.seedRds(fx.rdsSecret({ AccountName: 'App-User' })), rdsEvent(fx, { Step: 'new' })),
  },
];

async function withAdmin<T>(fx: Fixture, work: (c: Awaited<ReturnType<typeof adminConnection>>) => Promise<T>): Promise<T> {
  const conn = await adminConnection(fx.sandbox.server);
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

/** The shared fixture seen with a case's own secret names, so its secrets meet no other case's. */
function caseView(shared: Fixture): Fixture {
  return Object.assign(Object.create(shared) as Fixture, { secretName: uniqueName('app-'), masterName: uniqueName('master-'), logs: [] });
}

/** Runs the corpus `list` against one fixture that `start` makes. */
function corpus(title: string, list: Case[], start: () => Promise<Fixture>, prepare?: (fx: Fixture) => Promise<void>): void {
  describe(title, () => {
    let shared: Fixture;
    const extra = new Set<string>();
    beforeAll(async () => {
      shared = await start();
      await prepare?.(shared);
    });
    afterAll(async () => {
      if (shared && extra.size > 0)
        await withAdmin(shared, async (c) => {
          for (const user of extra) await c.query('DROP USER IF EXISTS ?@?', [user, '%']);
        });
      await shared?.stop();
    });

    it.each(list)('$name → $error, nothing changed', async (c) => {
      const fx = caseView(shared);
      const users = c.extraUsers?.(fx) ?? [];
      for (const u of users) extra.add(u);
      const rawEvent = c.arrange ? await c.arrange(fx) : event(fx, { Step: 'new' });
      const before = await worldSnapshot(fx, users);
      const lines: string[] = [];
      const outcome = await handle(
        rawEvent,
        { requestId: 'bad-input', credentials: LOCAL_CREDENTIALS },
        { env: { ...fx.env, ...c.env }, sink: (l) => lines.push(l) },
      ).then(
        (result: unknown) => ({ result, failure: undefined }),
        (err: unknown) => ({ result: undefined, failure: err as Error }),
      );
      expect(await worldSnapshot(fx, users)).toEqual(before);
      const logged = lines.map((l) => JSON.parse(l) as { level: string; errorName?: string });
      if (c.error === SKIPPED) {
        expect(outcome.failure).toBeUndefined();
        expect(outcome.result).toMatchObject({ Skipped: expect.stringMatching(/already ACSCurrent/) });
        expect(logged.filter((l) => l.level === 'error')).toEqual([]);
        return;
      }
      expect(outcome.failure?.name).toBe(c.error);
      expect(outcome.failure?.constructor.name).toBe(c.error);
      expect(logged.at(-1)).toMatchObject({ level: 'error', errorName: c.error });
    });
  });
}

describe('bad input corpus', () => {
  it('has at least 40 error cases', () =>
    expect([...cases, ...moreCases, ...rdsCases].filter((c) => c.error !== SKIPPED).length).toBeGreaterThanOrEqual(40));
});

// A table-level grant, so mysql.tables_priv has rows of the app account a faulty step could touch.
corpus(
  'bad input (self-managed)',
  [...cases, ...moreCases],
  () => Fixture.start(),
  (fx) =>
    withAdmin(fx, (c) =>
      c.query(`GRANT SELECT ON ${quoteIdentifier(fx.sandbox.database)}.${quoteIdentifier(fx.sandbox.table)} TO ?@?`, [
        fx.sandbox.app.user,
        fx.sandbox.app.host,
      ]),
    ).then(() => undefined),
);
corpus('bad input (RDS API)', rdsCases, () => Fixture.start({ rds: { engineVersion: '5.6' } }));

// The comparison is only as good as the snapshot: each of its sources, changed, shows.
describe('world snapshot', () => {
  it('sees a change in KMS, mysql.user, mysql.db, mysql.tables_priv and the RDS accounts', async () => {
    const fx = await Fixture.start({ rds: { engineVersion: '5.6' } });
    const other = `${fx.sandbox.app.user}o`;
    try {
      const { database, table, app } = fx.sandbox;
      const changed = async (change: () => Promise<unknown>) => {
        const before = await worldSnapshot(fx, [other]);
        await change();
        const after = await worldSnapshot(fx, [other]);
        return Object.keys(before).filter(
          (k) => JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(after[k as keyof typeof after]),
        );
      };
      expect(await changed(() => fx.seedRds())).toEqual(['kms']);
      expect(
        await changed(() => fx.admin.putSecretValue({ name: fx.secretName, versionId: 'v2', data: '{}', stages: ['ACSPending'] })),
      ).toEqual(['kms']);
      const sql = (text: string, values: unknown[]) => withAdmin(fx, (c) => c.query(text, values));
      expect(
        await changed(() => sql(`GRANT SELECT ON ${quoteIdentifier(database)}.${quoteIdentifier(table)} TO ?@?`, [app.user, app.host])),
      ).toContain('mysqlTablesPriv');
      expect(await changed(() => sql(`GRANT SELECT ON ${quoteIdentifier(`${database}_x`)}.* TO ?@?`, [app.user, app.host]))).toContain(
        'mysqlDb',
      );
      const locked = await changed(() => sql('ALTER USER ?@? ACCOUNT LOCK', [app.user, app.host]));
      expect(locked.filter((k) => k === 'mysqlUser' || k === 'mysqlGlobalPriv')).not.toEqual([]);
      expect(await changed(() => sql('ALTER USER ?@? IDENTIFIED BY ?', [app.user, app.host, samplePassword()]))).toContain('mysqlUser');
      const created = await changed(() =>
        fx.rds!.api.createAccount(fx.rds!.instanceId, { name: other, password: app.password, type: 'Normal', description: 'other' }),
      );
      expect(created).toEqual(expect.arrayContaining(['mysqlUser', 'rdsAccounts']));
    } finally {
      await withAdmin(fx, (c) => c.query('DROP USER IF EXISTS ?@?', [other, '%']));
      await fx.stop();
    }
  });
});
