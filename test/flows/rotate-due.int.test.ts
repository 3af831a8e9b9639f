// flows/rotate-due.yaml: discover the tagged secrets that are due, rotate exactly those.
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

describe('flows/rotate-due.yaml', () => {
  it('rotates exactly the due secrets, of either backend, and leaves the others alone', async () => {
    const tag = 'due-test-a';
    const dueMysql = await world.addMysqlSecret({ ageDays: 40, tags: { [tag]: '30d' } });
    const dueRds = await world.addRdsSecret({ ageDays: 3, tags: { [tag]: '48h', [`${tag}-instance`]: world.rds?.instanceId ?? '' } });
    const young = await world.addMysqlSecret({ ageDays: 5, tags: { [tag]: '30d' } });
    const untagged = await world.addMysqlSecret({ ageDays: 400 });
    const before = new Map<string, string | undefined>();
    for (const s of world.secrets) before.set(s.secretName, await world.currentVersion(s.secretName));

    const result = await runShipped(world, 'rotate-due', { RegionId: 'cn-hangzhou', TagKey: tag });
    expect(result.status).toBe('Succeeded');
    expect(result.output).toMatchObject({ Rotated: 2, Failed: 0, Deferred: 0 });
    const passwords = await worldPasswords(world);
    expect(passwords.filter((p) => stateDataText(result).includes(p)).length, 'passwords found in flow state').toBe(0);
    const discovered = result.events.find((e) => e.type === 'StateSucceeded' && e.path === 'FindDueSecrets')?.output;
    expect(discovered).toMatchObject({ Due: 2, NotDue: 1, Problems: [] });

    const changed = async (name: string) => (await world.currentVersion(name)) !== before.get(name);
    expect(await changed(dueMysql.secretName)).toBe(true);
    expect(await changed(dueRds.secretName)).toBe(true);
    expect(await changed(young.secretName)).toBe(false);
    expect(await changed(untagged.secretName)).toBe(false);
    expect(await loginWith(world, dueRds)).toBe('hello');

    // A second run finds nothing due: every interval starts again at the new ACSCurrent.
    const again = await runShipped(world, 'rotate-due', { RegionId: 'cn-hangzhou', TagKey: tag });
    expect(again.status).toBe('Succeeded');
    expect(again.output).toMatchObject({ Rotated: 0, Failed: 0 });
  });

  it('rotates what is due and then fails the execution on a misconfigured tag, naming the secret', async () => {
    const tag = 'due-test-b';
    const due = await world.addMysqlSecret({ ageDays: 2, tags: { [tag]: '1d' } });
    const misconfigured = await world.addMysqlSecret({ ageDays: 2, tags: { [tag]: 'monthly' } });
    const before = await world.currentVersion(due.secretName);
    const result = await runShipped(world, 'rotate-due', { RegionId: 'cn-hangzhou', TagKey: tag });
    expect(result.status).toBe('Failed');
    expect(result.error?.Code).toBe('RotationFailedError');
    expect(result.error?.Detail).toContain(`${misconfigured.secretName}: the value of tag ${tag} is not an interval`);
    expect(await world.currentVersion(due.secretName)).not.toBe(before);
  });

  it('uses the function’s ROTATION_TAG_KEY default when the input names no TagKey', async () => {
    const due = await world.addMysqlSecret({ ageDays: 31, tags: { 'fc-rotation': '30d' } });
    const before = await world.currentVersion(due.secretName);
    const result = await runShipped(world, 'rotate-due', { RegionId: 'cn-hangzhou' });
    expect(result.status).toBe('Succeeded');
    expect(await world.currentVersion(due.secretName)).not.toBe(before);
  });
});
