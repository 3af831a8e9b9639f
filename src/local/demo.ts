/**
 * `npm start`: one whole rotation on this machine — the embedded KMS emulator, a sandbox on the
 * local MySQL/MariaDB (MYSQL_URL, default mysql://root@127.0.0.1:3306), the four steps through
 * the real handler — printing each step, then cleaning up. Never prints a password.
 */
import mysql from 'mysql2/promise';
import { quoteIdentifier } from '../backends/sql.js';
import { KmsSecretStore } from '../secrets/kms-store.js';
import { Stage } from '../secrets/schema.js';
import { startKmsEmulator } from './kms-emulator.js';
import { kmsAdmin, LOCAL_CREDENTIALS } from './kms-admin.js';
import { adminConnection, createSandbox, serverFromUrl, uniqueName } from './mysql-sandbox.js';
import { runRotation } from './rotate.js';
import { parseEndpoint } from '../config.js';

const REGION = 'cn-hangzhou';

async function main(): Promise<number> {
  const server = serverFromUrl();
  try {
    await (await adminConnection(server)).end();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unknown error';
    console.error(`No MySQL/MariaDB answers at ${server.host}:${server.port} as ${server.user} (${code}).`);
    console.error('Start one (e.g. `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`) or set MYSQL_URL=mysql://user:password@host:port');
    return 1;
  }

  const kms = await startKmsEmulator();
  process.env['KMS_ENDPOINT'] = kms.endpoint;
  const sandbox = await createSandbox({ prefix: 'demo', server });
  const secretName = uniqueName('demo-app-');
  const masterName = `${secretName}-master`;
  try {
    console.log(`KMS emulator      ${kms.endpoint}`);
    console.log(`MySQL             ${server.host}:${server.port}, database ${sandbox.database}, account ${sandbox.app.user}`);
    const admin = kmsAdmin(kms.endpoint, REGION);
    const common = { Endpoint: server.host, Port: server.port, SSL: false };
    await admin.createSecret({ name: masterName, data: JSON.stringify({ ...common, AccountName: sandbox.master.user, AccountPassword: sandbox.master.password }) });
    await admin.createSecret({
      name: secretName,
      data: JSON.stringify({ ...common, AccountName: sandbox.app.user, AccountPassword: sandbox.app.password, MasterSecret: masterName, DBName: sandbox.database }),
    });
    console.log(`secret            ${secretName} (master: ${masterName})\n`);

    const logLines: string[] = [];
    await runRotation(
      { SecretName: secretName, RegionId: REGION },
      {
        context: { credentials: LOCAL_CREDENTIALS },
        sink: (line) => logLines.push(line),
        onStep: ({ step, durationMs, result }) => {
          const extra = [result.AccountName && `account ${result.AccountName}`, result.Check && `check ${result.Check}`, result.Skipped && `skipped: ${result.Skipped}`]
            .filter(Boolean)
            .join(', ');
          console.log(`step ${step.padEnd(5)} ok  ${String(durationMs).padStart(5)} ms  VersionId ${result.VersionId}${extra ? `  (${extra})` : ''}`);
        },
      },
    );

    const store = new KmsSecretStore({ endpoint: parseEndpoint(kms.endpoint, 'KMS_ENDPOINT'), regionId: REGION, credentials: LOCAL_CREDENTIALS });
    console.log('\nstages after the rotation:');
    for (const version of await store.listVersions(secretName)) console.log(`  ${version.versionId.padEnd(38)} ${version.stages.join(', ')}`);

    const current = await store.find(secretName, { stage: Stage.Current });
    const creds = JSON.parse(current?.data ?? '{}') as { AccountName: string; AccountPassword: string };
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: creds.AccountName, password: creds.AccountPassword, database: sandbox.database });
    const [rows] = await conn.query(`SELECT text FROM ${quoteIdentifier(sandbox.table)} WHERE id = 1`);
    await conn.end();
    console.log(`\nACSCurrent (${creds.AccountName}) logs in and reads: ${JSON.stringify(rows)}`);
    console.log(`${logLines.length} structured log lines written; rotation complete.`);
    return 0;
  } finally {
    await sandbox.cleanup();
    await kms.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
