// How mysql2 errors are classified: by the server's error number and family, never by the name
// mysql2 gives the number (its list is MySQL's, so MariaDB's own numbers get MySQL's names).
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/backends/mysql/server-errors.js';
import {
  DEFAULT_LIMITS,
  KILL_DEADLINE_MS,
  LOGIN_CHECK_DEADLINE_MS,
  SESSION_DEADLINE_MS,
  statementKind,
} from '../../../src/backends/mysql/connection.js';

/** What mysql2 rejects with for a server error: its own `code` for the number, the number, a SQLSTATE. */
const serverError = (errno: number, code?: string) =>
  Object.assign(new Error('text that may quote SQL'), { errno, code, sqlState: 'HY000' });

describe('classifyError', () => {
  it.each([
    // MySQL, as its server reports them (no MySQL server here to ask).
    [3118, 'ER_ACCOUNT_HAS_BEEN_LOCKED', 'mysql', 'locked'],
    [3955, 'ER_USER_ACCESS_DENIED_FOR_USER_ACCOUNT_BLOCKED_BY_PASSWORD_LOCK', 'mysql', 'locked'],
    [1862, 'ER_MUST_CHANGE_PASSWORD_LOGIN', 'mysql', 'expired'],
    [1820, 'ER_MUST_CHANGE_PASSWORD', 'mysql', 'expired'],
    [1045, 'ER_ACCESS_DENIED_ERROR', 'mysql', 'denied'],
    // MariaDB: 4151 is its locked account, which mysql2 calls ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE.
    [4151, 'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE', 'mariadb', 'locked'],
    [1862, 'ER_MUST_CHANGE_PASSWORD_LOGIN', 'mariadb', 'expired'],
    [1820, 'ER_MUST_CHANGE_PASSWORD', 'mariadb', 'expired'],
    [1044, 'ER_DBACCESS_DENIED_ERROR', 'mariadb', 'denied'],
  ] as const)('a login answered %i (%s) on %s is refused: %s', (errno, code, family, reason) => {
    expect(classifyError(serverError(errno, code), 'connect', family)).toMatchObject({ kind: 'refused', reason });
    // While logging in the family is not known yet: both families' login answers count.
    expect(classifyError(serverError(errno, code), 'connect')).toMatchObject({ kind: 'refused', reason });
  });

  it('names a locked MariaDB account after MariaDB, not after the number mysql2 borrowed from MySQL', () => {
    expect(classifyError(serverError(4151, 'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE'), 'connect')).toEqual({
      kind: 'refused',
      reason: 'locked',
      name: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
    });
  });

  it.each([
    [1226, 'ER_USER_LIMIT_REACHED'],
    [1203, 'ER_TOO_MANY_USER_CONNECTIONS'],
    [1040, 'ER_CON_COUNT_ERROR'],
    [1205, 'ER_LOCK_WAIT_TIMEOUT'],
    [1213, 'ER_LOCK_DEADLOCK'],
  ])('%i %s is transient while connecting and in a statement, on both families', (errno, name) => {
    for (const family of ['mysql', 'mariadb', undefined] as const) {
      for (const phase of ['connect', 'statement'] as const) {
        expect(classifyError(serverError(errno, name), phase, family)).toEqual({ kind: 'transient', name });
      }
    }
  });

  it('server-side statement limits are transient, each on its own family only', () => {
    expect(classifyError(serverError(1969), 'statement', 'mariadb')).toEqual({ kind: 'transient', name: 'ER_STATEMENT_TIMEOUT' });
    expect(classifyError(serverError(3024, 'ER_QUERY_TIMEOUT'), 'statement', 'mysql')).toEqual({
      kind: 'transient',
      name: 'ER_QUERY_TIMEOUT',
    });
    expect(classifyError(serverError(1927), 'statement', 'mariadb')).toMatchObject({ kind: 'transient' });
    expect(classifyError(serverError(1969), 'statement', 'mysql').kind).toBe('other');
  });

  it('4151 from a MySQL statement is MySQL’s own error, not a lock; a refusal code from a statement is a missing privilege', () => {
    expect(classifyError(serverError(4151, 'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE'), 'statement', 'mysql')).toEqual({
      kind: 'other',
      name: 'ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE',
    });
    expect(classifyError(serverError(1044, 'ER_DBACCESS_DENIED_ERROR'), 'statement', 'mariadb')).toEqual({
      kind: 'other',
      name: 'ER_DBACCESS_DENIED_ERROR',
    });
    expect(classifyError(serverError(3118, 'ER_ACCOUNT_HAS_BEEN_LOCKED'), 'statement', 'mysql').kind).toBe('other');
  });

  it('an account changed under a statement by a racing set is a conflict, only in a statement', () => {
    for (const [errno, name] of [
      [1396, 'ER_CANNOT_USER'],
      [1141, 'ER_NONEXISTING_GRANT'],
      [1147, 'ER_NONEXISTING_TABLE_GRANT'],
    ] as const) {
      expect(classifyError(serverError(errno, name), 'statement', 'mariadb')).toEqual({ kind: 'conflict', name });
      expect(classifyError(serverError(errno, name), 'statement', 'mysql')).toEqual({ kind: 'conflict', name });
      expect(classifyError(serverError(errno, name), 'connect').kind).toBe('other');
    }
  });

  it('an unknown MariaDB number above the shared range is named by number, not by mysql2’s MySQL name', () => {
    expect(classifyError(serverError(4160, 'ER_SOME_MYSQL_NAME'), 'statement', 'mariadb')).toEqual({ kind: 'other', name: 'errno 4160' });
    expect(classifyError(serverError(4160, 'ER_SOME_MYSQL_NAME'), 'statement', 'mysql')).toEqual({
      kind: 'other',
      name: 'ER_SOME_MYSQL_NAME',
    });
    expect(classifyError(serverError(1064, 'ER_PARSE_ERROR'), 'statement', 'mariadb')).toEqual({ kind: 'other', name: 'ER_PARSE_ERROR' });
  });

  it('keeps the socket and driver codes, which carry no server number', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST']) {
      expect(classifyError(Object.assign(new Error('x'), { code }), 'connect')).toEqual({ kind: 'transient', name: code });
    }
    expect(classifyError(Object.assign(new Error('x'), { code: 'HANDSHAKE_SSL_ERROR' }), 'connect')).toEqual({
      kind: 'other',
      name: 'HANDSHAKE_SSL_ERROR',
    });
    expect(classifyError('not an error', 'statement')).toEqual({ kind: 'other', name: 'UNKNOWN' });
  });
});

