// The operator commands through the real SDKs against the KMS, RDS and CloudFlow emulators and the
// real MariaDB, each run as a user runs it (a child process): rotate through CloudFlow and --local,
// status before, during and after, recover and --cancel, rollback allowed and refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loginWith } from '../support/flow-login.js';
import { CliWorld } from '../support/cli.js';

let cli: CliWorld;
beforeAll(async () => {
  cli = await CliWorld.start({ rds: true });
});
afterAll(async () => {
  await cli?.close();
});

const RotateJson = z.object({
  SecretName: z.string(),
  VersionId: z.string().nullable(),
  Status: z.string(),
  Steps: z.array(z.object({ Step: z.string(), Status: z.string(), DurationMs: z.number(), Error: z.string().optional() })),
  Execution: z.object({ FlowName: z.string(), Name: z.string() }).optional(),
});

const StatusJson = z.object({
  SecretName: z.string(),
  State: z.enum(['idle', 'rotating', 'stuck']),
  Current: z.object({ VersionId: z.string(), AccountName: z.string().nullable(), CreateTime: z.string().nullable() }),
  Pending: z
    .object({
      VersionId: z.string(),
      AccountName: z.string().nullable(),
      CreateTime: z.string().nullable(),
      LogsIn: z.boolean().nullable(),
    })
    .nullable(),
  Previous: z.object({ VersionId: z.string(), AccountName: z.string().nullable() }).nullable(),
  PreviousSessions: z.number().nullable(),
  Versions: z.array(z.object({ VersionId: z.string(), Stages: z.array(z.string()), CreateTime: z.string().nullable() })),
  Advice: z.string(),
});

