/**
 * A Backend over an in-memory "database" of accounts and passwords, for fast step tests (compare
 * Vault's MockDatabaseV5): logins work when the password matches, `apply` makes the pending account
 * log in (single-account: logged in as `plan.login`, optionally keeping the old password as a
 * secondary one, as MySQL 8's dual passwords do), `preview` lists what `apply` would do (from the same plan) and changes nothing, `verify`
 * tries the login. Secrets are read in the real backends' formats, and the alternate
 * name goes through the real check. Tests script the rest: an unreachable server, an engine without
 * logins, a failing apply. Every call is recorded by account name only, never with a password.
 */
import {
  checkedAlternate,
  type Account,
  type ApplyResult,
  type Backend,
  type BackendKind,
  type LoginState,
  type PlannedChange,
  type RotationPlan,
  type SecretAccount,
  type VerifyResult,
} from '../../src/backends/backend.js';
import { readMysqlSecret } from '../../src/backends/mysql/backend.js';
import { readRdsSecret } from '../../src/backends/rds/backend.js';
import { PreconditionError } from '../../src/errors.js';
import { ACCOUNT_NAME_PATTERN } from '../../src/names.js';
import type { PasswordRules } from '../../src/password.js';
import type { RawSecret, RotationStrategy } from '../../src/secrets/schema.js';

export interface ScriptedBackendOptions {
  kind?: BackendKind;
  /** A single-account `apply` keeps the old password as a secondary one that still logs in (MySQL 8.0.14+ RETAIN CURRENT PASSWORD). */
  dualPasswords?: boolean;
  /** Longest account name, `_rt` included. Default 16. */
  maxNameLength?: number;
  passwordRules?: PasswordRules;
}

export class ScriptedBackend implements Backend {
  readonly kind: BackendKind;
  /** The database: account name → password that logs in. */
  readonly accounts = new Map<string, string>();
  /** With `dualPasswords`: account name → the secondary password a single-account `apply` retained. */
  readonly secondary = new Map<string, string>();
  /** `loginState appuser`, `apply appuser_rt`, `verify appuser_rt`, ... in order. */
  readonly calls: string[] = [];
  /** The plans `apply` received. */
  readonly applied: RotationPlan[] = [];
  /** The plans `preview` received. */
  readonly previewed: RotationPlan[] = [];
  /** Overrides the login outcome (or throws, for an unreachable server); undefined falls through to the database. */
  loginScript: ((account: Account) => LoginState | undefined) | undefined;
  /** Thrown by `apply` before it changes anything, and so by `preview` too: a refusal of the plan both make. */
  applyError: Error | undefined;
  private readonly maxNameLength: number;
  private readonly rules: PasswordRules;
  private readonly dualPasswords: boolean;

  constructor(options: ScriptedBackendOptions = {}) {
    this.kind = options.kind ?? 'mysql';
    this.dualPasswords = options.dualPasswords ?? false;
    this.maxNameLength = options.maxNameLength ?? 16;
    this.rules = options.passwordRules ?? { minLength: 8, maxLength: 128 };
  }

  /** Creates (or resets) an account in the database. */
  withAccount(user: string, password: string): this {
    this.accounts.set(user, password);
    return this;
  }

  readSecret(raw: RawSecret, label: string): SecretAccount {
    return this.kind === 'rds-api' ? readRdsSecret(raw, label) : readMysqlSecret(raw, label);
  }

  async alternateName(currentUser: string): Promise<string> {
    this.calls.push(`alternateName ${currentUser}`);
    return checkedAlternate(
      currentUser,
      { maxLength: this.maxNameLength, limitSource: 'allowed', pattern: ACCOUNT_NAME_PATTERN, patternRule: 'not a valid user name' },
      'scripted backend',
    );
  }

  async passwordRules(): Promise<PasswordRules> {
    return this.rules;
  }

  async loginState(account: Account): Promise<LoginState> {
    this.calls.push(`loginState ${account.user}`);
    return this.loginScript?.(account) ?? this.login(account);
  }

  async apply(plan: RotationPlan): Promise<ApplyResult> {
    this.calls.push(`apply ${plan.pending.user}`);
    const planned = this.plan(plan);
    this.applied.push(plan);
    const old = this.accounts.get(plan.pending.user);
    if (plan.strategy === 'single' && this.dualPasswords && old !== undefined) this.secondary.set(plan.pending.user, old);
    this.accounts.set(plan.pending.user, plan.pending.password);
    return { created: planned.some((change) => change.kind === 'sql' && change.statement.startsWith('CREATE USER')) };
  }

  async preview(plan: RotationPlan): Promise<PlannedChange[]> {
    this.calls.push(`preview ${plan.pending.user}`);
    const planned = this.plan(plan);
    this.previewed.push(plan);
    return planned;
  }

  /**
   * The one plan both `apply` and `preview` follow: create the account if missing, then set its
   * password; single-account: logged in as `plan.login`, which must work, the account's own password.
   */
  private plan(plan: RotationPlan): PlannedChange[] {
    if (this.applyError) throw this.applyError;
    const user = plan.pending.user;
    if (plan.strategy === 'single') {
      const login = plan.login ?? plan.current;
      if (login.user !== user || this.login(login) !== 'works') throw new PreconditionError(`the login of ${user} does not work`);
      return [
        { kind: 'sql', statement: `ALTER USER USER() IDENTIFIED BY '<redacted>'${this.dualPasswords ? ' RETAIN CURRENT PASSWORD' : ''}` },
      ];
    }
    return [
      ...(this.accounts.has(user) ? [] : [{ kind: 'sql' as const, statement: `CREATE USER ${user} IDENTIFIED BY '<redacted>'` }]),
      { kind: 'sql', statement: `SET PASSWORD FOR ${user} = '<redacted>'` },
    ];
  }

  /** The strategies `verify` was told, in order. */
  readonly verifiedAs: (string | undefined)[] = [];

  async verify(pending: Account, strategy?: RotationStrategy): Promise<VerifyResult> {
    this.calls.push(`verify ${pending.user}`);
    this.verifiedAs.push(strategy);
    const state = this.loginScript?.(pending) ?? this.login(pending);
    if (state === 'unknown') return { check: 'account-state' };
    if (state !== 'works') throw new PreconditionError(`the pending credentials of ${pending.user} do not log in (${state})`);
    return { check: 'login' };
  }

  private login(account: Account): LoginState {
    const works = this.accounts.get(account.user) === account.password || this.secondary.get(account.user) === account.password;
    return works ? 'works' : 'refused';
  }
}
