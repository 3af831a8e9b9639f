// Throttling absorbed inside the invocation (issue 15, item 5), through the real SDK clients against the
// emulators' fault hooks: a throttled call is retried with jittered backoff, counted in the scope and
// logged with `throttled`; persistent throttling becomes TransientError within the bound; any other
// refusal is never retried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_THROTTLE_POLICY, isThrottling, retryThrottled, withThrottleScope } from '../../src/alibaba/throttle.js';
import { createLogger } from '../../src/log.js';
import { Fixture } from '../support/fixture.js';

/** The most the default policy waits in all: the sum of every wait's ceiling. */
const MAX_WAIT_MS = Array.from({ length: DEFAULT_THROTTLE_POLICY.attempts - 1 }, (_, retry) => retry).reduce(
  (sum, retry) => sum + Math.min(DEFAULT_THROTTLE_POLICY.maxDelayMs, DEFAULT_THROTTLE_POLICY.baseDelayMs * 2 ** retry),
  0,
);

/** A fault hook answering the first `times` calls of `action` with `fault`, counting every call of it. */
function refuse(action: string, fault: { status: number; code: string }, times: number) {
  const seen = { calls: 0 };
  const hook = (call: { action: string }) => {
    if (call.action !== action) return undefined;
    seen.calls += 1;
    return seen.calls <= times ? fault : undefined;
  };
  return { seen, hook };
}

function scopeLog(): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

describe('the backoff', () => {
  it('draws each wait from [ceiling/2, ceiling], doubling up to the cap, within a couple of seconds in all', () => {
    for (const retry of [0, 1, 2]) {
      const ceiling = DEFAULT_THROTTLE_POLICY.baseDelayMs * 2 ** retry;
      expect(backoffDelayMs(retry, DEFAULT_THROTTLE_POLICY, () => 0)).toBe(ceiling / 2);
      expect(backoffDelayMs(retry, DEFAULT_THROTTLE_POLICY, () => 1)).toBe(ceiling);
    }
    // The fourth wait is capped: 1,000 ms, not 1,200.
    expect(backoffDelayMs(3, DEFAULT_THROTTLE_POLICY, () => 1)).toBe(DEFAULT_THROTTLE_POLICY.maxDelayMs);
    expect(MAX_WAIT_MS).toBe(2_050);
  });

  it('tells throttling from the rest by code and status', () => {
    for (const code of ['Throttling', 'Throttling.User', 'Throttling.Api', 'Rejected.Throttling']) {
      expect(isThrottling({ code, data: { Code: code } })).toBe(true);
    }
    for (const code of ['Forbidden.NoPermission', 'InvalidParameter', 'ServiceUnavailable', 'InternalError', 'ECONNRESET']) {
      expect(isThrottling({ code, data: { Code: code } })).toBe(false);
    }
  });

  it('never retries outside a throttling answer, and counts nothing outside a scope', async () => {
    let calls = 0;
    await expect(
      retryThrottled('x', async () => {
        calls += 1;
        throw Object.assign(new Error('socket'), { code: 'ECONNRESET' });
      }),
    ).rejects.toThrow('socket');
    expect(calls).toBe(1);
  });
});

