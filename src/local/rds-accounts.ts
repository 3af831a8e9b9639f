/**
 * Dev/test tooling, never bundled: the accounts of one emulated ApsaraDB RDS instance. RDS's naming,
 * password and privilege rules are checked here, every change is applied to a real MySQL/MariaDB
 * server through an admin connection, and privileges are always read back from that server, so a
 * manual GRANT shows up exactly as it would on RDS. It never writes a password anywhere but into
 * a bound statement value.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { escape } from 'mysql2';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '../backends/sql.js';
import { AcsApiError, optionalParam, requireParam, type AcsParams, type AcsResult } from './acs-rpc-server.js';

export { requireParam };
import type { ServerAddress } from './mysql-sandbox.js';

export type RdsEngine = 'MySQL' | 'MariaDB';

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

export type BusyCode = 'OperationDenied.DBInstanceStatus' | 'IncorrectDBInstanceState';

export const PRIVILEGE_TYPES = ['ReadWrite', 'ReadOnly', 'DDLOnly', 'DMLOnly'] as const;
export type PrivilegeType = (typeof PRIVILEGE_TYPES)[number];

/**
 * Database-level privileges of each AccountPrivilege, from Alibaba's "Account permissions" page for
 * ApsaraDB RDS for MySQL (help/en/rds/apsaradb-rds-for-mysql/account-permissions, 2026 revision). The
 * page mixes in global privileges; those are in GLOBAL_PRIVILEGES. Listed in SHOW GRANTS order, the order
 * AccountPrivilegeDetail uses.
 */
// prettier-ignore
export const DATABASE_PRIVILEGES: Readonly<Record<PrivilegeType, readonly string[]>> = {
  ReadWrite: [
    'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES',
    'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER',
  ],
  ReadOnly: ['SELECT', 'SHOW VIEW'],
  DDLOnly: [
    'CREATE', 'DROP', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'CREATE VIEW', 'SHOW VIEW',
    'CREATE ROUTINE', 'ALTER ROUTINE',
  ],
  DMLOnly: [
    'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE TEMPORARY TABLES', 'LOCK TABLES', 'EXECUTE', 'SHOW VIEW', 'EVENT',
    'TRIGGER',
  ],
};

/** Instances set up under the 2023 revision of that page got LOCK TABLES with ReadOnly; RDS still calls that ReadOnly. */
const LEGACY_READ_ONLY: readonly string[] = ['SELECT', 'LOCK TABLES', 'SHOW VIEW'];

/** The global half of the same table: every type but ReadOnly also carries PROCESS. */
export const GLOBAL_PRIVILEGES: Readonly<Record<PrivilegeType, readonly string[]>> = {
  ReadWrite: ['PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT'],
  ReadOnly: ['REPLICATION SLAVE', 'REPLICATION CLIENT'],
  DDLOnly: ['PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT'],
  DMLOnly: ['PROCESS', 'REPLICATION SLAVE', 'REPLICATION CLIENT'],
};

/** mysql.db columns in SHOW GRANTS order. Columns not listed (a newer server's) still count, named after the column. */
const DB_PRIVILEGE_COLUMNS: ReadonlyArray<readonly [column: string, privilege: string]> = [
  ['Select_priv', 'SELECT'],
  ['Insert_priv', 'INSERT'],
  ['Update_priv', 'UPDATE'],
  ['Delete_priv', 'DELETE'],
  ['Create_priv', 'CREATE'],
  ['Drop_priv', 'DROP'],
  ['References_priv', 'REFERENCES'],
  ['Index_priv', 'INDEX'],
  ['Alter_priv', 'ALTER'],
  ['Create_tmp_table_priv', 'CREATE TEMPORARY TABLES'],
  ['Lock_tables_priv', 'LOCK TABLES'],
  ['Execute_priv', 'EXECUTE'],
  ['Create_view_priv', 'CREATE VIEW'],
  ['Show_view_priv', 'SHOW VIEW'],
  ['Create_routine_priv', 'CREATE ROUTINE'],
  ['Alter_routine_priv', 'ALTER ROUTINE'],
  ['Event_priv', 'EVENT'],
  ['Trigger_priv', 'TRIGGER'],
  ['Delete_history_priv', 'DELETE HISTORY'],
  ['Grant_priv', 'GRANT OPTION'],
];

/** Schemas RDS never lists as databases of an instance. */
const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/**
 * From "Forbidden keywords" (help/en/rds/developer-reference/forbidden-keywords): RDS's own internal names
 * plus MySQL's reserved words. Compared case-insensitively.
 */
