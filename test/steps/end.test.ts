// Step `end` on the in-memory store: the stage moves, only those still missing, under either KMS behaviour; no database.
import { describe, expect, it } from 'vitest';
import { PreconditionError, SecretNotFoundError, TransientError } from '../../src/errors.js';
import type { StageName } from '../../src/secrets/schema.js';
import { endStep } from '../../src/steps/end.js';
import { MemorySecretStore, type MemoryStoreOptions } from '../support/memory-store.js';
import { appSecret, SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const DONE = { Step: 'end', Backend: 'mysql', VersionId: 'v2' };
const SKIPPED = { ...DONE, Skipped: 'this version is already ACSCurrent' };
const FINAL = { v1: ['ACSPrevious'], v2: ['ACSCurrent'] };

const movePrevious = (from?: string) => ({ op: 'moveStage', secretName: SECRET, stage: 'ACSPrevious', toVersion: 'v1', fromVersion: from });
const moveCurrent = (from?: string) => ({ op: 'moveStage', secretName: SECRET, stage: 'ACSCurrent', toVersion: 'v2', fromVersion: from });
const removePending = { op: 'removeStage', secretName: SECRET, stage: 'ACSPending', fromVersion: 'v2' };

/** A store that fails one write, once, before making it: a crash in the middle of `end`. */
class CrashingStore extends MemorySecretStore {
  constructor(
    private crashOn: string | undefined,
    options: MemoryStoreOptions,
  ) {
    super(options);
  }

  private crash(write: string): void {
    if (write !== this.crashOn) return;
    this.crashOn = undefined;
    throw new TransientError(`crashed before ${write}`);
  }

  override async moveStage(secretName: string, stage: StageName, toVersion: string, fromVersion?: string): Promise<void> {
    this.crash(`moveStage ${stage}`);
    return super.moveStage(secretName, stage, toVersion, fromVersion);
  }

  override async removeStage(secretName: string, stage: StageName, fromVersion: string): Promise<void> {
    this.crash(`removeStage ${stage}`);
    return super.removeStage(secretName, stage, fromVersion);
  }
}

/** Versions seeded in order, each with exactly the stages given. */
function seeded(stages: Record<string, string[]>, options: MemoryStoreOptions = {}, store = new MemorySecretStore(options)): StepHarness {
  const h = stepHarness({ store });
  for (const [versionId, held] of Object.entries(stages)) {
    h.store.seed(SECRET, appSecret(versionId), { versionId, stages: held });
    // Every version's account logs in, as after a finished set; the refusal tests take it away.
    h.backend.withAccount(versionId, 'Current-Password-1');
  }
  return h;
}

describe.each([false, true])('endStep (previousFollowsCurrent %s)', (previousFollowsCurrent) => {
  const options = { previousFollowsCurrent };

  it('moves ACSCurrent to the new version, gives the old one ACSPrevious and clears ACSPending', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] }, options);
    expect(await endStep(h.context('v2'))).toEqual(DONE);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
    expect(h.store.writes).toEqual([movePrevious(undefined), moveCurrent('v1'), removePending]);
    expect(h.store.reads[0]).toBe(`list ${SECRET}`);
  });

  it('takes ACSPrevious from the version that held it before', async () => {
    const h = seeded({ v0: ['ACSPrevious'], v1: ['ACSCurrent'], v2: ['ACSPending'] }, options);
    expect(await endStep(h.context('v2'))).toEqual(DONE);
    expect(h.store.stagesOf(SECRET)).toEqual({ v0: [], ...FINAL });
    expect(h.store.writes).toEqual([movePrevious('v0'), moveCurrent('v1'), removePending]);
  });

  it('does not move ACSPrevious again when the old current already holds it', async () => {
    const h = seeded({ v1: ['ACSCurrent', 'ACSPrevious'], v2: ['ACSPending'] }, options);
    expect(await endStep(h.context('v2'))).toEqual(DONE);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
    expect(h.store.writes).toEqual([moveCurrent('v1'), removePending]);
  });

  it('gives ACSCurrent to the new version when no version holds it, moving no ACSPrevious', async () => {
    const h = seeded({ v1: [], v2: ['ACSPending'] }, options);
    expect(await endStep(h.context('v2'))).toEqual(DONE);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: [], v2: ['ACSCurrent'] });
    expect(h.store.writes).toEqual([moveCurrent(undefined), removePending]);
  });

  it('only clears ACSPending after a crash between moving ACSCurrent and clearing it', async () => {
    const h = seeded({ v1: ['ACSPrevious'], v2: ['ACSCurrent', 'ACSPending'] }, options);
    expect(await endStep(h.context('v2'))).toEqual(SKIPPED);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
    expect(h.store.writes).toEqual([removePending]);
  });

  it.each([
    ['moving ACSPrevious', 'moveStage ACSPrevious', []],
    ['moving ACSCurrent', 'moveStage ACSCurrent', [movePrevious(undefined)]],
    ['clearing ACSPending', 'removeStage ACSPending', [movePrevious(undefined), moveCurrent('v1')]],
  ])('finishes on a re-run after a crash before %s, redoing no move', async (_, crashOn, beforeCrash) => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] }, options, new CrashingStore(crashOn, options));
    await expect(endStep(h.context('v2'))).rejects.toBeInstanceOf(TransientError);
    expect(h.store.writes).toEqual(beforeCrash);
    const rerun = await endStep(h.context('v2'));
    expect(rerun).toEqual(crashOn === 'removeStage ACSPending' ? SKIPPED : DONE);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
    expect(h.store.writes).toEqual([movePrevious(undefined), moveCurrent('v1'), removePending]);
  });

  it('changes nothing when run again after it finished', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] }, options);
    await endStep(h.context('v2'));
    const writes = h.store.writes.length;
    expect(await endStep(h.context('v2'))).toEqual(SKIPPED);
    expect(h.store.writes).toHaveLength(writes);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
  });
});

