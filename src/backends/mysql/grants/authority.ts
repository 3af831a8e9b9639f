/**
 * Whether the master can make the planned changes: every privilege the alternate is to gain or lose
 * needs the master to hold it with its grant option at a scope that covers the object (REVOKE needs
 * the same as GRANT), every role ADMIN OPTION (or, on MySQL, ROLE_ADMIN or SUPER), every proxy grant
 * its GRANT OPTION. Checked before the first write, so a change the master cannot make refuses the
 * rotation instead of failing half-way. Where the master's grants cannot be fully read (MySQL roles
 * of its own), it does not refuse: a false refusal would stop rotations for good. Pure; it names a
 * privilege, an object or a role, never a grant line (MariaDB prints hashes in them).
 */
import type { Flavor } from '../dialect.js';
import { ALL, atomKey, isDynamic, ObjectState, stateOf, type AccountState, type Atom } from './model.js';

/**
 * What ALL PRIVILEGES stands for at each level, as far as both servers agree (MariaDB adds DELETE
 * HISTORY, MySQL global dynamic privileges): a master showing these one by one (MySQL 8 always lists
 * global privileges so; RDS's privileged account holds them so) can grant ALL at that level.
 */
// prettier-ignore
const DB_LEVEL = [
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES',
  'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER',
];
const ALL_AT: Record<'global' | 'db' | 'table' | 'routine', readonly string[]> = {
  global: [
    ...DB_LEVEL,
    'RELOAD',
    'SHUTDOWN',
    'PROCESS',
    'FILE',
    'SHOW DATABASES',
    'SUPER',
    'REPLICATION SLAVE',
    'REPLICATION CLIENT',
    'CREATE USER',
  ],
  db: DB_LEVEL,
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE VIEW', 'SHOW VIEW', 'TRIGGER'],
  routine: ['EXECUTE', 'ALTER ROUTINE'],
};

interface ParsedObject {
  level: keyof typeof ALL_AT;
  /** The database part as printed (quoted), for db-level coverage. */
  db: string | undefined;
}

function parseObject(object: string): ParsedObject {
  if (object === '*.*') return { level: 'global', db: undefined };
  const routine = /^(PROCEDURE|FUNCTION|PACKAGE(?: BODY)?|TABLE)\s+(.*)$/i.exec(object);
  const bare = routine?.[2] ?? object;
  const m = /^(`(?:[^`]|``)*`|"(?:[^"]|"")*"|[^.`"]+)\.(.+)$/.exec(bare);
  if (!m) return { level: 'table', db: undefined };
  const level = m[2] === '*' ? 'db' : routine && !/^TABLE/i.test(routine[1] ?? '') ? 'routine' : 'table';
  return { level, db: m[1] };
}

function unquoteName(name: string): string {
  const q = name[0];
  return q === '`' || q === '"' ? name.slice(1, -1).replaceAll(q + q, q) : name;
}

/**
 * The names a database-level grant's database (as printed) may stand for when the server checks the
 * master's authority over it: as printed, and with its `\_`/`\%` escapes taken out. Matching either
 * against the master's patterns errs towards accepting: a false refusal would stop rotations for good.
 */
function namesOf(printed: string): string[] {
  const name = unquoteName(printed);
  return [...new Set([name, name.replace(/\\([\\%_])/g, '$1')])];
}

