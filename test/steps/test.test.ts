// Step `test` on the in-memory store and the scripted backend: every branch, and that it never writes; no database.
import { describe, expect, it } from 'vitest';
import { InvalidSecretError, PreconditionError, SecretNotFoundError, TransientError } from '../../src/errors.js';
import { testStep } from '../../src/steps/test.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { appSecret, SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const CURRENT_PASSWORD = 'Current-Password-1';
const PENDING_PASSWORD = 'Pending-Password-1';

/** ACSCurrent v1 (appuser) and v2 (appuser_rt) staged as given, ACSPending by default; both accounts log in. */
function rotation(options: { stages?: string[]; pending?: unknown; backend?: ScriptedBackend } = {}): StepHarness {
  const h = stepHarness(options.backend ? { backend: options.backend } : {});
  h.store.seed(SECRET, appSecret(), { versionId: 'v1' });
  h.store.seed(SECRET, options.pending ?? appSecret('appuser_rt', PENDING_PASSWORD), {
    versionId: 'v2',
    stages: options.stages ?? ['ACSPending'],
  });
  h.backend.withAccount('appuser', CURRENT_PASSWORD).withAccount('appuser_rt', PENDING_PASSWORD);
  return h;
}

/** `test` only reads: nothing written to the store, nothing applied to the database. */
function expectNothingWritten(h: StepHarness): void {
  expect(h.store.writes).toEqual([]);
  expect(h.backend.applied).toEqual([]);
}

describe('testStep', () => {
  it('reports Check login when the pending credentials log in', async () => {
    const h = rotation();
    const result = await testStep(h.context('v2'));
    expect(result).toEqual({ Step: 'test', Backend: 'mysql', VersionId: 'v2', AccountName: 'appuser_rt', Check: 'login' });
    expect(h.backend.calls).toEqual(['verify appuser_rt']);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    expectNothingWritten(h);
  });

  it('reports Check account-state where the backend cannot try a login', async () => {
    const h = rotation({
      backend: new ScriptedBackend({ kind: 'rds-api' }),
      pending: { AccountName: 'appuser_rt', AccountPassword: PENDING_PASSWORD },
    });
    h.backend.loginScript = () => 'unknown';
    const result = await testStep(h.context('v2'));
    expect(result).toEqual({ Step: 'test', Backend: 'rds-api', VersionId: 'v2', AccountName: 'appuser_rt', Check: 'account-state' });
    expectNothingWritten(h);
  });

  it('logs in again with a version that is already ACSCurrent', async () => {
    const h = rotation({ stages: ['ACSCurrent'] });
    const result = await testStep(h.context('v2'));
    expect(result).toEqual({ Step: 'test', Backend: 'mysql', VersionId: 'v2', AccountName: 'appuser_rt', Check: 'login' });
    expect(h.backend.calls).toEqual(['verify appuser_rt']);
    expectNothingWritten(h);
  });

  it('logs in with the credentials of the version asked for, not those of ACSCurrent', async () => {
    const h = rotation();
    const tried: string[] = [];
    h.backend.loginScript = (account) => {
      tried.push(`${account.user}:${account.password}`);
      return undefined;
    };
    await testStep(h.context('v2'));
    expect(tried).toEqual([`appuser_rt:${PENDING_PASSWORD}`]);
  });

  it('logs no password', async () => {
    const h = rotation();
    await testStep(h.context('v2'));
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(PENDING_PASSWORD);
    expect(h.logs.join('\n')).not.toContain(CURRENT_PASSWORD);
  });
});

describe('testStep refusals', () => {
  it('refuses with PreconditionError when the pending credentials do not log in', async () => {
    const h = rotation();
    h.backend.withAccount('appuser_rt', 'Another-Password-1');
    await expect(testStep(h.context('v2'))).rejects.toBeInstanceOf(PreconditionError);
    expect(h.backend.calls).toEqual(['verify appuser_rt']);
    expectNothingWritten(h);
  });

  it('passes on the error of a server it cannot reach', async () => {
    const h = rotation();
    const unreachable = new TransientError('connect timeout');
    h.backend.loginScript = () => {
      throw unreachable;
    };
    await expect(testStep(h.context('v2'))).rejects.toBe(unreachable);
    expectNothingWritten(h);
  });

  it.each([[[]], [['ACSPrevious']]])('refuses a version staged %j, neither ACSPending nor ACSCurrent, without a login', async (stages) => {
    const h = rotation({ stages });
    const failure = testStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/the version is neither ACSPending nor ACSCurrent/);
    expect(h.backend.calls).toEqual([]);
    expectNothingWritten(h);
  });

  it('fails with SecretNotFoundError for a VersionId the secret does not have', async () => {
    const h = rotation();
    await expect(testStep(h.context('v9'))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.backend.calls).toEqual([]);
    expectNothingWritten(h);
  });

  it('fails with SecretNotFoundError when the secret does not exist', async () => {
    const h = stepHarness();
    await expect(testStep(h.context('v2'))).rejects.toBeInstanceOf(SecretNotFoundError);
    expectNothingWritten(h);
  });

  it('refuses SecretData that is not JSON with InvalidSecretError, without a login', async () => {
    const h = rotation({ pending: 'not json' });
    await expect(testStep(h.context('v2'))).rejects.toBeInstanceOf(InvalidSecretError);
    expect(h.backend.calls).toEqual([]);
    expectNothingWritten(h);
  });
});
