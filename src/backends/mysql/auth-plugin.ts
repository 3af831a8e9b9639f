/**
 * The current account's authentication plugin, and how the alternate is given the same one with a
 * new password where the dialect's usual IDENTIFIED BY would quietly change it: MariaDB's ed25519
 * (`IDENTIFIED VIA ed25519 USING ?`, the 43-character public key computed here so the password
 * never reaches the server; `USING PASSWORD(?)`, the password bound, where a validation plugin
 * refuses hashes). MySQL's plugins (IDENTIFIED WITH ... BY / AS) stay the dialect's. Pure but for
 * `readAuthPlugin`, which only reads; every password or hash is a bound value marked `secret()`,
 * and no authentication string read from the server is kept or shown.
 */
import { z } from 'zod';
import { DatabaseError, PreconditionError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Session } from './connection.js';
import type { ServerVersion } from './dialect.js';
import { ed25519AuthString } from './ed25519.js';
import { bound, type Sql } from './sql.js';

export const ED25519 = 'ed25519';
const NATIVE = 'mysql_native_password';
/** MariaDB's plugins that take a password, as an `IDENTIFIED VIA ... OR ...` chain may list them. */
const PASSWORD_METHODS: ReadonlySet<string> = new Set([ED25519, NATIVE]);

const atLeast = (v: ServerVersion, major: number, minor: number): boolean => v.major > major || (v.major === major && v.minor >= minor);

/** The longest `IDENTIFIED VIA a OR b OR ...` chain read; a longer one is not read (mysql.user's plugin stands). */
export const MAX_CHAIN = 8;

/**
 * The account's authentication methods as MariaDB 10.4+ keeps them in mysql.global_priv: `plugin` at
 * the top level, and for a chain `auth_or`, one element per method in order, the top-level method's
 * place marked by `{}` (found on 10.11: wherever it is in the chain). Selected by position, names
 * only, never an authentication string. undefined before 10.4 (mysql.user's plugin column is all
 * there is) and on MySQL.
 */
export function readAuthMethods(v: ServerVersion, user: string, host: string): Sql | undefined {
  if (v.flavor !== 'mariadb' || !atLeast(v, 10, 4)) return undefined;
  const positions = Array.from({ length: MAX_CHAIN }, (_, i) => `JSON_VALUE(Priv, '$.auth_or[${i}].plugin') AS m${i}`);
  return bound(
    `SELECT JSON_VALUE(Priv, '$.plugin') AS plugin, JSON_LENGTH(Priv, '$.auth_or') AS length, ${positions.join(', ')} FROM mysql.global_priv WHERE User = ? AND Host = ?`,
    user,
    host,
  );
}

/** The schema of a `readAuthMethods` row, built on first use (only MariaDB 10.4+ has such rows), once. */
function methodsRowSchema() {
  const text = z
    .union([z.string(), z.instanceof(Buffer)])
    .nullish()
    .transform((v) => (v == null ? '' : String(v)));
  return z.object({
    plugin: text,
    length: z
      .union([z.number(), z.string(), z.bigint()])
      .nullish()
      .transform((v) => (v == null ? 0 : Number(v))),
    ...Object.fromEntries(Array.from({ length: MAX_CHAIN }, (_, i) => [`m${i}`, text])),
  });
}
let MethodsRow: ReturnType<typeof methodsRowSchema> | undefined;
const PLUGIN_NAME = /^[A-Za-z0-9_]+$/;

/**
 * The methods of a `readAuthMethods` row, in the order the server tries them; undefined for a row it
 * cannot read (a chain longer than MAX_CHAIN, a name that is not one, not exactly one `{}`).
 */
export function authMethodsFromRow(row: unknown): string[] | undefined {
  const parsed = (MethodsRow ??= methodsRowSchema()).safeParse(row ?? {});
  if (!parsed.success || !PLUGIN_NAME.test(parsed.data.plugin)) return undefined;
  const data = parsed.data as { plugin: string; length: number } & Record<string, string>;
  if (data.length === 0) return [data.plugin];
  if (!Number.isInteger(data.length) || data.length < 2 || data.length > MAX_CHAIN) return undefined;
  const named = Array.from({ length: data.length }, (_, i) => data[`m${i}`] ?? '');
  if (named.filter((m) => m === '').length !== 1 || !named.every((m) => m === '' || PLUGIN_NAME.test(m))) return undefined;
  return named.map((m) => (m === '' ? data.plugin : m));
}

