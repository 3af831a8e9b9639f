/**
 * Opening MySQL connections under the TLS policy, and turning mysql2 errors into named errors.
 * mysql2's error messages and `sql` property can quote the statement, password included, so
 * only error codes ever leave this module. Connections are always closed by withConnection.
 */
import mysql from 'mysql2/promise';
import { DatabaseError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { SOCKET_ERROR_CODES } from '../../network.js';
import type { Account } from '../backend.js';
import { verbatim, type Sql } from './sql.js';

export const CONNECT_TIMEOUT_MS = 5_000;

export interface ConnectOptions {
  /** PEM CA bundle for verified TLS; the system CAs when absent. */
  ca: string | undefined;
  log: Logger;
  /** For messages: "secret app-db". */
  label: string;
}

export interface Session {
  query<Row = Record<string, unknown>>(statement: Sql): Promise<Row[]>;
}

const LOGIN_REFUSED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);

/** The driver's and the server's codes for a failure that may pass, beside the socket codes. */
const TRANSIENT = new Set([
  ...SOCKET_ERROR_CODES,
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
]);

export function errorCode(err: unknown): string {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export class LoginRefused extends Error {
  override readonly name = 'LoginRefused';
  constructor(readonly code: string) {
    super(`login refused: ${code}`);
  }
}

/**
 * The error a failed database call becomes; `what` names the call and the account, never a value.
 * Only a failed connect can be a refused login: the same codes from a statement mean the
 * logged-in account lacks a privilege.
 */
function toDatabaseError(err: unknown, what: string, phase: 'connect' | 'statement'): Error {
  const code = errorCode(err);
  if (phase === 'connect' && LOGIN_REFUSED.has(code)) return new LoginRefused(code);
  if (TRANSIENT.has(code)) return new TransientError(`${what} failed: ${code}`);
  return new DatabaseError(`${what} failed: ${code}`);
}

/** Verified TLS: the chain against the CA bundle and the certificate against the host name or IP we dialled. */
function tlsOptions(ca: string | undefined): mysql.SslOptions {
  return { ...(ca ? { ca } : {}), rejectUnauthorized: true, verifyIdentity: true };
}

async function open(account: Account, ssl: mysql.SslOptions | undefined): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: account.endpoint,
    port: account.port ?? 3306,
    user: account.user,
    password: account.password,
    ...(account.database ? { database: account.database } : {}),
    ...(ssl ? { ssl } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
    supportBigNumbers: true,
  });
}

async function connect(account: Account, options: ConnectOptions): Promise<mysql.Connection> {
  const what = `${options.label}: connecting as ${account.user}`;
  if (account.ssl !== undefined) {
    try {
      return await open(account, account.ssl ? tlsOptions(options.ca) : undefined);
    } catch (err) {
      throw toDatabaseError(err, what, 'connect');
    }
  }
  try {
    return await open(account, tlsOptions(options.ca));
  } catch (err) {
    const mapped = toDatabaseError(err, what, 'connect');
    // A refused login or an unreachable server would fail in plain text too; anything else is TLS itself failing.
    if (mapped instanceof LoginRefused || mapped instanceof TransientError) throw mapped;
    options.log.warn('TLS failed and the secret does not set SSL: connecting without TLS', {
      account: account.user,
      host: account.endpoint,
      errorName: errorCode(err),
    });
  }
  try {
    return await open(account, undefined);
  } catch (err) {
    throw toDatabaseError(err, what, 'connect');
  }
}

/** Opens a connection, runs `work`, and always closes it. */
export async function withConnection<T>(account: Account, options: ConnectOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const conn = await connect(account, options);
  const session: Session = {
    async query<Row>(statement: Sql): Promise<Row[]> {
      try {
        const [rows] =
          statement.values.length > 0 ? await conn.query(statement.sql, [...statement.values]) : await conn.query(statement.sql);
        return Array.isArray(rows) ? (rows as Row[]) : [];
      } catch (err) {
        throw toDatabaseError(err, `${options.label}: a statement as ${account.user}`, 'statement');
      }
    },
  };
  try {
    return await work(session);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** Logs in and runs `SELECT 1`: false when the server refuses the credentials. */
export async function canLogIn(account: Account, options: ConnectOptions): Promise<boolean> {
  try {
    return await withConnection(account, options, async (session) => {
      await session.query(verbatim('SELECT 1'));
      return true;
    });
  } catch (err) {
    if (err instanceof LoginRefused) return false;
    throw err;
  }
}