describe('statementKind', () => {
  it('names a statement by its leading keywords only', () => {
    expect(statementKind("CREATE USER 'a'@'%' IDENTIFIED BY 'secret'")).toBe('CREATE USER');
    expect(statementKind('ALTER USER ?@? IDENTIFIED BY ?, ?@? IDENTIFIED BY ?')).toBe('ALTER USER');
    expect(statementKind('GRANT SELECT ON `db`.* TO `a`@`%`')).toBe('GRANT');
    expect(statementKind('SET PASSWORD FOR ?@? = PASSWORD(?)')).toBe('SET PASSWORD');
    expect(statementKind('SET SESSION lock_wait_timeout = ?')).toBe('SET');
    expect(statementKind('SHOW GRANTS FOR ?@?')).toBe('SHOW GRANTS');
    expect(statementKind('  select 1')).toBe('SELECT');
    expect(statementKind("'secret'")).toBe('a statement');
  });
});

describe('the shipped limits', () => {
  it('bound a whole set (two login checks, the master session, a KILL after each) well inside a minute', () => {
    expect(DEFAULT_LIMITS.statementDeadlineMs).toBeLessThan(SESSION_DEADLINE_MS);
    // Server-side limits come first, so the server usually ends a wait with a clean error.
    expect(DEFAULT_LIMITS.lockWaitTimeoutS * 1000).toBeLessThan(DEFAULT_LIMITS.statementDeadlineMs);
    expect(DEFAULT_LIMITS.serverStatementTimeoutS * 1000).toBeLessThan(DEFAULT_LIMITS.statementDeadlineMs);
    expect(2 * (LOGIN_CHECK_DEADLINE_MS + KILL_DEADLINE_MS) + SESSION_DEADLINE_MS + KILL_DEADLINE_MS).toBeLessThanOrEqual(55_000);
  });
});
