// Step `new` on the in-memory store and the scripted backend: every branch, no database.
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidSecretError, PreconditionError, SecretNotFoundError } from '../../src/errors.js';
import { newStep } from '../../src/steps/new.js';
import { MemorySecretStore } from '../support/memory-store.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { appSecret, MASTER, masterSecret, SECRET, stepHarness as bareHarness, type StepHarness } from '../support/step-context.js';

const CURRENT_PASSWORD = 'Current-Password-1';
const STALE_PASSWORD = 'Stale-Pending-Password-1';

/** The harness with the master secret the app secret names, which `new` checks before staging anything. */
function stepHarness(options: Parameters<typeof bareHarness>[0] = {}): StepHarness {
  const h = bareHarness(options);
  h.store.seed(MASTER, masterSecret());
  return h;
}

function passwordOf(h: StepHarness, versionId: string): string {
  return String(h.store.dataOf(SECRET, versionId)?.['AccountPassword']);
}

function expectNoneLogged(h: StepHarness, ...passwords: string[]): void {
  const text = h.logs.join('\n');
  for (const password of passwords) expect(text).not.toContain(password);
}

describe('newStep', () => {
  it('stages the alternate account with a fresh password as ACSPending under the requestId', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser_rt', VersionId: 'request-1' });
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], 'request-1': ['ACSPending'] });
    const staged = h.store.dataOf(SECRET, 'request-1')!;
    expect(staged).toEqual({ ...appSecret(), AccountName: 'appuser_rt', AccountPassword: expect.any(String) });
    expect(staged['AccountPassword']).not.toBe('Current-Password-1');
    expect(String(staged['AccountPassword'])).toHaveLength(32);
    expect(h.logs.join('\n')).not.toContain(String(staged['AccountPassword']));
  });

  it('uses the event VersionId instead of the requestId when the event carries one', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    const result = await newStep(h.context('flow-version-7'));
    expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser_rt', VersionId: 'flow-version-7' });
    expect(h.store.writes).toEqual([{ op: 'putPending', secretName: SECRET, versionId: 'flow-version-7' }]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], 'flow-version-7': ['ACSPending'] });
  });

  it('alternates appuser_rt back to appuser', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret('appuser_rt'), { versionId: 'v1' });
    const result = await newStep(h.context(undefined));
    expect(result.AccountName).toBe('appuser');
    expect(h.store.dataOf(SECRET, 'request-1')).toEqual({ ...appSecret('appuser'), AccountPassword: expect.any(String) });
  });

  it('copies every other field, unknown ones included, unchanged and in the same order', async () => {
    const h = stepHarness();
    const current = appSecret('appuser', CURRENT_PASSWORD, {
      Port: '3306',
      SSL: 'true',
      DBName: 'orders',
      Owner: { team: 'payments', pager: ['a', 1, null] },
      Note: null,
    });
    h.store.seed(SECRET, current, { versionId: 'v1' });
    await newStep(h.context(undefined));
    const staged = h.store.dataOf(SECRET, 'request-1')!;
    expect(staged).toEqual({ ...current, AccountName: 'appuser_rt', AccountPassword: passwordOf(h, 'request-1') });
    expect(Object.keys(staged)).toEqual(Object.keys(current));
    expect(h.store.dataOf(SECRET, 'v1')).toEqual(current);
  });

  it('registers the generated password with the mask and logs no password', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    await newStep(h.context(undefined));
    const password = passwordOf(h, 'request-1');
    expect(h.mask.apply(`x${password}y`)).toBe('x***y');
    expect(h.logs.length).toBeGreaterThan(0);
    expectNoneLogged(h, password, CURRENT_PASSWORD);
  });
});

describe('newStep refusals', () => {
  it('fails with SecretNotFoundError when the secret does not exist', async () => {
    const h = stepHarness();
    await expect(newStep(h.context(undefined))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.store.writes).toEqual([]);
  });

  it('fails with SecretNotFoundError when no version holds ACSCurrent', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1', stages: ['ACSPrevious'] });
    await expect(newStep(h.context(undefined))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.store.writes).toEqual([]);
  });

  it.each([
    ['without MasterSecret', { Endpoint: '10.0.0.5', AccountName: 'appuser', AccountPassword: 'p-1234', RotationStrategy: 'alternate' }],
    ['whose MasterSecret is removed', appSecret('appuser', CURRENT_PASSWORD, { MasterSecret: undefined, RotationStrategy: 'alternate' })],
  ])(
    'refuses a self-managed secret with RotationStrategy alternate %s with InvalidSecretError naming MasterSecret, writing nothing',
    async (_, secret) => {
      const h = stepHarness();
      h.store.seed(SECRET, secret, { versionId: 'v1' });
      const failure = newStep(h.context(undefined));
      await expect(failure).rejects.toBeInstanceOf(InvalidSecretError);
      await expect(failure).rejects.toThrow(/MasterSecret: required with RotationStrategy "alternate"/);
      expect(h.store.writes).toEqual([]);
      expect(h.backend.calls).toEqual([]);
    },
  );

  it('refuses an alternate name longer than the backend allows with InvalidSecretError naming AccountName, writing nothing', async () => {
    const h = stepHarness({ backend: new ScriptedBackend({ maxNameLength: 9 }) });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    const failure = newStep(h.context(undefined));
    await expect(failure).rejects.toBeInstanceOf(InvalidSecretError);
    await expect(failure).rejects.toThrow(/AccountName: the alternate account name would have 10 characters, more than the 9/);
    await expect(failure).rejects.not.toThrow(/appuser/);
    expect(h.store.writes).toEqual([]);
  });

  it('refuses a PASSWORD_LENGTH the backend does not accept with ConfigurationError, writing nothing', async () => {
    const h = stepHarness({ backend: new ScriptedBackend({ passwordRules: { minLength: 8, maxLength: 16 } }) });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    await expect(newStep(h.context(undefined))).rejects.toThrow(ConfigurationError);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'] });
  });
});

