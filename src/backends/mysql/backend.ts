/**
 * Self-managed MySQL / MariaDB backend, alternating users: logged in as the master account it
 * creates or updates the alternate with exactly the current account's grants and TLS requirement
 * on every host entry, then sets its password. Knows nothing of KMS; never logs a password.
 */
import { DatabaseError, InvalidSecretError, PreconditionError, RotationError, withContext } from '../../errors.js';
import type { Logger } from '../../log.js';
import { ACCOUNT_NAME_PATTERN } from '../../names.js';
import { throwawayPassword, type PasswordRules } from '../../password.js';
import { MysqlSecretSchema, parseSecret, type RawSecret } from '../../secrets/schema.js';
import {
  accountFromSecret,
  checkedAlternate,
  type Account,
  type ApplyResult,
  type Backend,
  type LoginState,
  type RotationPlan,
  type SecretAccount,
  type VerifyResult,
} from '../backend.js';
import {
  isConcurrentChange,
  loginCheck,
  LoginRefused,
  withConnection,
  type ConnectionLimits,
  type ConnectOptions,
  type RefusalReason,
  type Session,
} from './connection.js';
import {
  accountStateFromRow,
  authPluginFromRow,
  dialectFor,
  atLeast,
  parseServerVersion,
  type ServerVersion,
  tlsRequirementFromRow,
  type AccountState,
  type HostEntry,
  type MysqlDialect,
} from './dialect.js';
import { firstUngrantable } from './grants/authority.js';
import { planGrantSync } from './grants/planner.js';
import { bound, verbatim, type Sql } from './sql.js';

export const DEFAULT_MYSQL_NAME_LIMIT = 16;
const MYSQL_PASSWORD_RULES: PasswordRules = { minLength: 8, maxLength: 128 };
/** Read-plan-write passes in one master session when another `set` changes the alternate meanwhile. */
const MAX_SYNC_ATTEMPTS = 3;

/** What a refusal of the right password says about the account, after "the ... account <name> ". */
function refusalText(reason: Exclude<RefusalReason, 'denied'>): string {
  return reason === 'locked' ? 'is locked (ACCOUNT LOCK)' : 'has an expired password (PASSWORD EXPIRE)';
}

export interface MysqlBackendOptions {
  /** "secret app-db", for messages */
  label: string;
  log: Logger;
  /** PEM CA bundle (MYSQL_CA_FILE) */
  ca: string | undefined;
  /** ACCOUNT_NAME_MAX_LENGTH, when set */
  accountNameMaxLength: number | undefined;
  /** Tests only: shorter statement and lock limits than the shipped ones (connection.ts). */
  limits?: Partial<ConnectionLimits> | undefined;
  /** Tests only: send hashes whatever the server's validation plugins say (to make a server refuse an account statement for good). */
  forceHashes?: boolean | undefined;
}

/** The self-managed format (CONTRACT: Secrets): the default strategy is alternate with a MasterSecret, single without. */
export function readMysqlSecret(raw: RawSecret, label: string): SecretAccount {
  const secret = parseSecret(MysqlSecretSchema, raw, label);
  return {
    account: accountFromSecret(secret),
    masterSecret: secret.MasterSecret,
    strategy: secret.RotationStrategy ?? (secret.MasterSecret ? 'alternate' : 'single'),
  };
}

export class MysqlBackend implements Backend {
  readonly kind = 'mysql' as const;
  private readonly connectOptions: ConnectOptions;

  constructor(private readonly options: MysqlBackendOptions) {
    this.connectOptions = { ca: options.ca, log: options.log, label: options.label, limits: options.limits };
  }

  async alternateName(currentUser: string): Promise<string> {
    return checkedAlternate(
      currentUser,
      {
        maxLength: this.options.accountNameMaxLength ?? DEFAULT_MYSQL_NAME_LIMIT,
        limitSource: 'allowed (ACCOUNT_NAME_MAX_LENGTH)',
        pattern: ACCOUNT_NAME_PATTERN,
        patternRule: 'the alternate account name is not a valid MySQL user name',
      },
      this.options.label,
    );
  }

  readSecret(raw: RawSecret, label: string): SecretAccount {
    return readMysqlSecret(raw, label);
  }

