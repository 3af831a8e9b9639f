/**
 * Single-account rotation on self-managed MySQL / MariaDB (RotationStrategy single): logged in as
 * the account itself, it changes its own password and nothing else. The one planning path of the
 * backend's `apply` and `preview` for this strategy: it reads the server's version, the session's
 * modes and the account's own grants, and chooses the statement (dialect.setOwnPassword) and
 * whether the old password is retained (MySQL 8.0.14+ dual passwords, where the account may).
 * It never reads another account, and never logs or shows a password: the dry run's text has it
 * redacted, and a statement that would still show it is refused.
 */
import { InternalError } from '../../errors.js';
import type { PlannedChange } from '../backend.js';
import type { Session } from './connection.js';
import type { MysqlDialect } from './dialect.js';
import { parseGrantLine } from './grants/parser.js';
import { nativePasswordHash } from './password-hash.js';
import { prepareSession, type PlanOptions } from './plan.js';
import { redactedText, type Sql } from './sql.js';

/** Privileges on `*.*` that let an account keep its old password as the secondary one while changing its own. */
const RETAIN_PRIVILEGES = new Set(['APPLICATION_PASSWORD_ADMIN', 'CREATE USER', 'ALL', 'ALL PRIVILEGES']);

export const RETAINED = 'RETAIN CURRENT PASSWORD: the old password keeps working, as the secondary one, until the next rotation';
export const NO_DUAL_PASSWORDS = 'this server has no dual passwords: from set until end, only the ACSPending password logs in';
export const NOT_RETAINED =
  'the account holds neither APPLICATION_PASSWORD_ADMIN nor CREATE USER on *.*, so its old password is not retained: from set until end, only the ACSPending password logs in (grant it APPLICATION_PASSWORD_ADMIN for zero downtime)';

/** What `apply` does for a single-account rotation, made before its one write; `preview` reports it instead. */
export interface OwnPasswordPlan {
  readonly dialect: MysqlDialect;
  /** RETAIN CURRENT PASSWORD: the old password stays the secondary one until the next rotation. */
  readonly retains: boolean;
  /** The one write of `set`: the account's own password. */
  readonly statement: Sql;
  readonly notes: readonly string[];
}

/** Reads and plans, as `user` logged in as itself; only the session's sql_mode may be set (plan.ts prepareSession). */
export async function planOwnPassword(options: PlanOptions, session: Session, user: string, password: string): Promise<OwnPasswordPlan> {
  const notes: string[] = [];
  const dialect = await prepareSession(options, session, notes);
  const grants = (await session.query(dialect.showOwnGrants())).map((row) => String(Object.values(row)[0]));
  let retains = false;
  if (!dialect.hasDualPasswords) {
    notes.push(NO_DUAL_PASSWORDS);
  } else if (mayRetain(grants)) {
    retains = true;
    notes.push(RETAINED);
  } else {
    // Not refused: the rotation still keeps one of ACSCurrent and ACSPending working, as on servers without dual passwords.
    options.log.warn(
      'the account may not retain its old password (no APPLICATION_PASSWORD_ADMIN): its password is changed without RETAIN CURRENT PASSWORD',
      { account: user },
    );
    notes.push(NOT_RETAINED);
  }
  const statement = dialect.setOwnPassword(password, { retain: retains, plugin: ownPlugin(grants) });
  return { dialect, retains, statement, notes };
}

/**
 * Whether the account's own grants (SHOW GRANTS) hold a privilege that allows RETAIN CURRENT
 * PASSWORD on its own account. Privileges that come only from roles do not show there: such an
 * account is taken not to have it (its password is still changed, without RETAIN).
 */
export function mayRetain(grants: readonly string[]): boolean {
  return grants.some((line) => {
    let parsed;
    try {
      parsed = parseGrantLine(line);
    } catch {
      // A line this parser does not know grants nothing this check relies on.
      return false;
    }
    return parsed.kind === 'privileges' && parsed.object === '*.*' && parsed.privileges.some((p) => RETAIN_PRIVILEGES.has(p.name));
  });
}

/**
 * The account's authentication plugin where its own SHOW GRANTS shows it (MariaDB, MySQL before
 * 5.7.6: on the `*.*` line): `mysql_native_password`, another plugin's name, `several` for
 * `IDENTIFIED VIA a OR b`, or undefined when the line does not say.
 */
export function ownPlugin(grants: readonly string[]): string | undefined {
  const line = grants.find((l) => / ON \*\.\* TO /.test(l));
  if (line === undefined) return undefined;
  if (/ IDENTIFIED BY PASSWORD '/.test(line)) return 'mysql_native_password';
  const via = / IDENTIFIED VIA ([A-Za-z0-9_]+)/.exec(line);
  if (!via) return undefined;
  return / OR [A-Za-z0-9_]+/.test(line.slice(via.index)) ? 'several' : via[1];
}

/** A mysql_native_password hash literal. */
const HASH_LITERAL = /\*[0-9A-F]{40}/i;

/** The dry run's changes: the plan's notes, then the one statement as the session would send it, its password or hash redacted. */
export function describeOwnPlan(plan: OwnPasswordPlan, password: string): PlannedChange[] {
  const text = redactedText(plan.statement);
  if ((password.length >= 8 && text.includes(password)) || text.includes(nativePasswordHash(password)) || HASH_LITERAL.test(text)) {
    throw new InternalError('a planned statement would show a password or a password hash; the plan is not shown');
  }
  return [...plan.notes.map((note) => ({ kind: 'note' as const, text: note })), { kind: 'sql', statement: text }];
}