/** What `readAuthPlugin` found: the plugin to give the alternate (a HostEntry's), and methods of the current account it cannot copy. */
export interface AuthPluginReading {
  readonly plugin: string | undefined;
  readonly dropped: readonly string[];
}

/**
 * The current account's plugin on `host`, for the alternate: `rowPlugin` is what mysql.user said
 * (dialect.readAccount). On MariaDB 10.4+ the methods are read from mysql.global_priv, so an
 * `IDENTIFIED VIA ed25519 OR mysql_native_password` account is known for one: the alternate gets
 * one method only (mysql_native_password where the chain has it, which every client speaks), with
 * a `warn` line naming what it does not get. A master that cannot read mysql.global_priv is left
 * with mysql.user's plugin. Throws PreconditionError, before any write, where ed25519 cannot be
 * copied: MariaDB before 10.2 has no ALTER USER to give it a new password.
 */
export async function readAuthPlugin(
  session: Session,
  v: ServerVersion,
  target: { user: string; host: string; alternate: string },
  rowPlugin: string | undefined,
  log: Logger,
): Promise<AuthPluginReading> {
  let methods = rowPlugin === undefined ? [] : [rowPlugin];
  const query = readAuthMethods(v, target.user, target.host);
  if (query) {
    try {
      methods = authMethodsFromRow((await session.query(query))[0]) ?? methods;
    } catch (err) {
      if (!(err instanceof DatabaseError)) throw err;
    }
  }
  const reading = pluginFor(methods);
  if (reading.dropped.length > 0) {
    log.warn(`the current account authenticates VIA ${methods.join(' OR ')}; the alternate gets ${reading.plugin ?? 'the default'} only`, {
      account: target.alternate,
    });
  }
  if (v.flavor === 'mariadb' && reading.plugin === ED25519 && !atLeast(v, 10, 2)) {
    throw new PreconditionError(
      'the current account authenticates VIA ed25519, which MariaDB before 10.2 cannot give the alternate with a new password (no ALTER USER)',
    );
  }
  return reading;
}

/** One method for the alternate from the current account's chain: the only one, or mysql_native_password, or the first password method. */
export function pluginFor(methods: readonly string[]): AuthPluginReading {
  if (methods.length <= 1) return { plugin: methods[0], dropped: [] };
  const chosen = methods.includes(NATIVE) ? NATIVE : (methods.find((m) => PASSWORD_METHODS.has(m)) ?? methods[methods.length - 1]);
  return { plugin: chosen, dropped: methods.filter((m) => m !== chosen) };
}

/**
 * How CREATE USER / ALTER USER give a MariaDB account `plugin` and `password`, where the dialect's
 * own IDENTIFIED BY [PASSWORD] would make it a mysql_native_password account; undefined for every
 * other plugin and server (the dialect's clause stands). `hashes: false` where a validation plugin
 * with strict_password_validation refuses hashes (it refuses `USING '<key>'` too): the password is
 * sent, through PASSWORD(?), which only MariaDB 10.4+ takes in USING. `value` is the password or
 * its public key: the caller binds it marked `secret()`.
 */
export function mariadbIdentified(
  v: ServerVersion,
  plugin: string | undefined,
  password: string,
  hashes: boolean,
): { clause: string; value: string } | undefined {
  if (v.flavor !== 'mariadb' || plugin !== ED25519) return undefined;
  if (hashes) {
    return { clause: 'IDENTIFIED VIA ed25519 USING ?', value: ed25519AuthString(password) };
  }
  if (!atLeast(v, 10, 4)) {
    throw new PreconditionError(
      "the current account authenticates VIA ed25519, and before MariaDB 10.4 its password can only be given as a hash, which the server's password validation refuses (strict_password_validation)",
    );
  }
  return { clause: 'IDENTIFIED VIA ed25519 USING PASSWORD(?)', value: password };
}
