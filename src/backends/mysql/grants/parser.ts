/**
 * SHOW GRANTS lines as structured grants: privilege, role, proxy, partial-revoke and default-role
 * lines, with object and privilege text kept exactly as the server printed it (re-escaping is how
 * `my\_db` turns into `my\\_db` one rotation at a time). Changes when server output changes.
 * It must never keep a password hash or TLS clause, and never put a line's text into an error.
 */

import { PreconditionError } from '../../../errors.js';
import { Cursor, tokenize, unquote, Unparseable, type Token } from './tokenizer.js';

/** A grantee as the server printed it, unquoted. MariaDB roles have no host. */
export interface Grantee {
  readonly user: string;
  readonly host?: string;
}

export interface Privilege {
  /** Upper-case keyword(s), single-spaced: `SELECT`, `CREATE TEMPORARY TABLES`, `BACKUP_ADMIN`. */
  readonly name: string;
  /** Column identifiers as printed (`` `a` ``), or null for a privilege on the whole object. */
  readonly columns: readonly string[] | null;
  /** The privilege exactly as printed, column list included. */
  readonly text: string;
}

export interface ResourceLimit {
  /** `MAX_QUERIES_PER_HOUR`, `MAX_USER_CONNECTIONS`, MariaDB's `MAX_STATEMENT_TIME`, ... */
  readonly name: string;
  /** The number as printed (MariaDB prints `MAX_STATEMENT_TIME 1.500000`). */
  readonly value: string;
}

export type ParsedGrant =
  | {
      readonly kind: 'privileges';
      readonly privileges: readonly Privilege[];
      /** `*.*`, `` `db`.* ``, `` `db`.`t` ``, `` PROCEDURE `db`.`p` ``: as printed. */
      readonly object: string;
      readonly grantee: Grantee;
      readonly grantOption: boolean;
      readonly limits: readonly ResourceLimit[];
    }
  | {
      readonly kind: 'role';
      /** Each role as printed: `` `r` `` (MariaDB) or `` `r`@`%` `` (MySQL 8). */
      readonly roles: readonly string[];
      readonly grantee: Grantee;
      readonly adminOption: boolean;
    }
  | {
      readonly kind: 'proxy';
      /** The proxied account as printed. */
      readonly proxied: string;
      readonly grantee: Grantee;
      readonly grantOption: boolean;
    }
  | {
      /** A MySQL 8 partial revoke (partial_revokes=ON): `REVOKE ... ON db.* FROM ...`. */
      readonly kind: 'partial-revoke';
      readonly privileges: readonly Privilege[];
      readonly object: string;
      readonly grantee: Grantee;
    }
  | {
      /** MariaDB's `SET DEFAULT ROLE r FOR ...` line. */
      readonly kind: 'default-role';
      readonly role: string;
      readonly grantee: Grantee;
    };

const KIND_LABEL = {
  grant: 'GRANT line',
  privileges: 'privilege grant line (GRANT ... ON ... TO)',
  role: 'role grant line (GRANT <role> TO)',
  proxy: 'proxy grant line (GRANT PROXY ON)',
  'partial-revoke': 'partial revoke line (REVOKE ... ON ... FROM)',
  'default-role': 'default role line (SET DEFAULT ROLE)',
  unknown: 'SHOW GRANTS line of an unknown form',
} as const;

type LineKind = keyof typeof KIND_LABEL;

function unparseable(kind: LineKind, reason: string): PreconditionError {
  return new PreconditionError(`Cannot parse a ${KIND_LABEL[kind]} (${reason}); refusing to copy privileges it does not understand`);
}

/** Parses one SHOW GRANTS line. Throws a PreconditionError naming the kind of line, never its text. */
export function parseGrantLine(line: string): ParsedGrant {
  // A first guess, so that even a line the tokenizer rejects is named by its kind.
  const head = /^\s*([A-Za-z]+)/.exec(line)?.[1]?.toUpperCase();
  let kind: LineKind = head === 'GRANT' ? 'grant' : head === 'REVOKE' ? 'partial-revoke' : head === 'SET' ? 'default-role' : 'unknown';
  try {
    const c = new Cursor(line, tokenize(line));
    if (c.atWord('GRANT')) {
      const on = c.find('ON');
      const to = c.find('TO');
      if (to < 0) throw new Unparseable('no TO clause');
      if (on < 0 || on > to) {
        kind = 'role';
        return parseRoleGrant(c, to);
      }
      kind = c.atWord('PROXY', 1) && on === 2 ? 'proxy' : 'privileges';
      return kind === 'proxy' ? parseProxyGrant(c, to) : parsePrivilegeGrant(c, on, to);
    }
    if (c.atWord('REVOKE')) {
      kind = 'partial-revoke';
      return parsePartialRevoke(c);
    }
    if (c.atWord('SET') && c.atWord('DEFAULT', 1) && c.atWord('ROLE', 2)) {
      kind = 'default-role';
      return parseDefaultRole(c);
    }
    throw new Unparseable('it is neither GRANT, REVOKE nor SET DEFAULT ROLE');
  } catch (err) {
    if (err instanceof Unparseable) throw unparseable(kind, err.message);
    throw err;
  }
}

