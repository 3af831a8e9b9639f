/**
 * `npm start [-- --scenario rds]`: one secret through flows/rotate-secret.yaml, then proof that the
 * new ACSCurrent logs in and reads the application's data.
 */
import mysql from 'mysql2/promise';
import { quoteIdentifier } from '../../backends/mysql/sql.js';
import { LOCAL_CREDENTIALS } from '../fixtures/kms-admin.js';
import type { ServerAddress } from '../fixtures/mysql-sandbox.js';
import { RotationWorld } from '../fixtures/rotation-world.js';
import { runFlow } from '../runner/flow.js';
import { callCounts, printEvents, verdict } from './print.js';

export async function runSingleDemo(server: ServerAddress, scenario: 'mysql' | 'rds'): Promise<number> {
  const world = await RotationWorld.start({ rds: scenario === 'rds', server });
  try {
    const secret =
      scenario === 'rds' ? await world.addRdsSecret({ prefix: 'demo-rds-' }) : await world.addMysqlSecret({ prefix: 'demo-app-' });
    console.log(
      `scenario          ${scenario === 'rds' ? 'ApsaraDB RDS account through the RDS API (emulated)' : 'self-managed MySQL with a master account'}`,
    );
    console.log(`KMS emulator      ${world.kms.endpoint}`);
    if (world.rds) console.log(`RDS emulator      ${world.rds.emulator.endpoint}, instance ${world.rds.instanceId} (MySQL 8.0)`);
    console.log(`MySQL             ${server.host}:${server.port}, database ${secret.sandbox.database}, account ${secret.sandbox.app.user}`);
    console.log(`secret            ${secret.secretName}${secret.masterName ? ` (master: ${secret.masterName})` : ''}`);
    const input = world.inputFor(secret);
    console.log(`\nflow rotate-secret, input ${JSON.stringify(input)}\n`);

    const kmsBefore = world.kms.calls.length;
    const rdsBefore = world.rds?.emulator.calls.length ?? 0;
    const logLines: string[] = [];
    const result = await runFlow('rotate-secret', input, {
      env: world.env,
      credentials: LOCAL_CREDENTIALS,
      sink: (line) => logLines.push(line),
      onEvent: printEvents(),
    });
    // Counted now: the demo's own reads below are not the flow's.
    const kmsCalls = callCounts(world.kms.calls.slice(kmsBefore));
    const rdsCalls = world.rds ? callCounts(world.rds.emulator.calls.slice(rdsBefore)) : undefined;
    console.log(`\n${verdict(result)}`);
    if (result.status !== 'Succeeded') return 1;

    console.log('\nstages after the rotation:');
    for (const version of await world.store.listVersions(secret.secretName)) {
      console.log(`  ${version.versionId.padEnd(38)} ${version.stages.join(', ') || '(none)'}`);
    }
    const current = await world.store.find(secret.secretName, { stage: 'ACSCurrent' });
    const creds = JSON.parse(current?.data ?? '{}') as { AccountName: string; AccountPassword: string };
    const conn = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: creds.AccountName,
      password: creds.AccountPassword,
      database: secret.sandbox.database,
    });
    const [rows] = await conn.query(`SELECT text FROM ${quoteIdentifier(secret.sandbox.table)} WHERE id = 1`);
    await conn.end();
    console.log(`\nACSCurrent (${creds.AccountName}) logs in and reads: ${JSON.stringify(rows)}`);
    console.log(`KMS calls by the flow: ${kmsCalls}`);
    if (rdsCalls) console.log(`RDS calls by the flow: ${rdsCalls}`);
    console.log(`${logLines.length} structured log lines written by the function; rotation complete.`);
    return 0;
  } finally {
    await world.close();
  }
}
