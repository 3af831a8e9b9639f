/**
 * Opening MySQL connections under the TLS policy and bounding every statement they run (session
 * lock and statement limits, a client deadline, KILL of what outlives it); errors become named
 * errors through server-errors.ts. mysql2's error messages and `sql` property can quote the
 * statement, password included, so only error numbers and names ever leave this module.
 * Connections are always closed by withConnection, and no statement a connection sent is left
 * queued or running on the server when it returns.
 */
import mysql from 'mysql2/promise';
import { DatabaseError, PreconditionError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Account } from '../backend.js';
import { atLeast, parseServerVersion, type Flavor } from './dialect.js';
import { clientEd25519Plugin } from './ed25519.js'; // mysql2 has none: MariaDB accounts VIA ed25519 log in through it
import {
  classifyError,
  errorNumber,
  isConcurrentChange,
  LoginRefused,
  statementKind,
  toDatabaseError,
  type RefusalReason,
} from './server-errors.js';
import { statementText, verbatim, type Sql } from './sql.js';
import { tlsFailure, tlsOptions, tlsRefusal, tlsSocket } from './tls.js';

/** Dialling and logging in, per attempt (the TLS fallback may make two). */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Server side, per session: how long a statement waits for a metadata, table or row lock (`lock_wait_timeout`, `innodb_lock_wait_timeout`). */
export const LOCK_WAIT_TIMEOUT_S = 10;
/**
 * Server side, per session: MariaDB's `max_statement_time` (every statement, including the account
 * statements that wait for FLUSH TABLES WITH READ LOCK, which `lock_wait_timeout` does not bound),
 * MySQL's `max_execution_time` (SELECT only). The client deadline below covers what these miss.
 */
export const SERVER_STATEMENT_TIMEOUT_S = 10;
/** Client side: a statement that has not answered by then is killed on the server and the step fails with TransientError. */
export const STATEMENT_DEADLINE_MS = 15_000;
/** One connection's whole life, connect included: every statement of `apply`, whatever it waits for. */
export const SESSION_DEADLINE_MS = 30_000;
/** A login check's whole life: connect and SELECT 1. */
export const LOGIN_CHECK_DEADLINE_MS = 8_000;
/** Stopping a statement past its deadline: a second connection, KILL, and waiting for the session to leave the process list. */
export const KILL_DEADLINE_MS = 3_000;
/** A polite COM_QUIT; past this the socket is destroyed. */
const CLOSE_DEADLINE_MS = 1_000;

export interface ConnectionLimits {
  connectTimeoutMs: number;
  lockWaitTimeoutS: number;
  /** 0: leave the server's own setting. */
  serverStatementTimeoutS: number;
  statementDeadlineMs: number;
  sessionDeadlineMs: number;
  loginCheckDeadlineMs: number;
  killDeadlineMs: number;
}

export const DEFAULT_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  connectTimeoutMs: CONNECT_TIMEOUT_MS,
  lockWaitTimeoutS: LOCK_WAIT_TIMEOUT_S,
  serverStatementTimeoutS: SERVER_STATEMENT_TIMEOUT_S,
  statementDeadlineMs: STATEMENT_DEADLINE_MS,
  sessionDeadlineMs: SESSION_DEADLINE_MS,
  loginCheckDeadlineMs: LOGIN_CHECK_DEADLINE_MS,
  killDeadlineMs: KILL_DEADLINE_MS,
});

export interface ConnectOptions {
  /** PEM CA bundle for verified TLS; the system CAs when absent. */
  ca: string | undefined;
  log: Logger;
  /** For messages: "secret app-db". */
  label: string;
  /** Tests shorten these; the function always runs with DEFAULT_LIMITS. */
  limits?: Partial<ConnectionLimits> | undefined;
}

export interface Session {
  query<Row = Record<string, unknown>>(statement: Sql): Promise<Row[]>;
}

export { isConcurrentChange, LoginRefused, statementKind, type RefusalReason };

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

