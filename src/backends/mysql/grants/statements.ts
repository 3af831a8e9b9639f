/**
 * The GRANT / REVOKE statement templates of grant copying, in one place. Every part is server text
 * as SHOW GRANTS printed it, or an account quoted by sql.ts, so each statement is sent without a
 * values array. They never take a password, a hash or a TLS clause.
 */
import { verbatim, type Sql } from '../sql.js';
import type { ResourceLimit } from './parser.js';

/** `GRANT <privileges> ON <object> TO <account> [WITH GRANT OPTION] [limits]`. */
export function grantPrivileges(
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

/** `REVOKE <privileges> ON <object> FROM <account>`; `GRANT OPTION` and `ALL PRIVILEGES` are privileges here. */
export function revokePrivileges(privileges: readonly string[], object: string, account: string): Sql {
  return verbatim(`REVOKE ${privileges.join(', ')} ON ${object} FROM ${account}`);
}

export function grantRoles(roles: readonly string[], account: string, adminOption: boolean): Sql {
  return verbatim(`GRANT ${roles.join(', ')} TO ${account}${adminOption ? ' WITH ADMIN OPTION' : ''}`);
}

export function revokeRole(role: string, account: string): Sql {
  return verbatim(`REVOKE ${role} FROM ${account}`);
}

export function grantProxy(proxied: string, account: string, grantOption: boolean): Sql {
  return verbatim(`GRANT PROXY ON ${proxied} TO ${account}${grantOption ? ' WITH GRANT OPTION' : ''}`);
}

export function revokeProxy(proxied: string, account: string): Sql {
  return verbatim(`REVOKE PROXY ON ${proxied} FROM ${account}`);
}

/** `role` as printed, or `NONE`. */
export function setDefaultRole(role: string, account: string): Sql {
  return verbatim(`SET DEFAULT ROLE ${role} FOR ${account}`);
}