  passwordRules(): PasswordRules {
    // MySQL takes any character in a bound value; the configured exclusions keep clients and shells safe.
    return MYSQL_PASSWORD_RULES;
  }

  /** A locked account or an expired password is told apart from a wrong password: the server says so only when the password is right. */
  async loginState(account: Account): Promise<LoginState> {
    const outcome = await loginCheck(account, this.connectOptions);
    return outcome === 'denied' ? 'refused' : outcome;
  }

  async apply(plan: RotationPlan): Promise<ApplyResult> {
    const { current, pending, master } = plan;
    const label = this.options.label;
    if (!master) throw new InvalidSecretError(`${label}: MasterSecret: required to create and update the alternate account`);
    try {
      return await withConnection(master, this.connectOptions, (session) => this.applyConverging(session, current.user, pending));
    } catch (err) {
      if (err instanceof LoginRefused) {
        throw new PreconditionError(
          err.reason === 'denied'
            ? `${label}: the master secret's credentials do not log in (${err.code})`
            : `${label}: the master secret's account ${master.user} ${refusalText(err.reason)}`,
        );
      }
      // The dialect and grant modules speak of lines and versions; say which secret they were about.
      if (err instanceof RotationError && !err.message.startsWith(label)) throw withContext(err, label);
      throw err;
    }
  }

