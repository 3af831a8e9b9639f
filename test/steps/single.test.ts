// Single-account rotation (RotationStrategy single) through the steps, on the in-memory store and the
// scripted backend: every branch new, set, test, end and the dry run take for it; no database.
import { describe, expect, it } from 'vitest';
import { PreconditionError, TransientError } from '../../src/errors.js';
import { endStep } from '../../src/steps/end.js';
import { planRotation } from '../../src/steps/index.js';
import { newStep } from '../../src/steps/new.js';
import { setStep } from '../../src/steps/set.js';
import { testStep } from '../../src/steps/test.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { MASTER, masterSecret, SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const CURRENT = 'Current-Password-1';
const PENDING = 'Pending-Password-1';
const PREVIOUS = 'Previous-Password-1';

/** The self-managed single-account secret: no MasterSecret, so single by default. */
function single(password = CURRENT, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Endpoint: '10.0.0.5', Port: 3306, AccountName: 'appuser', AccountPassword: password, SSL: false, ...extra };
}

const RDS_SINGLE = (password = CURRENT) => ({ AccountName: 'appuser', AccountPassword: password, RotationStrategy: 'single' });

interface World {
  current?: unknown;
  pending?: unknown;
  previous?: unknown;
  /** The password the database holds for appuser (default: ACSCurrent's). */
  database?: string;
  backend?: ScriptedBackend;
}

/** ACSCurrent v1, optionally ACSPending v2 and ACSPrevious v0; appuser in the database with `database`'s password. */
function world(setup: World = {}): StepHarness {
  const h = stepHarness(setup.backend ? { backend: setup.backend } : {});
  if (setup.previous !== undefined) h.store.seed(SECRET, setup.previous, { versionId: 'v0', stages: ['ACSPrevious'] });
  h.store.seed(SECRET, setup.current ?? single(), { versionId: 'v1' });
  if (setup.pending !== undefined) h.store.seed(SECRET, setup.pending, { versionId: 'v2', stages: ['ACSPending'] });
  h.backend.withAccount('appuser', setup.database ?? CURRENT);
  return h;
}

/** Booleans, never the text: a failure must not print a password either. */
function expectNoPasswordLogged(h: StepHarness, ...passwords: string[]): void {
  const text = h.logs.join('\n');
  expect(passwords.map((password) => text.includes(password))).toEqual(passwords.map(() => false));
}

/** A version's SecretData without its password, and whether the password is `password`. */
function withoutPassword(data: Record<string, unknown> | undefined, password: string): [Record<string, unknown>, boolean] {
  const { AccountPassword, ...rest } = data ?? {};
  return [rest, AccountPassword === password];
}

