// Step `set` on the in-memory store and the scripted backend: every safety check, in its order, and the apply; no database.
import { describe, expect, it } from 'vitest';
import { InvalidSecretError, PreconditionError, SecretNotFoundError, TransientError } from '../../src/errors.js';
import { setStep } from '../../src/steps/set.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { appSecret, MASTER, masterSecret, SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const CURRENT_PASSWORD = 'Current-Password-1';
const PENDING_PASSWORD = 'Pending-Password-1';
const MASTER_PASSWORD = 'Master-Password-1';

interface Setup {
  current?: unknown;
  pending?: unknown;
  pendingStages?: string[];
  /** null: no master secret at all. */
  master?: unknown;
  masterStages?: string[];
  backend?: ScriptedBackend;
}

/** ACSCurrent v1 (appuser, which logs in), v2 as given (by default the fitting ACSPending), and the master secret. */
function rotation(setup: Setup = {}): StepHarness {
  const h = stepHarness(setup.backend ? { backend: setup.backend } : {});
  h.store.seed(SECRET, setup.current ?? appSecret(), { versionId: 'v1' });
  h.store.seed(SECRET, setup.pending ?? appSecret('appuser_rt', PENDING_PASSWORD), {
    versionId: 'v2',
    stages: setup.pendingStages ?? ['ACSPending'],
  });
  if (setup.master !== null) h.store.seed(MASTER, setup.master ?? masterSecret(), { stages: setup.masterStages ?? ['ACSCurrent'] });
  h.backend.withAccount('appuser', CURRENT_PASSWORD);
  return h;
}

/** A refused or skipped step: no write to the store, nothing applied, the stages as seeded. */
function expectUnchanged(h: StepHarness, stages: Record<string, string[]>): void {
  expect(h.store.writes).toEqual([]);
  expect(h.backend.applied).toEqual([]);
  expect(h.store.stagesOf(SECRET)).toEqual(stages);
}

const SEEDED = { v1: ['ACSCurrent'], v2: ['ACSPending'] };
const RESULT = { Step: 'set', Backend: 'mysql', VersionId: 'v2', AccountName: 'appuser_rt' };

describe('setStep', () => {
  it('applies the pending account with the current account and the master, after which the pending login works', async () => {
    const h = rotation();
    const result = await setStep(h.context('v2'));
    expect(result).toEqual(RESULT);
    expect(h.backend.calls).toEqual(['alternateName appuser', 'loginState appuser_rt', 'loginState appuser', 'apply appuser_rt']);
    expect(h.backend.applied).toEqual([
      {
        current: { user: 'appuser', password: CURRENT_PASSWORD, endpoint: '10.0.0.5', port: 3306, ssl: false },
        pending: { user: 'appuser_rt', password: PENDING_PASSWORD, endpoint: '10.0.0.5', port: 3306, ssl: false },
        master: { user: 'admin', password: MASTER_PASSWORD, endpoint: '10.0.0.5', port: 3306 },
      },
    ]);
    expect(await h.backend.loginState({ user: 'appuser_rt', password: PENDING_PASSWORD })).toBe('works');
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual(SEEDED);
    const done = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).at(-1);
    expect(done).toMatchObject({ msg: 'the database now matches the pending version', account: 'appuser_rt', outcome: 'created' });
  });

  it('reports an alternate account that already existed with another password as updated', async () => {
    const h = rotation();
    h.backend.withAccount('appuser_rt', 'Old-Alternate-Password-1');
    expect(await setStep(h.context('v2'))).toEqual(RESULT);
    expect(h.backend.accounts.get('appuser_rt')).toBe(PENDING_PASSWORD);
    expect(h.logs.at(-1)).toContain('"outcome":"updated"');
  });

  it('accepts a master secret without Port, which means 3306', async () => {
    const { Port: _, ...noPort } = masterSecret();
    const h = rotation({ master: noPort });
    expect(await setStep(h.context('v2'))).toEqual(RESULT);
    expect(h.backend.applied[0]?.master?.port).toBe(3306);
  });

  it('proceeds when the current login cannot be tried (loginState unknown)', async () => {
    const h = rotation();
    h.backend.loginScript = (account) => (account.user === 'appuser' ? 'unknown' : undefined);
    expect(await setStep(h.context('v2'))).toEqual(RESULT);
    expect(h.backend.calls).toEqual(['alternateName appuser', 'loginState appuser_rt', 'loginState appuser', 'apply appuser_rt']);
    expect(h.backend.applied).toHaveLength(1);
  });

  it('applies an RDS secret with no master, even when neither login can be tried', async () => {
    const h = rotation({
      backend: new ScriptedBackend({ kind: 'rds-api' }),
      current: { AccountName: 'appuser', AccountPassword: CURRENT_PASSWORD },
      pending: { AccountName: 'appuser_rt', AccountPassword: PENDING_PASSWORD },
      master: null,
    });
    h.backend.loginScript = () => 'unknown';
    expect(await setStep(h.context('v2'))).toEqual({ ...RESULT, Backend: 'rds-api' });
    expect(h.backend.applied).toEqual([
      { current: { user: 'appuser', password: CURRENT_PASSWORD }, pending: { user: 'appuser_rt', password: PENDING_PASSWORD } },
    ]);
    expect(h.backend.applied[0]?.master).toBeUndefined();
  });

  it('logs no password', async () => {
    const h = rotation();
    await setStep(h.context('v2'));
    const text = h.logs.join('\n');
    for (const password of [CURRENT_PASSWORD, PENDING_PASSWORD, MASTER_PASSWORD]) expect(text).not.toContain(password);
  });
});

