/**
 * One emulated ApsaraDB RDS instance: its accounts, applied to a real MySQL/MariaDB server through an
 * admin connection, with privileges always read back from that server, so a manual GRANT shows up
 * exactly as it would on RDS. The rules it checks live in rules.ts, its error answers in errors.ts.
 * It never writes a password anywhere but into a bound statement value.
 */
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { quoteAccount, quoteIdentifier } from '../../../backends/mysql/sql.js';
import type { ServerAddress } from '../../fixtures/mysql-sandbox.js';
import { optionalParam, requireParam, type AcsParams, type AcsResult } from '../acs-rpc/params.js';
import {
  accountNotFound,
  accountStatus,
  dbNotFound,
  duplicateAccount,
  incorrectAccountType,
  instanceBusy,
  invalidPrivilege,
  privilegeCountMismatch,
  type BusyCode,
} from './errors.js';
import { attributeBody, ipAddress, netInfoBody, type InstanceFacts } from './descriptions.js';
import {
  ACCOUNT_TYPES,
  checkAccountName,
  checkAccountPassword,
  checkDescription,
  classifyPrivileges,
  commaList,
  DATABASE_PRIVILEGES,
  dbFromPattern,
  dbPattern,
  GLOBAL_PRIVILEGES,
  isPrivilegeType,
  rowPrivileges,
  SYSTEM_SCHEMAS,
  type AccountType,
  type PrivilegeType,
  type RdsEngine,
} from './rules.js';

export interface RdsInstanceSpec {
  /** e.g. 'rm-test123' */
  instanceId: string;
  /** Default MySQL. */
  engine?: RdsEngine;
  /** '8.0' by default for MySQL, '10.3' for MariaDB; '5.7' and '5.6' for MySQL too. Decides the account-name limit. */
  engineVersion?: string;
  /** The real server that holds this instance's accounts; its user must be able to create users and grant anything. */
  server: ServerAddress;
  /** What DescribeDBInstanceNetInfo and DescribeDBInstanceAttribute report; the server's host and port by default. */
  connectionString?: { host: string; port: number };
  /** Reported by DescribeDBInstanceAttribute. */
  regionId?: string;
}

interface AccountState {
  type: AccountType;
  description: string;
  /** DescribeAccounts calls left that report it Unavailable. */
  unavailableFor: number;
}

/** Account names are validated before they reach SQL; quoting them anyway keeps statements free of `?` placeholders. */
function account(name: string): string {
  return quoteAccount(name, '%');
}

/** mysql2's code for CREATE USER of an account that exists. */
const ER_CANNOT_USER = 1396;

export class RdsInstance {
  readonly id: string;
  readonly engine: RdsEngine;
  readonly engineVersion: string;
  private readonly server: ServerAddress;
  private readonly connection: { host: string; port: number };
  private readonly regionId: string;
  private readonly createdAt = new Date();
  /** The accounts created through the API. The server decides whether one still exists. */
  private readonly accounts = new Map<string, AccountState>();
  /** Account name or '*' → how many DescribeAccounts calls a created or reset account stays Unavailable. */
  private readonly unavailableHooks = new Map<string, number>();
  /** Account name → how many DescribeAccounts calls still list a stale copy of it first. */
  private readonly staleCopies = new Map<string, number>();
  private busy: { calls: number; code: BusyCode } = { calls: 0, code: 'OperationDenied.DBInstanceStatus' };
  private pool: Pool | undefined;
  private passwordSyntax: Promise<'alter-user' | 'set-password'> | undefined;
  /** Mutating calls run one at a time, as RDS runs one task at a time per instance. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(spec: RdsInstanceSpec) {
    this.id = spec.instanceId;
    this.engine = spec.engine ?? 'MySQL';
    this.engineVersion = spec.engineVersion ?? (this.engine === 'MariaDB' ? '10.3' : '8.0');
    this.server = spec.server;
    this.connection = spec.connectionString ?? { host: spec.server.host, port: spec.server.port };
    this.regionId = spec.regionId ?? 'cn-hangzhou';
  }

  /** Test hook: the next N DescribeAccounts calls that list the account list first a stale copy of it, without its privileges. */
  listStaleCopy(accountName: string, forDescribeCalls: number): void {
    if (forDescribeCalls > 0) this.staleCopies.set(accountName, forDescribeCalls);
    else this.staleCopies.delete(accountName);
  }