describe('newStep on the RDS API backend', () => {
  it('rotates an RDS-format secret without MasterSecret', async () => {
    const h = stepHarness({ backend: new ScriptedBackend({ kind: 'rds-api' }) });
    h.store.seed(SECRET, { AccountName: 'appuser', AccountPassword: CURRENT_PASSWORD, DBName: 'orders' }, { versionId: 'v1' });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({ Step: 'new', Backend: 'rds-api', AccountName: 'appuser_rt', VersionId: 'request-1' });
    expect(h.store.dataOf(SECRET, 'request-1')).toEqual({
      AccountName: 'appuser_rt',
      AccountPassword: expect.any(String),
      DBName: 'orders',
    });
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], 'request-1': ['ACSPending'] });
  });
});

describe('newStep with an ACSPending version present', () => {
  it('reuses a pending version that still fits ACSCurrent: its VersionId, Skipped, nothing written', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    h.store.seed(SECRET, appSecret('appuser_rt', STALE_PASSWORD), { versionId: 'v2', stages: ['ACSPending'] });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({
      Step: 'new',
      Backend: 'mysql',
      AccountName: 'appuser_rt',
      VersionId: 'v2',
      Skipped: 'an ACSPending version for this rotation already exists',
    });
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    expect(h.store.dataOf(SECRET, 'v2')).toEqual(appSecret('appuser_rt', STALE_PASSWORD));
    expectNoneLogged(h, STALE_PASSWORD, CURRENT_PASSWORD);
  });

  it('reuses the fitting pending version even when the event names another VersionId', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    h.store.seed(SECRET, appSecret('appuser_rt', STALE_PASSWORD), { versionId: 'v2', stages: ['ACSPending'] });
    const result = await newStep(h.context('v3'));
    expect(result.VersionId).toBe('v2');
    expect(result.Skipped).toBe('an ACSPending version for this rotation already exists');
    expect(h.store.writes).toEqual([]);
  });

  const stale: [string, unknown][] = [
    ['another DBName', appSecret('appuser_rt', STALE_PASSWORD, { DBName: 'other' })],
    ['another Endpoint', appSecret('appuser_rt', STALE_PASSWORD, { Endpoint: '10.0.0.6' })],
    ['a field ACSCurrent lacks', appSecret('appuser_rt', STALE_PASSWORD, { Extra: 1 })],
    ['the ACSCurrent AccountName instead of the alternate', appSecret('appuser', STALE_PASSWORD)],
    ['another account name', appSecret('someone_rt', STALE_PASSWORD)],
    ['SecretData that is not JSON', 'not json'],
    ['SecretData its backend refuses', { AccountName: 'appuser_rt', AccountPassword: STALE_PASSWORD }],
  ];
  const staleCases = stale.flatMap(([what, data]) => [true, false].map((leaves) => ({ what, data, leaves })));

  it.each(staleCases)('replaces a stale pending version with $what (pendingLeavesOldHolder $leaves)', async ({ data, leaves }) => {
    const h = stepHarness({ store: new MemorySecretStore({ pendingLeavesOldHolder: leaves }) });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    h.store.seed(SECRET, data, { versionId: 'v2', stages: ['ACSPending'] });
    const result = await newStep(h.context(undefined));
    expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser_rt', VersionId: 'request-1' });
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: [], 'request-1': ['ACSPending'] });
    const put = { op: 'putPending', secretName: SECRET, versionId: 'request-1' };
    const removed = { op: 'removeStage', secretName: SECRET, stage: 'ACSPending', fromVersion: 'v2' };
    expect(h.store.writes).toEqual(leaves ? [put] : [put, removed]);
    expect(h.store.dataOf(SECRET, 'request-1')).toEqual({ ...appSecret(), AccountName: 'appuser_rt', AccountPassword: expect.any(String) });
    expect(passwordOf(h, 'request-1')).not.toBe(STALE_PASSWORD);
    const warning = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['level'] === 'warn');
    expect(warning).toMatchObject({ msg: 'replacing a stale ACSPending version', versionId: 'v2' });
    expectNoneLogged(h, STALE_PASSWORD, CURRENT_PASSWORD, passwordOf(h, 'request-1'));
  });

  it.each([true, false])(
    'never reuses an ACSPending stage left on the ACSCurrent version, and takes it off (pendingLeavesOldHolder %s)',
    async (leaves) => {
      const h = stepHarness({ store: new MemorySecretStore({ pendingLeavesOldHolder: leaves }) });
      h.store.seed(SECRET, appSecret(), { versionId: 'v1', stages: ['ACSCurrent', 'ACSPending'] });
      const result = await newStep(h.context(undefined));
      expect(result).toEqual({ Step: 'new', Backend: 'mysql', AccountName: 'appuser_rt', VersionId: 'request-1' });
      expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], 'request-1': ['ACSPending'] });
      const put = { op: 'putPending', secretName: SECRET, versionId: 'request-1' };
      const removed = { op: 'removeStage', secretName: SECRET, stage: 'ACSPending', fromVersion: 'v1' };
      expect(h.store.writes).toEqual(leaves ? [put] : [put, removed]);
      expect(h.logs.filter((line) => line.includes('"level":"warn"'))).toEqual([]);
    },
  );
});

