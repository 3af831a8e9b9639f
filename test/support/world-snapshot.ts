/**
 * Everything a refused step must leave as it was, read from the source of truth: the KMS emulator's
 * state (versions, stages, data), the sandbox accounts' rows in mysql.user, mysql.db and
 * mysql.tables_priv, and, in RDS mode, the accounts as DescribeAccounts lists them.
 */
import type { RdsAccount } from '../../src/backends/rds/client.js';
import { adminConnection } from '../../src/local/fixtures/mysql-sandbox.js';
import type { Fixture } from './fixture.js';

export interface WorldSnapshot {
  /** The KMS emulator's snapshot(): every secret's versions, stages and data. */
  kms: unknown;
  mysqlUser: unknown[];
  mysqlDb: unknown[];
  mysqlTablesPriv: unknown[];
  /** MariaDB only (absent on MySQL): what its mysql.user view leaves out, account_locked among it. */
  mysqlGlobalPriv?: unknown[];
  /** RDS mode only: each account by name, undefined when DescribeAccounts does not list it. */
  rdsAccounts?: Record<string, RdsAccount | undefined>;
}

/** The fixture's accounts (app, its `_rt` alternate, master) plus `extraUsers`. */
export async function worldSnapshot(fx: Fixture, extraUsers: readonly string[] = []): Promise<WorldSnapshot> {
  const users = [fx.sandbox.app.user, `${fx.sandbox.app.user}_rt`, fx.sandbox.master.user, ...extraUsers];
  const conn = await adminConnection(fx.sandbox.server);
  try {
    const rows = async (table: string, order: string): Promise<unknown[]> =>
      (await conn.query(`SELECT * FROM mysql.${table} WHERE User IN (?) ORDER BY ${order}`, [users]))[0] as unknown[];
    const snapshot: WorldSnapshot = {
      kms: fx.kms.snapshot(),
      mysqlUser: await rows('user', 'User, Host'),
      mysqlDb: await rows('db', 'User, Host, Db'),
      mysqlTablesPriv: await rows('tables_priv', 'User, Host, Db, Table_name'),
    };
    const [priv] = await conn.query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'global_priv'");
    if ((priv as unknown[]).length > 0) snapshot.mysqlGlobalPriv = await rows('global_priv', 'User, Host');
    if (fx.rds) {
      const { api, instanceId } = fx.rds;
      snapshot.rdsAccounts = {};
      for (const user of users) snapshot.rdsAccounts[user] = await api.describeAccount(instanceId, user);
    }
    return snapshot;
  } finally {
    await conn.end();
  }
}