async function open(account: Account, ssl: mysql.SslOptions | undefined, connectTimeout: number): Promise<mysql.Connection> {
  const port = account.port ?? 3306;
  // An IP Endpoint's certificate is checked against that address: see tls.ts.
  const stream = ssl ? tlsSocket(account.endpoint, port) : undefined;
  const conn = await mysql.createConnection({
    host: account.endpoint,
    port,
    ...(stream ? { stream } : {}),
    user: account.user,
    password: account.password,
    ...(account.database ? { database: account.database } : {}),
    ...(ssl ? { ssl } : {}),
    connectTimeout,
    multipleStatements: false,
    supportBigNumbers: true,
    authPlugins: { client_ed25519: clientEd25519Plugin() },
  });
  // A server that closes the socket between statements must not crash the process with an unhandled 'error'.
  (conn as unknown as NodeJS.EventEmitter).on('error', () => {});
  return conn;
}

/** `promise`, or `undefined` once `ms` have passed; the promise's own failure is rethrown. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function limitsOf(options: ConnectOptions): ConnectionLimits {
  return { ...DEFAULT_LIMITS, ...options.limits };
}

/**
 * Ends session `id` from a second, short-lived connection with the same credentials and TLS, and
 * waits until the server no longer lists it: only then has the statement it was running stopped
 * (or finished). A user may always KILL its own sessions. False when that could not be confirmed.
 */
