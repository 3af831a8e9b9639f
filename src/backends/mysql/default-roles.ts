/**
 * Default roles, the roles a session starts with: without them an alternate holding the current
 * account's role grants logs in with none of the roles active, and the application fails after
 * `end`. MySQL 8 keeps them in mysql.default_roles, which SHOW GRANTS does not show: read there and
 * copied with `SET DEFAULT ROLE ... TO` (NONE for none), after the role grants. MariaDB (10.1+) has
 * one default role, which SHOW GRANTS shows as `SET DEFAULT ROLE r FOR u@h` and the grant planner
 * copies. For both, the master's authority to set another account's default role, checked before
 * the first write: MySQL, CREATE USER or UPDATE on mysql.default_roles; MariaDB (found on 10.11),
 * UPDATE on the mysql database (CREATE USER, or UPDATE on one of its tables, is not enough). Pure
 * but for `planDefaultRoles`, which only reads. Names are bound values, quoted by sql.ts.
 */
import { z } from 'zod';
import { DatabaseError, PreconditionError } from '../../errors.js';
import type { Session } from './connection.js';
import type { Flavor, ServerVersion } from './dialect.js';
import { ALL, stateOf, type ObjectState } from './grants/model.js';
import { bound, type Sql } from './sql.js';

/** A role as MySQL names it: `'r'@'%'`. */
export interface RoleName {
  readonly user: string;
  readonly host: string;
}

/** MySQL 8.0+: roles, and mysql.default_roles. MariaDB's default role is a SHOW GRANTS line instead. */
export function hasDefaultRolesTable(v: ServerVersion): boolean {
  return v.flavor === 'mysql' && v.major >= 8;
}

/** Rows with `role_user`, `role_host`: the default roles of user@host; undefined where the server keeps them elsewhere. */
export function readDefaultRoles(v: ServerVersion, user: string, host: string): Sql | undefined {
  if (!hasDefaultRolesTable(v)) return undefined;
  return bound(
    'SELECT DEFAULT_ROLE_USER AS role_user, DEFAULT_ROLE_HOST AS role_host FROM mysql.default_roles WHERE USER = ? AND HOST = ?',
    user,
    host,
  );
}

const name = z.union([z.string(), z.instanceof(Buffer)]).transform((v) => (typeof v === 'string' ? v : v.toString('utf8')));
const RoleRow = z.object({ role_user: name, role_host: name });

/** The roles of `readDefaultRoles` rows, sorted and without repeats, so two accounts' lists compare as they are. */
export function defaultRolesFromRows(rows: readonly unknown[]): RoleName[] {
  const roles = new Map<string, RoleName>();
  for (const row of rows) {
    const parsed = RoleRow.safeParse(row);
    if (!parsed.success) throw new PreconditionError('mysql.default_roles returned a row this backend does not recognise');
    const { role_user: user, role_host: host } = parsed.data;
    roles.set(JSON.stringify([user, host]), { user, host });
  }
  return [...roles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, role]) => role);
}

/** `SET DEFAULT ROLE NONE | 'r1'@'h1', ... TO 'u'@'h'` (MySQL 8): replaces the account's whole list. */
export function setDefaultRoles(roles: readonly RoleName[], user: string, host: string): Sql {
  if (roles.length === 0) return bound('SET DEFAULT ROLE NONE TO ?@?', user, host);
  return bound(`SET DEFAULT ROLE ${roles.map(() => '?@?').join(', ')} TO ?@?`, ...roles.flatMap((r) => [r.user, r.host]), user, host);
}

