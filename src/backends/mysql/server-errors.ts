/**
 * MySQL and MariaDB server error numbers, per server family, what each means to a step (a refused
 * login and why, worth retrying, an account changed by a racing `set`, anything else) and the named
 * error it becomes. Reads an error's number and driver code, never its message (which can quote
 * SQL); names a statement by its leading keywords only.
 */
import { DatabaseError, TransientError } from '../../errors.js';
import { SOCKET_ERROR_CODES } from '../../network.js';
import type { Flavor } from './dialect.js';

/** Why a server refused a login whose password it may well have accepted. */
export type RefusalReason = 'denied' | 'locked' | 'expired';

type Kind = RefusalReason | 'transient' | 'conflict';
type Meaning = readonly [name: string, kind: Kind];

/**
 * Server error numbers by family: MariaDB and MySQL share the numbers both inherited (below 1900)
 * and then numbered apart, so 4151 is a locked account on MariaDB and a bulk-loader error on MySQL
 * (which is the name mysql2 gives it). Classify by number, never by mysql2's `code`.
 */
const SHARED: ReadonlyMap<number, Meaning> = new Map([
  [1044, ['ER_DBACCESS_DENIED_ERROR', 'denied']],
  [1045, ['ER_ACCESS_DENIED_ERROR', 'denied']],
  [1049, ['ER_BAD_DB_ERROR', 'denied']],
  [1698, ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'denied']],
  // Logged in, but the server lets the session do nothing until the password is changed.
  [1820, ['ER_MUST_CHANGE_PASSWORD', 'expired']],
  [1862, ['ER_MUST_CHANGE_PASSWORD_LOGIN', 'expired']],
  [1040, ['ER_CON_COUNT_ERROR', 'transient']],
  [1203, ['ER_TOO_MANY_USER_CONNECTIONS', 'transient']],
  // MAX_USER_CONNECTIONS reached (the app's pool is full), or an hourly limit that will reset.
  [1226, ['ER_USER_LIMIT_REACHED', 'transient']],
  [1041, ['ER_OUT_OF_RESOURCES', 'transient']],
  [1053, ['ER_SERVER_SHUTDOWN', 'transient']],
  [1152, ['ER_ABORTING_CONNECTION', 'transient']],
  [1158, ['ER_NET_READ_ERROR', 'transient']],
  [1159, ['ER_NET_READ_INTERRUPTED', 'transient']],
  [1160, ['ER_NET_ERROR_ON_WRITE', 'transient']],
  [1161, ['ER_NET_WRITE_INTERRUPTED', 'transient']],
  [1205, ['ER_LOCK_WAIT_TIMEOUT', 'transient']],
  [1213, ['ER_LOCK_DEADLOCK', 'transient']],
  [1317, ['ER_QUERY_INTERRUPTED', 'transient']],
  // The account changed between reading and writing it: another `set` is running at the same time.
  [1396, ['ER_CANNOT_USER', 'conflict']],
  [1141, ['ER_NONEXISTING_GRANT', 'conflict']],
  [1147, ['ER_NONEXISTING_TABLE_GRANT', 'conflict']],
]);

const BY_FAMILY: Readonly<Record<Flavor, ReadonlyMap<number, Meaning>>> = {
  mysql: new Map([
    [3118, ['ER_ACCOUNT_HAS_BEEN_LOCKED', 'locked']],
    // FAILED_LOGIN_ATTEMPTS: locked for PASSWORD_LOCK_TIME after too many wrong passwords.
    [3955, ['ER_USER_ACCESS_DENIED_FOR_USER_ACCOUNT_BLOCKED_BY_PASSWORD_LOCK', 'locked']],
    [3024, ['ER_QUERY_TIMEOUT', 'transient']],
    [3169, ['ER_SESSION_WAS_KILLED', 'transient']],
    [4031, ['ER_CLIENT_INTERACTION_TIMEOUT', 'transient']],
  ]),
  mariadb: new Map([
    [4151, ['ER_ACCOUNT_HAS_BEEN_LOCKED', 'locked']],
    [1969, ['ER_STATEMENT_TIMEOUT', 'transient']],
    [1927, ['ER_CONNECTION_KILLED', 'transient']],
  ]),
};