describe('KMS throttling', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start();
    await fx.seed();
  });
  afterEach(async () => fx?.stop());

  const read = () => fx.store.find(fx.secretName, { stage: 'ACSCurrent' });

  it('absorbs two Rejected.Throttling answers: the call succeeds and the scope counts 2', async () => {
    const { seen, hook } = refuse('GetSecretValue', { status: 429, code: 'Rejected.Throttling' }, 2);
    fx.faults.before = hook;
    const { lines, log } = scopeLog();
    const { result, throttled } = await withThrottleScope(log, read);
    expect(result?.secretName).toBe(fx.secretName);
    expect(throttled).toBe(2);
    expect(seen.calls).toBe(3);
    expect(lines.map((l) => l['throttled'])).toEqual([1, 2]);
  });

  it('absorbs throttling on the calls built by the KMS SDK too (ListSecretVersionIds)', async () => {
    const { seen, hook } = refuse('ListSecretVersionIds', { status: 429, code: 'Rejected.Throttling' }, 1);
    fx.faults.before = hook;
    const { throttled } = await withThrottleScope(undefined, () => fx.store.listVersions(fx.secretName));
    expect([throttled, seen.calls]).toEqual([1, 2]);
  });

  it('gives up after the bound with TransientError, within the time bound', async () => {
    const { seen, hook } = refuse('GetSecretValue', { status: 429, code: 'Rejected.Throttling' }, 1_000);
    fx.faults.before = hook;
    const started = Date.now();
    const outcome = await withThrottleScope(undefined, read).catch((err: unknown) => err);
    expect(outcome).toMatchObject({ name: 'TransientError', message: expect.stringMatching(/Rejected\.Throttling/) });
    expect(seen.calls).toBe(DEFAULT_THROTTLE_POLICY.attempts);
    expect(Date.now() - started).toBeLessThan(MAX_WAIT_MS + 1_000);
  });

  it('a step through the handler absorbs them: new succeeds, no TransientError', async () => {
    const { seen, hook } = refuse('GetSecretValue', { status: 429, code: 'Rejected.Throttling' }, 2);
    fx.faults.before = hook;
    expect((await fx.invoke('new')).VersionId).toEqual(expect.any(String));
    expect(seen.calls).toBeGreaterThanOrEqual(3);
  });

  it('never retries a refusal: Forbidden.NoPermission is tried once', async () => {
    const { seen, hook } = refuse('GetSecretValue', { status: 403, code: 'Forbidden.NoPermission' }, 1_000);
    fx.faults.before = hook;
    await expect(read()).rejects.toMatchObject({ name: 'CloudApiError' });
    expect(seen.calls).toBe(1);
  });
});

describe('RDS throttling', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds();
  });
  afterEach(async () => fx?.stop());

  const describeApp = () => fx.rds!.api.describeAccount(fx.rds!.instanceId, fx.sandbox.app.user);

  it.each(['Throttling', 'Throttling.User', 'Throttling.Api'])('absorbs two %s answers: the call succeeds, counted 2', async (code) => {
    const { seen, hook } = refuse('DescribeAccounts', { status: 400, code }, 2);
    fx.rds!.faults.before = hook;
    const { lines, log } = scopeLog();
    const { result, throttled } = await withThrottleScope(log, describeApp);
    expect(result?.name).toBe(fx.sandbox.app.user);
    expect([throttled, seen.calls]).toEqual([2, 3]);
    expect(lines.filter((l) => typeof l['throttled'] === 'number')).toHaveLength(2);
  });

  it('retries a throttled CreateAccount (refused unapplied): the account is created once', async () => {
    const { seen, hook } = refuse('CreateAccount', { status: 400, code: 'Throttling.User' }, 1);
    fx.rds!.faults.before = hook;
    const name = `${fx.sandbox.app.user}_rt`;
    const { result } = await withThrottleScope(undefined, () =>
      fx.rds!.api.createAccount(fx.rds!.instanceId, {
        name,
        password: 'Throwaway-Passw0rd',
        type: 'Normal',
        description: 'rotation alternate',
      }),
    );
    expect([result, seen.calls]).toEqual(['created', 2]);
  });

  it('gives up after the bound with TransientError, within the time bound', async () => {
    const { seen, hook } = refuse('DescribeAccounts', { status: 400, code: 'Throttling' }, 1_000);
    fx.rds!.faults.before = hook;
    const started = Date.now();
    await expect(describeApp()).rejects.toMatchObject({ name: 'TransientError' });
    expect(seen.calls).toBe(DEFAULT_THROTTLE_POLICY.attempts);
    expect(Date.now() - started).toBeLessThan(MAX_WAIT_MS + 1_000);
  });

  it('a step through the handler absorbs them: set succeeds, no TransientError', async () => {
    const { VersionId } = await fx.invoke('new');
    const { seen, hook } = refuse('DescribeAccounts', { status: 400, code: 'Throttling.User' }, 2);
    fx.rds!.faults.before = hook;
    expect((await fx.invoke('set', VersionId)).Skipped).toBeUndefined();
    expect(seen.calls).toBeGreaterThanOrEqual(3);
  });

  it('never retries a refusal: InvalidParameter is tried once', async () => {
    const { seen, hook } = refuse('DescribeAccounts', { status: 400, code: 'InvalidParameter' }, 1_000);
    fx.rds!.faults.before = hook;
    await expect(describeApp()).rejects.toMatchObject({ name: 'CloudApiError' });
    expect(seen.calls).toBe(1);
  });
});