const sameRoles = (a: readonly RoleName[], b: readonly RoleName[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/** [] when the alternate's default roles are already `wanted` (both sorted, as `defaultRolesFromRows` makes them). */
export function syncDefaultRoles(wanted: readonly RoleName[], have: readonly RoleName[], alternate: RoleName): Sql[] {
  return sameRoles(wanted, have) ? [] : [setDefaultRoles(wanted, alternate.user, alternate.host)];
}

export interface DefaultRolesContext {
  readonly current: string;
  readonly alternate: string;
  readonly host: string;
  /** The alternate is created by this plan: it has no default roles yet. */
  readonly creates: boolean;
  /** Both accounts' SHOW GRANTS lines on this host. */
  readonly grants: { readonly current: readonly string[]; readonly alternate: readonly string[] };
}

/**
 * What makes the alternate's default roles the current account's on one host (MySQL 8; [] elsewhere).
 * Read even without a role line in SHOW GRANTS, which does not show mandatory_roles either. A master
 * that cannot read mysql.default_roles is refused before any write where the current account holds
 * a role (the alternate would pass `test` and then start without its roles), and goes on without
 * them where it holds none.
 */
export async function planDefaultRoles(session: Session, v: ServerVersion, ctx: DefaultRolesContext): Promise<Sql[]> {
  if (!hasDefaultRolesTable(v)) return [];
  const rolesOf = async (user: string): Promise<RoleName[]> =>
    defaultRolesFromRows(await session.query(readDefaultRoles(v, user, ctx.host) as Sql));
  try {
    const wanted = await rolesOf(ctx.current);
    const have = ctx.creates ? [] : await rolesOf(ctx.alternate);
    return syncDefaultRoles(wanted, have, { user: ctx.alternate, host: ctx.host });
  } catch (err) {
    if (!(err instanceof DatabaseError)) throw err;
    if (stateOf(ctx.grants.current).roles.size === 0) return [];
    throw new PreconditionError(
      "the master cannot read mysql.default_roles, which copying the current account's default roles needs; grant it SELECT on mysql.default_roles",
    );
  }
}

/** Whether `statement` sets a default role (ours for MySQL, the grant planner's for MariaDB). */
export function setsDefaultRole(statement: Sql): boolean {
  return /^\s*SET\s+DEFAULT\s+ROLE\s/i.test(statement.sql);
}

/** A MySQL/MariaDB LIKE pattern as SHOW GRANTS prints a database (quoted, `\_` for a literal `_`) matches `db`. */
function databaseCovers(printed: string, db: string): boolean {
  const q = printed[0];
  const pattern = q === '`' || q === '"' ? printed.slice(1, -1).replaceAll(q + q, q) : printed;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is').test(db);
}

const holds = (scope: ObjectState | undefined, privilege: string): boolean =>
  scope !== undefined && (scope.atoms.has(privilege) || scope.atoms.has(ALL));

/**
 * What the master lacks to set another account's default role, or undefined when it may (or when its
 * authority cannot be read in full: MySQL does not show what the master's own roles give it, and a
 * false refusal would stop rotations for good). `masterGrants`: its own SHOW GRANTS lines.
 */
export function defaultRoleAuthority(flavor: Flavor, masterGrants: readonly string[]): string | undefined {
  const master = stateOf(masterGrants);
  if (flavor === 'mysql' && master.roles.size > 0) return undefined;
  const global = master.objects.get('*.*');
  const revokedOnMysql = (privilege: string): boolean =>
    [...master.partialRevokes].some(([object, atoms]) => /^`mysql`\.(\*|`default_roles`)$/.test(object) && atoms.has(privilege));
  if (flavor === 'mysql' && holds(global, 'CREATE USER')) return undefined;
  if (holds(global, 'UPDATE') && !revokedOnMysql('UPDATE')) return undefined;
  for (const scope of master.objects.values()) {
    if (!holds(scope, 'UPDATE')) continue;
    const m = /^(`(?:[^`]|``)*`|[^.`]+)\.(\*|`default_roles`)$/.exec(scope.object);
    if (!m || !databaseCovers(m[1] as string, 'mysql')) continue;
    // Only MySQL keeps default roles in a table of their own that a grant can name.
    if (m[2] === '*' || flavor === 'mysql') return undefined;
  }
  return flavor === 'mysql' ? 'CREATE USER on *.* (or UPDATE on mysql.default_roles)' : 'UPDATE on `mysql`.*';
}

/**
 * Before the first write: the refusal's text when `statements` set a default role and the master may
 * not, else undefined.
 */
export function defaultRoleRefusal(statements: readonly Sql[], masterGrants: readonly string[], flavor: Flavor): string | undefined {
  if (!statements.some(setsDefaultRole)) return undefined;
  const missing = defaultRoleAuthority(flavor, masterGrants);
  return missing === undefined
    ? undefined
    : `the master account cannot set the alternate's default role, which making it match the current account needs; grant the master ${missing}`;
}