  /**
   * Two `set`s of one version at once both plan, then one finds the account it was to create
   * already there (or a grant it was to revoke already gone): it plans again from what is there now.
   */
  private async applyConverging(session: Session, currentUser: string, pending: Account): Promise<ApplyResult> {
    let planned: string | undefined;
    let failedOn: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyAsMaster(session, currentUser, pending, (state) => {
          // What the plan was made from is what it was before: nothing changed under this set, so
          // the error that looked like a race is a real refusal, and retrying would never help.
          if (state === failedOn) {
            throw new DatabaseError('an account statement failed, and nothing has changed since: it was not another set running');
          }
          planned = state;
        });
      } catch (err) {
        if (!isConcurrentChange(err) || attempt >= MAX_SYNC_ATTEMPTS) throw err;
        failedOn = planned;
        this.options.log.info('the alternate account changed while it was being updated: planning again', {
          account: pending.user,
          count: attempt,
        });
      }
    }
  }

  /** `onPlanned` sees what the plan was made from (every host's grants and whether it is created), before the first write. */
  private async applyAsMaster(
    session: Session,
    currentUser: string,
    pending: Account,
    onPlanned: (state: string) => void,
  ): Promise<ApplyResult> {
    const label = this.options.label;
    const dialect = await this.prepareSession(session);
    if (pending.user.length > dialect.maxUserNameLength) {
      throw new InvalidSecretError(
        `${label}: AccountName: this server allows user names of at most ${dialect.maxUserNameLength} characters`,
      );
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
    const plans: Sql[][] = [];
    const entries: HostEntry[] = [];
    let created = 0;
    const copied: { current: string[]; alternate: string[]; creates: boolean }[] = [];
    for (const host of hosts) {
      const plan = await this.planHost(session, dialect, currentUser, pending.user, host);
      if (plan.creates) created++;
      plans.push(plan.statements);
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
    for (const statements of plans) for (const statement of statements) await session.query(statement);
    // Trust, but verify: the password is only set once the grants read back equal.
    for (const host of hosts) {
      const left = await this.planHost(session, dialect, currentUser, pending.user, host);
      if (left.statements.length > 0) {
        throw new PreconditionError(
          `${label}: the alternate account's grants on one host still differ from the current account's after copying`,
        );
      }
    }
    // Last, and for every host at once: a pending login that works means the rest is in place.
    for (const statement of dialect.setPassword(pending.user, entries, pending.password)) await session.query(statement);
    this.options.log.info('pending account matches the current account', { account: pending.user, count: hosts.length });
    return { created: created > 0 };
  }

  /** The server's dialect, with a session mode under which our escaping means what it says. */
  private async prepareSession(session: Session): Promise<MysqlDialect> {
    const [server] = await session.query<{ v: unknown; mode: unknown }>(verbatim('SELECT VERSION() AS v, @@SESSION.sql_mode AS mode'));
    const version = parseServerVersion(String(server?.v ?? ''));
    const hashPasswords = this.options.forceHashes === true || !(await this.refusesHashes(session, version));
    const dialect = dialectFor(version, { hashPasswords });
    const modes = String(server?.mode ?? '').split(',');
    if (modes.includes('NO_BACKSLASH_ESCAPES')) {
      // Bound values and copied grantees are escaped with backslashes, which this mode would turn into literals.
      await session.query(bound('SET SESSION sql_mode = ?', modes.filter((m) => m !== 'NO_BACKSLASH_ESCAPES').join(',')));
    }
    return dialect;
  }

  /**
   * MariaDB with a password validation plugin (simple_password_check, cracklib_password_check,
   * password_reuse_check) and strict_password_validation on (its default) refuses a password given as
   * a hash, since it cannot check it: there the password itself has to be sent (README: TLS policy).
   */
  private async refusesHashes(session: Session, version: ServerVersion): Promise<boolean> {
    if (version.flavor !== 'mariadb' || !atLeast(version, 10, 1, 2)) return false;
    const [row] = await session.query<{ strict: unknown; validators: unknown }>(
      verbatim(
        "SELECT @@GLOBAL.strict_password_validation AS strict, (SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_TYPE = 'PASSWORD VALIDATION' AND PLUGIN_STATUS = 'ACTIVE') AS validators",
      ),
    );
    const refuses = Number(row?.strict) === 1 && Number(row?.validators) > 0;
    if (refuses) this.options.log.warn('a password validation plugin refuses hashes: the new password is sent to the server itself', {});
    return refuses;
  }

  /** What makes alternate@host a twin of current@host, except its password (set with `entry`'s plugin). Reads only. */
  private async planHost(
    session: Session,
    dialect: MysqlDialect,
    currentUser: string,
    alternate: string,
    host: string,
  ): Promise<{ creates: boolean; statements: Sql[]; entry: HostEntry; grants: { current: string[]; alternate: string[] } }> {
    const grantsOf = async (user: string): Promise<string[]> =>
      (await session.query(dialect.showGrants(user, host))).map((row) => String(Object.values(row)[0]));
    const [currentRow] = await session.query(dialect.readAccount(currentUser, host));
    const [alternateRow] = await session.query(dialect.readAccount(alternate, host));
    const creates = alternateRow === undefined;
    const wanted = tlsRequirementFromRow(currentRow ?? {});
    const plugin = authPluginFromRow(currentRow);
    const statements: Sql[] = [];
    // Until its real password is set last, nobody may log in as the new account.
    if (creates) statements.push(dialect.createUser(alternate, host, throwawayPassword(MYSQL_PASSWORD_RULES), plugin));
    const grants = { current: await grantsOf(currentUser), alternate: creates ? [] : await grantsOf(alternate) };
    statements.push(...planGrantSync(grants.current, grants.alternate, { user: alternate, host }));
    if (creates || JSON.stringify(wanted) !== JSON.stringify(tlsRequirementFromRow(alternateRow))) {
      statements.push(dialect.setRequire(alternate, host, wanted));
    }
    // Lock state and password expiry too: an alternate left locked (or expiring on another schedule)
    // would get a working password and still refuse the application after `end`.
    const stateOf = async (user: string): Promise<AccountState | undefined> => {
      const query = dialect.readAccountState(user, host);
      if (!query) return undefined;
      try {
        return accountStateFromRow((await session.query(query))[0]);
      } catch (err) {
        // A master that may read mysql.user but not mysql.global_priv (MariaDB 10.4+ keeps the state
        // there): copying the state is a help, not a safety check, so the rotation goes on without it.
        if (!(err instanceof DatabaseError)) throw err;
        this.options.log.warn('the master cannot read the lock state and password expiry; they are not copied', { account: alternate });
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
    return { creates, statements, entry: { host, plugin }, grants };
  }

  async verify(pending: Account): Promise<VerifyResult> {
    const outcome = await loginCheck(pending, this.connectOptions);
    if (outcome === 'denied') throw new PreconditionError(`${this.options.label}: the pending credentials do not log in`);
    if (outcome !== 'works')
      throw new PreconditionError(`${this.options.label}: the pending account ${pending.user} ${refusalText(outcome)}`);
    return { check: 'login' };
  }
}
