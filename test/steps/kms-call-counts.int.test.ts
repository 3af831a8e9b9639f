// KMS calls per self-managed rotation through the real handler, the real SDK and the KMS emulator
// (issue 15, item 4): with the steps in one FC instance, as FC keeps it between CloudFlow's
// invocations seconds apart, set and end take the data new and test already read; with every step
// in a new instance they read it again. Every check is made either way (the same reads of the master
// and the same logins); only where the SecretData comes from differs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STEPS } from '../../src/event.js';
import { forgetVersionData } from '../../src/secrets/version-cache.js';
import { Fixture } from '../support/fixture.js';

type Counts = Record<string, number>;

describe('KMS calls per self-managed rotation', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
    forgetVersionData();
  });
  afterEach(async () => fx?.stop());

  async function rotation(coldSteps: boolean): Promise<Counts> {
    const from = fx.kms.calls.length;
    let versionId: string | undefined;
    for (const step of STEPS) {
      if (step === 'new' || coldSteps) forgetVersionData();
      versionId = (await fx.invoke(step, versionId)).VersionId;
    }
    const counts: Counts = {};
    for (const call of fx.kms.calls.slice(from)) counts[call.action] = (counts[call.action] ?? 0) + 1;
    return counts;
  }

  it('alternate, steps in one instance: 11 calls, set and end reading no version new and test already read', async () => {
    const counts = await rotation(false);
    expect(counts).toEqual({
      // new: ACSCurrent, the master, ACSPending; set: the master; test: the pending version.
      GetSecretValue: 5,
      // set: the stages of both versions; end: the stages before the moves.
      ListSecretVersionIds: 2,
      PutSecretValue: 1,
      UpdateSecretVersionStage: 3,
    });
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
  });

  it('alternate, every step in a new instance: 13 calls, each version read where it is needed', async () => {
    const counts = await rotation(true);
    expect(counts).toEqual({ GetSecretValue: 8, ListSecretVersionIds: 1, PutSecretValue: 1, UpdateSecretVersionStage: 3 });
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
  });
});
