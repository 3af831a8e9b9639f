// `plan`, the dry run, as a user runs it: the checks and the exact statements or RDS calls of a
// rotation, passwords redacted, and nothing changed in KMS, in mysql.user or on RDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adminConnection } from '../../src/local/fixtures/mysql-sandbox.js';
import { CliWorld } from '../support/cli.js';

let cli: CliWorld;
beforeAll(async () => {
  cli = await CliWorld.start({ rds: true });
});
afterAll(async () => {
  await cli?.close();
});

const MUTATING_RDS = ['CreateAccount', 'GrantAccountPrivilege', 'RevokeAccountPrivilege', 'ResetAccountPassword', 'DeleteAccount'];

async function mysqlUsers(prefix: string): Promise<string[]> {
  const conn = await adminConnection(cli.world.server);
  try {
    const [rows] = await conn.query('SELECT CONCAT(User, "@", Host) AS u FROM mysql.user WHERE User LIKE ? ORDER BY u', [`${prefix}%`]);
    return (rows as { u: string }[]).map((r) => r.u);
  } finally {
    await conn.end();
  }
}

describe('plan', () => {
  it('prints the SQL a self-managed rotation would run, passwords redacted, and changes nothing', async () => {
    const secret = await cli.world.addMysqlSecret();
    const kmsBefore = cli.world.kms.snapshot();
    const usersBefore = await mysqlUsers(secret.sandbox.app.user);
    const run = await cli.run('plan', secret.secretName);
    expect(run.code, run.stderr).toBe(0);
    const alternate = `${secret.sandbox.app.user}_rt`;
    expect(run.stdout).toContain(`CREATE USER '${alternate}'@'%'`);
    expect(run.stdout).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${secret.sandbox.database}\`.* TO '${alternate}'@'%'`);
    expect(run.stdout).toContain("'<redacted>'");
    expect(run.stdout).toMatch(/new +PutSecretValue/);
    expect(run.stdout).not.toContain(secret.sandbox.master.password);
    expect(run.stdout).not.toContain(secret.sandbox.app.password);
    expect(cli.world.kms.snapshot()).toEqual(kmsBefore);
    expect(await mysqlUsers(secret.sandbox.app.user)).toEqual(usersBefore);
  });

  it('prints the RDS API calls as JSON for an RDS secret, and makes no mutating call', async () => {
    const secret = await cli.world.addRdsSecret();
    const rds = cli.world.rds?.emulator;
    const from = rds?.calls.length ?? 0;
    const run = await cli.run('plan', secret.secretName, '--instance-id', secret.instanceId ?? '', '--json');
    expect(run.code, run.stderr).toBe(0);
    const plan = z
      .object({
        Backend: z.literal('rds-api'),
        CurrentAccount: z.string(),
        PendingAccount: z.string(),
        Changes: z.array(
          z.object({ kind: z.string(), action: z.string().optional(), params: z.record(z.string(), z.string()).optional() }),
        ),
      })
      .parse(JSON.parse(run.stdout));
    expect(plan.PendingAccount).toBe(`${secret.sandbox.app.user}_rt`);
    expect(plan.Changes.map((c) => c.action)).toEqual(['CreateAccount', 'GrantAccountPrivilege', 'ResetAccountPassword']);
    expect(plan.Changes.find((c) => c.action === 'ResetAccountPassword')?.params?.['AccountPassword']).toBe('<redacted>');
    const served = (rds?.calls.slice(from) ?? []).map((c) => c.action);
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((a) => MUTATING_RDS.includes(a))).toEqual([]);
  });

  it('exits 1 with the refusal a rotation would meet, naming the secret', async () => {
    const secret = await cli.world.addMysqlSecret();
    // The master secret names another server: set would refuse, so plan refuses too.
    await cli.world.admin.putSecretValue({
      name: secret.masterName ?? '',
      versionId: 'elsewhere',
      data: JSON.stringify({
        Endpoint: '10.9.9.9',
        Port: 3306,
        AccountName: secret.sandbox.master.user,
        AccountPassword: secret.sandbox.master.password,
      }),
    });
    const run = await cli.run('plan', secret.secretName);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`PreconditionError: .*${secret.secretName}`));
    expect(run.stderr).not.toContain(secret.sandbox.master.password);
  });
});