const logLines = (h: StepHarness) => h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('new, single account', () => {
  it.each([
    ['a self-managed secret without MasterSecret (the default)', single()],
    [
      'RotationStrategy single with a MasterSecret, which is not read',
      single(CURRENT, { MasterSecret: MASTER, RotationStrategy: 'single' }),
    ],
  ])('stages %s with the same AccountName and a fresh password, without naming an alternate', async (_, current) => {
    const h = world({ current });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser', VersionId: 'request-1' });
    const staged = h.store.dataOf(SECRET, 'request-1')!;
    const { AccountPassword: _password, ...fields } = current;
    expect(withoutPassword(staged, CURRENT)).toEqual([fields, false]);
    expect(typeof staged['AccountPassword']).toBe('string');
    expect(h.store.reads).not.toContain(`find ${MASTER}`);
    expect(h.backend.calls).toEqual([]);
    expectNoPasswordLogged(h, String(staged['AccountPassword']), CURRENT);
  });

  it('stages an RDS secret with RotationStrategy single on the same account', async () => {
    const h = world({ current: RDS_SINGLE(), backend: new ScriptedBackend({ kind: 'rds-api' }) });
    const result = await newStep(h.context(undefined));
    expect(result).toMatchObject({ Backend: 'rds-api', AccountName: 'appuser' });
    expect(h.store.dataOf(SECRET, 'request-1')?.['AccountName']).toBe('appuser');
  });

  it('reuses a fitting ACSPending version of the same account, without a login', async () => {
    const h = world({ pending: single(PENDING) });
    const result = await newStep(h.context(undefined));
    expect(result).toMatchObject({ VersionId: 'v2', AccountName: 'appuser', Skipped: expect.any(String) });
    expect(h.store.writes).toEqual([]);
    expect(h.backend.calls).toEqual([]);
  });

  it('replaces a stale ACSPending version whose password the database does not hold with a fresh password', async () => {
    const h = world({ pending: single(PENDING, { Note: 'stale' }) });
    await newStep(h.context(undefined));
    expect(h.backend.calls).toEqual(['loginState appuser']);
    expect(withoutPassword(h.store.dataOf(SECRET, 'request-1'), PENDING)[1]).toBe(false);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: [], 'request-1': ['ACSPending'] });
  });

  it.each([
    ['the database holds it (set ran, end did not)', PENDING, undefined],
    ['the server keeps both passwords (MySQL 8 RETAIN)', PENDING, CURRENT],
  ])(
    'keeps the password of a stale ACSPending version when %s: replacing it never drops a password that logs in',
    async (_, database, secondary) => {
      const h = world({ pending: single(PENDING, { Note: 'stale' }), database });
      if (secondary) h.backend.secondary.set('appuser', secondary);
      const result = await newStep(h.context(undefined));
      expect(result).toMatchObject({ VersionId: 'request-1', AccountName: 'appuser' });
      expect(h.store.dataOf(SECRET, 'request-1')).toEqual({ ...single(PENDING), AccountPassword: PENDING });
      expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: [], 'request-1': ['ACSPending'] });
      expect(logLines(h)).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('the new version keeps that password'), versionId: 'v2' }),
      );
      expectNoPasswordLogged(h, PENDING, CURRENT);
      // The rotation then finishes without changing the database again.
      expect((await setStep(h.context('request-1'))).Skipped).toMatch(/already log in/);
      await endStep(h.context('request-1'));
      expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSPrevious'], v2: [], 'request-1': ['ACSCurrent'] });
    },
  );

  it('keeps the stale password where the backend cannot try a login (an RDS engine without one)', async () => {
    const h = world({
      current: RDS_SINGLE(),
      pending: { ...RDS_SINGLE(PENDING), Note: 'x' },
      backend: new ScriptedBackend({ kind: 'rds-api' }),
    });
    h.backend.loginScript = () => 'unknown';
    await newStep(h.context(undefined));
    expect(h.store.dataOf(SECRET, 'request-1')?.['AccountPassword']).toBe(PENDING);
  });

  it('replaces, without a login, a stale version that is not JSON or is for another account', async () => {
    for (const stale of ['not json', single(PENDING, { AccountName: 'appuser_rt' })]) {
      const h = world({ pending: stale });
      await newStep(h.context(undefined));
      expect(h.backend.calls).toEqual([]);
      expect(withoutPassword(h.store.dataOf(SECRET, 'request-1'), PENDING)[1]).toBe(false);
    }
  });

  it('refuses, writing nothing, to replace a held single-account version when ACSCurrent now rotates alternating accounts', async () => {
    const h = world({ current: { ...single(), MasterSecret: MASTER }, pending: single(PENDING), database: PENDING });
    h.store.seed(MASTER, masterSecret());
    const failure = newStep(h.context(undefined));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/version v2 is a single-account rotation whose password the database already holds/);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
  });

  it('fails with TransientError, writing nothing, when that login cannot reach the server', async () => {
    const h = world({ pending: single(PENDING, { Note: 'stale' }) });
    h.backend.loginScript = () => {
      throw new TransientError('connect timeout');
    };
    await expect(newStep(h.context(undefined))).rejects.toBeInstanceOf(TransientError);
    expect(h.store.writes).toEqual([]);
  });
});

