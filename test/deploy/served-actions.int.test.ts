// The function role in deploy/function-role.yaml against what the function really calls: every KMS
// and RDS action the emulators served during rotations through the shipped flows (both backends, a
// privilege to revoke, discovery by tag) is granted, and the role grants nothing else.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { quoteIdentifier } from '../../src/backends/mysql/sql.js';
import { forgetInstanceFacts } from '../../src/backends/rds/backend.js';
import { adminConnection } from '../../src/local/fixtures/mysql-sandbox.js';
import { RotationWorld } from '../../src/local/fixtures/rotation-world.js';
import { runShipped } from '../support/flow-runs.js';

let world: RotationWorld;
beforeAll(async () => {
  world = await RotationWorld.start({ rds: true });
});
afterAll(async () => {
  await world?.close();
});

/** Every `Action` of the role's inline policies, as RAM spells them. */
function grantedActions(): string[] {
  const template = parse(readFileSync('deploy/function-role.yaml', 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[] } }
    >;
  };
  const roles = Object.values(template.Resources).filter((r) => r.Type === 'ALIYUN::RAM::Role');
  return roles.flatMap((role) =>
    (role.Properties.Policies ?? []).flatMap((p) =>
      p.PolicyDocument.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    ),
  );
}

describe('the function role', () => {
  it('grants exactly the actions the function was served through the shipped flows', async () => {
    const served = new Set<string>();
    const during = async (run: () => Promise<unknown>) => {
      const kmsFrom = world.kms.calls.length;
      const rdsFrom = world.rds?.emulator.calls.length ?? 0;
      await run();
      for (const call of world.kms.calls.slice(kmsFrom)) served.add(`kms:${call.action}`);
      for (const call of world.rds?.emulator.calls.slice(rdsFrom) ?? []) served.add(`rds:${call.action}`);
    };

    const mysqlSecret = await world.addMysqlSecret();
    await during(async () => expect((await runShipped(world, 'rotate-secret', world.inputFor(mysqlSecret))).status).toBe('Succeeded'));

    const rdsSecret = await world.addRdsSecret({
      ageDays: 40,
      tags: { 'served-actions': '30d', 'served-actions-instance': world.rds?.instanceId ?? '' },
    });
    await during(async () =>
      expect((await runShipped(world, 'rotate-due', { RegionId: 'cn-hangzhou', TagKey: 'served-actions' })).status).toBe('Succeeded'),
    );
    // The account now out of use gains a database its partner lacks: the next rotation must revoke it.
    const otherDb = `${rdsSecret.sandbox.database}_x`;
    const conn = await adminConnection(world.server);
    try {
      await conn.query(`CREATE DATABASE ${quoteIdentifier(otherDb)}`);
      await world.rds?.api.grant(world.rds.instanceId, rdsSecret.sandbox.app.user, [{ dbName: otherDb, privilege: 'ReadOnly' }]);
      // An instance whose DescribeDBInstanceAttribute gives no internal address: its VPC address comes from NetInfo.
      forgetInstanceFacts();
      world.rds!.faults.respond = (call, body) => {
        if (call.action !== 'DescribeDBInstanceAttribute') return undefined;
        const items = (body['Items'] as { DBInstanceAttribute: Record<string, unknown>[] }).DBInstanceAttribute;
        return { ...body, Items: { DBInstanceAttribute: items.map(({ ConnectionString: _c, Port: _p, ...rest }) => rest) } };
      };
      await during(async () => expect((await runShipped(world, 'rotate-secret', world.inputFor(rdsSecret))).status).toBe('Succeeded'));
    } finally {
      world.rds!.faults.respond = undefined;
      await conn.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(otherDb)}`);
      await conn.end();
    }

    const granted = grantedActions();
    expect(
      granted.every((a) => /^(kms|rds):[A-Z][A-Za-z]+$/.test(a)),
      'no wildcard',
    ).toBe(true);
    expect([...served].sort()).toEqual([...new Set(granted)].sort());
  });
});