describe('setStep with nothing to do', () => {
  it('reports Skipped for a version already ACSCurrent, before any other check', async () => {
    const h = rotation({ pendingStages: ['ACSCurrent'] });
    expect(await setStep(h.context('v2'))).toEqual({ ...RESULT, Skipped: 'this version is already ACSCurrent' });
    expect(h.backend.calls).toEqual([]);
    expectUnchanged(h, { v1: [], v2: ['ACSCurrent'] });
  });

  it('reports Skipped without applying when the pending credentials already log in', async () => {
    const h = rotation();
    h.backend.withAccount('appuser_rt', PENDING_PASSWORD);
    expect(await setStep(h.context('v2'))).toEqual({ ...RESULT, Skipped: 'the pending credentials already log in' });
    expect(h.backend.calls).toEqual(['alternateName appuser', 'loginState appuser_rt']);
    expectUnchanged(h, SEEDED);
  });
});

describe('setStep refusals', () => {
  it('fails with SecretNotFoundError for a VersionId the secret does not have', async () => {
    const h = rotation();
    await expect(setStep(h.context('v9'))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.backend.calls).toEqual([]);
    expectUnchanged(h, SEEDED);
  });

  it('fails with SecretNotFoundError when the secret does not exist', async () => {
    const h = stepHarness();
    await expect(setStep(h.context('v2'))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.store.writes).toEqual([]);
  });

  it.each([[[]], [['ACSPrevious']]])('refuses a version staged %j, not ACSPending, with PreconditionError', async (stages) => {
    const h = rotation({ pendingStages: stages });
    await expect(setStep(h.context('v2'))).rejects.toThrow(/the version is not staged ACSPending/);
    await expect(setStep(h.context('v2'))).rejects.toBeInstanceOf(PreconditionError);
    expect(h.backend.calls).toEqual([]);
    expectUnchanged(h, { v1: ['ACSCurrent'], v2: stages });
  });

  it('refuses pending SecretData that is not JSON with InvalidSecretError, before any login', async () => {
    const h = rotation({ pending: 'not json' });
    await expect(setStep(h.context('v2'))).rejects.toBeInstanceOf(InvalidSecretError);
    expect(h.backend.calls).toEqual([]);
    expectUnchanged(h, SEEDED);
  });

  it('refuses a single-account pending version that names the alternate, not the account itself, before any login', async () => {
    const single = { RotationStrategy: 'single' };
    const h = rotation({
      current: appSecret('appuser', CURRENT_PASSWORD, single),
      pending: appSecret('appuser_rt', PENDING_PASSWORD, single),
    });
    await expect(setStep(h.context('v2'))).rejects.toThrow(
      /AccountName is not the ACSCurrent account, whose own password RotationStrategy single/,
    );
    expect(h.backend.calls).toEqual([]);
    expectUnchanged(h, SEEDED);
  });

  it.each([
    ['an AccountName that is not the alternate', appSecret('someone_rt', PENDING_PASSWORD), /AccountName is not the alternate/],
    ['the ACSCurrent AccountName itself', appSecret('appuser', PENDING_PASSWORD), /AccountName is not the alternate/],
    ['another Endpoint', appSecret('appuser_rt', PENDING_PASSWORD, { Endpoint: '10.0.0.6' }), /Endpoint and Port/],
    ['another Port', appSecret('appuser_rt', PENDING_PASSWORD, { Port: 3307 }), /Endpoint and Port/],
    ['another MasterSecret', appSecret('appuser_rt', PENDING_PASSWORD, { MasterSecret: 'other-master' }), /fields other than/],
    ['another SSL', appSecret('appuser_rt', PENDING_PASSWORD, { SSL: true }), /fields other than/],
    ['a field ACSCurrent lacks', appSecret('appuser_rt', PENDING_PASSWORD, { DBName: 'orders' }), /fields other than/],
    ['the same Port written as a string', appSecret('appuser_rt', PENDING_PASSWORD, { Port: '3306' }), /fields other than/],
  ])('refuses a pending version with %s before any login', async (_, pending, message) => {
    const h = rotation({ pending });
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(message);
    expect(h.backend.calls).toEqual(['alternateName appuser']);
    expectUnchanged(h, SEEDED);
  });

  it('refuses with PreconditionError when the current credentials do not log in', async () => {
    const h = rotation();
    h.backend.withAccount('appuser', 'Changed-Elsewhere-1');
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/the current credentials do not log in/);
    expect(h.backend.calls).toEqual(['alternateName appuser', 'loginState appuser_rt', 'loginState appuser']);
    expectUnchanged(h, SEEDED);
  });

  it('passes on the error of a server it cannot reach and changes nothing', async () => {
    const h = rotation();
    const unreachable = new TransientError('connect timeout');
    h.backend.loginScript = () => {
      throw unreachable;
    };
    await expect(setStep(h.context('v2'))).rejects.toBe(unreachable);
    expectUnchanged(h, SEEDED);
  });

  it.each([
    ['does not exist', { master: null }],
    ['has no ACSCurrent version', { masterStages: ['ACSPrevious'] }],
  ])('fails with SecretNotFoundError when the master secret %s', async (_, setup) => {
    const h = rotation(setup);
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(failure).rejects.toThrow(MASTER);
    expect(h.backend.calls).not.toContain('apply appuser_rt');
    expectUnchanged(h, SEEDED);
  });

  it('refuses a master secret whose SecretData is malformed with InvalidSecretError', async () => {
    const h = rotation({ master: { Endpoint: '10.0.0.5', AccountName: 'admin' } });
    await expect(setStep(h.context('v2'))).rejects.toBeInstanceOf(InvalidSecretError);
    expectUnchanged(h, SEEDED);
  });

  it.each([
    ['Endpoint', { Endpoint: '10.0.0.6' }],
    ['Port', { Port: 3307 }],
  ])('refuses a master secret for another %s with PreconditionError', async (_, change) => {
    const h = rotation({ master: masterSecret(change) });
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/MasterSecret: the master secret is for another Endpoint or Port/);
    // A structural check: refused before any login is tried.
    expect(h.backend.calls).toEqual(['alternateName appuser']);
    expectUnchanged(h, SEEDED);
  });

  it.each([
    ['the alternate (an app secret named <master>_rt)', appSecret('admin_rt'), appSecret('admin', PENDING_PASSWORD), 'alternate'],
    [
      "the current account (an app secret naming the master's own account)",
      appSecret('admin'),
      appSecret('admin_rt', PENDING_PASSWORD),
      'current',
    ],
  ])('refuses to rotate when the master account is %s, before any login', async (_, current, pending, which) => {
    const h = rotation({ current, pending });
    h.backend.withAccount('admin', MASTER_PASSWORD).withAccount('admin_rt', CURRENT_PASSWORD);
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(`MasterSecret: the master account would be rotated itself (it is the ${which} account)`);
    expect(h.backend.calls.filter((c) => c.startsWith('loginState'))).toEqual([]);
    expectUnchanged(h, SEEDED);
    expect(h.backend.accounts.get('admin')).toBe(MASTER_PASSWORD);
  });

  it('refuses a MasterSecret that names the rotated secret itself, without reading it as a master', async () => {
    const h = rotation({
      current: appSecret('appuser', CURRENT_PASSWORD, { MasterSecret: SECRET }),
      pending: appSecret('appuser_rt', PENDING_PASSWORD, { MasterSecret: SECRET }),
    });
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toThrow(/MasterSecret: names the rotated secret itself/);
    expect(h.store.reads.filter((r) => r === `find ${MASTER}`)).toEqual([]);
    expectUnchanged(h, SEEDED);
  });

  it.each([
    ['locked', 'is locked'],
    ['expired', 'has an expired password'],
  ] as const)('refuses a current account that is %s, saying so, before apply', async (state, said) => {
    const h = rotation();
    h.backend.loginScript = (account) => (account.user === 'appuser' ? state : undefined);
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(`(ACSCurrent): the current account appuser ${said}; it must log in to be rotated`);
    expectUnchanged(h, SEEDED);
  });

  it.each(['locked', 'expired'] as const)('goes on to apply when the pending account is %s (apply rewrites it)', async (state) => {
    const h = rotation();
    h.backend.loginScript = (account) => (account.user === 'appuser_rt' ? state : undefined);
    expect(await setStep(h.context('v2'))).toEqual(RESULT);
    expect(h.backend.applied).toHaveLength(1);
  });

  it('accepts a master secret whose Endpoint differs only in letter case (host names are case-insensitive)', async () => {
    const h = rotation({
      current: appSecret('appuser', CURRENT_PASSWORD, { Endpoint: 'db.example.com' }),
      pending: appSecret('appuser_rt', PENDING_PASSWORD, { Endpoint: 'db.example.com' }),
      master: masterSecret({ Endpoint: 'DB.Example.COM' }),
    });
    expect(await setStep(h.context('v2'))).toEqual(RESULT);
  });

  it('passes on a failing apply and leaves the store and the database unchanged', async () => {
    const h = rotation();
    const refused = new TransientError('lock wait timeout');
    h.backend.applyError = refused;
    await expect(setStep(h.context('v2'))).rejects.toBe(refused);
    expect(h.backend.calls.at(-1)).toBe('apply appuser_rt');
    expect(h.backend.accounts.has('appuser_rt')).toBe(false);
    expectUnchanged(h, SEEDED);
  });
});
