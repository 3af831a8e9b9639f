/**
 * Self-managed MySQL / MariaDB backend. Alternating users: logged in as the master account it
 * creates or updates the alternate with exactly the current account's grants and TLS requirement
 * on every host entry, then sets its password. Single account: logged in as the account itself, it
 * changes its own password (own-password.ts). `apply` executes the plan plan.ts (or own-password.ts)
 * makes; `preview` reports that same plan without sending any of it. Knows nothing of KMS; never
 * logs a password.
 */
import {
  ConfigurationError,
  DatabaseError,
  InternalError,
  InvalidSecretError,
  PreconditionError,
  RotationError,
  TransientError,
  withContext,
} from '../../errors.js';
import type { Logger } from '../../log.js';
import { ACCOUNT_NAME_PATTERN } from '../../names.js';
import { brokenRules, mergeRules, type PasswordRules } from '../../password.js';
import { MysqlSecretSchema, parseSecret, type RawSecret } from '../../secrets/schema.js';
import {
  accountFromSecret,
  checkedAlternate,
  type Account,
  type ApplyResult,
  type Backend,
  type LoginState,
  type PlannedChange,
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
import { describeOwnPlan, planOwnPassword } from './own-password.js';
import { readServerPasswordPolicy } from './password-policy.js';
import { countSessions } from './sessions.js';
import { describePlan, MYSQL_PASSWORD_RULES, planChanges, planHost, type PlanOptions } from './plan.js';

export const DEFAULT_MYSQL_NAME_LIMIT = 16;
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
  /** PREVIOUS_ACCOUNT_SESSIONS: sessions still open on the account whose password set changes are a warning, or a refusal. */
  previousAccountSessions?: 'warn' | 'refuse' | undefined;
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
  private readonly planOptions: PlanOptions;

  constructor(private readonly options: MysqlBackendOptions) {
    this.connectOptions = { ca: options.ca, log: options.log, label: options.label, limits: options.limits };
    this.planOptions = { label: options.label, log: options.log, forceHashes: options.forceHashes };
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

  async passwordRules(target?: { via: Account; users: readonly string[] }): Promise<PasswordRules> {
    // MySQL takes any character in a bound value; the configured exclusions keep clients and shells safe.
    if (!target) return MYSQL_PASSWORD_RULES;
    try {
      return await withConnection(target.via, this.connectOptions, (session) => this.serverRules(session, target.users));
    } catch (err) {
      // Best effort: whatever kept this login out (refused, TLS, the network) keeps `set` out too, which
      // refuses it by name, and `set` checks the policy again before it writes.
      if (!(err instanceof LoginRefused || err instanceof PreconditionError || err instanceof TransientError)) throw err;
      this.options.log.warn('could not read the server password policy before staging: set checks it', {
        account: target.via.user,
        errorName: err.name,
      });
      return MYSQL_PASSWORD_RULES;
    }
  }

  /** The server's policy merged with MySQL's rules, through `session`; what cannot be checked here is named in a warn line. */
  private async serverRules(session: Session, users: readonly string[]): Promise<PasswordRules> {
    const policy = await readServerPasswordPolicy(session, { users });
    if (policy.unverified.length > 0) {
      this.options.log.warn(
        `the server's password policy has checks a generated password cannot be shown to meet: ${policy.unverified.join(', ')}`,
      );
    }
    return mergeRules(MYSQL_PASSWORD_RULES, policy.rules);
  }

  /**
   * Clients still on the previous account: the alternate held ACSPrevious, and a client that never
   * picked up the last rotation still uses it; changing its password makes that client fail at its
   * next connection. Counted through the master (which needs PROCESS to see other accounts' sessions).
   */
  private async guardPreviousSessions(session: Session, user: string): Promise<void> {
    const sessions = await countSessions(session, user);
    const log = this.options.log;
    if (!sessions.visible) {
      log.info("open sessions of the account set changes are not checked: the master cannot see other accounts' sessions (PROCESS)", {
        account: user,
      });
      return;
    }
    if (sessions.count === 0) return;
    const text = `${sessions.count} sessions are still open on account ${user}, whose password set changes: clients that never picked up the last rotation would fail at their next connection`;
    if (this.options.previousAccountSessions === 'refuse') {
      throw new PreconditionError(
        `${this.options.label}: ${text} (PREVIOUS_ACCOUNT_SESSIONS=refuse; nothing changed, the next run tries again)`,
      );
    }
    log.warn(text, { account: user, count: sessions.count });
  }

  /**
   * Before the password is set: it must still meet the server's policy, which may have changed since
   * `new` generated it. Refused with nothing changed: the server would refuse the statement anyway.
   */
  private async requirePolicyMet(session: Session, plan: RotationPlan): Promise<PasswordRules> {
    const rules = await this.serverRules(session, [plan.pending.user, plan.current.user]);
    const broken = brokenRules(plan.pending.password, rules);
    if (broken.length > 0) {
      throw new ConfigurationError(
        `${this.options.label}: the pending password does not meet the server's password policy (${broken.join(', ')}); the policy changed since new staged it: cancel this rotation and rotate again`,
      );
    }
    return rules;
  }

  /** A locked account or an expired password is told apart from a wrong password: the server says so only when the password is right. */
  async loginState(account: Account): Promise<LoginState> {
    const outcome = await loginCheck(account, this.connectOptions);
    return outcome === 'denied' ? 'refused' : outcome;
  }

  async apply(plan: RotationPlan): Promise<ApplyResult> {
    if (plan.strategy === 'single') return this.applyOwnPassword(plan);
    return this.asMaster(plan, async (session) => {
      const rules = await this.requirePolicyMet(session, plan);
      await this.guardPreviousSessions(session, plan.pending.user);
      return this.applyConverging(session, plan.current.user, plan.pending, { ...this.planOptions, throwawayRules: rules });
    });
  }

  /** The same session, reads and checks as `apply` (planChanges, planOwnPassword), and the statements it would send; none is sent. */
  async preview(plan: RotationPlan): Promise<PlannedChange[]> {
    const { pending } = plan;
    if (plan.strategy === 'single') {
      return this.asAccount(plan, async (session) =>
        describeOwnPlan(await planOwnPassword(this.planOptions, session, pending.user, pending.password), pending.password),
      );
    }
    return this.asMaster(plan, async (session) => {
      const rules = await this.serverRules(session, [pending.user, plan.current.user]);
      return describePlan(
        await planChanges({ ...this.planOptions, throwawayRules: rules }, session, plan.current.user, pending),
        pending.password,
      );
    });
  }

  /**
   * Single-account rotation: the account, logged in with the credentials that work now, changes its
   * own password, the one write. A login refused here, after set's checks passed, is another `set`
   * of this version that changed the password first (a retry racing a slow attempt): the pending
   * login then works, and this one has nothing left to do.
   */
  private async applyOwnPassword(plan: RotationPlan): Promise<ApplyResult> {
    const { pending } = plan;
    const changed = await this.asAccount(
      plan,
      async (session) => {
        await this.requirePolicyMet(session, plan);
        const own = await planOwnPassword(this.planOptions, session, pending.user, pending.password);
        await session.query(own.statement);
        return own.retains ? 'retained' : 'replaced';
      },
      async () => ((await loginCheck(pending, this.connectOptions)) === 'works' ? 'already' : undefined),
    );
    this.options.log.info(changed === 'already' ? 'another set already changed the password' : 'the account changed its own password', {
      account: pending.user,
      outcome: changed,
    });
    return { created: false };
  }

  /**
   * Runs `work` in a session as the account itself (single-account rotation), with `plan.login`.
   * When that login is refused, `refused` may say what that means instead; otherwise PreconditionError.
   */
  private async asAccount<T>(
    plan: RotationPlan,
    work: (session: Session) => Promise<T>,
    refused: () => Promise<T | undefined> = async () => undefined,
  ): Promise<T> {
    const login = plan.login ?? plan.current;
    const label = this.options.label;
    if (login.user !== plan.pending.user || plan.current.user !== plan.pending.user) {
      throw new InternalError(`${label}: a single-account rotation must log in as the account it changes`);
    }
    try {
      return await withConnection(login, this.connectOptions, work);
    } catch (err) {
      if (err instanceof LoginRefused) {
        const instead = await refused();
        if (instead !== undefined) return instead;
        throw new PreconditionError(
          err.reason === 'denied'
            ? `${label}: the account's credentials no longer log in (${err.code})`
            : `${label}: the account ${login.user} ${refusalText(err.reason)}`,
        );
      }
      if (err instanceof RotationError && !err.message.startsWith(label)) throw withContext(err, label);
      throw err;
    }
  }

  /** Runs `work` in a session as the master, its refusals named for this secret. */
  private async asMaster<T>(plan: RotationPlan, work: (session: Session) => Promise<T>): Promise<T> {
    const { master } = plan;
    const label = this.options.label;
    if (!master) throw new InvalidSecretError(`${label}: MasterSecret: required to create and update the alternate account`);
    try {
      return await withConnection(master, this.connectOptions, work);
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
  private async applyConverging(session: Session, currentUser: string, pending: Account, planOptions: PlanOptions): Promise<ApplyResult> {
    let planned: string | undefined;
    let failedOn: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyAsMaster(session, currentUser, pending, planOptions, (state) => {
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

  /** The plan `preview` reports, executed: its statements, the read-back, then the password. */
  private async applyAsMaster(
    session: Session,
    currentUser: string,
    pending: Account,
    planOptions: PlanOptions,
    onPlanned: (state: string) => void,
  ): Promise<ApplyResult> {
    const plan = await planChanges(planOptions, session, currentUser, pending, onPlanned);
    for (const statement of plan.statements) await session.query(statement);
    // Trust, but verify: the password is only set once the grants read back equal.
    for (const host of plan.hosts) {
      const left = await planHost(planOptions, session, plan.dialect, currentUser, pending.user, host);
      if (left.statements.length > 0) {
        throw new PreconditionError(
          `${this.options.label}: the alternate account's grants on one host still differ from the current account's after copying`,
        );
      }
    }
    for (const statement of plan.password) await session.query(statement);
    this.options.log.info('pending account matches the current account', { account: pending.user, count: plan.hosts.length });
    return { created: plan.created };
  }

  async verify(pending: Account): Promise<VerifyResult> {
    const outcome = await loginCheck(pending, this.connectOptions);
    if (outcome === 'denied') throw new PreconditionError(`${this.options.label}: the pending credentials do not log in`);
    if (outcome !== 'works')
      throw new PreconditionError(`${this.options.label}: the pending account ${pending.user} ${refusalText(outcome)}`);
    return { check: 'login' };
  }
}