async function killSession(account: Account, ssl: mysql.SslOptions | undefined, id: number, limits: ConnectionLimits): Promise<boolean> {
  const deadline = Date.now() + limits.killDeadlineMs;
  const left = (): number => deadline - Date.now();
  const opening = open(account, ssl, Math.max(1, Math.min(limits.connectTimeoutMs, limits.killDeadlineMs)));
  const killer = await within(opening, limits.killDeadlineMs);
  if (killer === undefined) {
    opening.then(
      (late) => late.destroy(),
      () => {},
    );
    return false;
  }
  try {
    try {
      if ((await within(killer.query('KILL CONNECTION ?', [id]), left())) === undefined) return false;
    } catch (err) {
      // ER_NO_SUCH_THREAD: it is gone already.
      if (errorNumber(err) !== 1094) throw err;
    }
    while (left() > 0) {
      const answer = await within(killer.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [id]), left());
      if (answer === undefined) return false;
      const [rows] = answer as [{ n: unknown }[], unknown];
      if (Number(rows[0]?.n) === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  } finally {
    killer.destroy();
  }
}

/** One open connection: every statement under the per-statement and the session deadline. */
class BoundedSession implements Session {
  /** The server's id of this session, for KILL. */
  private id: number | null;
  family: Flavor | undefined;
  /** Statements sent and not yet answered (mysql2 queues them on the one connection). */
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly conn: mysql.Connection,
    private readonly account: Account,
    private readonly ssl: mysql.SslOptions | undefined,
    private readonly options: ConnectOptions,
    private readonly limits: ConnectionLimits,
    private readonly deadline: number,
  ) {
    this.id = conn.threadId;
  }

  /** Reads the session id and the server family, and sets the server-side bounds. A login refused only here (an expired password) is still a refused login. */
  async prepare(): Promise<void> {
    const [row] = await this.run<{ id: unknown; v: unknown }>('SELECT CONNECTION_ID() AS id, VERSION() AS v', [], 'connect');
    const id = Number(row?.id);
    if (Number.isSafeInteger(id) && id > 0) this.id = id;
    const raw = String(row?.v ?? '');
    this.family = /mariadb/i.test(raw) ? 'mariadb' : 'mysql';
    const settings = ['lock_wait_timeout = ?', 'innodb_lock_wait_timeout = ?'];
    const values: number[] = [this.limits.lockWaitTimeoutS, this.limits.lockWaitTimeoutS];
    if (this.limits.serverStatementTimeoutS > 0) {
      let version;
      try {
        version = parseServerVersion(raw);
      } catch {
        version = undefined;
      }
      if (version?.flavor === 'mariadb' && atLeast(version, 10, 1, 1)) {
        settings.push('max_statement_time = ?');
        values.push(this.limits.serverStatementTimeoutS);
      } else if (version?.flavor === 'mysql' && atLeast(version, 5, 7, 8)) {
        settings.push('max_execution_time = ?');
        values.push(this.limits.serverStatementTimeoutS * 1000);
      }
    }
    try {
      await this.run(`SET SESSION ${settings.join(', ')}`, values, 'connect');
    } catch (err) {
      if (err instanceof LoginRefused || err instanceof TransientError) throw err;
      // A proxy that refuses these still leaves every statement under the client deadline.
      this.options.log.warn('the server refused the session lock and statement limits: only the client deadline applies', {
        account: this.account.user,
        host: this.account.endpoint,
      });
    }
  }

  /** Sends `statementText(statement)`: the very text a dry run shows, but for its redacted secrets. */
  query<Row = Record<string, unknown>>(statement: Sql): Promise<Row[]> {
    return this.run<Row>(statementText(statement), [], 'statement');
  }

  private async run<Row>(sql: string, values: readonly (string | number)[], phase: 'connect' | 'statement'): Promise<Row[]> {
    const { label } = this.options;
    const what = `${label}: a statement as ${this.account.user} (${statementKind(sql)})`;
    if (this.stopped) throw new TransientError(`${what} was not sent: the session was stopped after a deadline`);
    const remaining = this.deadline - Date.now();
    const budget = Math.min(this.limits.statementDeadlineMs, remaining);
    if (budget <= 0) throw new TransientError(`${what} was not sent: the session's ${seconds(this.limits.sessionDeadlineMs)} had run out`);
    // Statements embedding server text are sent without a values array: see sql.ts.
    const pending = values.length > 0 ? this.conn.query(sql, [...values]) : this.conn.query(sql);
    pending.catch(() => {});
    this.inFlight++;
    let answer;
    try {
      answer = await within(pending, budget);
    } catch (err) {
      this.inFlight--;
      // A broken connection may have left the statement running on the server: end it there too.
      if (err !== null && typeof err === 'object' && (err as { fatal?: unknown }).fatal === true) await this.stop();
      throw toDatabaseError(err, what, phase, this.family);
    }
    if (answer === undefined) {
      const stopped = await this.stop();
      const limit =
        budget < this.limits.statementDeadlineMs
          ? `the session's ${seconds(this.limits.sessionDeadlineMs)}`
          : seconds(this.limits.statementDeadlineMs);
      throw new TransientError(
        `${what} did not finish within ${limit}; ${stopped ? 'it was stopped on the server' : 'stopping it on the server could not be confirmed'}`,
      );
    }
    this.inFlight--;
    const [rows] = answer;
    return Array.isArray(rows) ? (rows as Row[]) : [];
  }

  /**
   * KILLs this session on the server, then drops the socket: true once the server no longer lists
   * it, so nothing this session sent is queued or running. False when that could not be confirmed
   * (the second login failed: the account at its connection limit, the server unreachable); on
   * MariaDB `max_statement_time` still ends the statement.
   */
  async stop(): Promise<boolean> {
    if (this.stopped) return true;
    this.stopped = true;
    try {
      const gone = this.id !== null && (await killSession(this.account, this.ssl, this.id, this.limits));
      if (!gone) {
        this.options.log.warn('could not confirm that a statement past its deadline was stopped on the server', {
          account: this.account.user,
          host: this.account.endpoint,
        });
      }
      return gone;
    } catch (err) {
      this.options.log.warn('could not stop a statement past its deadline on the server', {
        account: this.account.user,
        host: this.account.endpoint,
        errorName: classifyError(err, 'connect').name,
      });
      return false;
    } finally {
      this.inFlight = 0;
      this.conn.destroy();
    }
  }

  /** After the work: a statement still in flight (the work failed around it) is killed first. */
  async close(): Promise<void> {
    if (this.stopped) return;
    if (this.inFlight > 0) {
      await this.stop();
      return;
    }
    this.stopped = true;
    try {
      if ((await within(this.conn.end(), CLOSE_DEADLINE_MS)) === undefined) this.conn.destroy();
    } catch {
      this.conn.destroy();
    }
  }
}

