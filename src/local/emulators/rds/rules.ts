/**
 * ApsaraDB RDS for MySQL's account rules as Alibaba documents them, for the emulator: privilege
 * types and what each grants, reserved names, name, password and description formats, name limits
 * per engine. Pure tables and checks, no I/O; a refused value is answered by its code, never echoed.
 */
import { forbiddenAccountName, invalidAccountName, invalidDescription, invalidPassword } from './errors.js';

export type RdsEngine = 'MySQL' | 'MariaDB';

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
export const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/**
 * From "Forbidden keywords" (help/en/rds/developer-reference/forbidden-keywords): RDS's own internal names
 * plus MySQL's reserved words. Compared case-insensitively.
 */
export const FORBIDDEN_ACCOUNT_NAMES = new Set(
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

export const ACCOUNT_TYPES = ['Normal', 'Super'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

export function isPrivilegeType(value: string): value is PrivilegeType {
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
export function checkDescription(description: string): void {
  if (description.length < 2 || description.length > 256 || !/^\p{L}/u.test(description) || /^https?:\/\//i.test(description)) {
    throw invalidDescription();
  }
}

/** `_` and `%` are wildcards in a database-level GRANT; RDS grants on the named database only. */
export function dbPattern(db: string): string {
  return db.replace(/[\\_%]/g, '\\$&');
}

export function dbFromPattern(pattern: string): string {
  return pattern.replace(/\\([\\_%])/g, '$1');
}

/** The privileges a mysql.db row holds, in SHOW GRANTS order. */
export function rowPrivileges(row: Readonly<Record<string, unknown>>): string[] {
  const known = new Map(DB_PRIVILEGE_COLUMNS);
  const held = DB_PRIVILEGE_COLUMNS.filter(([column]) => row[column] === 'Y').map(([, privilege]) => privilege);
  for (const [column, value] of Object.entries(row)) {
    if (column.endsWith('_priv') && !known.has(column) && value === 'Y') {
      held.push(column.slice(0, -'_priv'.length).replaceAll('_', ' ').toUpperCase());
    }
  }
  return held;
}