describe('rotate', () => {
  it('rotates through the deployed flow, following it step by step, and reports it as JSON', async () => {
    const secret = await cli.world.addMysqlSecret();
    const run = await cli.run('rotate', secret.secretName, '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = RotateJson.parse(JSON.parse(run.stdout));
    expect(report.Status).toBe('Succeeded');
    expect(report.Steps.map((s) => [s.Step, s.Status])).toEqual([
      ['new', 'Succeeded'],
      ['set', 'Succeeded'],
      ['test', 'Succeeded'],
      ['end', 'Succeeded'],
    ]);
    expect(report.VersionId).toBe(await cli.world.currentVersion(secret.secretName));
    expect(report.Execution?.FlowName).toBe('rotate-secret');
    expect(await loginWith(cli.world, secret)).toBe('hello');
    // Progress went to stderr, one line per step, plain (not a terminal).
    expect(run.stderr).toMatch(/new +ok +\d+ ms\nset +ok/);
  });

  it('rotates an RDS secret with --instance-id, and with --local in this process', async () => {
    const secret = await cli.world.addRdsSecret();
    const viaFlow = await cli.run('rotate', secret.secretName, '--instance-id', secret.instanceId ?? '');
    expect(viaFlow.code, viaFlow.stderr).toBe(0);
    expect(viaFlow.stdout).toContain(`${secret.secretName}: Succeeded, ACSCurrent is version`);
    const before = await cli.world.currentVersion(secret.secretName);
    const local = await cli.run('rotate', secret.secretName, '--instance-id', secret.instanceId ?? '', '--local', '--json');
    expect(local.code, local.stderr).toBe(0);
    const report = RotateJson.parse(JSON.parse(local.stdout));
    expect(report.Execution).toBeUndefined();
    expect(report.VersionId).not.toBe(before);
    expect(report.VersionId).toBe(await cli.world.currentVersion(secret.secretName));
    expect(await loginWith(cli.world, secret)).toBe('hello');
  });

  it('exits 1 with the function’s error when the rotation fails, without a stack trace', async () => {
    const run = await cli.run('rotate', 'no-such-secret', '--json');
    expect(run.code).toBe(1);
    const report = RotateJson.parse(JSON.parse(run.stdout));
    expect(report.Status).toBe('Failed');
    expect(report.Steps).toEqual([expect.objectContaining({ Step: 'new', Status: 'Failed' })]);
    expect(run.stdout).toContain('SecretNotFoundError');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with the function’s error with --local too, naming the secret and the error', async () => {
    const run = await cli.run('rotate', 'no-such-local-secret', '--local', '--json');
    expect(run.code).toBe(1);
    const report = RotateJson.extend({ Error: z.string(), Cause: z.string() }).parse(JSON.parse(run.stdout));
    expect(report).toMatchObject({ Status: 'Failed', Error: 'SecretNotFoundError' });
    expect(report.Cause).toContain('no-such-local-secret');
    const text = await cli.run('rotate', 'no-such-local-secret', '--local');
    expect(text.stdout).toMatch(/no-such-local-secret: Failed: SecretNotFoundError — .*no-such-local-secret/);
  });
});

describe('status, recover and rollback', () => {
  it('tells idle, rotating and stuck apart, and exits 3 on a stuck rotation with the command that finishes it', async () => {
    const secret = await cli.world.addMysqlSecret();
    const idle = StatusJson.parse(JSON.parse((await cli.run('status', secret.secretName, '--json')).stdout));
    expect(idle).toMatchObject({ State: 'idle', Pending: null, Previous: null, Current: { AccountName: secret.sandbox.app.user } });

    await cli.world.stagePending(secret, { versionId: 'pending-young', ageMinutes: 2 });
    const rotating = await cli.run('status', secret.secretName, '--json');
    expect(rotating.code).toBe(0);
    expect(StatusJson.parse(JSON.parse(rotating.stdout))).toMatchObject({ State: 'rotating', Pending: { VersionId: 'pending-young' } });

    await cli.world.stagePending(secret, { versionId: 'pending-old', ageMinutes: 40 });
    const stuck = await cli.run('status', secret.secretName, '--json');
    expect(stuck.code).toBe(3);
    const report = StatusJson.parse(JSON.parse(stuck.stdout));
    expect(report).toMatchObject({
      State: 'stuck',
      Pending: { VersionId: 'pending-old', AccountName: `${secret.sandbox.app.user}_rt`, LogsIn: false },
    });
    expect(report.Advice).toContain(`fc-secret-rotation recover ${secret.secretName}`);
    expect(report.Advice).toContain(`fc-secret-rotation recover ${secret.secretName} --cancel`);
    // The text form says the same, and never prints a password.
    const text = await cli.run('status', secret.secretName);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/state +stuck/);
    expect(text.stdout).not.toContain(secret.sandbox.app.password);

    // recover finishes it: set, test, end for the pending version.
    const recover = await cli.run('recover', secret.secretName);
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stdout).toMatch(/set +done[\s\S]*test +done[\s\S]*end +done/);
    expect(await cli.world.currentVersion(secret.secretName)).toBe('pending-old');
    expect(await loginWith(cli.world, secret)).toBe('hello');
    const after = StatusJson.parse(JSON.parse((await cli.run('status', secret.secretName, '--json')).stdout));
    expect(after).toMatchObject({ State: 'idle', Current: { VersionId: 'pending-old' }, Previous: { VersionId: 'v1' } });
  });

  it('refuses to recover or cancel a pending version young enough to be a rotation still running, unless --force', async () => {
    const secret = await cli.world.addMysqlSecret();
    await cli.world.stagePending(secret, { versionId: 'maybe-running', ageMinutes: 3 });
    for (const args of [[], ['--cancel']]) {
      const run = await cli.run('recover', secret.secretName, ...args);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('the pending version is 3 min old, so a rotation may still be running');
    }
    expect(await cli.world.currentVersion(secret.secretName)).toBe('v1');
    const forced = await cli.run('recover', secret.secretName, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await cli.world.currentVersion(secret.secretName)).toBe('maybe-running');
  });

  it('recover --cancel takes ACSPending off and leaves ACSCurrent as it was', async () => {
    const secret = await cli.world.addMysqlSecret();
    await cli.world.stagePending(secret, { versionId: 'to-cancel', ageMinutes: 30 });
    const run = await cli.run('recover', secret.secretName, '--cancel');
    expect(run.code, run.stderr).toBe(0);
    const versions = await cli.world.store.listVersions(secret.secretName);
    expect(versions.find((v) => v.versionId === 'to-cancel')?.stages).toEqual([]);
    expect(await cli.world.currentVersion(secret.secretName)).toBe('v1');
    const again = await cli.run('recover', secret.secretName);
    expect(again.stdout).toContain('no pending version; nothing to recover');
  });

  it('rolls back to ACSPrevious once its credentials log in, and refuses when they do not, changing nothing', async () => {
    const secret = await cli.world.addMysqlSecret();
    expect((await cli.run('rotate', secret.secretName, '--local')).code).toBe(0);
    const rotated = await cli.world.currentVersion(secret.secretName);
    const back = await cli.run('rollback', secret.secretName, '--yes');
    expect(back.code, back.stderr).toBe(0);
    expect(await cli.world.currentVersion(secret.secretName)).toBe('v1');
    const stages = Object.fromEntries((await cli.world.store.listVersions(secret.secretName)).map((v) => [v.versionId, v.stages]));
    expect(stages[rotated ?? '']).toEqual(['ACSPrevious']);
    expect(await loginWith(cli.world, secret)).toBe('hello');

    // The account of ACSPrevious (now the alternate) loses its password: a rollback to it is refused.
    const { adminConnection } = await import('../../src/local/fixtures/mysql-sandbox.js');
    const conn = await adminConnection(cli.world.server);
    await conn.query("ALTER USER ?@'%' IDENTIFIED BY 'Changed-elsewhere-1'", [`${secret.sandbox.app.user}_rt`]);
    await conn.end();
    const refused = await cli.run('rollback', secret.secretName, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /PreconditionError: secret \S+: the credentials of ACSPrevious \(version \S+\) are refused; ACSCurrent stays where it is/,
    );
    expect(await cli.world.currentVersion(secret.secretName)).toBe('v1');
  });

  it('shows the sessions still open on the ACSPrevious account, which the next rotation changes', async () => {
    const secret = await cli.world.addMysqlSecret();
    expect(JSON.parse((await cli.run('status', secret.secretName, '--json')).stdout)).toMatchObject({ PreviousSessions: null });
    expect((await cli.run('rotate', secret.secretName, '--local')).code).toBe(0);
    const mysql = (await import('mysql2/promise')).default;
    const { host, port } = cli.world.server;
    const client = await mysql.createConnection({ host, port, user: secret.sandbox.app.user, password: secret.sandbox.app.password });
    try {
      const status = await cli.run('status', secret.secretName, '--json');
      expect(JSON.parse(status.stdout)).toMatchObject({ Previous: { AccountName: secret.sandbox.app.user }, PreviousSessions: 1 });
      expect((await cli.run('status', secret.secretName)).stdout).toMatch(/previous .* open sessions: 1/);
    } finally {
      await client.end();
    }
  });

  it('refuses a rollback while a rotation is pending', async () => {
    const secret = await cli.world.addMysqlSecret();
    expect((await cli.run('rotate', secret.secretName, '--local')).code).toBe(0);
    await cli.world.stagePending(secret, { versionId: 'in-flight', ageMinutes: 1 });
    const run = await cli.run('rollback', secret.secretName, '--yes');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('a rotation is pending (version in-flight); recover or cancel it first');
  });
});
