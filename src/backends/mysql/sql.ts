/**
 * The one place SQL text is quoted for the self-managed MySQL backend, and the `Sql` shape every
 * statement builder returns: also the one place a statement becomes the text the session sends, and
 * the same text with its passwords redacted for a dry run. It must never build a statement itself or
 * hold a connection, and nothing outside this file may quote an identifier or string literal by hand.
 */

import { escape, format } from 'mysql2';
import { REDACTED } from '../backend.js';

/**
 * A statement and its bound values.
 *
 * Statements we write ourselves use `?` placeholders (`CREATE USER ?@? IDENTIFIED BY ?`), so
 * passwords and account names travel as values, escaped by mysql2 in one place. Statements that
 * embed text the server produced (grant lines copied from SHOW GRANTS) have `values: []` and must
 * be sent without a values array: that text may contain a `?` inside a quoted database name, and
 * placeholder substitution must never get a chance to look at it.
 */
export type Sql = {
  readonly sql: string;
  readonly values: readonly (string | number)[];
  /** Indexes into `values` of passwords and password hashes, which a dry run shows as '<redacted>'. Absent when none. */
  readonly secrets?: readonly number[];
};

/** A bound value that is a password or a password hash: marked with `secret()`, sent as any other value. */
export interface SqlSecret {
  readonly secret: string;
}

export function secret(value: string): SqlSecret {
  return { secret: value };
}

/** A statement with bound values; values passed through `secret()` are recorded as secrets. */
export function bound(sql: string, ...values: (string | number | SqlSecret)[]): Sql {
  const plain = values.map((v) => (typeof v === 'object' ? v.secret : v));
  const secrets = values.flatMap((v, i) => (typeof v === 'object' ? [i] : []));
  return secrets.length > 0 ? { sql, values: plain, secrets } : { sql, values: plain };
}

/**
 * The text the session sends for `statement`: its bound values escaped into it by mysql2's own
 * `format`, which is what mysql2's `query(sql, values)` does before sending. Server-text statements
 * (no values) are sent as written, so a `?` inside them is never taken for a placeholder.
 */
export function statementText(statement: Sql): string {
  return statement.values.length > 0 ? format(statement.sql, [...statement.values]) : statement.sql;
}

/** `statementText` with every secret value shown as the quoted literal '<redacted>'; otherwise the very same text. */
export function redactedText(statement: Sql): string {
  const hidden = new Set(statement.secrets ?? []);
  return statementText({ sql: statement.sql, values: statement.values.map((v, i) => (hidden.has(i) ? REDACTED : v)) });
}

/** A statement that is sent exactly as written (server-produced text, no placeholders). */
export function verbatim(sql: string): Sql {
  return { sql, values: [] };
}

/**
 * Backtick-quotes an identifier, doubling embedded backticks. Empty names and NUL are refused
 * because the server rejects both, and a silently altered name would address a different object.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new Error('quoteIdentifier: an identifier cannot be empty');
  if (name.includes('\0')) throw new Error('quoteIdentifier: an identifier cannot contain NUL');
  return '`' + name.replaceAll('`', '``') + '`';
}

/**
 * `'user'@'host'` as two string literals, escaped exactly as mysql2 escapes bound values, so an
 * account named in server-text statements is read by the server the same way as one passed
 * through `?`. Like every mysql2 escape, this assumes the session does not run with
 * NO_BACKSLASH_ESCAPES.
 */
export function quoteAccount(user: string, host: string): string {
  return `${escape(user)}@${escape(host)}`;
}
