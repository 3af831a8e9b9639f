/**
 * Shared material for the grant tests: a password hash that must never surface, the alternate
 * account, and a renderer of one parsed grant for another account. The renderer lives here, not in
 * src/: the backend plans whole accounts (planner.ts) and never renders a single line; both build
 * their statements with the same templates (statements.ts).
 */
import { quoteAccount, type Sql } from '../../src/backends/mysql/sql.js';
import type { ParsedGrant } from '../../src/backends/mysql/grants/parser.js';
import { grantPrivileges, grantProxy, grantRoles, revokePrivileges, setDefaultRole } from '../../src/backends/mysql/grants/statements.js';

export const HASH = '*9F81F1E0B8D64DD83C8D3D5EA2BF4F2A1E3D1B7C';
export const ALT = { user: 'appuser_rt', host: '%' };
/** ALT as SHOW GRANTS quotes it with single quotes. */
export const A = "'appuser_rt'@'%'";

/**
 * The same grant for `user@host`: object and privilege text copied as printed, grantee replaced,
 * authentication and TLS clauses dropped, GRANT / ADMIN OPTION and resource limits kept.
 * The result is server text: send it without a values array.
 */
export function renderGrantFor(g: ParsedGrant, user: string, host: string): Sql {
  const account = quoteAccount(user, host);
  switch (g.kind) {
    case 'privileges':
      return grantPrivileges(
        g.privileges.map((p) => p.text),
        g.object,
        account,
        g.grantOption,
        g.limits,
      );
    case 'role':
      return grantRoles(g.roles, account, g.adminOption);
    case 'proxy':
      return grantProxy(g.proxied, account, g.grantOption);
    case 'partial-revoke':
      return revokePrivileges(
        g.privileges.map((p) => p.text),
        g.object,
        account,
      );
    case 'default-role':
      return setDefaultRole(g.role, account);
  }
}
