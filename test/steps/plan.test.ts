// The dry run of a rotation (planRotation) on the in-memory store and the scripted backend: what it
// reports, that it writes nothing, and that it refuses exactly where, and exactly as, new and set do.
import { describe, expect, it } from 'vitest';
import { ConfigurationError, PreconditionError, TransientError } from '../../src/errors.js';
import { newStep } from '../../src/steps/new.js';
import { planRotation } from '../../src/steps/index.js';
import { setStep } from '../../src/steps/set.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { appSecret, MASTER, masterSecret, SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const CURRENT_PASSWORD = 'Current-Password-1';
const PENDING_PASSWORD = 'Pending-Password-1';
const MASTER_PASSWORD = 'Master-Password-1';

interface Setup {
  current?: unknown;
  /** undefined: no ACSPending version (a rotation from scratch). */
  pending?: unknown;
  /** null: no master secret at all. */
  master?: unknown;
  masterStages?: string[];
  backend?: ScriptedBackend;
}

/** ACSCurrent v1 (appuser, which logs in), optionally ACSPending v2, and the master secret. */
function world(setup: Setup = {}): StepHarness {
  const h = stepHarness(setup.backend ? { backend: setup.backend } : {});
  h.store.seed(SECRET, setup.current ?? appSecret(), { versionId: 'v1' });
  if (setup.pending !== undefined) h.store.seed(SECRET, setup.pending, { versionId: 'v2', stages: ['ACSPending'] });
  if (setup.master !== null) h.store.seed(MASTER, setup.master ?? masterSecret(), { stages: setup.masterStages ?? ['ACSCurrent'] });
  h.backend.withAccount('appuser', CURRENT_PASSWORD);
  return h;
}

/** Nothing written to KMS, nothing applied, the database as seeded. */
function expectNothingChanged(h: StepHarness, accounts: Record<string, string> = { appuser: CURRENT_PASSWORD }): void {
  expect(h.store.writes).toEqual([]);
  expect(h.backend.applied).toEqual([]);
  expect(Object.fromEntries(h.backend.accounts)).toEqual(accounts);
}

const END_MOVES = [
  { step: 'end', action: 'UpdateSecretVersionStage', detail: 'ACSPrevious moved to version v1 (ACSCurrent now)' },
  { step: 'end', action: 'UpdateSecretVersionStage', detail: 'ACSCurrent moved from version v1 to the new version' },
  { step: 'end', action: 'UpdateSecretVersionStage', detail: 'ACSPending removed from the new version' },
];

