/**
 * The account-management SQL each MySQL / MariaDB server version understands: which statement
 * sets a password, which sets a TLS requirement, how long a user name may be. Pure: it builds
 * `Sql` values and must never run them, and must never put a password (or its hash) anywhere but a
 * bound value marked `secret()`; where the plugin allows, it sends the hash instead of the password.
 */

import { PreconditionError } from '../../errors.js';
import { mariadbIdentified } from './auth-plugin.js';
import { nativePasswordHash } from './password-hash.js';
import { bound, secret, type Sql } from './sql.js';

export type Flavor = 'mysql' | 'mariadb';

export interface ServerVersion {
  readonly flavor: Flavor;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** What `SELECT VERSION()` returned. */
  readonly raw: string;
}

const VERSION = /^(\d{1,4})\.(\d{1,4})\.(\d{1,4})(.*)$/s;
// A MariaDB server behind an old replication protocol reports itself as "5.5.5-<real version>".
const REPLICATION_PREFIXED = /^-(\d{1,4})\.(\d{1,4})\.(\d{1,4})(.*)$/s;

/** Reads `SELECT VERSION()`; throws on anything it does not recognise rather than guess a dialect. */
export function parseServerVersion(v: string): ServerVersion {
  const raw = v.trim();
  const m = VERSION.exec(raw);
  if (!m) throw unparseableVersion();
  const flavor: Flavor = /mariadb/i.test(raw) ? 'mariadb' : 'mysql';
  let [major, minor, patch, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''];
  if (flavor === 'mariadb' && major === 5 && minor === 5 && patch === 5) {
    const real = REPLICATION_PREFIXED.exec(rest);
    if (real) [major, minor, patch, rest] = [Number(real[1]), Number(real[2]), Number(real[3]), real[4] ?? ''];
  }
  // "8.0.36.1" or "8.0.36abc" is not a version string any supported server prints.
  if (rest !== '' && !/^[-+~_ ]/.test(rest)) throw unparseableVersion();
  return { flavor, major, minor, patch, raw };
}

function unparseableVersion(): PreconditionError {
  return new PreconditionError('The database server returned a VERSION() this backend does not recognise');
}