const FORBIDDEN_ACCOUNT_NAMES = new Set(
  `admin aurora eagleye guest mysql replicator root test xtrabak information_schema performance_schema sys
  action add all alter analyze and as asc asensitive before between bigint binary blob both by call cascade case
  change char character check collate column condition connection constraint continue convert create cross
  current_date current_time current_timestamp current_user cursor database databases day_hour day_microsecond
  day_minute day_second dec decimal declare default delayed delete desc describe deterministic distinct
  distinctrow div double drop dual each else elseif enclosed escaped exists exit explain false fetch float float4
  float8 for force foreign from fulltext goto grant group having high_priority hour_microsecond hour_minute
  hour_second if ignore in index infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer interval
  into is iterate join key keys kill label leading leave left like limit linear lines load localtime localtimestamp
  lock long longblob longtext loop low_priority match mediumblob mediumint mediumtext middleint minute_microsecond
  minute_second mod modifies natural no_write_to_binlog not null numeric on optimize option optionally or order out
  outer outfile precision primary procedure purge raid0 range read reads real references regexp release rename
  repeat replace require restrict return revoke right rlike schema schemas second_microsecond select sensitive
  separator set show smallint spatial specific sql sql_big_result sql_calc_found_rows sql_small_result sqlexception
  sqlstate sqlwarning ssl starting straight_join table terminated then tinyblob tinyint tinytext to trailing trigger
  true undo union unique unlock unsigned update upgrade usage use using utc_date utc_time utc_timestamp values
  varbinary varchar varcharacter varying when where while with write x509 xor year_month zerofill`.split(/\s+/),
);

const PASSWORD_SPECIALS = '!@#$%^&*()_+-=';

const ACCOUNT_TYPES = ['Normal', 'Super'] as const;
type AccountType = (typeof ACCOUNT_TYPES)[number];

interface AccountState {
  type: AccountType;
  description: string;
  /** DescribeAccounts calls left that report it Unavailable. */
  unavailableFor: number;
}

const BUSY_MESSAGES: Readonly<Record<BusyCode, string>> = {
  'OperationDenied.DBInstanceStatus': 'The operation is not permitted due to status of instance.',
  IncorrectDBInstanceState: 'Current DB instance state does not support this operation.',
};

// ---- errors, with the codes, statuses and messages of the RDS API reference ----

const invalidAccountName = (): AcsApiError => new AcsApiError(400, 'InvalidAccountName.Format', 'Specified account name is not valid.');
const forbiddenAccountName = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountName.Forbid', 'Specified account name is a keyword in RDS.');
const duplicateAccount = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountName.Duplicate', 'Specified account name already exists in this instance.');
const accountNotFound = (): AcsApiError => new AcsApiError(404, 'InvalidAccountName.NotFound', 'Specified account name does not exist.');
const invalidPassword = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountPassword.Format', 'Specified account password is not valid.');
const invalidDescription = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountDescription.Format', 'Specified account description is not valid.');
const incorrectAccountType = (): AcsApiError =>
  new AcsApiError(403, 'IncorrectAccountType', 'Current account type does not support this operation.');
const accountStatus = (): AcsApiError =>
  new AcsApiError(400, 'IncorrectAccountStatus', 'Current account status does not support this operation.');
const dbNotFound = (): AcsApiError => new AcsApiError(400, 'InvalidDBName.NotFound', 'Specified DB name does not exist.');
const invalidPrivilege = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountPrivilege.Malformed', 'Specified account privilege is not valid.');
const privilegeCountMismatch = (): AcsApiError =>
  new AcsApiError(400, 'InvalidDBNameOrAccountPrivilege', 'Account permissions and database names must correspond.');

function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

/** `_` and `%` are wildcards in a database-level GRANT; RDS grants on the named database only. */
function dbPattern(db: string): string {
  return db.replace(/[\\_%]/g, '\\$&');
}

function dbFromPattern(pattern: string): string {
  return pattern.replace(/\\([\\_%])/g, '$1');
}

/** Account names are validated before they reach SQL; escaping them anyway keeps statements free of `?` placeholders. */
function account(name: string): string {
  return `${escape(name)}@'%'`;
}

function isPrivilegeType(value: string): value is PrivilegeType {
  return (PRIVILEGE_TYPES as readonly string[]).includes(value);
}

function sameSet(held: ReadonlySet<string>, wanted: readonly string[]): boolean {
  return held.size === wanted.length && wanted.every((p) => held.has(p));
}

/** What RDS calls a database-level privilege set: one of the four types, or Custom for anything granted by hand. */
export function classifyPrivileges(held: ReadonlySet<string>): PrivilegeType | 'Custom' {
  for (const type of PRIVILEGE_TYPES) if (sameSet(held, DATABASE_PRIVILEGES[type])) return type;
  if (sameSet(held, LEGACY_READ_ONLY)) return 'ReadOnly';
  return 'Custom';
}

function rowPrivileges(row: RowDataPacket): string[] {
  const known = new Map(DB_PRIVILEGE_COLUMNS);
  const held = DB_PRIVILEGE_COLUMNS.filter(([column]) => row[column] === 'Y').map(([, privilege]) => privilege);
  for (const [column, value] of Object.entries(row)) {
    if (column.endsWith('_priv') && !known.has(column) && value === 'Y') {
      held.push(column.slice(0, -'_priv'.length).replaceAll('_', ' ').toUpperCase());
    }
  }
  return held;
}

