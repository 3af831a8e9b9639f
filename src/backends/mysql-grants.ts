/**
 * Faithful grant copying between the two alternating accounts: parses SHOW GRANTS lines and plans
 * the GRANT / REVOKE statements that give the alternate exactly the current account's privileges.
 * Object and privilege text is copied as the server printed it and never re-escaped (re-escaping
 * is how `my\_db` turns into `my\\_db` one rotation at a time). It must never copy or keep a
 * password hash or TLS clause, and never put a grant line's text into an error message: MariaDB
 * prints the hash on the `GRANT USAGE ON *.*` line.
 */

import { PreconditionError } from '../errors.js';
import { quoteAccount, verbatim, type Sql } from './sql.js';

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

// ---------------------------------------------------------------------------------------------
// Tokenizer

type Token = {
  readonly kind: 'word' | 'number' | 'quoted' | 'punct';
  /** Raw text; for quoted tokens including the quotes. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Parenthesis depth the token sits at (the parentheses themselves count as the outer depth). */
  readonly depth: number;
};

/** Thrown inside this module; the caller turns it into an error naming only the kind of line. */
class Unparseable extends Error {}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '`' || c === '"' || c === "'") {
      i = endOfQuoted(line, i);
      tokens.push({ kind: 'quoted', text: line.slice(start, i), start, end: i, depth });
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(?:\.\d+)?(?![A-Za-z0-9_$])/.exec(line.slice(i));
      if (m) {
        i += m[0].length;
        tokens.push({ kind: 'number', text: m[0], start, end: i, depth });
      } else {
        i = endOfWord(line, i);
        tokens.push({ kind: 'word', text: line.slice(start, i), start, end: i, depth });
      }
    } else if (/[A-Za-z_$]/.test(c)) {
      i = endOfWord(line, i);
      tokens.push({ kind: 'word', text: line.slice(start, i), start, end: i, depth });
    } else if (c === '(') {
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
      depth++;
    } else if (c === ')') {
      if (depth === 0) throw new Unparseable('unbalanced parentheses');
      depth--;
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
    } else if (c === ',' || c === '.' || c === '@' || c === '*') {
      tokens.push({ kind: 'punct', text: c, start, end: ++i, depth });
    } else {
      // `;`, `=`, `-`, ... never appear outside quotes in SHOW GRANTS output.
      throw new Unparseable('an unexpected character outside quotes');
    }
  }
  if (depth !== 0) throw new Unparseable('unbalanced parentheses');
  return tokens;
}

function endOfWord(line: string, i: number): number {
  while (i < line.length && /[A-Za-z0-9_$]/.test(line[i] as string)) i++;
  return i;
}

/**
 * Backticks and double quotes (identifiers under ANSI_QUOTES) escape only by doubling; single
 * quotes also take backslash escapes.
 */
function endOfQuoted(line: string, open: number): number {
  const q = line[open];
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (q === "'" && c === '\\') {
      i++;
      continue;
    }
    if (c !== q) continue;
    if (line[i + 1] === q) {
      i++;
      continue;
    }
    return i + 1;
  }
  throw new Unparseable('unterminated quoted text');
}

