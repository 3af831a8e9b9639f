// flows/rotate-many.yaml: a Map of rotations in which one secret failing stops none of the others,
// and the execution fails, naming the failed secrets, if any failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotationWorld } from '../../src/local/fixtures/rotation-world.js';
import { loginWith } from '../support/flow-login.js';
import { runShipped, stateDataText, worldPasswords } from '../support/flow-runs.js';

let world: RotationWorld;
beforeAll(async () => {
  world = await RotationWorld.start({ rds: true });
});
afterAll(async () => {
  await world?.close();
});

describe('flows/rotate-many.yaml', () => {
  it('rotates every secret of the list, both backends, and sums up', async () => {
    const mysqlSecret = await world.addMysqlSecret();
    const rdsSecret = await world.addRdsSecret();
    const before = [await world.currentVersion(mysqlSecret.secretName), await world.currentVersion(rdsSecret.secretName)];
    const result = await runShipped(world, 'rotate-many', {
      RegionId: 'cn-hangzhou',
      // The first item takes the execution's RegionId.
      Secrets: [{ SecretName: mysqlSecret.secretName }, world.inputFor(rdsSecret)],
    });
    expect(result.status).toBe('Succeeded');
    expect(result.output).toEqual({ Rotated: 2, Failed: 0, Secrets: [mysqlSecret.secretName, rdsSecret.secretName] });
    expect(await world.currentVersion(mysqlSecret.secretName)).not.toBe(before[0]);
    expect(await world.currentVersion(rdsSecret.secretName)).not.toBe(before[1]);
    expect(await loginWith(world, mysqlSecret)).toBe('hello');
    expect(await loginWith(world, rdsSecret)).toBe('hello');
    expect(stateDataText(result)).not.toMatch(new RegExp((await worldPasswords(world)).map((p) => p.replace(/\W/g, '\\$&')).join('|')));
  });

  it('goes on past a broken secret, then fails the execution naming it, its step and its error', async () => {
    const good = await world.addMysqlSecret();
    const goodBefore = await world.currentVersion(good.secretName);
    const result = await runShipped(world, 'rotate-many', {
      RegionId: 'cn-hangzhou',
      Secrets: [{ SecretName: 'no-such-secret' }, world.inputFor(good), { SecretName: 'bad name!' }],
    });
    expect(result.status).toBe('Failed');
    expect(result.failedState).toBe('Report');
    // The execution's own error names every failed secret: what ListExecutions and the alarm show.
    expect(result.error).toEqual({
      Code: 'RotationFailedError',
      Detail: 'step report: 2 of 3 secrets failed: no-such-secret (new: SecretNotFoundError), item 3 (new: InvalidEventError)',
    });
    // The good secret between the broken ones rotated all the same.
    expect(await world.currentVersion(good.secretName)).not.toBe(goodBefore);
    expect(await loginWith(world, good)).toBe('hello');
  });

  it('runs no item more than once and never retries a refusal', async () => {
    const result = await runShipped(world, 'rotate-many', {
      RegionId: 'cn-hangzhou',
      Secrets: [{ SecretName: 'absent-1' }, { SecretName: 'absent-2' }],
    });
    expect(result.status).toBe('Failed');
    expect(result.events.filter((e) => e.type === 'RetryScheduled')).toEqual([]);
    expect(result.events.filter((e) => e.type === 'TaskAttemptStarted' && e.path.endsWith('/CreatePending'))).toHaveLength(2);
  });
});