function parsePrivilegeGrant(c: Cursor, on: number, to: number): ParsedGrant {
  c.expectWord('GRANT');
  const privileges = parsePrivileges(c, on);
  c.expectWord('ON');
  const object = parseObject(c, to);
  c.expectWord('TO');
  const grantee = parseAccount(c);
  const { grantOption, adminOption, limits } = parseTrailer(c);
  if (adminOption) throw new Unparseable('WITH ADMIN OPTION on a privilege grant');
  return { kind: 'privileges', privileges, object, grantee, grantOption, limits };
}

function parseRoleGrant(c: Cursor, to: number): ParsedGrant {
  c.expectWord('GRANT');
  const roles: string[] = [];
  while (c.i < to) {
    const from = c.i;
    parseAccount(c);
    roles.push(c.slice(from, c.i));
    if (c.i < to) {
      if (!c.atPunct(',')) throw new Unparseable('a role list that is not comma-separated accounts');
      c.next();
    }
  }
  if (roles.length === 0) throw new Unparseable('no role');
  c.expectWord('TO');
  const grantee = parseAccount(c);
  const { grantOption, adminOption, limits } = parseTrailer(c);
  if (grantOption || limits.length > 0) throw new Unparseable('a WITH option other than ADMIN OPTION');
  return { kind: 'role', roles, grantee, adminOption };
}

function parseProxyGrant(c: Cursor, to: number): ParsedGrant {
  c.expectWord('GRANT');
  c.expectWord('PROXY');
  c.expectWord('ON');
  const from = c.i;
  parseAccount(c);
  if (c.i !== to) throw new Unparseable('the proxied account is not a single account');
  const proxied = c.slice(from, c.i);
  c.expectWord('TO');
  const grantee = parseAccount(c);
  const { grantOption, adminOption, limits } = parseTrailer(c);
  if (adminOption || limits.length > 0) throw new Unparseable('a WITH option other than GRANT OPTION');
  return { kind: 'proxy', proxied, grantee, grantOption };
}

function parsePartialRevoke(c: Cursor): ParsedGrant {
  c.expectWord('REVOKE');
  const on = c.find('ON');
  const from = c.find('FROM');
  if (on < 0 || from < on) throw new Unparseable('no ON ... FROM');
  const privileges = parsePrivileges(c, on);
  c.expectWord('ON');
  const object = parseObject(c, from);
  c.expectWord('FROM');
  const grantee = parseAccount(c);
  if (!c.done()) throw new Unparseable('text after the grantee');
  return { kind: 'partial-revoke', privileges, object, grantee };
}

function parseDefaultRole(c: Cursor): ParsedGrant {
  c.expectWord('SET');
  c.expectWord('DEFAULT');
  c.expectWord('ROLE');
  const from = c.i;
  parseAccount(c);
  const role = c.slice(from, c.i);
  c.expectWord('FOR');
  const grantee = parseAccount(c);
  if (!c.done()) throw new Unparseable('text after the grantee');
  return { kind: 'default-role', role, grantee };
}