describe('set, single account', () => {
  it('changes the account’s own password logged in with the current credentials, reading no master', async () => {
    const h = world({ current: single(CURRENT, { MasterSecret: MASTER, RotationStrategy: 'single' }) });
    h.store.seed(SECRET, single(PENDING, { MasterSecret: MASTER, RotationStrategy: 'single' }), {
      versionId: 'v2',
      stages: ['ACSPending'],
    });
    const result = await setStep(h.context('v2'));
    expect(result).toEqual({ Step: 'set', Backend: 'mysql', VersionId: 'v2', AccountName: 'appuser' });
    expect(h.backend.calls).toEqual(['loginState appuser', 'loginState appuser', 'apply appuser']);
    const [plan] = h.backend.applied;
    expect(plan).toMatchObject({ strategy: 'single', master: undefined, login: { user: 'appuser', password: CURRENT } });
    expect(plan?.pending).toMatchObject({ user: 'appuser', password: PENDING });
    expect(h.store.reads).not.toContain(`find ${MASTER}`);
    // No dual passwords: only the new password works now.
    expect(await h.backend.loginState({ user: 'appuser', password: PENDING })).toBe('works');
    expect(await h.backend.loginState({ user: 'appuser', password: CURRENT })).toBe('refused');
    expect(h.store.writes).toEqual([]);
  });

  it('keeps the old password working where the server has dual passwords', async () => {
    const h = world({ pending: single(PENDING), backend: new ScriptedBackend({ dualPasswords: true }) });
    await setStep(h.context('v2'));
    for (const password of [PENDING, CURRENT]) expect(await h.backend.loginState({ user: 'appuser', password })).toBe('works');
  });

  it('skips when the pending credentials already log in, changing nothing', async () => {
    const h = world({ pending: single(PENDING), database: PENDING });
    expect((await setStep(h.context('v2'))).Skipped).toBe('the pending credentials already log in');
    expect(h.backend.applied).toEqual([]);
  });

  it('logs in with the ACSPrevious password when only that one works, with a warn line, and changes the password', async () => {
    const h = world({ previous: single(PREVIOUS), pending: single(PENDING), database: PREVIOUS });
    await setStep(h.context('v2'));
    expect(h.backend.calls).toEqual(['loginState appuser', 'loginState appuser', 'loginState appuser', 'apply appuser']);
    // Only the password comes from ACSPrevious: the account, server and TLS are ACSCurrent's.
    expect(h.backend.applied[0]?.login).toEqual({ user: 'appuser', password: PREVIOUS, endpoint: '10.0.0.5', port: 3306, ssl: false });
    expect(h.backend.accounts.get('appuser')).toBe(PENDING);
    expect(logLines(h)).toContainEqual(expect.objectContaining({ level: 'warn', check: 'previous-login' }));
    expectNoPasswordLogged(h, PREVIOUS, PENDING, CURRENT);
  });

  it.each([
    ['there is no ACSPrevious version', undefined],
    ['ACSPrevious is for another account', single(PREVIOUS, { AccountName: 'appuser_rt' })],
    ['ACSPrevious is for another Endpoint', single(PREVIOUS, { Endpoint: '10.0.0.6' })],
    ['ACSPrevious is not JSON', 'not json'],
  ])('refuses, changing nothing, when no credentials log in and %s', async (_, previous) => {
    const h = world({ ...(previous !== undefined ? { previous } : {}), pending: single(PENDING), database: PREVIOUS });
    const failure = setStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/neither the pending, the current nor the ACSPrevious credentials log in/);
    expect(h.backend.applied).toEqual([]);
    expect(h.backend.accounts.get('appuser')).toBe(PREVIOUS);
  });

  it.each(['locked', 'expired'] as const)('refuses a %s account, whichever password found it so', async (state) => {
    for (const seen of [CURRENT, PREVIOUS]) {
      const h = world({ previous: single(PREVIOUS), pending: single(PENDING) });
      h.backend.loginScript = (a) => (a.password === seen ? state : a.password === PENDING ? undefined : 'refused');
      await expect(setStep(h.context('v2'))).rejects.toThrow(new RegExp(`the current account appuser (is locked|has an expired password)`));
      expect(h.backend.applied).toEqual([]);
    }
  });

  it.each([
    ['another AccountName', single(PENDING, { AccountName: 'appuser_rt' }), /AccountName is not the ACSCurrent account/],
    ['another Endpoint', single(PENDING, { Endpoint: '10.0.0.6' }), /Endpoint and Port/],
    ['another field', single(PENDING, { DBName: 'orders' }), /fields other than/],
    ['a MasterSecret ACSCurrent lacks', single(PENDING, { MasterSecret: MASTER }), /fields other than/],
  ])('refuses a pending version with %s before any login', async (_, pending, message) => {
    const h = world({ pending });
    await expect(setStep(h.context('v2'))).rejects.toThrow(message);
    expect(h.backend.calls).toEqual([]);
  });

  it('applies an RDS single-account version even when no login can be tried', async () => {
    const h = world({ current: RDS_SINGLE(), pending: RDS_SINGLE(PENDING), backend: new ScriptedBackend({ kind: 'rds-api' }) });
    h.backend.loginScript = () => 'unknown';
    await setStep(h.context('v2'));
    expect(h.backend.applied[0]).toMatchObject({ strategy: 'single', login: { user: 'appuser', password: CURRENT } });
  });
});