/** The driver's codes (no server error number) for a failure that may pass, beside the socket codes. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([...SOCKET_ERROR_CODES, 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);

const REFUSAL_KINDS: ReadonlySet<Kind> = new Set(['denied', 'locked', 'expired']);

export type ErrorClass =
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly name: string }
  | { readonly kind: 'transient' | 'conflict' | 'other'; readonly name: string };

export function errorCode(err: unknown): string {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export function errorNumber(err: unknown): number | undefined {
  const errno = err !== null && typeof err === 'object' ? (err as { errno?: unknown }).errno : undefined;
  return typeof errno === 'number' && Number.isInteger(errno) ? errno : undefined;
}

/**
 * What a mysql2 error means. `family` is the server's once a session knows it; while logging in it
 * is not known yet, and both families' login answers are taken (their numbers do not collide
 * there). Only a login can be refused: the same numbers from a statement mean the logged-in
 * account lacks a privilege.
 */
export function classifyError(err: unknown, phase: 'connect' | 'statement', family?: Flavor): ErrorClass {
  const errno = errorNumber(err);
  if (errno === undefined) {
    const code = errorCode(err);
    return { kind: TRANSIENT_CODES.has(code) ? 'transient' : 'other', name: code };
  }
  const own = family === undefined ? undefined : BY_FAMILY[family].get(errno);
  const meaning =
    SHARED.get(errno) ?? own ?? (family === undefined ? (BY_FAMILY.mariadb.get(errno) ?? BY_FAMILY.mysql.get(errno)) : undefined);
  if (meaning === undefined) {
    // mysql2 names numbers after MySQL's list: right for the shared range and for MySQL, meaningless for MariaDB's own.
    const code = errorCode(err);
    const trusted = code.startsWith('ER_') && (errno < 1900 || family === 'mysql');
    return { kind: 'other', name: trusted ? code : `errno ${errno}` };
  }
  const [name, kind] = meaning;
  if (REFUSAL_KINDS.has(kind)) {
    return phase === 'connect' ? { kind: 'refused', reason: kind as RefusalReason, name } : { kind: 'other', name };
  }
  if (kind === 'conflict' && phase === 'connect') return { kind: 'other', name };
  return { kind: kind as 'transient' | 'conflict', name };
}

export class LoginRefused extends Error {
  override readonly name = 'LoginRefused';
  constructor(
    readonly code: string,
    readonly reason: RefusalReason,
  ) {
    super(`login refused: ${code}`);
  }
}

/** Errors that mean the account changed under a `set` (another one running); a fresh plan converges. */
const concurrentChanges = new WeakSet<Error>();

export function isConcurrentChange(err: unknown): boolean {
  return err instanceof Error && concurrentChanges.has(err);
}

/** The error a failed database call becomes; `what` names the call and the account, never a value. */
export function toDatabaseError(err: unknown, what: string, phase: 'connect' | 'statement', family?: Flavor): Error {
  const c = classifyError(err, phase, family);
  switch (c.kind) {
    case 'refused':
      return new LoginRefused(c.name, c.reason);
    case 'transient':
      return new TransientError(`${what} failed: ${c.name}`);
    case 'conflict': {
      const e = new TransientError(`${what} failed: ${c.name} (the account changed meanwhile: another set may be running)`);
      concurrentChanges.add(e);
      return e;
    }
    case 'other':
      return new DatabaseError(`${what} failed: ${c.name}`);
  }
}

/** The leading keywords of one of our statements, for messages: never a name or a value. */
const STATEMENT_KINDS = [
  'CREATE USER',
  'ALTER USER',
  'DROP USER',
  'SET PASSWORD',
  'SHOW GRANTS',
  'GRANT',
  'REVOKE',
  'SELECT',
  'SET',
  'KILL',
];

export function statementKind(sql: string): string {
  const head = sql.trimStart().toUpperCase().replace(/\s+/g, ' ');
  return STATEMENT_KINDS.find((k) => head === k || head.startsWith(`${k} `)) ?? 'a statement';
}
