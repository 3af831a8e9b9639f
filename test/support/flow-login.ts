/**
 * Logs in as an application would after a rotation and reads its sandbox table: the row's text, or
 * `refused: <code>`. For a Fixture's secret, or a RotationWorld secret's ACSCurrent credentials.
 */
import mysql from 'mysql2/promise';
import { quoteIdentifier } from '../../src/backends/mysql/sql.js';
import type { Sandbox } from '../../src/local/fixtures/mysql-sandbox.js';
import type { RotationWorld, WorldSecret } from '../../src/local/fixtures/rotation-world.js';

export async function readSandboxRow(sandbox: Sandbox, creds: { AccountName?: string; AccountPassword?: string }): Promise<string> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: sandbox.server.host,
      port: sandbox.server.port,
      user: creds.AccountName ?? '',
      password: creds.AccountPassword ?? '',
      database: sandbox.database,
    });
    const [rows] = await conn.query(`SELECT text FROM ${quoteIdentifier(sandbox.table)} WHERE id = 1`);
    return (rows as { text: string }[])[0]?.text ?? 'no row';
  } catch (err) {
    return `refused: ${(err as { code?: string }).code ?? 'unknown'}`;
  } finally {
    await conn?.end();
  }
}

export async function loginWith(world: RotationWorld, secret: WorldSecret): Promise<string> {
  const current = await world.store.find(secret.secretName, { stage: 'ACSCurrent' });
  return readSandboxRow(secret.sandbox, JSON.parse(current?.data ?? '{}') as { AccountName?: string; AccountPassword?: string });
}