describe('planRotation', () => {
  it("reports new's KMS calls, set's changes from Backend.preview and end's moves, and writes nothing", async () => {
    const h = world();
    const plan = await planRotation(h.context(undefined));
    expect(plan).toEqual({
      SecretName: SECRET,
      Backend: 'mysql',
      CurrentAccount: 'appuser',
      PendingAccount: 'appuser_rt',
      Kms: [{ step: 'new', action: 'PutSecretValue', detail: expect.stringContaining('staged ACSPending') }, ...END_MOVES],
      Changes: [
        { kind: 'sql', statement: "CREATE USER appuser_rt IDENTIFIED BY '<redacted>'" },
        { kind: 'sql', statement: "SET PASSWORD FOR appuser_rt = '<redacted>'" },
      ],
    });
    expect(plan.Kms[0]?.detail).toContain('AccountName appuser_rt');
    // new's checks (the alternate, the master), then set's: no pending login (its password was made just now), the current login.
    expect(h.backend.calls).toEqual(['alternateName appuser', 'alternateName appuser', 'loginState appuser', 'preview appuser_rt']);
    expectNothingChanged(h);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'] });
  });

  it('hands preview the plan set would hand apply: the current account, the master and a generated password it never shows', async () => {
    const h = world();
    const plan = await planRotation(h.context(undefined));
    const [previewed] = h.backend.previewed;
    expect(previewed).toEqual({
      current: { user: 'appuser', password: CURRENT_PASSWORD, endpoint: '10.0.0.5', port: 3306, ssl: false },
      pending: { user: 'appuser_rt', password: expect.any(String), endpoint: '10.0.0.5', port: 3306, ssl: false },
      master: { user: 'admin', password: MASTER_PASSWORD, endpoint: '10.0.0.5', port: 3306 },
    });
    const generated = previewed!.pending.password;
    expect(generated).toHaveLength(32);
    const shown = JSON.stringify(plan) + h.logs.join('\n');
    for (const password of [generated, CURRENT_PASSWORD, MASTER_PASSWORD]) expect(shown).not.toContain(password);
    expect(h.mask.apply(generated)).toBe('***');
  });

  it("names end's ACSPrevious move from the version that holds it now", async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret('appuser_rt', 'Older-Password-1'), { versionId: 'v0', stages: ['ACSPrevious'] });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    h.store.seed(MASTER, masterSecret());
    h.backend.withAccount('appuser', CURRENT_PASSWORD);
    const plan = await planRotation(h.context(undefined));
    expect(plan.Kms[1]).toEqual({
      step: 'end',
      action: 'UpdateSecretVersionStage',
      detail: 'ACSPrevious moved to version v1 (ACSCurrent now), from version v0',
    });
    expect(h.store.writes).toEqual([]);
  });

  it("lists new's removal of ACSPending from a stale version, which it does not reuse", async () => {
    const h = world({ pending: appSecret('appuser_rt', PENDING_PASSWORD, { Port: 3307 }) });
    const plan = await planRotation(h.context(undefined));
    expect(plan.PendingVersionId).toBeUndefined();
    expect(plan.Kms.slice(0, 2)).toEqual([
      expect.objectContaining({ step: 'new', action: 'PutSecretValue' }),
      {
        step: 'new',
        action: 'UpdateSecretVersionStage',
        detail: 'ACSPending removed from version v2, replaced as stale, if PutSecretValue left it there',
      },
    ]);
    expectNothingChanged(h);
  });

  it('reuses a fitting ACSPending version as new would: its VersionId, its password, no KMS call of new, and the pending login tried as set does', async () => {
    const h = world({ pending: appSecret('appuser_rt', PENDING_PASSWORD) });
    const plan = await planRotation(h.context(undefined));
    expect(plan.PendingVersionId).toBe('v2');
    expect(plan.Kms).toEqual([
      END_MOVES[0],
      { step: 'end', action: 'UpdateSecretVersionStage', detail: 'ACSCurrent moved from version v1 to version v2' },
      { step: 'end', action: 'UpdateSecretVersionStage', detail: 'ACSPending removed from version v2' },
    ]);
    expect(h.backend.previewed[0]?.pending.password).toBe(PENDING_PASSWORD);
    expect(h.backend.calls).toEqual([
      'alternateName appuser',
      'alternateName appuser',
      'loginState appuser_rt',
      'loginState appuser',
      'preview appuser_rt',
    ]);
    expect(JSON.stringify(plan)).not.toContain(PENDING_PASSWORD);
    expectNothingChanged(h);
  });

  it('says set changes nothing where the reused pending credentials already log in, as set would skip', async () => {
    const h = world({ pending: appSecret('appuser_rt', PENDING_PASSWORD) });
    h.backend.withAccount('appuser_rt', PENDING_PASSWORD);
    const plan = await planRotation(h.context(undefined));
    expect(plan.Changes).toEqual([{ kind: 'note', text: 'the pending credentials already log in: set changes nothing' }]);
    expect(h.backend.calls).not.toContain('preview appuser_rt');
    expectNothingChanged(h, { appuser: CURRENT_PASSWORD, appuser_rt: PENDING_PASSWORD });
  });

  it('plans an RDS secret without a master', async () => {
    const h = world({
      backend: new ScriptedBackend({ kind: 'rds-api' }),
      current: { AccountName: 'appuser', AccountPassword: CURRENT_PASSWORD },
      master: null,
    });
    h.backend.loginScript = () => 'unknown';
    const plan = await planRotation(h.context(undefined));
    expect(plan.Backend).toBe('rds-api');
    expect(h.backend.previewed[0]?.master).toBeUndefined();
    expectNothingChanged(h);
  });
});

interface RefusalCase {
  what: string;
  setup?: Omit<Setup, 'backend' | 'pending'>;
  /** A fresh backend for each world (the scripted database is per world). */
  backend?: () => ScriptedBackend;
  script?: (h: StepHarness) => void;
}

/**
 * Every refusal of set.test.ts that is not about a pending version a plan makes itself (one that is
 * not ACSPending, not JSON, for another account or server): the same setups, given to set (with its
 * fitting ACSPending version v2) and to the plan (reusing v2, and from scratch without it).
 */