async function connect(account: Account, options: ConnectOptions, limits: ConnectionLimits, deadline: number): Promise<BoundedSession> {
  const what = `${options.label}: connecting as ${account.user}`;
  const where = { account: account.user, host: account.endpoint, port: account.port ?? 3306 };
  /** Every login's outcome is logged, and whether it went over TLS. */
  const refused = (err: unknown, tls: boolean): void => {
    if (err instanceof LoginRefused) options.log.info('login refused', { ...where, tls, errorName: err.code });
  };
  /** Dials and logs in; `tlsFailure` names what went wrong when TLS itself failed and the fallback may try plain TCP. */
  const dial = async (ssl: mysql.SslOptions | undefined): Promise<{ conn: mysql.Connection } | { tlsFailure: string }> => {
    const timeout = Math.min(limits.connectTimeoutMs, deadline - Date.now());
    if (timeout <= 0) throw new TransientError(`${what} failed: no time left`);
    try {
      return { conn: await open(account, ssl, timeout) };
    } catch (err) {
      // A refused login or an unreachable server would fail in plain text too: only TLS itself failing may fall back.
      const failure = ssl === undefined ? undefined : tlsFailure(err);
      if (failure === undefined) {
        const mapped = toDatabaseError(err, what, 'connect');
        refused(mapped, ssl !== undefined);
        throw mapped;
      }
      if (account.ssl === undefined) return { tlsFailure: failure.name };
      // SSL: true, and no fallback. A certificate or a server that cannot be verified stays so on retry: not transient.
      const why = tlsRefusal(failure, account.endpoint, options.ca !== undefined);
      if (failure.kind === 'network') throw new TransientError(`${what} failed: ${why}`);
      throw new PreconditionError(`${what} refused: ${why}`);
    }
  };
  let ssl = account.ssl === false ? undefined : tlsOptions(options.ca);
  let dialled = await dial(ssl);
  if ('tlsFailure' in dialled) {
    options.log.warn('TLS failed and the secret does not set SSL: connecting without TLS', { ...where, errorName: dialled.tlsFailure });
    ssl = undefined;
    dialled = await dial(undefined);
  }
  if ('tlsFailure' in dialled) throw new DatabaseError(`${what} failed: ${dialled.tlsFailure}`);
  const conn = dialled.conn;
  const session = new BoundedSession(conn, account, ssl, options, limits, deadline);
  try {
    await session.prepare();
  } catch (err) {
    refused(err, ssl !== undefined);
    await session.close();
    throw err;
  }
  // mysql2 given `ssl` either completes verified TLS or fails: never plain text in its place.
  options.log.info('logged in', { ...where, tls: ssl !== undefined });
  return session;
}

/**
 * Opens a connection, runs `work`, and always closes it. Every statement is bounded (see the
 * limits above) and the whole call, connect included, ends within `deadlineMs` plus the time to
 * kill a stuck statement; when it returns or throws, nothing it sent is still queued or running.
 */
export async function withConnection<T>(
  account: Account,
  options: ConnectOptions,
  work: (session: Session) => Promise<T>,
  deadlineMs?: number,
): Promise<T> {
  const limits = limitsOf(options);
  const session = await connect(account, options, limits, Date.now() + (deadlineMs ?? limits.sessionDeadlineMs));
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** Logs in and runs `SELECT 1`: how the server answered, or a throw when it could not be asked (TransientError) or failed otherwise. */
export async function loginCheck(account: Account, options: ConnectOptions): Promise<'works' | RefusalReason> {
  try {
    return await withConnection(
      account,
      options,
      async (session) => {
        await session.query(verbatim('SELECT 1'));
        return 'works' as const;
      },
      limitsOf(options).loginCheckDeadlineMs,
    );
  } catch (err) {
    if (err instanceof LoginRefused) return err.reason;
    throw err;
  }
}

/** Logs in and runs `SELECT 1`: false when the server refuses the credentials (a wrong password, a locked account, an expired password). */
export async function canLogIn(account: Account, options: ConnectOptions): Promise<boolean> {
  return (await loginCheck(account, options)) === 'works';
}