describe('test and end, single account', () => {
  it('verify the pending credentials as the single account, and end promotes them', async () => {
    const h = world({ pending: single(PENDING), database: PENDING });
    expect(await testStep(h.context('v2'))).toMatchObject({ AccountName: 'appuser', Check: 'login' });
    await endStep(h.context('v2'));
    expect(h.backend.verifiedAs).toEqual(['single', 'single']);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSPrevious'], v2: ['ACSCurrent'] });
  });

  it('end refuses, moving nothing, while the database does not hold the pending password', async () => {
    const h = world({ pending: single(PENDING) });
    await expect(endStep(h.context('v2'))).rejects.toBeInstanceOf(PreconditionError);
    expect(h.store.writes).toEqual([]);
  });
});

describe('the dry run, single account', () => {
  it('plans the own-password change through Backend.preview with the login set would use, and writes nothing', async () => {
    const h = world();
    const plan = await planRotation(h.context(undefined));
    expect(plan).toMatchObject({
      CurrentAccount: 'appuser',
      PendingAccount: 'appuser',
      Changes: [{ kind: 'sql', statement: "ALTER USER USER() IDENTIFIED BY '<redacted>'" }],
    });
    expect(plan.Kms[0]?.detail).toContain('AccountName appuser and a generated AccountPassword');
    expect(h.backend.previewed[0]).toMatchObject({ strategy: 'single', login: { user: 'appuser', password: CURRENT } });
    expect(h.backend.calls).toEqual(['loginState appuser', 'preview appuser']);
    expect(h.store.writes).toEqual([]);
    expect(h.backend.applied).toEqual([]);
  });

  it('says new would keep a held stale password and set would then change nothing', async () => {
    const h = world({ pending: single(PENDING, { Note: 'stale' }), database: PENDING });
    const plan = await planRotation(h.context(undefined));
    expect(plan.Kms[0]?.detail).toContain('the AccountPassword of version v2, which the database already holds');
    expect(plan.Changes).toEqual([{ kind: 'note', text: 'the pending credentials already log in: set changes nothing' }]);
    expect(JSON.stringify(plan)).not.toContain(PENDING);
    expect(h.store.writes).toEqual([]);
  });
});
