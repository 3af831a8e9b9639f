/**
 * The privilege model of grant copying: what one account holds, as its SHOW GRANTS lines say, one
 * privilege on one object at a time, with grant and admin options, roles, proxies, limits, partial
 * revokes and the default role. Pure; it never keeps a password hash or a TLS clause.
 */
import { parseGrantLine, type Grantee, type Privilege } from './parser.js';

/** One privilege on one object, column privileges one column at a time. */
export type Atom = { readonly name: string; readonly column: string | null };

export const atomKey = (a: Atom): string => (a.column === null ? a.name : `${a.name}\u0000${a.column}`);

export const ALL = 'ALL PRIVILEGES';

/**
 * MySQL 8 dynamic privileges (BACKUP_ADMIN, ...) exist only globally and carry their own grant
 * option; static privileges share one grant option per object. No static privilege of MySQL or
 * MariaDB is a single underscore-joined word.
 */
export const isDynamic = (object: string, name: string): boolean => object === '*.*' && /^[A-Z0-9]+(?:_[A-Z0-9]+)+$/.test(name);

export class ObjectState {
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

export interface AccountState {
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

export function stateOf(lines: readonly string[]): AccountState {
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
