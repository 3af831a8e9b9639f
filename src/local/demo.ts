/**
 * `npm start [-- --scenario rds]`: one whole rotation on this machine — the embedded KMS emulator
 * (and, for `rds`, the RDS account API emulator), a sandbox on the local MySQL/MariaDB (MYSQL_URL,
 * default mysql://root@127.0.0.1:3306), the four steps through the real handler — printing each
 * step, then cleaning up. Never prints a password.
 */
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { RdsClient } from '../backends/rds/client.js';
import { quoteIdentifier } from '../backends/mysql/sql.js';
import { parseEndpoint } from '../config.js';
import { KmsSecretStore } from '../secrets/kms-store.js';
import { Stage } from '../secrets/schema.js';
import { kmsAdmin, LOCAL_CREDENTIALS } from './fixtures/kms-admin.js';
import { startKmsEmulator } from './emulators/kms/emulator.js';
import { adminConnection, createSandbox, serverFromUrl, uniqueName, type Sandbox } from './fixtures/mysql-sandbox.js';
import { startRdsEmulator, type RdsEmulator } from './emulators/rds/emulator.js';
import { runRotation, type RotationInput } from './runner/rotate.js';

const REGION = 'cn-hangzhou';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'mysql' } } });
  const scenario = values.scenario;
  if (scenario !== 'mysql' && scenario !== 'rds') {
    console.error('--scenario must be mysql (self-managed MySQL, the default) or rds (RDS API backend)');
    return 2;
  }
  const server = serverFromUrl();
  try {
    await (await adminConnection(server)).end();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unknown error';
    console.error(`No MySQL/MariaDB answers at ${server.host}:${server.port} as ${server.user} (${code}).`);
    console.error(
      'Start one (e.g. `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`) or set MYSQL_URL=mysql://user:password@host:port',
    );
    return 1;
  }

  const kms = await startKmsEmulator();
  // The function's environment for this run: the caller's own, pointed at the embedded emulators.
  const env: Record<string, string | undefined> = { ...process.env, KMS_ENDPOINT: kms.endpoint };
  const sandbox = await createSandbox({ prefix: 'demo', server, withAccounts: scenario === 'mysql' });
  let rds: RdsEmulator | undefined;
  const secretName = uniqueName('demo-app-');
  try {
    console.log(
      `scenario          ${scenario === 'rds' ? 'ApsaraDB RDS account through the RDS API (emulated)' : 'self-managed MySQL with a master account'}`,
    );
    console.log(`KMS emulator      ${kms.endpoint}`);
    console.log(`MySQL             ${server.host}:${server.port}, database ${sandbox.database}, account ${sandbox.app.user}`);
    const admin = kmsAdmin(kms.endpoint, REGION);
    const input: RotationInput = { SecretName: secretName, RegionId: REGION };
    if (scenario === 'rds') {
      const instanceId = uniqueName('rm-demo');
      rds = await startRdsEmulator({ instances: [{ instanceId, server, engineVersion: '8.0' }] });
      env['RDS_ENDPOINT'] = rds.endpoint;
      await seedRdsAccount(rds, instanceId, sandbox);
      await admin.createSecret({
        name: secretName,
        data: JSON.stringify({ AccountName: sandbox.app.user, AccountPassword: sandbox.app.password, SSL: false }),
      });
      input.InstanceId = instanceId;
      console.log(`RDS emulator      ${rds.endpoint}, instance ${instanceId} (MySQL 8.0)`);
      console.log(`secret            ${secretName}\n`);
    } else {
      const masterName = `${secretName}-master`;
      const common = { Endpoint: server.host, Port: server.port, SSL: false };
      await admin.createSecret({
        name: masterName,
        data: JSON.stringify({ ...common, AccountName: sandbox.master.user, AccountPassword: sandbox.master.password }),
      });
      await admin.createSecret({
        name: secretName,
        data: JSON.stringify({
          ...common,
          AccountName: sandbox.app.user,
          AccountPassword: sandbox.app.password,
          MasterSecret: masterName,
          DBName: sandbox.database,
        }),
      });
      console.log(`secret            ${secretName} (master: ${masterName})\n`);
    }

    const logLines: string[] = [];
    const kmsBefore = kms.calls.length;
    const rdsBefore = rds?.calls.length ?? 0;
    await runRotation(input, {
      env,
      context: { credentials: LOCAL_CREDENTIALS },
      sink: (line) => logLines.push(line),
      onStep: ({ step, durationMs, result }) => {
        const extra = [
          result.AccountName && `account ${result.AccountName}`,
          result.Check && `check ${result.Check}`,
          result.Skipped && `skipped: ${result.Skipped}`,
        ]
          .filter(Boolean)
          .join(', ');
        console.log(
          `step ${step.padEnd(5)} ok  ${String(durationMs).padStart(5)} ms  VersionId ${result.VersionId}${extra ? `  (${extra})` : ''}`,
        );
      },
    });

    // The rotation's own calls, before the demo's reads below.
    const kmsCalls = kms.calls.slice(kmsBefore);
    const rdsCalls = rds?.calls.slice(rdsBefore) ?? [];
    const store = new KmsSecretStore({
      endpoint: parseEndpoint(kms.endpoint, 'KMS_ENDPOINT'),
      regionId: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    console.log('\nstages after the rotation:');
    for (const version of await store.listVersions(secretName))
      console.log(`  ${version.versionId.padEnd(38)} ${version.stages.join(', ') || '(none)'}`);

    const current = await store.find(secretName, { stage: Stage.Current });
    const creds = JSON.parse(current?.data ?? '{}') as { AccountName: string; AccountPassword: string };
    const conn = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: creds.AccountName,
      password: creds.AccountPassword,
      database: sandbox.database,
    });
    const [rows] = await conn.query(`SELECT text FROM ${quoteIdentifier(sandbox.table)} WHERE id = 1`);
    await conn.end();
    console.log(`\nACSCurrent (${creds.AccountName}) logs in and reads: ${JSON.stringify(rows)}`);
    const counts = (calls: readonly { action: string }[]) =>
      Object.entries(calls.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.action]: (acc[c.action] ?? 0) + 1 }), {}))
        .map(([action, n]) => `${action} ${n}`)
        .join(', ');
    console.log(`KMS calls by the rotation: ${kmsCalls.length} (${counts(kmsCalls)})`);
    if (rds) console.log(`RDS calls by the rotation: ${rdsCalls.length} (${counts(rdsCalls)})`);
    console.log(`${logLines.length} structured log lines written; rotation complete.`);
    return 0;
  } finally {
    await sandbox.cleanup();
    await kms.close();
    await rds?.close();
  }
}

/** The app account as an operator would make it on RDS: CreateAccount, then ReadWrite on the database. */
async function seedRdsAccount(rds: RdsEmulator, instanceId: string, sandbox: Sandbox): Promise<void> {
  const api = new RdsClient({ endpoint: parseEndpoint(rds.endpoint, 'RDS_ENDPOINT'), regionId: REGION, credentials: LOCAL_CREDENTIALS });
  await api.createAccount(instanceId, { name: sandbox.app.user, password: sandbox.app.password, type: 'Normal', description: 'demo app' });
  await api.grant(instanceId, sandbox.app.user, [{ dbName: sandbox.database, privilege: 'ReadWrite' }]);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