const SET_REFUSALS: RefusalCase[] = [
  {
    what: 'RotationStrategy alternate without a MasterSecret',
    setup: { current: appSecret('appuser', CURRENT_PASSWORD, { MasterSecret: undefined, RotationStrategy: 'alternate' }), master: null },
  },
  { what: 'a master secret that does not exist', setup: { master: null } },
  { what: 'a master secret without an ACSCurrent version', setup: { masterStages: ['ACSPrevious'] } },
  { what: 'a malformed master secret', setup: { master: { Endpoint: '10.0.0.5', AccountName: 'admin' } } },
  { what: 'a master secret for another Endpoint', setup: { master: masterSecret({ Endpoint: '10.0.0.6' }) } },
  { what: 'a master secret for another Port', setup: { master: masterSecret({ Port: 3307 }) } },
  { what: 'a master that is the alternate account', setup: { current: appSecret('admin_rt') } },
  { what: 'a master that is the current account', setup: { current: appSecret('admin') } },
  {
    what: 'a MasterSecret naming the rotated secret itself',
    setup: { current: appSecret('appuser', CURRENT_PASSWORD, { MasterSecret: SECRET }) },
  },
  { what: 'current credentials that do not log in', script: (h) => h.backend.withAccount('appuser', 'Changed-Elsewhere-1') },
  { what: 'a locked current account', script: (h) => (h.backend.loginScript = (a) => (a.user === 'appuser' ? 'locked' : undefined)) },
  { what: 'an expired current password', script: (h) => (h.backend.loginScript = (a) => (a.user === 'appuser' ? 'expired' : undefined)) },
  {
    what: 'a server that cannot be reached',
    script: (h) =>
      (h.backend.loginScript = () => {
        throw new TransientError('connect timeout');
      }),
  },
  {
    what: "the backend's own refusal of its plan",
    script: (h) => (h.backend.applyError = new PreconditionError('secret app-db: the master account cannot grant SELECT on `shop`.*')),
  },
  { what: 'an alternate name longer than the backend allows', backend: () => new ScriptedBackend({ maxNameLength: 9 }) },
];

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('planRotation refuses as set does', () => {
  it.each(SET_REFUSALS)('$what: the same class and message, and nothing written', async ({ setup = {}, backend, script }) => {
    const make = (withPending: boolean): StepHarness => {
      const h = world({
        ...setup,
        ...(withPending ? { pending: fittingPending(setup.current) } : {}),
        ...(backend ? { backend: backend() } : {}),
      });
      script?.(h);
      return h;
    };
    const forSet = make(true);
    const setError = await failure(() => setStep(forSet.context('v2')));
    expect(setError.name).not.toBe('Error');
    expect(forSet.store.writes).toEqual([]);

    for (const withPending of [true, false]) {
      const h = make(withPending);
      const planError = await failure(() => planRotation(h.context(undefined)));
      expect(planError.constructor, `plan ${withPending ? 'reusing v2' : 'from scratch'}`).toBe(setError.constructor);
      expect(planError.message).toBe(setError.message);
      expect(h.store.writes).toEqual([]);
      expect(h.backend.applied).toEqual([]);
    }
  });

  it("refuses a PASSWORD_LENGTH the backend does not accept as new does, with new's ConfigurationError", async () => {
    const rules = { passwordRules: { minLength: 8, maxLength: 16 } };
    const forNew = world({ backend: new ScriptedBackend(rules) });
    const newError = await failure(() => newStep(forNew.context(undefined)));
    expect(newError).toBeInstanceOf(ConfigurationError);
    const h = world({ backend: new ScriptedBackend(rules) });
    const planError = await failure(() => planRotation(h.context(undefined)));
    expect(planError).toBeInstanceOf(ConfigurationError);
    expect(planError.message).toBe(newError.message);
    expect(h.store.writes).toEqual([]);
  });
});

/** The ACSPending version that fits ACSCurrent `current`: its alternate, every other field equal. */
function fittingPending(current: unknown = appSecret()): unknown {
  const fields = current as Record<string, unknown>;
  const user = String(fields['AccountName']);
  return { ...fields, AccountName: user.endsWith('_rt') ? user.slice(0, -3) : `${user}_rt`, AccountPassword: PENDING_PASSWORD };
}