/** Numeric version comparison within the server's own flavor. */
export function atLeast(v: ServerVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export type TlsRequirement =
  | { readonly type: 'NONE' }
  | { readonly type: 'SSL' }
  | { readonly type: 'X509' }
  | { readonly type: 'SPECIFIED'; readonly cipher?: string; readonly issuer?: string; readonly subject?: string };

export interface MysqlDialect {
  readonly version: ServerVersion;
  /** Longest user name this server accepts (a lower bound where the documentation is unclear). */
  readonly maxUserNameLength: number;
  /** `plugin`: the current account's authentication plugin, kept where the server can be told it. */
  createUser(user: string, host: string, password: string, plugin?: string): Sql;
  /**
   * The password of every host entry of `user`. With ALTER USER this is one statement, so a crash
   * cannot leave some host entries with the new password and others without it.
   */
  setPassword(user: string, entries: readonly HostEntry[], password: string): Sql[];
  setRequire(user: string, host: string, tls: TlsRequirement): Sql;
  /** MySQL 8.0.14+: an account may hold a primary and a secondary password (RETAIN CURRENT PASSWORD). */
  readonly hasDualPasswords: boolean;
  /**
   * The logged-in account changes its own password (single-account rotation), in the form an account
   * may use without privileges; only the host entry it logged in through changes. `retain` (where
   * hasDualPasswords; the account needs APPLICATION_PASSWORD_ADMIN or CREATE USER): the old password
   * becomes the secondary one, replacing an older secondary. `plugin`: the account's plugin where its
   * own SHOW GRANTS shows it; only a mysql_native_password account is sent a hash.
   */
  setOwnPassword(password: string, options: { retain: boolean; plugin?: string | undefined }): Sql;
  /** One row (or none) with `ssl_type, ssl_cipher, x509_issuer, x509_subject, plugin`; see `tlsRequirementFromRow`. */
  readAccount(user: string, host: string): Sql;
  /**
   * One row (or none) with `locked` and `lifetime` (see `accountStateFromRow`); undefined where the
   * server keeps neither (MySQL before 5.7.6, MariaDB before 10.4), so there is nothing to copy.
   */
  readAccountState(user: string, host: string): Sql | undefined;
  /** Makes the account's lock and password-expiry settings `state`; [] where the server has none. */
  setAccountState(user: string, host: string, state: AccountState): Sql[];
  /** Rows with `Host`: every host this user name exists for. */
  userHosts(user: string): Sql;
  showGrants(user: string, host: string): Sql;
  /** The logged-in account's own grants (the master's authority). */
  showOwnGrants(): Sql;
  dropUser(user: string, host: string): Sql;
}

/** Whether an account is locked, and how its password expires: the server's default, never, or after N days. */
export interface AccountState {
  readonly locked: boolean;
  readonly lifetime: 'default' | 'never' | number;
}

/** One host entry of an account, with the authentication plugin its password is for. */
export interface HostEntry {
  host: string;
  plugin?: string | undefined;
}

/**
 * Password plugins MySQL (5.7.6+) lets CREATE/ALTER USER name with IDENTIFIED WITH ... BY. Copying
 * the current account's keeps the alternate usable by the same clients: MySQL 8 would otherwise
 * give it caching_sha2_password, which older drivers, or plain TCP without RSA key retrieval, refuse.
 */
const PASSWORD_PLUGINS = new Set(['mysql_native_password', 'caching_sha2_password', 'sha256_password']);

/** `hashPasswords: false` where the server must see the password itself (a MariaDB validation plugin in strict mode). */
export function dialectFor(v: ServerVersion, options: { hashPasswords?: boolean } = {}): MysqlDialect {
  const hashes = options.hashPasswords ?? true;
  const mariadb = v.flavor === 'mariadb';
  // ALTER USER gained IDENTIFIED BY and REQUIRE in MySQL 5.7.6 and first appeared in MariaDB 10.2;
  // MySQL 8.0 removed PASSWORD(), so the older form is only ever used below those versions.
  const hasAlterUser = mariadb ? atLeast(v, 10, 2) : atLeast(v, 5, 7, 6);
  // ACCOUNT LOCK and PASSWORD EXPIRE ... came with MySQL 5.7.6 and MariaDB 10.4.
  const hasAccountState = mariadb ? atLeast(v, 10, 4) : atLeast(v, 5, 7, 6);
  // Dual passwords came with MySQL 8.0.14; MariaDB has none.
  const hasDualPasswords = !mariadb && atLeast(v, 8, 0, 14);
  const maxUserNameLength = mariadb ? (atLeast(v, 10, 0) ? 80 : 16) : atLeast(v, 5, 7, 8) ? 32 : 16;

  // MariaDB names plugins differently (IDENTIFIED VIA) and IDENTIFIED BY means its usual
  // mysql_native_password; MySQL before 5.7.6 has no IDENTIFIED WITH ... BY.
  const namesPlugin = !mariadb && hasAlterUser;
  /**
   * How a password is given for an account with `plugin`: where the result is mysql_native_password,
   * by its hash, so the password never reaches the server. caching_sha2_password and sha256_password
   * take their own salted formats, and an unknown default plugin cannot be hashed for: those still
   * send the password (bound, never in the SQL text).
   */
  const identified = (plugin: string | undefined, password: string): { clause: string; value: string } => {
    // MariaDB's ed25519 (auth-plugin.ts), which IDENTIFIED BY would turn into mysql_native_password.
    const via = mariadbIdentified(v, plugin, password, hashes);
    if (via) return via;
    if (!hashes)
      return {
        clause: namesPlugin && plugin !== undefined && PASSWORD_PLUGINS.has(plugin) ? `IDENTIFIED WITH ${plugin} BY ?` : 'IDENTIFIED BY ?',
        value: password,
      };
    if (!namesPlugin) return { clause: 'IDENTIFIED BY PASSWORD ?', value: nativePasswordHash(password) };
    if (plugin === 'mysql_native_password')
      return { clause: 'IDENTIFIED WITH mysql_native_password AS ?', value: nativePasswordHash(password) };
    if (plugin !== undefined && PASSWORD_PLUGINS.has(plugin)) return { clause: `IDENTIFIED WITH ${plugin} BY ?`, value: password };
    return { clause: 'IDENTIFIED BY ?', value: password };
  };

  return {
    version: v,
    maxUserNameLength,
    createUser: (user, host, password, plugin) => {
      const { clause, value } = identified(plugin, password);
      return bound(`CREATE USER ?@? ${clause}`, user, host, secret(value));
    },
    setPassword: (user, entries, password) => {
      if (!hasAlterUser) {
        if (!hashes) return entries.map((e) => bound('SET PASSWORD FOR ?@? = PASSWORD(?)', user, e.host, secret(password)));
        // SET PASSWORD ... = '<hash>' takes the hash where PASSWORD(?) would take the password.
        const hash = nativePasswordHash(password);
        return entries.map((e) => bound('SET PASSWORD FOR ?@? = ?', user, e.host, secret(hash)));
      }
      const given = entries.map((e) => identified(e.plugin, password));
      return [
        bound(
          `ALTER USER ${given.map((g) => `?@? ${g.clause}`).join(', ')}`,
          ...entries.flatMap((e, i) => [user, e.host, secret((given[i] as { value: string }).value)]),
        ),
      ];
    },
    hasDualPasswords,
    setOwnPassword: (password, { retain, plugin }) => {
      // ALTER USER USER() keeps the account's plugin and, unlike ALTER USER CURRENT_USER(), needs no
      // privilege; it takes no hash (no AS clause), so the password is bound as a value.
      if (retain) {
        if (!hasDualPasswords) throw new Error('setOwnPassword: this server has no dual passwords');
        return bound('ALTER USER USER() IDENTIFIED BY ? RETAIN CURRENT PASSWORD', secret(password));
      }
      if (namesPlugin) return bound('ALTER USER USER() IDENTIFIED BY ?', secret(password));
      // SET PASSWORD without FOR changes the own account with no privilege (MariaDB refuses ALTER USER
      // CURRENT_USER() without CREATE USER). PASSWORD(?) hashes for the account's plugin on the server.
      if (hashes && plugin === 'mysql_native_password') return bound('SET PASSWORD = ?', secret(nativePasswordHash(password)));
      return bound('SET PASSWORD = PASSWORD(?)', secret(password));
    },
    setRequire: (user, host, tls) => {
      const { clause, values } = requireClause(tls);
      const head = hasAlterUser ? 'ALTER USER ?@? REQUIRE ' : 'GRANT USAGE ON *.* TO ?@? REQUIRE ';
      return bound(head + clause, user, host, ...values);
    },
    readAccount: (user, host) =>
      bound('SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject, plugin FROM mysql.user WHERE User = ? AND Host = ?', user, host),
    readAccountState: (user, host) => {
      if (!hasAccountState) return undefined;
      // MariaDB 10.4+ keeps both in mysql.global_priv's JSON only; its mysql.user view lacks them.
      return mariadb
        ? bound(
            "SELECT JSON_VALUE(Priv, '$.account_locked') AS locked, JSON_VALUE(Priv, '$.password_lifetime') AS lifetime FROM mysql.global_priv WHERE User = ? AND Host = ?",
            user,
            host,
          )
        : bound('SELECT account_locked AS locked, password_lifetime AS lifetime FROM mysql.user WHERE User = ? AND Host = ?', user, host);
    },
    setAccountState: (user, host, state) => {
      if (!hasAccountState) return [];
      const expire =
        state.lifetime === 'default'
          ? bound('ALTER USER ?@? PASSWORD EXPIRE DEFAULT', user, host)
          : state.lifetime === 'never'
            ? bound('ALTER USER ?@? PASSWORD EXPIRE NEVER', user, host)
            : bound('ALTER USER ?@? PASSWORD EXPIRE INTERVAL ? DAY', user, host, state.lifetime);
      return [bound(`ALTER USER ?@? ACCOUNT ${state.locked ? 'LOCK' : 'UNLOCK'}`, user, host), expire];
    },
    userHosts: (user) => bound('SELECT Host FROM mysql.user WHERE User = ?', user),
    showGrants: (user, host) => bound('SHOW GRANTS FOR ?@?', user, host),
    showOwnGrants: () => bound('SHOW GRANTS'),
    dropUser: (user, host) => bound('DROP USER ?@?', user, host),
  };
}

function requireClause(tls: TlsRequirement): { clause: string; values: string[] } {
  switch (tls.type) {
    case 'NONE':
    case 'SSL':
    case 'X509':
      return { clause: tls.type, values: [] };
    case 'SPECIFIED': {
      const parts: string[] = [];
      const values: string[] = [];
      for (const [keyword, value] of [
        ['CIPHER', tls.cipher],
        ['ISSUER', tls.issuer],
        ['SUBJECT', tls.subject],
      ] as const) {
        if (value === undefined || value === '') continue;
        parts.push(`${keyword} ?`);
        values.push(value);
      }
      // An empty SPECIFIED would silently become "no requirement" on some servers and a syntax
      // error on others; neither is what the caller asked for.
      if (parts.length === 0) throw new Error('setRequire: SPECIFIED needs a cipher, an issuer or a subject');
      return { clause: parts.join(' AND '), values };
    }
  }
}

/**
 * Maps a `readTlsRequirement` row. The blob columns come back as Buffers on MySQL and as strings
 * on MariaDB's mysql.user view; `ssl_type` is NULL on MariaDB for rows that are roles.
 */
export function tlsRequirementFromRow(row: Readonly<Record<string, unknown>>): TlsRequirement {
  const type = text(row['ssl_type']).toUpperCase();
  switch (type) {
    case '':
      return { type: 'NONE' };
    case 'ANY':
      return { type: 'SSL' };
    case 'X509':
      return { type: 'X509' };
    case 'SPECIFIED': {
      const spec: { type: 'SPECIFIED'; cipher?: string; issuer?: string; subject?: string } = { type: 'SPECIFIED' };
      const cipher = text(row['ssl_cipher']);
      const issuer = text(row['x509_issuer']);
      const subject = text(row['x509_subject']);
      if (cipher !== '') spec.cipher = cipher;
      if (issuer !== '') spec.issuer = issuer;
      if (subject !== '') spec.subject = subject;
      return spec;
    }
    default:
      throw new PreconditionError('mysql.user reports an ssl_type this backend does not recognise');
  }
}

/**
 * Maps a `readAccountState` row: MySQL says `Y`/`N` and NULL for the default lifetime; MariaDB's JSON
 * says true/false (1/0 through JSON_VALUE) and -1 or nothing for the default. 0 means never.
 */
export function accountStateFromRow(row: Readonly<Record<string, unknown>> | undefined): AccountState {
  const locked = ['Y', 'y', 'true', '1'].includes(text(row?.['locked']));
  const raw = text(row?.['lifetime']);
  const days = raw === '' ? -1 : Number(raw);
  if (!Number.isInteger(days)) throw new PreconditionError('the server reports a password lifetime this backend does not recognise');
  return { locked, lifetime: days < 0 ? 'default' : days === 0 ? 'never' : days };
}

/** The `plugin` column of a `readAccount` row; undefined when absent or empty. */
export function authPluginFromRow(row: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const plugin = row === undefined ? '' : text(row['plugin']);
  return plugin === '' ? undefined : plugin;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new PreconditionError('mysql.user returned a TLS column of an unexpected type');
}
