// RDS API calls per rotation through the real handler, the real SDK and the RDS emulator (issue 15,
// item 3): warm (every step in one process, as when FC keeps the container) and cold (each step in a
// new container: no cached instance facts), first rotation (the alternate is created) and steady state.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetInstanceFacts } from '../../../src/backends/rds/backend.js';
import { Fixture } from '../../support/fixture.js';

type Counts = Record<string, number>;

function countsSince(fx: Fixture, from: number): Counts {
  const counts: Counts = {};
  for (const call of fx.rds!.emulator.calls.slice(from)) counts[call.action] = (counts[call.action] ?? 0) + 1;
  return counts;
}

const total = (counts: Counts): number => Object.values(counts).reduce((a, b) => a + b, 0);

describe('RDS API calls per rotation', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await Fixture.start({ rds: { engineVersion: '8.0' } });
    await fx.seedRds();
    forgetInstanceFacts();
  });
  afterEach(async () => fx?.stop());

  /** One whole rotation; `cold` forgets the instance facts before every step, as a new container would. */
  async function rotation(cold: boolean, expectedCurrent: string): Promise<Counts> {
    const from = fx.rds!.emulator.calls.length;
    const { VersionId } = await fx.invoke('new');
    for (const step of ['set', 'test', 'end'] as const) {
      if (cold) forgetInstanceFacts();
      await fx.invoke(step, VersionId);
    }
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(expectedCurrent);
    return countsSince(fx, from);
  }

  it('warm: a first rotation makes every check with the instance described once, a steady one likewise', async () => {
    const from = fx.rds!.emulator.calls.length;
    const runs = await fx.rotate();
    expect(runs.map((r) => r.result.Step)).toEqual(['new', 'set', 'test', 'end']);
    const first = countsSince(fx, from);
    expect(first).toEqual({
      // Engine, version and the internal address (the secret has no Endpoint) in one answer.
      DescribeDBInstanceAttribute: 1,
      // set (both accounts, one listing), the read-back after the grant, and end's comparison before
      // promotion; test's proof is the login.
      DescribeAccounts: 3,
      CreateAccount: 1,
      GrantAccountPrivilege: 1,
      ResetAccountPassword: 1,
    });
    expect(total(first)).toBeLessThanOrEqual(7);

    // Days later: the cached facts have expired; the alternate exists with its partner's privileges.
    forgetInstanceFacts();
    const again = fx.rds!.emulator.calls.length;
    await fx.rotate();
    const steady = countsSince(fx, again);
    expect(steady).toEqual({ DescribeDBInstanceAttribute: 1, DescribeAccounts: 3, ResetAccountPassword: 1 });
    expect(total(steady)).toBeLessThanOrEqual(5);

    // Within the cache's lifetime (rotate-many over secrets of one instance): no instance call at all.
    const within = fx.rds!.emulator.calls.length;
    await fx.rotate();
    expect(countsSince(fx, within)).toEqual({ DescribeAccounts: 3, ResetAccountPassword: 1 });
  });

  it('cold: each step describes the instance again, and nothing more', async () => {
    const first = await rotation(true, `${fx.sandbox.app.user}_rt`);
    expect(first).toEqual({
      DescribeDBInstanceAttribute: 4,
      DescribeAccounts: 3,
      CreateAccount: 1,
      GrantAccountPrivilege: 1,
      ResetAccountPassword: 1,
    });
    forgetInstanceFacts();
    const steady = await rotation(true, fx.sandbox.app.user);
    expect(steady).toEqual({ DescribeDBInstanceAttribute: 4, DescribeAccounts: 3, ResetAccountPassword: 1 });
  });

  // DescribeDBInstanceAttribute's ConnectionString is documented as the internal endpoint; an answer
  // without one, or one whose DBInstanceNetType says Internet, is not used for a login from the VPC.
  type Item = Record<string, unknown>;
  it.each<[string, (item: Item) => Item]>([
    ['without ConnectionString', (item) => ({ ...item, ConnectionString: undefined, Port: undefined })],
    ['with a Port that is not one', (item) => ({ ...item, Port: 'none' })],
    ['with DBInstanceNetType Internet', (item) => ({ ...item, ConnectionString: 'public.invalid', DBInstanceNetType: 'Internet' })],
  ])('an attribute answer %s: the address comes from DescribeDBInstanceNetInfo, once', async (_case, change) => {
    fx.rds!.faults.respond = (call, body) => {
      if (call.action !== 'DescribeDBInstanceAttribute') return undefined;
      const items = (body['Items'] as { DBInstanceAttribute: Record<string, unknown>[] }).DBInstanceAttribute;
      return { ...body, Items: { DBInstanceAttribute: items.map(change) } };
    };
    const from = fx.rds!.emulator.calls.length;
    await fx.rotate();
    expect(countsSince(fx, from)).toMatchObject({ DescribeDBInstanceAttribute: 1, DescribeDBInstanceNetInfo: 1 });
    expect((await fx.secretAt({ stage: 'ACSCurrent' }))?.AccountName).toBe(`${fx.sandbox.app.user}_rt`);
  });
});