function unquote(token: Token): string {
  if (token.kind !== 'quoted') return token.text;
  const q = token.text[0] as string;
  const body = token.text.slice(1, -1);
  if (q !== "'") return body.replaceAll(q + q, q);
  return body.replace(/''|\\(.)/gs, (m: string, esc: string | undefined) => {
    if (m === "''") return "'";
    switch (esc) {
      // MySQL keeps the backslash of \% and \_ (they are LIKE escapes, not string escapes).
      case '%':
      case '_':
        return '\\' + esc;
      case '0':
        return '\0';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'Z':
        return '\x1a';
      default:
        return esc ?? '';
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Parser

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

class Cursor {
  i = 0;
  constructor(
    readonly line: string,
    readonly tokens: readonly Token[],
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  atWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.depth === 0 && t.text.toUpperCase() === word;
  }
  atPunct(p: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === p;
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new Unparseable('the line ends early');
    return t;
  }
  expectWord(word: string): void {
    if (!this.atWord(word)) throw new Unparseable(`${word} expected`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Index of the first depth-0 word `word` at or after the cursor, or -1. */
  find(word: string): number {
    for (let j = this.i; j < this.tokens.length; j++) {
      const t = this.tokens[j] as Token;
      if (t.kind === 'word' && t.depth === 0 && t.text.toUpperCase() === word) return j;
    }
    return -1;
  }
  /** The original text of tokens [from, to). */
  slice(from: number, to: number): string {
    const first = this.tokens[from];
    const last = this.tokens[to - 1];
    if (!first || !last || to <= from) throw new Unparseable('an empty clause');
    return this.line.slice(first.start, last.end);
  }
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

// ---------------------------------------------------------------------------------------------
// Rendering for another account

/**
 * The same grant for `user@host`: object and privilege text copied as printed, grantee replaced,
 * authentication and TLS clauses dropped, GRANT / ADMIN OPTION and resource limits kept.
 * The result is server text: send it without a values array.
 */
export function renderGrantFor(g: ParsedGrant, user: string, host: string): Sql {
  const account = quoteAccount(user, host);
  switch (g.kind) {
    case 'privileges':
      return grantSql(
        g.privileges.map((p) => p.text),
        g.object,
        account,
        g.grantOption,
        g.limits,
      );
    case 'role':
      return verbatim(`GRANT ${g.roles.join(', ')} TO ${account}${g.adminOption ? ' WITH ADMIN OPTION' : ''}`);
    case 'proxy':
      return verbatim(`GRANT PROXY ON ${g.proxied} TO ${account}${g.grantOption ? ' WITH GRANT OPTION' : ''}`);
    case 'partial-revoke':
      return verbatim(`REVOKE ${g.privileges.map((p) => p.text).join(', ')} ON ${g.object} FROM ${account}`);
    case 'default-role':
      return verbatim(`SET DEFAULT ROLE ${g.role} FOR ${account}`);
  }
}

function grantSql(
  privileges: readonly string[],
  object: string,
  account: string,
  grantOption: boolean,
  limits: readonly ResourceLimit[] = [],
): Sql {
  const options = [...(grantOption ? ['GRANT OPTION'] : []), ...limits.map((l) => `${l.name} ${l.value}`)];
  const withClause = options.length > 0 ? ` WITH ${options.join(' ')}` : '';
  return verbatim(`GRANT ${privileges.join(', ')} ON ${object} TO ${account}${withClause}`);
}

// ---------------------------------------------------------------------------------------------
// Planning

/** One privilege on one object, column privileges one column at a time. */
type Atom = { readonly name: string; readonly column: string | null };

const atomKey = (a: Atom): string => (a.column === null ? a.name : `${a.name}\u0000${a.column}`);

const ALL = 'ALL PRIVILEGES';

/**
 * MySQL 8 dynamic privileges (BACKUP_ADMIN, ...) exist only globally and carry their own grant
 * option; static privileges share one grant option per object. No static privilege of MySQL or
 * MariaDB is a single underscore-joined word.
 */
const isDynamic = (object: string, name: string): boolean => object === '*.*' && /^[A-Z0-9]+(?:_[A-Z0-9]+)+$/.test(name);

class ObjectState {
  readonly atoms = new Map<string, Atom>();
  /** The object-wide grant option (static privileges). */
  grantOption = false;
  /** Dynamic privileges held WITH GRANT OPTION. */
  readonly dynamicOptions = new Set<string>();
  constructor(readonly object: string) {}
  get all(): boolean {
    return this.atoms.has(ALL);
  }
  /** Whether holding this object's privileges already covers `a` (ALL covers every table-level privilege). */
  covers(a: Atom): boolean {
    return this.atoms.has(atomKey(a)) || (this.all && a.column === null);
  }
}

interface AccountState {
  readonly objects: Map<string, ObjectState>;
  readonly partialRevokes: Map<string, Map<string, Atom>>;
  readonly roles: Map<string, boolean>;
  readonly proxies: Map<string, boolean>;
  readonly limits: Map<string, string>;
  defaultRole: string | null;
  grantees: Grantee[];
}

function atomsOf(privileges: readonly Privilege[]): Atom[] {
  const atoms: Atom[] = [];
  for (const p of privileges) {
    const name = p.name === 'ALL' ? ALL : p.name;
    if (name === 'USAGE') continue;
    if (p.columns === null) atoms.push({ name, column: null });
    else for (const column of p.columns) atoms.push({ name, column });
  }
  return atoms;
}

function stateOf(lines: readonly string[]): AccountState {
  const state: AccountState = {
    objects: new Map(),
    partialRevokes: new Map(),
    roles: new Map(),
    proxies: new Map(),
    limits: new Map(),
    defaultRole: null,
    grantees: [],
  };
  for (const line of lines) {
    const g = parseGrantLine(line);
    state.grantees.push(g.grantee);
    switch (g.kind) {
      case 'privileges': {
        const obj = state.objects.get(g.object) ?? new ObjectState(g.object);
        state.objects.set(g.object, obj);
        for (const a of atomsOf(g.privileges)) {
          obj.atoms.set(atomKey(a), a);
          if (g.grantOption && isDynamic(g.object, a.name)) obj.dynamicOptions.add(a.name);
        }
        // A line of only dynamic privileges says nothing about the static grant option.
        if (g.grantOption && !g.privileges.every((p) => isDynamic(g.object, p.name))) obj.grantOption = true;
        for (const l of g.limits) state.limits.set(l.name, l.value);
        break;
      }
      case 'role':
        for (const r of g.roles) state.roles.set(r, (state.roles.get(r) ?? false) || g.adminOption);
        break;
      case 'proxy':
        state.proxies.set(g.proxied, (state.proxies.get(g.proxied) ?? false) || g.grantOption);
        break;
      case 'partial-revoke': {
        const atoms = state.partialRevokes.get(g.object) ?? new Map<string, Atom>();
        state.partialRevokes.set(g.object, atoms);
        for (const a of atomsOf(g.privileges)) atoms.set(atomKey(a), a);
        break;
      }
      case 'default-role':
        state.defaultRole = g.role;
        break;
    }
  }
  return state;
}

/** `SELECT, UPDATE (`a`, `b`)` from atoms, grouping columns back under their privilege. */
function privilegeList(atoms: Iterable<Atom>): string[] {
  const byName = new Map<string, string[] | null>();
  for (const a of atoms) {
    const cols = byName.get(a.name);
    if (a.column === null) {
      if (!byName.has(a.name)) byName.set(a.name, null);
      continue;
    }
    if (cols === undefined || cols === null) byName.set(a.name, [a.column]);
    else cols.push(a.column);
  }
  return [...byName].map(([name, cols]) => (cols === null ? name : `${name} (${cols.join(', ')})`));
}

/**
 * privilegeList keeps a table-level privilege and its column form apart: `SELECT` and
 * `SELECT (a)` on one table are two grants, so they must be rendered as two list entries.
 */
function privilegeListSplit(atoms: Iterable<Atom>): string[] {
  const list = [...atoms];
  return [...privilegeList(list.filter((a) => a.column === null)), ...privilegeList(list.filter((a) => a.column !== null))];
}

const sameGrantee = (a: Grantee, user: string, host: string): boolean =>
  a.user === user && a.host !== undefined && a.host.toLowerCase() === host.toLowerCase();

/**
 * Statements that make `alternate`'s privileges exactly those of the account `currentGrants`
 * belongs to: first everything it lacks, then revokes of what it holds beyond. [] when equal.
 * Every statement is server text: send it without a values array.
 */
export function planGrantSync(
  currentGrants: readonly string[],
  alternateGrants: readonly string[],
  alternate: { readonly user: string; readonly host: string },
): Sql[] {
  const cur = stateOf(currentGrants);
  const alt = stateOf(alternateGrants);
  const first = cur.grantees[0];
  if (first && cur.grantees.some((g) => g.user !== first.user || g.host !== first.host)) {
    throw new PreconditionError("The current account's SHOW GRANTS lines name more than one grantee");
  }
  if (alt.grantees.some((g) => !sameGrantee(g, alternate.user, alternate.host))) {
    throw new PreconditionError("The alternate account's SHOW GRANTS lines name a different grantee");
  }

  const account = quoteAccount(alternate.user, alternate.host);
  const grants: Sql[] = [];
  const revokes: Sql[] = [];
  /** Global privileges this plan grants: granting one globally also lifts its partial revokes. */
  const grantedGlobally = new Set<string>();

  for (const [role, admin] of cur.roles) {
    const altAdmin = alt.roles.get(role);
    if (altAdmin === undefined || (admin && !altAdmin)) {
      grants.push(verbatim(`GRANT ${role} TO ${account}${admin ? ' WITH ADMIN OPTION' : ''}`));
    }
  }

  for (const c of cur.objects.values()) {
    const a = alt.objects.get(c.object) ?? new ObjectState(c.object);
    // Where the alternate holds ALL and the current does not, the revoke phase revokes ALL and
    // re-grants this object's static privileges: a narrower grant cannot shrink ALL.
    const regrantedLater = a.all && !c.all;
    const lacking = [...c.atoms.values()].filter((x) => !a.covers(x));
    const lackingStatic = regrantedLater ? [] : lacking.filter((x) => !isDynamic(c.object, x.name));
    const needsOption = !regrantedLater && c.grantOption && !a.grantOption;
    if (lackingStatic.length > 0 || needsOption) {
      // USAGE carries the option alone without re-granting (and so un-restricting) anything.
      const list = lackingStatic.length > 0 ? privilegeListSplit(lackingStatic) : ['USAGE'];
      grants.push(grantSql(list, c.object, account, c.grantOption));
    }
    const dynamicWith: string[] = [];
    const dynamicWithout: string[] = [];
    for (const x of c.atoms.values()) {
      if (!isDynamic(c.object, x.name)) continue;
      const optioned = c.dynamicOptions.has(x.name);
      if (!a.covers(x)) (optioned ? dynamicWith : dynamicWithout).push(x.name);
      else if (optioned && !a.dynamicOptions.has(x.name)) dynamicWith.push(x.name);
    }
    if (dynamicWith.length > 0) grants.push(grantSql(dynamicWith, c.object, account, true));
    if (dynamicWithout.length > 0) grants.push(grantSql(dynamicWithout, c.object, account, false));
    if (c.object === '*.*') {
      for (const x of lackingStatic) grantedGlobally.add(x.name);
      for (const n of dynamicWithout) grantedGlobally.add(n);
      for (const n of dynamicWith) grantedGlobally.add(n);
    }
  }

  for (const [proxied, option] of cur.proxies) {
    const altOption = alt.proxies.get(proxied);
    if (altOption === undefined || (option && !altOption)) {
      grants.push(verbatim(`GRANT PROXY ON ${proxied} TO ${account}${option ? ' WITH GRANT OPTION' : ''}`));
    }
  }

  // A limit the current account lacks is 0 (unlimited) for it; "1.500000" equals "1.5".
  const limitChanges: string[] = [];
  for (const name of new Set([...cur.limits.keys(), ...alt.limits.keys()])) {
    const want = cur.limits.get(name) ?? '0';
    if (Number(want) !== Number(alt.limits.get(name) ?? '0')) limitChanges.push(`${name} ${want}`);
  }
  if (limitChanges.length > 0) grants.push(verbatim(`GRANT USAGE ON *.* TO ${account} WITH ${limitChanges.join(' ')}`));

  const curGlobal = cur.objects.get('*.*');
  for (const [object, atoms] of alt.partialRevokes) {
    const wanted = cur.partialRevokes.get(object);
    // Granting at schema level lifts a restriction; if the current account lacks the privilege
    // globally, revoking it globally below lifts the restriction instead.
    const lift = [...atoms.values()].filter(
      (x) => !wanted?.has(atomKey(x)) && curGlobal?.covers(x) === true && !grantedGlobally.has(x.name),
    );
    if (lift.length > 0) grants.push(grantSql(privilegeListSplit(lift), object, account, false));
  }
  for (const [object, atoms] of cur.partialRevokes) {
    const have = alt.partialRevokes.get(object);
    const missing = [...atoms.values()].filter((x) => !have?.has(atomKey(x)) || grantedGlobally.has(x.name));
    if (missing.length > 0) {
      grants.push(verbatim(`REVOKE ${privilegeListSplit(missing).join(', ')} ON ${object} FROM ${account}`));
    }
  }

  for (const a of alt.objects.values()) {
    const c = cur.objects.get(a.object) ?? new ObjectState(a.object);
    if (a.all && !c.all) {
      // ALL cannot share a REVOKE with other privileges (MariaDB: syntax error), and it takes the
      // table's column privileges with it; the current account's are granted again right after.
      revokes.push(verbatim(`REVOKE ${ALL} ON ${a.object} FROM ${account}`));
      const staticAtoms = [...c.atoms.values()].filter((x) => !isDynamic(c.object, x.name));
      if (staticAtoms.length > 0 || (c.grantOption && !a.grantOption)) {
        revokes.push(grantSql(staticAtoms.length > 0 ? privilegeListSplit(staticAtoms) : ['USAGE'], c.object, account, c.grantOption));
      }
    } else {
      const extra = [...a.atoms.values()].filter((x) => !c.covers(x));
      if (extra.length > 0) {
        revokes.push(verbatim(`REVOKE ${privilegeListSplit(extra).join(', ')} ON ${a.object} FROM ${account}`));
        // A table-level REVOKE takes that privilege's column grants with it: give back the current account's.
        const revokedWhole = new Set(extra.filter((x) => x.column === null).map((x) => x.name));
        const columns = [...c.atoms.values()].filter((x) => x.column !== null && revokedWhole.has(x.name));
        if (columns.length > 0) revokes.push(grantSql(privilegeListSplit(columns), c.object, account, c.grantOption));
      }
    }
    if (a.grantOption && !c.grantOption) revokes.push(verbatim(`REVOKE GRANT OPTION ON ${a.object} FROM ${account}`));
    // A dynamic privilege's own grant option can only be dropped with the privilege.
    for (const name of a.dynamicOptions) {
      const keep = c.atoms.has(name);
      if (!keep || c.dynamicOptions.has(name)) continue;
      revokes.push(verbatim(`REVOKE ${name} ON ${a.object} FROM ${account}`));
      revokes.push(grantSql([name], a.object, account, false));
    }
  }

  for (const [role, admin] of alt.roles) {
    const wanted = cur.roles.get(role);
    if (wanted === undefined) revokes.push(verbatim(`REVOKE ${role} FROM ${account}`));
    else if (admin && !wanted) {
      // MySQL 8 has no REVOKE ADMIN OPTION FOR; revoking and re-granting works on both servers.
      revokes.push(verbatim(`REVOKE ${role} FROM ${account}`));
      revokes.push(verbatim(`GRANT ${role} TO ${account}`));
    }
  }

  for (const [proxied, option] of alt.proxies) {
    const wanted = cur.proxies.get(proxied);
    if (wanted === undefined) revokes.push(verbatim(`REVOKE PROXY ON ${proxied} FROM ${account}`));
    else if (option && !wanted) {
      revokes.push(verbatim(`REVOKE PROXY ON ${proxied} FROM ${account}`));
      revokes.push(verbatim(`GRANT PROXY ON ${proxied} TO ${account}`));
    }
  }

  // Last: MariaDB refuses a default role that is not granted, and keeps a stale default after
  // the role itself is revoked.
  if (cur.defaultRole !== alt.defaultRole) {
    revokes.push(verbatim(`SET DEFAULT ROLE ${cur.defaultRole ?? 'NONE'} FOR ${account}`));
  }

  return [...grants, ...revokes];
}
