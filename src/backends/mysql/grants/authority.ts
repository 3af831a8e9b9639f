/**
 * Whether the master can hand on what the current account holds: every privilege with its grant
 * option at a scope that covers the object, every role with ADMIN OPTION (or, on MySQL, ROLE_ADMIN
 * or SUPER), every proxy grant. Checked before the first write, so a privilege the master cannot
 * grant refuses the rotation instead of failing half-way with the alternate already created. Pure;
 * it names a privilege, an object or a role, never a grant line (MariaDB prints hashes in them).
 */
import type { Flavor } from '../dialect.js';
import { ALL, atomKey, isDynamic, stateOf, type AccountState, type Atom, type ObjectState } from './model.js';

/** `*.*`, `` `db`.* ``, `` `db`.`t` ``, `` PROCEDURE `db`.`p` ``: the scopes whose grants cover `object`, narrowest first. */
function coveringScopes(object: string): string[] {
  if (object === '*.*') return ['*.*'];
  const routine = /^(?:PROCEDURE|FUNCTION|PACKAGE(?: BODY)?|TABLE)\s+(.*)$/i.exec(object);
  const bare = routine?.[1] ?? object;
  const db = /^(`(?:[^`]|``)*`|"(?:[^"]|"")*"|[^.`"]+)\.(.+)$/.exec(bare)?.[1];
  if (db === undefined) return [object, '*.*'];
  return [...new Set([object, bare, `${db}.*`, '*.*'])];
}

/** The master holds `atom` at `scope` (exactly, as the whole-table privilege over a column, or through ALL) and may pass it on. */
function grantableAt(scope: ObjectState | undefined, atom: Atom, object: string): boolean {
  if (!scope) return false;
  const dynamic = isDynamic(object, atom.name);
  const held = scope.atoms.has(atomKey(atom)) || scope.atoms.has(atom.name) || (scope.all && !dynamic);
  return held && (dynamic ? scope.dynamicOptions.has(atom.name) : scope.grantOption);
}

function revokedFor(master: AccountState, scope: string, atom: Atom): boolean {
  return master.partialRevokes.get(scope)?.has(atom.name) === true;
}

/**
 * The first thing in `currentGrants` (the current account's SHOW GRANTS lines) that the master,
 * whose own SHOW GRANTS lines are `masterGrants`, cannot grant: e.g. "SELECT on `shop`.*" or
 * "role `reporting`". undefined when it can grant everything.
 */
export function firstUngrantable(currentGrants: readonly string[], masterGrants: readonly string[], flavor: Flavor): string | undefined {
  const current = stateOf(currentGrants);
  const master = stateOf(masterGrants);
  for (const held of current.objects.values()) {
    const scopes = coveringScopes(held.object);
    // A partial revoke anywhere over the object (MySQL 8) takes the privilege away from a global grant too.
    const can = (atom: Atom): boolean =>
      scopes.some((scope) => grantableAt(master.objects.get(scope), atom, held.object)) &&
      !scopes.some((scope) => revokedFor(master, scope, atom));
    for (const atom of held.atoms.values()) {
      if (!can(atom)) return `${atom.name === ALL ? 'ALL PRIVILEGES' : atom.name} on ${held.object}`;
    }
    if (held.grantOption && !scopes.some((scope) => master.objects.get(scope)?.grantOption === true)) {
      return `GRANT OPTION on ${held.object}`;
    }
  }
  const global = master.objects.get('*.*');
  const roleAdmin = flavor === 'mysql' && (global?.atoms.has('ROLE_ADMIN') === true || global?.atoms.has('SUPER') === true);
  for (const role of current.roles.keys()) {
    if (master.roles.get(role) !== true && !roleAdmin) return `role ${role}`;
  }
  for (const proxied of current.proxies.keys()) {
    const anyone = [...master.proxies].some(([account, option]) => option && /^(['"`])\1@/.test(account));
    if (master.proxies.get(proxied) !== true && !anyone) return `PROXY on ${proxied}`;
  }
  return undefined;
}
