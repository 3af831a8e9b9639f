/**
 * The one place SQL text is quoted for the self-managed MySQL backend, and the `Sql` shape every
 * statement builder returns. It must never build a statement itself or hold a connection, and
 * nothing outside this file may quote an identifier or string literal by hand.
 */

import { escape } from 'mysql2';

/**
 * A statement and its bound values.
 *
 * Statements we write ourselves use `?` placeholders (`CREATE USER ?@? IDENTIFIED BY ?`), so
 * passwords and account names travel as values, escaped by mysql2 in one place. Statements that
 * embed text the server produced (grant lines copied from SHOW GRANTS) have `values: []` and must
 * be sent without a values array: that text may contain a `?` inside a quoted database name, and
 * placeholder substitution must never get a chance to look at it.
 */
export type Sql = { readonly sql: string; readonly values: readonly (string | number)[] };

/** A statement with bound values. */
export function bound(sql: string, ...values: (string | number)[]): Sql {
  return { sql, values };
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
