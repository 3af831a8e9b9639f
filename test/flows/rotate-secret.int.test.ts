// flows/rotate-secret.yaml, executed by the local CloudFlow runner with the real handler in-process,
// against the KMS and RDS emulators and the real MariaDB: both backends, a retried transient fault,
// a bad input failing at once, and no password in any state's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotationWorld } from '../../src/local/fixtures/rotation-world.js';
import { runShipped, stateDataText, worldPasswords } from '../support/flow-runs.js';
import { loginWith } from '../support/flow-login.js';

let world: RotationWorld;
beforeAll(async () => {
  world = await RotationWorld.start({ rds: true });
});
afterAll(async () => {
  await world?.close();
});

describe('flows/rotate-secret.yaml', () => {
  it('rotates a self-managed MySQL secret: new, set, test, end, each once, ending Succeeded', async () => {
    const secret = await world.addMysqlSecret();
    const before = await world.currentVersion(secret.secretName);
    const result = await runShipped(world, 'rotate-secret', world.inputFor(secret));
    expect(result.status).toBe('Succeeded');
    const after = await world.currentVersion(secret.secretName);
    expect(after).not.toBe(before);
    expect(result.output).toMatchObject({ SecretName: secret.secretName, Status: 'Rotated', VersionId: after });
    const attempts = result.events.filter((e) => e.type === 'TaskAttemptStarted').map((e) => e.path);
    expect(attempts).toEqual(['CreatePending', 'SetPending', 'TestPending', 'FinishRotation']);
    expect(await loginWith(world, secret)).toBe('hello');
  });

  it('hands a missing InstanceId to the function as null, which it reads as "no instance"', async () => {
    const secret = await world.addMysqlSecret();
    const result = await runShipped(world, 'rotate-secret', { SecretName: secret.secretName, RegionId: 'cn-hangzhou' });
    expect(result.status).toBe('Succeeded');
    const firstBody = result.events.find((e) => e.type === 'TaskAttemptStarted')?.input as Record<string, unknown> | undefined;
    expect(firstBody).toMatchObject({ Step: 'new', SecretName: secret.secretName });
    expect(firstBody && 'InstanceId' in firstBody ? firstBody['InstanceId'] : 'absent').toBeNull();
  });

  it('rotates an RDS account through the RDS API backend', async () => {
    const secret = await world.addRdsSecret();
    const result = await runShipped(world, 'rotate-secret', world.inputFor(secret));
    expect(result.status).toBe('Succeeded');
    expect(result.output).toMatchObject({ Status: 'Rotated', VersionId: await world.currentVersion(secret.secretName) });
    const current = await world.store.find(secret.secretName, { stage: 'ACSCurrent' });
    expect(JSON.parse(current?.data ?? '{}')).toMatchObject({ AccountName: `${secret.sandbox.app.user}_rt` });
    expect(await loginWith(world, secret)).toBe('hello');
  });

  it("retries a transient KMS fault by the flow's own Retry rule, and succeeds", async () => {
    const secret = await world.addMysqlSecret();
    let throttled = 0;
    world.kmsFaults.before = (call) => {
      if (call.action !== 'PutSecretValue' || call.secretName !== secret.secretName || throttled >= 2) return undefined;
      throttled++;
      // A 5xx, not throttling: the function absorbs throttling itself, so only the flow's Retry can retry this.
      return { status: 500, code: 'InternalFailure', message: 'An internal error occurred.' };
    };
    try {
      const result = await runShipped(world, 'rotate-secret', world.inputFor(secret));
      expect(result.status).toBe('Succeeded');
      const create = result.events.filter((e) => e.path === 'CreatePending');
      expect(create.filter((e) => e.type === 'TaskAttemptFailed').map((e) => e.error?.Code)).toEqual(['TransientError', 'TransientError']);
      // 2 s, then 4 s: the rule's IntervalSeconds and BackoffRate.
      expect(create.filter((e) => e.type === 'RetryScheduled').map((e) => e.delayMs)).toEqual([2000, 4000]);
      expect(create.filter((e) => e.type === 'TaskAttemptSucceeded').map((e) => e.attempt)).toEqual([3]);
    } finally {
      delete world.kmsFaults.before;
    }
  });

  it("fails a bad input at once, without any retry, the execution's error being the function's name and message", async () => {
    const result = await runShipped(world, 'rotate-secret', { SecretName: "x'; DROP", RegionId: 'cn-hangzhou' });
    expect(result.status).toBe('Failed');
    expect(result.failedState).toBe('CreatePending');
    expect(result.error?.Code).toBe('InvalidEventError');
    expect(result.error?.Detail).toMatch(/^invalid event: SecretName: letters, digits/);
    expect(result.events.filter((e) => e.type === 'TaskAttemptStarted')).toHaveLength(1);
    expect(result.events.some((e) => e.type === 'RetryScheduled')).toBe(false);
  });

  it('fails a refused rotation with the refusal, and leaves the secret as it was', async () => {
    const secret = await world.addMysqlSecret();
    const before = await world.currentVersion(secret.secretName);
    const result = await runShipped(world, 'rotate-secret', { ...world.inputFor(secret), SecretName: `${secret.secretName}-missing` });
    expect(result.status).toBe('Failed');
    expect(result.error?.Code).toBe('SecretNotFoundError');
    expect(result.error?.Detail).toContain(`${secret.secretName}-missing`);
    expect(await world.currentVersion(secret.secretName)).toBe(before);
  });

  it('never lets a password into any state input or output', async () => {
    const secret = await world.addMysqlSecret();
    const rds = await world.addRdsSecret();
    const texts = [
      stateDataText(await runShipped(world, 'rotate-secret', world.inputFor(secret))),
      stateDataText(await runShipped(world, 'rotate-secret', world.inputFor(rds))),
    ].join('\n');
    const passwords = await worldPasswords(world);
    expect(passwords.length).toBeGreaterThanOrEqual(6);
    const leaked = passwords.filter((p) => texts.includes(p));
    expect(leaked.length, 'passwords found in flow state').toBe(0);
  });
});