  keepUnavailable(accountName: string, forDescribeCalls: number): void {
    if (forDescribeCalls > 0) this.unavailableHooks.set(accountName, forDescribeCalls);
    else this.unavailableHooks.delete(accountName);
  }

  makeBusy(calls: number, code: BusyCode = 'OperationDenied.DBInstanceStatus'): void {
    this.busy = { calls, code };
  }

  /** Runs a mutating call after the ones before it; a busy instance refuses it before anything is touched. */
  mutate<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.busy.calls > 0) {
        this.busy.calls -= 1;
        throw instanceBusy(this.busy.code);
      }
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  // ---- actions: each takes the wire parameters and returns the response body without RequestId ----

  async createAccount(params: AcsParams): Promise<AcsResult> {
    const name = requireParam(params, 'AccountName');
    const password = requireParam(params, 'AccountPassword');
    const typeParam = optionalParam(params, 'AccountType') ?? 'Normal';
    const description = optionalParam(params, 'AccountDescription');
    // Sysadmin exists only on SQL Server: on MySQL it is a type the instance does not support.
    if (!(ACCOUNT_TYPES as readonly string[]).includes(typeParam)) throw incorrectAccountType();
    const type = typeParam as AccountType;
    checkAccountName(name, this.engine, this.engineVersion);
    checkAccountPassword(password);
    if (description !== undefined) checkDescription(description);

    // A privileged and a standard account may not differ only in case (CreateAccount, AccountName).
    for (const [other, state] of this.accounts) {
      if (other.toLowerCase() === name.toLowerCase() && other !== name && (state.type === 'Super' || type === 'Super')) {
        throw duplicateAccount();
      }
    }
    const pool = this.admin();
    // Any user of that name on the server, whoever made it, holds the name.
    const [existing] = await pool.query<RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ?', [name]);
    if (existing.length > 0) throw duplicateAccount();
    try {
      await pool.query('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
    } catch (err) {
      if ((err as { errno?: unknown }).errno === ER_CANNOT_USER) throw duplicateAccount();
      throw err;
    }
    if (type === 'Super') {
      try {
        await pool.query(`GRANT ALL PRIVILEGES ON *.* TO ${account(name)} WITH GRANT OPTION`);
      } catch (err) {
        // A refused call changes nothing.
        await pool.query(`DROP USER ${account(name)}`).catch(() => undefined);
        throw err;
      }
    }
    this.accounts.set(name, { type, description: description ?? '', unavailableFor: this.unavailableSpan(name) });
    return {};
  }

  async describeAccounts(params: AcsParams): Promise<AcsResult> {
    const filter = optionalParam(params, 'AccountName');
    const pageSize = Math.min(200, Math.max(30, Number(optionalParam(params, 'PageSize') ?? 30) || 30));
    const pageNumber = Math.max(1, Math.trunc(Number(optionalParam(params, 'PageNumber') ?? 1) || 1));
    const candidates = filter === undefined ? [...this.accounts.keys()] : this.accounts.has(filter) ? [filter] : [];
    const names = await this.existing(candidates);
    const privileges = await this.databasePrivileges(names);
    const page = names.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const entries = page.flatMap((name) => {
      const state = this.accounts.get(name);
      if (!state) throw new Error('an account vanished from the registry while it was described');
      const status = state.unavailableFor > 0 ? 'Unavailable' : 'Available';
      if (state.unavailableFor > 0) state.unavailableFor -= 1;
      const entry = {
        DBInstanceId: this.id,
        AccountName: name,
        AccountStatus: status,
        AccountType: state.type,
        AccountDescription: state.description,
        PrivExceeded: '0',
        DatabasePrivileges: { DatabasePrivilege: privileges.get(name) ?? [] },
      };
      const stale = this.staleCopies.get(name) ?? 0;
      if (stale === 0) return [entry];
      this.staleCopies.set(name, stale - 1);
      return [{ ...entry, DatabasePrivileges: { DatabasePrivilege: [] } }, entry];
    });
    return { Accounts: { DBInstanceAccount: entries }, PageNumber: pageNumber, TotalRecordCount: names.length };
  }

  async grantAccountPrivilege(params: AcsParams): Promise<AcsResult> {
    const name = requireParam(params, 'AccountName');
    const dbs = commaList(requireParam(params, 'DBName'));
    const types = commaList(requireParam(params, 'AccountPrivilege'));
    // One privilege per database, or (a convenience callers rely on) one for all of them.
    if (types.length !== dbs.length && types.length !== 1) throw privilegeCountMismatch();
    if (!types.every(isPrivilegeType)) throw invalidPrivilege();
    await this.usableAccount(name);
    await this.requireDatabases(name, dbs, false);
    const pool = this.admin();
    const globals = new Set<string>();
    for (const [i, db] of dbs.entries()) {
      const type = (types.length === 1 ? types[0] : types[i]) as PrivilegeType;
      // A database holds one type at a time: granting replaces whatever was there.
      await this.revokeDatabase(name, db);
      await pool.query(`GRANT ${DATABASE_PRIVILEGES[type].join(', ')} ON ${quoteIdentifier(dbPattern(db))}.* TO ${account(name)}`);
      for (const privilege of GLOBAL_PRIVILEGES[type]) globals.add(privilege);
    }
    await pool.query(`GRANT ${[...globals].join(', ')} ON *.* TO ${account(name)}`);
    return {};
  }

  async revokeAccountPrivilege(params: AcsParams): Promise<AcsResult> {
    const name = requireParam(params, 'AccountName');
    const dbs = commaList(requireParam(params, 'DBName'));
    await this.usableAccount(name);
    await this.requireDatabases(name, dbs, true);
    for (const db of dbs) await this.revokeDatabase(name, db);
    return {};
  }

  async resetAccountPassword(params: AcsParams): Promise<AcsResult> {
    const name = requireParam(params, 'AccountName');
    const password = requireParam(params, 'AccountPassword');
    checkAccountPassword(password);
    const state = await this.usableAccount(name);
    const pool = this.admin();
    if ((await this.passwordStatement()) === 'alter-user') {
      await pool.query('ALTER USER ?@? IDENTIFIED BY ?', [name, '%', password]);
    } else {
      await pool.query('SET PASSWORD FOR ?@? = PASSWORD(?)', [name, '%', password]);
    }
    state.unavailableFor = this.unavailableSpan(name);
    return {};
  }

  async deleteAccount(params: AcsParams): Promise<AcsResult> {
    const name = requireParam(params, 'AccountName');
    await this.knownAccount(name);
    await this.admin().query(`DROP USER ${account(name)}`);
    this.accounts.delete(name);
    return {};
  }

  async describeNetInfo(): Promise<AcsResult> {
    return netInfoBody(this.facts(), await ipAddress(this.connection.host));
  }

  describeAttribute(): AcsResult {
    return attributeBody(this.facts());
  }

  private facts(): InstanceFacts {
    return {
      id: this.id,
      engine: this.engine,
      engineVersion: this.engineVersion,
      connection: this.connection,
      regionId: this.regionId,
      createdAt: this.createdAt,
    };
  }

  // ---- the real server ----

  private admin(): Pool {
    this.pool ??= mysql.createPool({
      host: this.server.host,
      port: this.server.port,
      user: this.server.user,
      password: this.server.password,
      connectionLimit: 2,
      connectTimeout: 5_000,
    });
    return this.pool;
  }

  private unavailableSpan(name: string): number {
    return this.unavailableHooks.get(name) ?? this.unavailableHooks.get('*') ?? 0;
  }

  /** The given API-created accounts that still exist on the server; one dropped behind RDS's back is gone. */
  private async existing(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const [rows] = await this.admin().query<RowDataPacket[]>("SELECT User FROM mysql.user WHERE Host = '%' AND User IN (?)", [names]);
    const present = new Set(rows.map((row) => String(row['User'])));
    for (const name of names) if (!present.has(name)) this.accounts.delete(name);
    return names.filter((name) => present.has(name));
  }

  private async knownAccount(name: string): Promise<AccountState> {
    const state = this.accounts.get(name);
    if (!state || (await this.existing([name])).length === 0) throw accountNotFound();
    return state;
  }

  /** An account still being created or reset cannot be changed until DescribeAccounts reports it Available. */
  private async usableAccount(name: string): Promise<AccountState> {
    const state = await this.knownAccount(name);
    if (state.unavailableFor > 0) throw accountStatus();
    return state;
  }

  /** Each database must exist on the server; for a revoke, one the account still holds privileges on will do. */
  private async requireDatabases(name: string, dbs: readonly string[], orHeld: boolean): Promise<void> {
    if (dbs.some((db) => db === '' || SYSTEM_SCHEMAS.has(db.toLowerCase()))) throw dbNotFound();
    const [rows] = await this.admin().query<RowDataPacket[]>(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)',
      [[...dbs]],
    );
    const present = new Set(rows.map((row) => String(row['SCHEMA_NAME'])));
    if (orHeld) for (const entry of (await this.databasePrivileges([name])).get(name) ?? []) present.add(entry.DBName);
    if (!dbs.every((db) => present.has(db))) throw dbNotFound();
  }

  /** Database-level grants as mysql.db holds them, keyed by account. */
  private async databasePrivileges(
    names: readonly string[],
  ): Promise<Map<string, { DBName: string; AccountPrivilege: string; AccountPrivilegeDetail: string }[]>> {
    const result = new Map<string, { DBName: string; AccountPrivilege: string; AccountPrivilegeDetail: string }[]>();
    if (names.length === 0) return result;
    const [rows] = await this.admin().query<RowDataPacket[]>("SELECT * FROM mysql.db WHERE Host = '%' AND User IN (?) ORDER BY Db", [
      names,
    ]);
    for (const row of rows) {
      const held = rowPrivileges(row);
      if (held.length === 0) continue;
      const user = String(row['User']);
      const list = result.get(user) ?? [];
      list.push({
        DBName: dbFromPattern(String(row['Db'])),
        AccountPrivilege: classifyPrivileges(new Set(held)),
        AccountPrivilegeDetail: held.join(','),
      });
      result.set(user, list);
    }
    return result;
  }

  /** Everything the account holds on the database, whether granted through the API (escaped name) or by hand. */
  private async revokeDatabase(name: string, db: string): Promise<void> {
    const pool = this.admin();
    const [rows] = await pool.query<RowDataPacket[]>("SELECT * FROM mysql.db WHERE Host = '%' AND User = ? AND Db IN (?, ?)", [
      name,
      dbPattern(db),
      db,
    ]);
    for (const row of rows) {
      const target = `${quoteIdentifier(String(row['Db']))}.*`;
      const held = rowPrivileges(row);
      // ALL leaves GRANT OPTION behind, and the row disappears once nothing is left, so the order matters.
      if (held.some((privilege) => privilege !== 'GRANT OPTION'))
        await pool.query(`REVOKE ALL PRIVILEGES ON ${target} FROM ${account(name)}`);
      if (held.includes('GRANT OPTION')) await pool.query(`REVOKE GRANT OPTION ON ${target} FROM ${account(name)}`);
    }
  }

  /**
   * ALTER USER from MySQL 5.7.6 and MariaDB 10.2 on; SET PASSWORD ... = PASSWORD() before. Worked out
   * here rather than with the function's dialect: the emulator is what the function is checked against.
   */
  private passwordStatement(): Promise<'alter-user' | 'set-password'> {
    this.passwordSyntax ??= this.admin()
      .query<RowDataPacket[]>('SELECT VERSION() AS version')
      .then(([rows]) => {
        const version = String(rows[0]?.['version'] ?? '');
        const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
        const mariadb = /mariadb/i.test(version);
        const modern = mariadb
          ? major > 10 || (major === 10 && minor >= 2)
          : major > 5 || (major === 5 && (minor > 7 || (minor === 7 && patch >= 6)));
        return modern ? 'alter-user' : 'set-password';
      });
    this.passwordSyntax.catch(() => (this.passwordSyntax = undefined));
    return this.passwordSyntax;
  }
}