/** 16 characters for MySQL 5.5/5.6 and MariaDB, 32 for MySQL 5.7 and later (CreateAccount, AccountName). */
export function accountNameLimit(engine: RdsEngine, engineVersion: string): number {
  if (engine === 'MariaDB') return 16;
  const [major = 0, minor = 0] = engineVersion.split('.').map(Number);
  return major > 5 || (major === 5 && minor >= 7) ? 32 : 16;
}

/** Throws the documented code for a name RDS refuses. MySQL names may hold uppercase letters; MariaDB's may not. */
export function checkAccountName(name: string, engine: RdsEngine, engineVersion: string): void {
  const shape = engine === 'MySQL' ? /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/ : /^[a-z](?:[a-z0-9_]*[a-z0-9])?$/;
  if (name.length < 2 || name.length > accountNameLimit(engine, engineVersion) || !shape.test(name)) throw invalidAccountName();
  if (FORBIDDEN_ACCOUNT_NAMES.has(name.toLowerCase())) throw forbiddenAccountName();
}

/** 8–32 characters from letters, digits and `!@#$%^&*()_+-=`, with at least three of the four kinds. */
export function checkAccountPassword(password: string): void {
  if (password.length < 8 || password.length > 32) throw invalidPassword();
  let upper = false;
  let lower = false;
  let digit = false;
  let special = false;
  for (const c of password) {
    if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if (PASSWORD_SPECIALS.includes(c)) special = true;
    else throw invalidPassword();
  }
  if ([upper, lower, digit, special].filter(Boolean).length < 3) throw invalidPassword();
}

/** 2–256 characters starting with a letter, not a URL (CreateAccount, AccountDescription). */
function checkDescription(description: string): void {
  if (description.length < 2 || description.length > 256 || !/^\p{L}/u.test(description) || /^https?:\/\//i.test(description)) {
    throw invalidDescription();
  }
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
        throw new AcsApiError(403, this.busy.code, BUSY_MESSAGES[this.busy.code]);
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
    const entries = page.map((name) => {
      const state = this.accounts.get(name);
      if (!state) throw new Error('an account vanished from the registry while it was described');
      const status = state.unavailableFor > 0 ? 'Unavailable' : 'Available';
      if (state.unavailableFor > 0) state.unavailableFor -= 1;
      return {
        DBInstanceId: this.id,
        AccountName: name,
        AccountStatus: status,
        AccountType: state.type,
        AccountDescription: state.description,
        PrivExceeded: '0',
        DatabasePrivileges: { DatabasePrivilege: privileges.get(name) ?? [] },
      };
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
    return {
      InstanceNetworkType: 'VPC',
      SecurityIPMode: 'normal',
      DBInstanceNetInfos: {
        DBInstanceNetInfo: [
          {
            ConnectionString: this.connection.host,
            IPAddress: await ipAddress(this.connection.host),
            IPType: 'Private',
            Port: String(this.connection.port),
            ConnectionStringType: 'Normal',
            VPCId: `vpc-${this.id}`,
            VSwitchId: `vsw-${this.id}`,
            Upgradeable: 'Disabled',
          },
        ],
      },
    };
  }

  describeAttribute(): AcsResult {
    return {
      Items: {
        DBInstanceAttribute: [
          {
            DBInstanceId: this.id,
            DBInstanceDescription: this.id,
            Engine: this.engine,
            EngineVersion: this.engineVersion,
            DBInstanceStatus: 'Running',
            DBInstanceType: 'Primary',
            Category: 'HighAvailability',
            DBInstanceClass: this.engine === 'MariaDB' ? 'mariadb.n2.medium.2c' : 'mysql.n2.medium.2c',
            DBInstanceCPU: '2',
            DBInstanceMemory: 4096,
            DBInstanceStorage: 100,
            DBInstanceStorageType: 'cloud_essd',
            DBInstanceNetType: 'Intranet',
            InstanceNetworkType: 'VPC',
            ConnectionString: this.connection.host,
            Port: String(this.connection.port),
            VpcId: `vpc-${this.id}`,
            VSwitchId: `vsw-${this.id}`,
            RegionId: this.regionId,
            ZoneId: `${this.regionId}-h`,
            PayType: 'Postpaid',
            LockMode: 'Unlock',
            LockReason: '',
            AccountMaxQuantity: 500,
            DBMaxQuantity: 500,
            MaxConnections: 2000,
            SecurityIPMode: 'normal',
            CreationTime: this.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            ExpireTime: '',
            ReadOnlyDBInstanceIds: { ReadOnlyDBInstanceId: [] },
          },
        ],
      },
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

  /** ALTER USER from MySQL 5.7.6 and MariaDB 10.2 on; SET PASSWORD ... = PASSWORD() before. */
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

async function ipAddress(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await dns.lookup(host)).address;
  } catch {
    return '';
  }
}