describe('endStep with a version already ACSCurrent', () => {
  it('reports Skipped and writes nothing when no ACSPending is left on it', async () => {
    const h = seeded({ v1: ['ACSPrevious'], v2: ['ACSCurrent'] });
    expect(await endStep(h.context('v2'))).toEqual(SKIPPED);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
  });

  it('leaves an ACSPending held by another version alone', async () => {
    const h = seeded({ v1: ['ACSPrevious'], v2: ['ACSCurrent'], v3: ['ACSPending'] });
    expect(await endStep(h.context('v2'))).toEqual(SKIPPED);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ ...FINAL, v3: ['ACSPending'] });
  });
});

describe('endStep refusals', () => {
  it('fails with SecretNotFoundError for a VersionId the secret does not have, writing nothing', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    const failure = endStep(h.context('v9'));
    await expect(failure).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(failure).rejects.toThrow(/no such version/);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
  });

  it('fails with SecretNotFoundError when the secret does not exist', async () => {
    const h = stepHarness();
    await expect(endStep(h.context('v2'))).rejects.toBeInstanceOf(SecretNotFoundError);
    expect(h.store.writes).toEqual([]);
  });

  it.each([[[]], [['ACSPrevious']]])('refuses a version staged %j, not ACSPending, with PreconditionError', async (stages) => {
    const h = seeded({ v1: ['ACSCurrent'], v2: stages });
    const failure = endStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/the version is not staged ACSPending/);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: stages });
  });
});

describe('endStep before it moves anything', () => {
  it('refuses a pending version whose credentials do not log in (end straight after new), stages unchanged', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    h.backend.accounts.delete('v2');
    const failure = endStep(h.context('v2'));
    await expect(failure).rejects.toBeInstanceOf(PreconditionError);
    await expect(failure).rejects.toThrow(/version v2\): the pending credentials do not work, so ACSCurrent stays where it is/);
    // The backend's reason comes along.
    await expect(failure).rejects.toThrow(/run set and test first \(the pending credentials of v2 do not log in \(refused\)\)$/);
    expect(h.store.writes).toEqual([]);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    expect(h.backend.calls).toEqual(['verify v2']);
  });

  it('refuses a pending account whose password was changed behind the rotation', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    h.backend.withAccount('v2', 'Someone-Elses-1');
    await expect(endStep(h.context('v2'))).rejects.toBeInstanceOf(PreconditionError);
    expect(h.store.writes).toEqual([]);
  });

  it('passes on a transient failure of the check (the database unreachable), stages unchanged', async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    const unreachable = new TransientError('connect ETIMEDOUT');
    h.backend.loginScript = () => {
      throw unreachable;
    };
    await expect(endStep(h.context('v2'))).rejects.toBe(unreachable);
    expect(h.store.writes).toEqual([]);
  });

  it("promotes a version the backend can only check by the account's state (RDS engines without a login)", async () => {
    const h = seeded({ v1: ['ACSCurrent'], v2: ['ACSPending'] });
    h.backend.loginScript = () => 'unknown';
    expect(await endStep(h.context('v2'))).toEqual(DONE);
    expect(h.store.stagesOf(SECRET)).toEqual(FINAL);
  });
});

describe('two ends of one version at the same moment', () => {
  it.each([false, true])('both succeed and the stages end right (previousFollowsCurrent %s)', async (previousFollowsCurrent) => {
    const h = seeded({ v0: ['ACSPrevious'], v1: ['ACSCurrent'], v2: ['ACSPending'] }, { previousFollowsCurrent });
    const results = await Promise.all([endStep(h.context('v2')), endStep(h.context('v2'))]);
    expect(results.map((r) => r.VersionId)).toEqual(['v2', 'v2']);
    expect(h.store.stagesOf(SECRET)).toEqual({ v0: [], v1: ['ACSPrevious'], v2: ['ACSCurrent'] });
    // One of them found a stage moved under it and looked again, rather than failing.
    expect(h.logs.some((line) => line.includes('a stage moved while end ran'))).toBe(true);
  });

  it('a late duplicate that only has ACSPending left to clear succeeds too', async () => {
    const h = seeded({ v1: ['ACSPrevious'], v2: ['ACSCurrent', 'ACSPending'] });
    const results = await Promise.all([endStep(h.context('v2')), endStep(h.context('v2'))]);
    expect(results.every((r) => r.Skipped === 'this version is already ACSCurrent')).toBe(true);
    expect(h.store.stagesOf(SECRET)).toEqual({ v1: ['ACSPrevious'], v2: ['ACSCurrent'] });
  });
});
