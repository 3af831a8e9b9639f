/**
 * What making the alternate a twin of the current account needs beyond its SHOW GRANTS lines, TLS
 * requirement, lock state and expiry (plan.ts): MySQL 8's default roles (default-roles.ts) and
 * password options (password-options.ts), host by host, after every grant and revoke; and, before
 * the first write, the master's authority to set a default role on either server. Only reads; the
 * statements it returns are what apply sends and preview shows. The authentication plugin is
 * auth-plugin.ts's, as it goes with the password statement instead.
 */
import type { Session } from './connection.js';
import type { Flavor, ServerVersion } from './dialect.js';
import { defaultRoleRefusal, planDefaultRoles, type DefaultRolesContext } from './default-roles.js';
import { defaultPasswordOptions, passwordOptionsFromRow, readPasswordOptions, syncPasswordOptions } from './password-options.js';
import type { Sql } from './sql.js';

export type CloneContext = DefaultRolesContext;

/** The statements, after the grant planner's, that give the alternate the current account's default roles and password options on `ctx.host`. */
export async function planCloneExtras(session: Session, v: ServerVersion, ctx: CloneContext): Promise<Sql[]> {
  const statements: Sql[] = [];
  const options = readPasswordOptions(v, ctx.current, ctx.host);
  if (options) {
    const wanted = passwordOptionsFromRow(v, (await session.query(options))[0]);
    const have = ctx.creates
      ? defaultPasswordOptions(v)
      : passwordOptionsFromRow(v, (await session.query(readPasswordOptions(v, ctx.alternate, ctx.host) as Sql))[0]);
    statements.push(...syncPasswordOptions(wanted, have, { user: ctx.alternate, host: ctx.host }));
  }
  // Last: every role the alternate is to start with is granted by then (MySQL refuses a default role not granted).
  statements.push(...(await planDefaultRoles(session, v, ctx)));
  return statements;
}

/** Checked with the master's own SHOW GRANTS lines before the first write; the refusal's text, or undefined. */
export function cloneExtrasRefusal(statements: readonly Sql[], masterGrants: readonly string[], flavor: Flavor): string | undefined {
  return defaultRoleRefusal(statements, masterGrants, flavor);
}