/** `priv [(col, ...)] [, priv [(col, ...)]] ...` up to token index `end`. */
function parsePrivileges(c: Cursor, end: number): Privilege[] {
  const privileges: Privilege[] = [];
  while (c.i < end) {
    const from = c.i;
    const words: string[] = [];
    while (c.i < end && c.peek()?.kind === 'word' && c.peek()?.depth === 0) words.push(c.next().text.toUpperCase());
    if (words.length === 0) throw new Unparseable('a privilege that is not a keyword');
    let columns: string[] | null = null;
    if (c.i < end && c.atPunct('(')) {
      c.next();
      columns = [];
      for (;;) {
        const col = c.next();
        if (col.kind !== 'quoted' && col.kind !== 'word') throw new Unparseable('a column list entry that is not a name');
        columns.push(col.text);
        const sep = c.next();
        if (sep.kind === 'punct' && sep.text === ')') break;
        if (!(sep.kind === 'punct' && sep.text === ',')) throw new Unparseable('a malformed column list');
      }
    }
    privileges.push({ name: words.join(' '), columns, text: c.slice(from, c.i) });
    if (c.i < end) {
      if (!c.atPunct(',')) throw new Unparseable('a privilege list that is not comma-separated');
      c.next();
      if (c.i >= end) throw new Unparseable('a trailing comma in the privilege list');
    }
  }
  if (privileges.length === 0) throw new Unparseable('no privilege');
  return privileges;
}

const OBJECT_TYPES = new Set(['TABLE', 'FUNCTION', 'PROCEDURE', 'PACKAGE']);

/** `[TABLE|FUNCTION|PROCEDURE|PACKAGE [BODY]] {*.* | db.* | db.name | *}` up to token index `end`. */
function parseObject(c: Cursor, end: number): string {
  const from = c.i;
  if (c.peek()?.kind === 'word' && OBJECT_TYPES.has((c.peek() as Token).text.toUpperCase())) {
    const type = c.next().text.toUpperCase();
    if (type === 'PACKAGE' && c.atWord('BODY')) c.next();
  }
  const isName = (t: Token | undefined): boolean => t !== undefined && (t.kind === 'quoted' || t.kind === 'word');
  const isStar = (t: Token | undefined): boolean => t !== undefined && t.kind === 'punct' && t.text === '*';
  const first = c.next();
  if (!isName(first) && !isStar(first)) throw new Unparseable('an object that is not a name or *');
  if (c.i < end) {
    if (!c.atPunct('.')) throw new Unparseable('an object that is not db.name');
    c.next();
    const second = c.next();
    if (!isName(second) && !isStar(second)) throw new Unparseable('an object that is not db.name');
    if (isStar(first) && !isStar(second)) throw new Unparseable('an object of the form *.name');
  }
  if (c.i !== end) throw new Unparseable('an object followed by unexpected text');
  return c.slice(from, end);
}

/** `name[@host]`, each part quoted in any of the three ways or a bare word. */
function parseAccount(c: Cursor): Grantee {
  const part = (): string => {
    const t = c.next();
    if (t.kind !== 'quoted' && t.kind !== 'word') throw new Unparseable('an account that is not a name');
    return unquote(t);
  };
  const user = part();
  if (!c.atPunct('@')) return { user };
  c.next();
  return { user, host: part() };
}

/**
 * What may follow the grantee: an authentication clause and a TLS clause (both skipped, never
 * kept: they carry the hash and the certificate requirements, which are set separately), then
 * `WITH` options.
 */
function parseTrailer(c: Cursor): { grantOption: boolean; adminOption: boolean; limits: ResourceLimit[] } {
  if (c.atWord('IDENTIFIED')) {
    c.next();
    // "IDENTIFIED WITH plugin AS '...'" must not be mistaken for the WITH options.
    if (c.atWord('WITH') || c.atWord('BY') || c.atWord('VIA')) c.next();
    while (!c.done() && !c.atWord('REQUIRE') && !c.atWord('WITH')) c.next();
  }
  if (c.atWord('REQUIRE')) {
    c.next();
    while (!c.done() && !c.atWord('WITH')) c.next();
  }
  let grantOption = false;
  let adminOption = false;
  const limits: ResourceLimit[] = [];
  if (c.atWord('WITH')) {
    c.next();
    if (c.done()) throw new Unparseable('an empty WITH clause');
    while (!c.done()) {
      if (c.atWord('GRANT') && c.atWord('OPTION', 1)) {
        grantOption = true;
        c.i += 2;
      } else if (c.atWord('ADMIN') && c.atWord('OPTION', 1)) {
        adminOption = true;
        c.i += 2;
      } else if (c.peek()?.kind === 'word' && /^MAX_[A-Z_]+$/i.test((c.peek() as Token).text)) {
        const name = c.next().text.toUpperCase();
        const value = c.next();
        if (value.kind !== 'number') throw new Unparseable('a resource limit without a number');
        limits.push({ name, value: value.text });
      } else {
        throw new Unparseable('an unrecognised WITH option');
      }
    }
  }
  if (!c.done()) throw new Unparseable('unexpected text after the grantee');
  return { grantOption, adminOption, limits };
}