describe('newStep with an explicit VersionId', () => {
  it('reports Skipped and writes nothing when the event VersionId is already ACSCurrent', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret('appuser_rt'), { versionId: 'v0', stages: ['ACSPrevious'] });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    const result = await newStep(h.context('v1'));
    expect(result).toEqual({
      Step: 'new',
      Backend: 'mysql',
      AccountName: 'appuser',
      VersionId: 'v1',
      Skipped: 'this version is already ACSCurrent',
    });
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v0: ['ACSPrevious'], v1: ['ACSCurrent'] });
  });

  it('refuses, through the store, an explicit VersionId naming an older version with other data, writing nothing', async () => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret('appuser_rt'), { versionId: 'v0', stages: ['ACSPrevious'] });
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    await expect(newStep(h.context('v0'))).rejects.toBeInstanceOf(PreconditionError);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v0: ['ACSPrevious'], v1: ['ACSCurrent'] });
  });
});

describe('newStep passwords', () => {
  it('follows passwordConfig: the configured length and none of the excluded characters', async () => {
    const excluded = 'aeiouAEIOU01234!"#$%&\'/@\\';
    for (let run = 0; run < 20; run++) {
      const h = stepHarness();
      h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
      await newStep({ ...h.context(undefined), passwordConfig: { passwordLength: 20, excludeCharacters: excluded } });
      const password = passwordOf(h, 'request-1');
      expect(password).toHaveLength(20);
      expect([...password].filter((c) => excluded.includes(c))).toEqual([]);
    }
  });

  it("uses only the backend's punctuation and holds a lowercase letter, an uppercase letter, a digit and a punctuation mark", async () => {
    for (let run = 0; run < 20; run++) {
      const backend = new ScriptedBackend({ passwordRules: { minLength: 8, maxLength: 24, punctuation: '-_' } });
      const h = stepHarness({ backend });
      h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
      await newStep({ ...h.context(undefined), passwordConfig: { passwordLength: 24, excludeCharacters: '' } });
      const password = passwordOf(h, 'request-1');
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      for (const kind of [/[a-z]/, /[A-Z]/, /[0-9]/, /[-_]/]) expect(password).toMatch(kind);
    }
  });
});

describe('newStep and the master secret', () => {
  it('refuses a missing master secret with SecretNotFoundError, staging nothing', async () => {
    const h = bareHarness();
    h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    await expect(newStep(h.context(undefined))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.store.writes).toEqual([]);
  });

  it.each([
    ['the alternate', 'admin_rt'],
    ['the current account', 'admin'],
  ])('refuses a master account that is %s, staging nothing', async (which, user) => {
    const h = stepHarness();
    h.store.seed(SECRET, appSecret(user), { versionId: 'v1' });
    const failure = newStep(h.context(undefined));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(
      `the master account would be rotated itself (it is the ${which === 'the alternate' ? 'alternate' : 'current'} account)`,
    );
    expect(h.store.writes).toEqual([]);
  });

  it('refuses a master secret for another server, and one that is the rotated secret itself, staging nothing', async () => {
    const other = stepHarness();
    other.store.seed(MASTER, masterSecret({ Port: 3307 }));
    other.store.seed(SECRET, appSecret(), { versionId: 'v1' });
    await expect(newStep(other.context(undefined))).rejects.toThrow(/MasterSecret: the master secret is for another Endpoint or Port/);
    expect(other.store.writes).toEqual([]);

    const itself = stepHarness();
    itself.store.seed(SECRET, appSecret('appuser', CURRENT_PASSWORD, { MasterSecret: SECRET }), { versionId: 'v1' });
    await expect(newStep(itself.context(undefined))).rejects.toThrow(/MasterSecret: names the rotated secret itself/);
    expect(itself.store.writes).toEqual([]);
  });
});
