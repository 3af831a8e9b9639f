/**
 * The RDS API backend's changes as data, shared by `apply` (which executes them) and `preview`
 * (which lists them): which account to create, which databases to revoke and grant, the password
 * reset last; and each change as the dry run shows it, by the API's own parameter names. Pure; a
 * change never holds a password (the throwaway and the new one are supplied when it is executed).
 */
import { REDACTED, type PlannedChange } from '../backend.js';
import { grantParams, revokeParams, type RdsAccount, type RdsPrivilege } from './client.js';

/** One mutating call `apply` makes. */
export type RdsChange =
  | { readonly action: 'CreateAccount'; readonly accountName: string; readonly accountType: string; readonly description: string }
  | { readonly action: 'RevokeAccountPrivilege'; readonly accountName: string; readonly dbNames: readonly string[] }
  | { readonly action: 'GrantAccountPrivilege'; readonly accountName: string; readonly privileges: readonly RdsPrivilege[] }
  | { readonly action: 'ResetAccountPassword'; readonly accountName: string };

/**
 * Every change, in order, that makes the alternate (`alternate` as RDS describes it, undefined when it
 * does not exist) a twin of `source`: create it if missing, sync its privileges (a new account holds
 * none), reset its password last. `apply` and `preview` both follow this list.
 */
export function plannedChanges(source: RdsAccount, alternateName: string, alternate: RdsAccount | undefined): RdsChange[] {
  return [
    ...(alternate ? [] : [createChange(source, alternateName)]),
    ...syncChanges(source, alternate ?? { name: alternateName, privileges: [] }),
    resetChange(alternateName),
  ];
}

/** The alternate, created with the current account's type (and a throwaway password until its privileges are in place). */
export function createChange(source: RdsAccount, alternate: string): RdsChange {
  return { action: 'CreateAccount', accountName: alternate, accountType: source.type, description: `rotation alternate of ${source.name}` };
}

/**
 * What makes `target`'s per-database privileges exactly `source`'s: a database whose privilege
 * differs is revoked first (GrantAccountPrivilege adds, it does not replace), then every missing
 * one granted in one call. [] when they already match.
 */
export function syncChanges(source: RdsAccount, target: Pick<RdsAccount, 'name' | 'privileges'>): RdsChange[] {
  const want = new Map(source.privileges.map((p) => [p.dbName, p.privilege]));
  const have = new Map(target.privileges.map((p) => [p.dbName, p.privilege]));
  const revoke = [...have].filter(([db, privilege]) => want.get(db) !== privilege).map(([db]) => db);
  const grant: RdsPrivilege[] = [...want]
    .filter(([db, privilege]) => have.get(db) !== privilege)
    .map(([dbName, privilege]) => ({ dbName, privilege }));
  return [
    ...(revoke.length > 0 ? [{ action: 'RevokeAccountPrivilege' as const, accountName: target.name, dbNames: revoke }] : []),
    ...(grant.length > 0 ? [{ action: 'GrantAccountPrivilege' as const, accountName: target.name, privileges: grant }] : []),
  ];
}

/** Last: a working pending login must mean the privileges are in place. */
export function resetChange(alternate: string): RdsChange {
  return { action: 'ResetAccountPassword', accountName: alternate };
}

/** `change` as the dry run shows it: the request parameters the client sends, by their API names, the password redacted. */
export function describeChange(instanceId: string, change: RdsChange): PlannedChange {
  const base = { DBInstanceId: instanceId, AccountName: change.accountName };
  switch (change.action) {
    case 'CreateAccount':
      return {
        kind: 'rds',
        action: change.action,
        params: { ...base, AccountPassword: REDACTED, AccountType: change.accountType, AccountDescription: change.description },
      };
    case 'RevokeAccountPrivilege':
      return { kind: 'rds', action: change.action, params: { ...base, ...revokeParams(change.dbNames) } };
    case 'GrantAccountPrivilege':
      return { kind: 'rds', action: change.action, params: { ...base, ...grantParams(change.privileges) } };
    case 'ResetAccountPassword':
      return { kind: 'rds', action: change.action, params: { ...base, AccountPassword: REDACTED } };
  }
}
