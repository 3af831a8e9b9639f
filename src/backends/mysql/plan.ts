/**
 * The self-managed MySQL backend's one planning path, shared by `apply` and `preview`: logged in as
 * the master, it reads every host entry of the current and the alternate account, runs every check
 * that must pass before the first write, and returns the statements that make the alternate a twin
 * of the current account, in the order `apply` sends them. It only reads (and, where the session's
 * sql_mode would change what our escaping means, sets that session variable). `describePlan` turns a
 * plan into the dry run's changes, its passwords and hashes redacted.
 */
import { DatabaseError, InternalError, InvalidSecretError, PreconditionError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { throwawayPassword, type PasswordRules } from '../../password.js';
import type { Account, PlannedChange } from '../backend.js';
import type { Session } from './connection.js';
import {
  accountStateFromRow,
  atLeast,
  authPluginFromRow,
  dialectFor,
  parseServerVersion,
  tlsRequirementFromRow,
  type AccountState,
  type HostEntry,
  type MysqlDialect,
  type ServerVersion,
} from './dialect.js';
import { readAuthPlugin } from './auth-plugin.js';
import { cloneExtrasRefusal, planCloneExtras } from './clone-extras.js';
import { firstUngrantable } from './grants/authority.js';
import { planGrantSync } from './grants/planner.js';
import { nativePasswordHash } from './password-hash.js';
import { bound, redactedText, verbatim, type Sql } from './sql.js';

export const MYSQL_PASSWORD_RULES: PasswordRules = { minLength: 8, maxLength: 128 };

export interface PlanOptions {
  /** "secret app-db", for messages */
  label: string;
  log: Logger;
  /** Tests only: send hashes whatever the server's validation plugins say. */
  forceHashes?: boolean | undefined;
  /** The rules a created account's throwaway password must meet: the server's policy, when it has one. */
  throwawayRules?: PasswordRules | undefined;
}

/** What `apply` does, made before its first write; `preview` reports it instead. */
export interface MysqlPlan {
  readonly dialect: MysqlDialect;
  /** Every host entry of the current account: the read-back after the writes goes over each. */
  readonly hosts: readonly string[];
  /** Creates, grants and revokes, REQUIRE and account state, host by host: everything before the read-back. */
  readonly statements: readonly Sql[];
  /** The password of every host entry, set last, once the grants read back equal. */
  readonly password: readonly Sql[];
  /** Whether the alternate is created on at least one host. */
  readonly created: boolean;
  /** What the plan found that a reader should know (a setting the session changes, a state it cannot copy). */
  readonly notes: readonly string[];
}

/** What makes alternate@host a twin of current@host, except its password (set with `entry`'s plugin). */
export interface HostPlan {
  creates: boolean;
  statements: Sql[];
  entry: HostEntry;
  grants: { current: string[]; alternate: string[] };
  /** false when the master cannot read the lock state and password expiry, which are then not copied. */
  stateCopied: boolean;
}

/**
 * Reads, checks and plans; `onPlanned` sees what the plan was made from (every host's grants and
 * whether it is created), before the master's authority is checked and before the first write.
 */
export async function planChanges(
  options: PlanOptions,
  session: Session,
  currentUser: string,
  pending: Account,
  onPlanned: (state: string) => void = () => {},
): Promise<MysqlPlan> {
  const label = options.label;
  const notes: string[] = [];
  const dialect = await prepareSession(options, session, notes);
  if (pending.user.length > dialect.maxUserNameLength) {
    throw new InvalidSecretError(`${label}: AccountName: this server allows user names of at most ${dialect.maxUserNameLength} characters`);
  }
  const hostsOf = async (user: string): Promise<string[]> =>
    (await session.query<{ Host: unknown }>(dialect.userHosts(user))).map((row) => String(row.Host));
  const hosts = await hostsOf(currentUser);
  if (hosts.length === 0) {
    throw new PreconditionError(`${label}: AccountName: the current account has no entry in mysql.user visible to the master`);
  }
  // The server picks the most specific host entry at login: an entry only the alternate has
  // would keep its old password and grants, so clients from there would break after `end`.
  const strays = (await hostsOf(pending.user)).filter((h) => !hosts.some((c) => c.toLowerCase() === h.toLowerCase()));
  if (strays.length > 0) {
    throw new PreconditionError(
      `${label}: the alternate account has ${strays.length} host entr${strays.length === 1 ? 'y' : 'ies'} the current account lacks; drop them or give the current account the same hosts`,
    );
  }
  // Read and plan every host entry before writing anything: a line we cannot copy refuses the
  // whole change instead of leaving an alternate half made.
  const statements: Sql[] = [];
  const entries: HostEntry[] = [];
  let created = false;
  const copied: { current: string[]; alternate: string[]; creates: boolean }[] = [];
  for (const host of hosts) {
    const plan = await planHost(options, session, dialect, currentUser, pending.user, host);
    if (plan.creates) created = true;
    if (!plan.stateCopied && !notes.includes(STATE_NOT_COPIED)) notes.push(STATE_NOT_COPIED);
    statements.push(...plan.statements);
    entries.push(plan.entry);
    copied.push({ ...plan.grants, creates: plan.creates });
  }
  onPlanned(JSON.stringify(copied));
  // Before the first write: a privilege or role the master cannot pass on would fail half-way.
  const masterGrants = (await session.query(dialect.showOwnGrants())).map((row) => String(Object.values(row)[0]));
  for (const grants of copied) {
    const missing = firstUngrantable(grants.current, grants.alternate, masterGrants, dialect.version.flavor);
    if (missing !== undefined) {
      throw new PreconditionError(
        `${label}: the master account cannot grant or revoke ${missing}, which making the alternate match the current account needs; grant it to the master WITH GRANT OPTION (roles: WITH ADMIN OPTION)`,
      );
    }
  }
  // Default roles too (MySQL: CREATE USER or UPDATE on mysql.default_roles; MariaDB: UPDATE on mysql.*).
  const refusal = cloneExtrasRefusal(statements, masterGrants, dialect.version.flavor);
  if (refusal) throw new PreconditionError(`${label}: ${refusal}`);
  // Last, and for every host at once: a pending login that works means the rest is in place.
  const password = dialect.setPassword(pending.user, entries, pending.password);
  return { dialect, hosts, statements, password, created, notes };
}

const STATE_NOT_COPIED = 'the master cannot read the lock state and password expiry, so they are not copied';

/** The server's dialect, with a session mode under which our escaping means what it says (own-password.ts uses it too). */
export async function prepareSession(options: PlanOptions, session: Session, notes: string[]): Promise<MysqlDialect> {
  const [server] = await session.query<{ v: unknown; mode: unknown }>(verbatim('SELECT VERSION() AS v, @@SESSION.sql_mode AS mode'));
  const version = parseServerVersion(String(server?.v ?? ''));
  const hashPasswords = options.forceHashes === true || !(await refusesHashes(options, session, version));
  if (!hashPasswords) {
    notes.push('a password validation plugin refuses hashes: the password itself is sent, as a bound value');
  }
  const dialect = dialectFor(version, { hashPasswords });
  const modes = String(server?.mode ?? '').split(',');
  if (modes.includes('NO_BACKSLASH_ESCAPES')) {
    // Bound values and copied grantees are escaped with backslashes, which this mode would turn into literals.
    const unescaped = bound('SET SESSION sql_mode = ?', modes.filter((m) => m !== 'NO_BACKSLASH_ESCAPES').join(','));
    await session.query(unescaped);
    notes.push(`the session's sql_mode has NO_BACKSLASH_ESCAPES, which this session turns off first: ${redactedText(unescaped)}`);
  }
  return dialect;
}

/**
 * MariaDB with a password validation plugin (simple_password_check, cracklib_password_check,
 * password_reuse_check) and strict_password_validation on (its default) refuses a password given as
 * a hash, since it cannot check it: there the password itself has to be sent (README: TLS policy).
 */
async function refusesHashes(options: PlanOptions, session: Session, version: ServerVersion): Promise<boolean> {
  if (version.flavor !== 'mariadb' || !atLeast(version, 10, 1, 2)) return false;
  const [row] = await session.query<{ strict: unknown; validators: unknown }>(
    verbatim(
      "SELECT @@GLOBAL.strict_password_validation AS strict, (SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_TYPE = 'PASSWORD VALIDATION' AND PLUGIN_STATUS = 'ACTIVE') AS validators",
    ),
  );
  const refuses = Number(row?.strict) === 1 && Number(row?.validators) > 0;
  if (refuses) options.log.warn('a password validation plugin refuses hashes: the new password is sent to the server itself', {});
  return refuses;
}

/** What makes alternate@host a twin of current@host, except its password. Reads only. */
export async function planHost(
  options: PlanOptions,
  session: Session,
  dialect: MysqlDialect,
  currentUser: string,
  alternate: string,
  host: string,
): Promise<HostPlan> {
  const grantsOf = async (user: string): Promise<string[]> =>
    (await session.query(dialect.showGrants(user, host))).map((row) => String(Object.values(row)[0]));
  const [currentRow] = await session.query(dialect.readAccount(currentUser, host));
  const [alternateRow] = await session.query(dialect.readAccount(alternate, host));
  const creates = alternateRow === undefined;
  const wanted = tlsRequirementFromRow(currentRow ?? {});
  // MariaDB's ed25519 and IDENTIFIED VIA chains are read from mysql.global_priv (auth-plugin.ts).
  const { plugin } = await readAuthPlugin(
    session,
    dialect.version,
    { user: currentUser, host, alternate },
    authPluginFromRow(currentRow),
    options.log,
  );
  const statements: Sql[] = [];
  // Until its real password is set last, nobody may log in as the new account.
  if (creates)
    statements.push(dialect.createUser(alternate, host, throwawayPassword(options.throwawayRules ?? MYSQL_PASSWORD_RULES), plugin));
  const grants = { current: await grantsOf(currentUser), alternate: creates ? [] : await grantsOf(alternate) };
  statements.push(...planGrantSync(grants.current, grants.alternate, { user: alternate, host }));
  if (creates || JSON.stringify(wanted) !== JSON.stringify(tlsRequirementFromRow(alternateRow))) {
    statements.push(dialect.setRequire(alternate, host, wanted));
  }
  // Lock state and password expiry too: an alternate left locked (or expiring on another schedule)
  // would get a working password and still refuse the application after `end`.
  let stateCopied = true;
  const stateOf = async (user: string): Promise<AccountState | undefined> => {
    const query = dialect.readAccountState(user, host);
    if (!query) return undefined;
    try {
      return accountStateFromRow((await session.query(query))[0]);
    } catch (err) {
      // A master that may read mysql.user but not mysql.global_priv (MariaDB 10.4+ keeps the state
      // there): copying the state is a help, not a safety check, so the rotation goes on without it.
      if (!(err instanceof DatabaseError)) throw err;
      options.log.warn('the master cannot read the lock state and password expiry; they are not copied', { account: alternate });
      stateCopied = false;
      return undefined;
    }
  };
  const wantedState = await stateOf(currentUser);
  if (wantedState) {
    // CREATE USER makes an unlocked account on the server's default expiry.
    const haveState = creates ? { locked: false, lifetime: 'default' } : await stateOf(alternate);
    if (JSON.stringify(wantedState) !== JSON.stringify(haveState))
      statements.push(...dialect.setAccountState(alternate, host, wantedState));
  }
  // What SHOW GRANTS does not show (MySQL 8 password options and default roles), after every grant and revoke.
  statements.push(...(await planCloneExtras(session, dialect.version, { current: currentUser, alternate, host, creates, grants })));
  return { creates, statements, entry: { host, plugin }, grants, stateCopied };
}

/** A mysql_native_password hash literal, as the hashing dialects bind it. */
const HASH_LITERAL = /\*[0-9A-F]{40}/i;

/**
 * The dry run's changes for `plan`: its notes, then every statement `apply` sends after its reads,
 * in order, as the session would send it but for passwords and hashes, shown as '<redacted>'.
 * `password` is the pending password the plan was made with: a statement that would still show it,
 * or any hash, is a bug, and refused rather than shown.
 */
export function describePlan(plan: MysqlPlan, password: string): PlannedChange[] {
  const changes: PlannedChange[] = plan.notes.map((text) => ({ kind: 'note', text }));
  if (plan.statements.length === 0) {
    changes.push({
      kind: 'note',
      text: "the alternate account already has the current account's grants, TLS requirement and account state on every host: only its password is set",
    });
  }
  const hash = nativePasswordHash(password);
  for (const statement of [...plan.statements, ...plan.password]) {
    const text = redactedText(statement);
    // A password shorter than any generated one may well be part of a name: only longer ones are looked for.
    if ((password.length >= 8 && text.includes(password)) || text.includes(hash) || HASH_LITERAL.test(text)) {
      throw new InternalError('a planned statement would show a password or a password hash; the plan is not shown');
    }
    changes.push({ kind: 'sql', statement: text });
  }
  return changes;
}
