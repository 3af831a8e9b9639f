// The single-account invariant on the in-memory store and the scripted backend: a fault at every
// store call of a rotation, before and after the call takes effect, then the rotation retried from
// `new` (as the next scheduled run would). At every moment ACSCurrent or ACSPending logs in; at the
// end ACSCurrent does and the old password does not. The real-MariaDB version is
// test/single-rotation.int.test.ts; this one covers both backends' step paths in milliseconds.
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import type { StageName } from '../../src/secrets/schema.js';
import type { SecretValue } from '../../src/secrets/store.js';
import { endStep } from '../../src/steps/end.js';
import { newStep } from '../../src/steps/new.js';
import { setStep } from '../../src/steps/set.js';
import { testStep } from '../../src/steps/test.js';
import { MemorySecretStore } from '../support/memory-store.js';
import { ScriptedBackend } from '../support/scripted-backend.js';
import { SECRET, stepHarness, type StepHarness } from '../support/step-context.js';

const CURRENT = 'Current-Password-1';

/** A store whose call number `failAt` fails once with TransientError, before or after it takes effect. */
class FaultyStore extends MemorySecretStore {
  calls = 0;
  failAt = 0;
  when: 'before' | 'after' = 'before';

  private async call<T>(run: () => Promise<T>): Promise<T> {
    const fails = ++this.calls === this.failAt;
    if (fails && this.when === 'before') throw new TransientError(`store call ${this.calls} failed before it was made`);
    const result = await run();
    if (fails) throw new TransientError(`store call ${this.calls} was made, its answer lost`);
    return result;
  }

  override find(secretName: string, selector: { stage?: StageName; versionId?: string }): Promise<SecretValue | undefined> {
    return this.call(() => super.find(secretName, selector));
  }
  override putPending(secretName: string, versionId: string, data: string): Promise<void> {
    return this.call(() => super.putPending(secretName, versionId, data));
  }
  override listVersions(secretName: string) {
    return this.call(() => super.listVersions(secretName));
  }
  override moveStage(secretName: string, stage: StageName, toVersion: string, fromVersion?: string): Promise<void> {
    return this.call(() => super.moveStage(secretName, stage, toVersion, fromVersion));
  }
  override removeStage(secretName: string, stage: StageName, fromVersion: string): Promise<void> {
    return this.call(() => super.removeStage(secretName, stage, fromVersion));
  }
}

type Kind = 'mysql' | 'rds-api';

function seeded(kind: Kind, dualPasswords = false): { h: StepHarness; store: FaultyStore; requests: { n: number } } {
  const store = new FaultyStore();
  const backend = new ScriptedBackend({ kind, dualPasswords });
  const requests = { n: 0 };
  const h = stepHarness({ store, backend });
  const data =
    kind === 'mysql'
      ? { Endpoint: '10.0.0.5', Port: 3306, AccountName: 'appuser', AccountPassword: CURRENT, SSL: false }
      : { AccountName: 'appuser', AccountPassword: CURRENT, RotationStrategy: 'single' };
  store.seed(SECRET, data, { versionId: 'v1' });
  backend.withAccount('appuser', CURRENT);
  return { h, store, requests };
}

/** What logs in now: the stage's version's credentials. */
async function logsIn(h: StepHarness, stage: 'ACSCurrent' | 'ACSPending'): Promise<boolean> {
  const version = await MemorySecretStore.prototype.find.call(h.store, SECRET, { stage });
  if (!version) return false;
  const data = JSON.parse(version.data) as { AccountName: string; AccountPassword: string };
  return (await h.backend.loginState({ user: data.AccountName, password: data.AccountPassword })) === 'works';
}

async function expectInvariant(h: StepHarness, where: string): Promise<void> {
  expect((await logsIn(h, 'ACSCurrent')) || (await logsIn(h, 'ACSPending')), where).toBe(true);
}

/** new, set, test, end as a flow runs them, the invariant checked after each; stops at the first failure. */
async function rotate(h: StepHarness, requests: { n: number }): Promise<boolean> {
  const ctx = (versionId: string) => ({ ...h.context(versionId), requestId: `request-${requests.n}` });
  requests.n++;
  try {
    const { VersionId } = await newStep({ ...h.context(undefined), requestId: `request-${requests.n}` });
    await expectInvariant(h, 'after new');
    for (const step of [setStep, testStep, endStep]) {
      await step(ctx(VersionId));
      await expectInvariant(h, `after ${step.name}`);
    }
    return true;
  } catch (err) {
    if (!(err instanceof TransientError)) throw err;
    await expectInvariant(h, 'after the fault');
    return false;
  }
}

describe.each([
  ['self-managed MySQL', 'mysql' as const, false],
  ['self-managed MySQL 8 with dual passwords', 'mysql' as const, true],
  ['RDS API', 'rds-api' as const, false],
])('a single-account rotation (%s) with a fault at every store call', (_, kind, dual) => {
  // How many store calls a clean rotation makes: every one of them gets its fault.
  const clean = seeded(kind, dual);
  const count = async (): Promise<number> => {
    expect(await rotate(clean.h, clean.requests)).toBe(true);
    return clean.store.calls;
  };

  it('keeps ACSCurrent or ACSPending logging in throughout, and the retried rotation leaves only the new password working', async () => {
    const calls = await count();
    expect(calls).toBeGreaterThan(10);
    for (const when of ['before', 'after'] as const) {
      for (let failAt = 1; failAt <= calls; failAt++) {
        const { h, store, requests } = seeded(kind, dual);
        store.failAt = failAt;
        store.when = when;
        const first = await rotate(h, requests);
        expect(first, `call ${failAt} ${when}`).toBe(false);
        // Retried from new, as the next run of the flow would (a retry of the failed step alone converges too).
        expect(await rotate(h, requests), `retry after call ${failAt} ${when}`).toBe(true);
        const current = JSON.parse((await MemorySecretStore.prototype.find.call(store, SECRET, { stage: 'ACSCurrent' }))!.data) as {
          AccountPassword: string;
        };
        expect(current.AccountPassword === CURRENT).toBe(false);
        expect(await h.backend.loginState({ user: 'appuser', password: current.AccountPassword })).toBe('works');
        if (!dual) expect(await h.backend.loginState({ user: 'appuser', password: CURRENT })).toBe('refused');
        const stages = Object.values(store.stagesOf(SECRET)).flat();
        expect(stages.filter((s) => s === 'ACSCurrent')).toHaveLength(1);
        expect(stages).not.toContain('ACSPending');
        expect(h.logs.join('\n').includes(current.AccountPassword)).toBe(false);
      }
    }
  });
});