/** Whether a master's database-level grant on `pattern` (as printed) covers the literal database `db`. */
function patternCovers(pattern: string, db: string): boolean {
  const name = unquoteName(pattern);
  let source = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c === '\\' && i + 1 < name.length) source += (name[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is').test(db);
}

/** The master's grants that cover `object`: on the object itself, on its database (exactly or by pattern), globally. */
function coveringScopes(master: AccountState, object: string): ObjectState[] {
  const { db } = parseObject(object);
  const scopes: ObjectState[] = [];
  const exact = master.objects.get(object);
  if (exact) scopes.push(exact);
  if (db !== undefined) {
    const names = namesOf(db);
    for (const candidate of master.objects.values()) {
      const parsed = parseObject(candidate.object);
      if (parsed.level !== 'db' || parsed.db === undefined || candidate === exact) continue;
      const pattern = parsed.db;
      if (pattern === db || names.some((name) => patternCovers(pattern, name))) scopes.push(candidate);
    }
  }
  const global = master.objects.get('*.*');
  if (global && global !== exact) scopes.push(global);
  return scopes;
}

/** The master holds `atom` at `scope` (exactly, as the whole-table privilege over a column, through ALL, or ALL one by one) and may pass it on. */
function grantableAt(scope: ObjectState, atom: Atom, object: string): boolean {
  const dynamic = isDynamic(object, atom.name);
  const holds = (name: string): boolean => scope.atoms.has(name) || (scope.all && !isDynamic(object, name));
  const held =
    scope.atoms.has(atomKey(atom)) ||
    holds(atom.name) ||
    (atom.name === ALL && ALL_AT[parseObject(object).level].every((name) => holds(name)));
  return held && (dynamic ? scope.dynamicOptions.has(atom.name) : scope.grantOption);
}

/** A MySQL 8 partial revoke on the object or its database takes the privilege away from a global grant. */
function revokedFor(master: AccountState, object: string, atom: Atom): boolean {
  const { db } = parseObject(object);
  return [object, ...(db === undefined ? [] : [`${db}.*`])].some((scope) => master.partialRevokes.get(scope)?.has(atom.name) === true);
}

/**
 * The first change that turning `alternateGrants` into `currentGrants` needs and the master, whose own
 * SHOW GRANTS lines are `masterGrants`, cannot make: e.g. "SELECT on `shop`.*" or "role `reporting`".
 * undefined when it can make them all (or when its authority cannot be read in full).
 */
export function firstUngrantable(
  currentGrants: readonly string[],
  alternateGrants: readonly string[],
  masterGrants: readonly string[],
  flavor: Flavor,
): string | undefined {
  const current = stateOf(currentGrants);
  const alternate = stateOf(alternateGrants);
  const master = stateOf(masterGrants);
  // MySQL's SHOW GRANTS without USING does not show what the master's own roles give it.
  if (flavor === 'mysql' && master.roles.size > 0) return undefined;

  const can = (atom: Atom, object: string): boolean => {
    const scopes = coveringScopes(master, object);
    return scopes.some((scope) => grantableAt(scope, atom, object)) && !revokedFor(master, object, atom);
  };
  const optionAt = (object: string): boolean => coveringScopes(master, object).some((scope) => scope.grantOption);
  const named = (atom: Atom, object: string): string => `${atom.name} on ${object}`;

  // What the alternate gains (granted) and loses (revoked): both need the same authority.
  for (const [from, to] of [
    [current, alternate],
    [alternate, current],
  ] as const) {
    for (const held of from.objects.values()) {
      const other = to.objects.get(held.object) ?? new ObjectState(held.object);
      for (const atom of held.atoms.values()) {
        if (!other.covers(atom) && !can(atom, held.object)) return named(atom, held.object);
      }
      if (held.grantOption && !other.grantOption && !optionAt(held.object)) return `GRANT OPTION on ${held.object}`;
      // A narrower grant cannot shrink ALL: the planner revokes the alternate's ALL and grants the rest again.
      if (from === alternate && held.all && !other.all) {
        for (const atom of other.atoms.values()) if (!can(atom, held.object)) return named(atom, held.object);
      }
    }
  }

  const global = master.objects.get('*.*');
  const roleAdmin = flavor === 'mysql' && (global?.atoms.has('ROLE_ADMIN') === true || global?.atoms.has('SUPER') === true);
  const changedRoles = [
    ...[...current.roles].filter(([role, admin]) => alternate.roles.get(role) === undefined || (admin && !alternate.roles.get(role))),
    ...[...alternate.roles].filter(([role, admin]) => current.roles.get(role) === undefined || (admin && !current.roles.get(role))),
  ].map(([role]) => role);
  for (const role of changedRoles) if (master.roles.get(role) !== true && !roleAdmin) return `role ${role}`;

  const anyone = [...master.proxies].some(([account, option]) => option && /^(['"`])\1@/.test(account));
  const changedProxies = [
    ...[...current.proxies.keys()].filter((p) => !alternate.proxies.has(p)),
    ...[...alternate.proxies.keys()].filter((p) => !current.proxies.has(p)),
  ];
  for (const proxied of changedProxies) if (master.proxies.get(proxied) !== true && !anyone) return `PROXY on ${proxied}`;
  return undefined;
}
