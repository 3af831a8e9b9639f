/**
 * The diff planner: the GRANT / REVOKE statements that give the alternate exactly the current
 * account's privileges, from both accounts' privilege models (model.ts).
 * Changes when privilege rules change. Every statement is server text (never a value we were given)
 * and must be sent without a values array; it never builds a statement carrying a password.
 */

import { PreconditionError } from '../../../errors.js';
import { quoteAccount, type Sql } from '../sql.js';
import { ALL, atomKey, isDynamic, ObjectState, stateOf, type Atom } from './model.js';
import type { Grantee, ResourceLimit } from './parser.js';
import { grantPrivileges, grantProxy, grantRoles, revokePrivileges, revokeProxy, revokeRole, setDefaultRole } from './statements.js';

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
      grants.push(grantRoles([role], account, admin));
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
      grants.push(grantPrivileges(list, c.object, account, c.grantOption));
    }
    const dynamicWith: string[] = [];
    const dynamicWithout: string[] = [];
    for (const x of c.atoms.values()) {
      if (!isDynamic(c.object, x.name)) continue;
      const optioned = c.dynamicOptions.has(x.name);
      if (!a.covers(x)) (optioned ? dynamicWith : dynamicWithout).push(x.name);
      else if (optioned && !a.dynamicOptions.has(x.name)) dynamicWith.push(x.name);
    }
    if (dynamicWith.length > 0) grants.push(grantPrivileges(dynamicWith, c.object, account, true));
    if (dynamicWithout.length > 0) grants.push(grantPrivileges(dynamicWithout, c.object, account, false));
    if (c.object === '*.*') {
      for (const x of lackingStatic) grantedGlobally.add(x.name);
      for (const n of dynamicWithout) grantedGlobally.add(n);
      for (const n of dynamicWith) grantedGlobally.add(n);
    }
  }

  for (const [proxied, option] of cur.proxies) {
    const altOption = alt.proxies.get(proxied);
    if (altOption === undefined || (option && !altOption)) {
      grants.push(grantProxy(proxied, account, option));
    }
  }

  // A limit the current account lacks is 0 (unlimited) for it; "1.500000" equals "1.5".
  const limitChanges: ResourceLimit[] = [];
  for (const name of new Set([...cur.limits.keys(), ...alt.limits.keys()])) {
    const want = cur.limits.get(name) ?? '0';
    if (Number(want) !== Number(alt.limits.get(name) ?? '0')) limitChanges.push({ name, value: want });
  }
  if (limitChanges.length > 0) grants.push(grantPrivileges(['USAGE'], '*.*', account, false, limitChanges));

  const curGlobal = cur.objects.get('*.*');
  for (const [object, atoms] of alt.partialRevokes) {
    const wanted = cur.partialRevokes.get(object);
    // Granting at schema level lifts a restriction; if the current account lacks the privilege
    // globally, revoking it globally below lifts the restriction instead.
    const lift = [...atoms.values()].filter(
      (x) => !wanted?.has(atomKey(x)) && curGlobal?.covers(x) === true && !grantedGlobally.has(x.name),
    );
    if (lift.length > 0) grants.push(grantPrivileges(privilegeListSplit(lift), object, account, false));
  }
  for (const [object, atoms] of cur.partialRevokes) {
    const have = alt.partialRevokes.get(object);
    const missing = [...atoms.values()].filter((x) => !have?.has(atomKey(x)) || grantedGlobally.has(x.name));
    if (missing.length > 0) {
      grants.push(revokePrivileges(privilegeListSplit(missing), object, account));
    }
  }

  for (const a of alt.objects.values()) {
    const c = cur.objects.get(a.object) ?? new ObjectState(a.object);
    if (a.all && !c.all) {
      // ALL cannot share a REVOKE with other privileges (MariaDB: syntax error), and it takes the
      // table's column privileges with it; the current account's are granted again right after.
      revokes.push(revokePrivileges([ALL], a.object, account));
      const staticAtoms = [...c.atoms.values()].filter((x) => !isDynamic(c.object, x.name));
      if (staticAtoms.length > 0 || (c.grantOption && !a.grantOption)) {
        revokes.push(
          grantPrivileges(staticAtoms.length > 0 ? privilegeListSplit(staticAtoms) : ['USAGE'], c.object, account, c.grantOption),
        );
      }
    } else {
      const extra = [...a.atoms.values()].filter((x) => !c.covers(x));
      if (extra.length > 0) {
        revokes.push(revokePrivileges(privilegeListSplit(extra), a.object, account));
        // A table-level REVOKE takes that privilege's column grants with it: give back the current account's.
        const revokedWhole = new Set(extra.filter((x) => x.column === null).map((x) => x.name));
        const columns = [...c.atoms.values()].filter((x) => x.column !== null && revokedWhole.has(x.name));
        if (columns.length > 0) revokes.push(grantPrivileges(privilegeListSplit(columns), c.object, account, c.grantOption));
      }
    }
    if (a.grantOption && !c.grantOption) revokes.push(revokePrivileges(['GRANT OPTION'], a.object, account));
    // A dynamic privilege's own grant option can only be dropped with the privilege.
    for (const name of a.dynamicOptions) {
      const keep = c.atoms.has(name);
      if (!keep || c.dynamicOptions.has(name)) continue;
      revokes.push(revokePrivileges([name], a.object, account));
      revokes.push(grantPrivileges([name], a.object, account, false));
    }
  }

  for (const [role, admin] of alt.roles) {
    const wanted = cur.roles.get(role);
    if (wanted === undefined) revokes.push(revokeRole(role, account));
    else if (admin && !wanted) {
      // MySQL 8 has no REVOKE ADMIN OPTION FOR; revoking and re-granting works on both servers.
      revokes.push(revokeRole(role, account));
      revokes.push(grantRoles([role], account, false));
    }
  }

  for (const [proxied, option] of alt.proxies) {
    const wanted = cur.proxies.get(proxied);
    if (wanted === undefined) revokes.push(revokeProxy(proxied, account));
    else if (option && !wanted) {
      revokes.push(revokeProxy(proxied, account));
      revokes.push(grantProxy(proxied, account, false));
    }
  }

  // Last: MariaDB refuses a default role that is not granted, and keeps a stale default after
  // the role itself is revoked.
  if (cur.defaultRole !== alt.defaultRole) {
    revokes.push(setDefaultRole(cur.defaultRole ?? 'NONE', account));
  }

  return [...grants, ...revokes];
}
