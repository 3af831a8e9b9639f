/**
 * The seam between the rotation steps and a database (compare Vault's dbplugin interface), and the
 * account helpers every backend shares: the alternating pair's naming and its one name check. A
 * rotation plan is either alternating (a twin account made by a master) or single-account (the
 * account's own password changes).
 * A backend receives accounts and never a KMS client; the steps receive a backend and never a SQL
 * connection or an RDS client. Adding a database is adding one folder behind this interface.
 */
import { InvalidSecretError } from '../errors.js';
import type { PasswordRules } from '../password.js';
import type { RawSecret, RotationStrategy } from '../secrets/schema.js';

export type BackendKind = 'mysql' | 'rds-api';

/**
 * What a login with an account's credentials finds: it works; the server refuses them; the server
 * accepts the password but the account is locked, or its password has expired (so it cannot work,
 * and the message can say why); or the backend cannot try (an RDS engine without a SQL client).
 */
export type LoginState = 'works' | 'refused' | 'locked' | 'expired' | 'unknown';

/** One database account as a secret version describes it. */
export interface Account {
  user: string;
  password: string;
  /** Where to log in. The RDS API backend can look it up when the secret has none. */
  endpoint?: string | undefined;
  port?: number | undefined;
  /** true: verified TLS; false: plain; undefined: TLS when the server offers it, else plain with a warning. */
  ssl?: boolean | undefined;
  database?: string | undefined;
}

export interface RotationPlan {
  current: Account;
  pending: Account;
  /** The privileged account that makes the change (self-managed MySQL, alternate); already checked to be for the same host. */
  master?: Account | undefined;
  /**
   * `single`: the pending account is the current one, whose own password changes (self-managed: the
   * account logs in as `login` and changes it itself; RDS: ResetAccountPassword). Default `alternate`.
   */
  strategy?: RotationStrategy | undefined;
  /**
   * `single` only: the credentials that log in now, with which the account changes its own password:
   * the current account's, or its ACSPrevious password where only that one still works.
   */
  login?: Account | undefined;
}

export interface ApplyResult {
  /** The pending account did not exist and was created. */
  created: boolean;
}

/** How a dry run shows every password, password hash and throwaway password it would send. */
export const REDACTED = '<redacted>';

/** The RDS API actions that change an instance, as a dry run lists them. */
export type RdsAction = 'CreateAccount' | 'RevokeAccountPrivilege' | 'GrantAccountPrivilege' | 'ResetAccountPassword';

/**
 * One change `apply` would make, as `preview` reports it: a SQL statement as the session would send
 * it (bound values as quoted literals, every password and hash as '<redacted>'), an RDS API call
 * with its request parameters by their API names (AccountPassword '<redacted>'), or a note on what
 * the plan found. Plain data: it never holds a password.
 */
export type PlannedChange =
  | { readonly kind: 'sql'; readonly statement: string }
  | { readonly kind: 'rds'; readonly action: RdsAction; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'note'; readonly text: string };

/** Who asks a backend to verify: the test step, or end before it moves ACSCurrent. */
export type VerifyPurpose = 'test' | 'promote';

export interface VerifyResult {
  /** What was checked: a real login, or (for engines we cannot log in to) the account's state through the API. */
  check: 'login' | 'account-state';
}

/** What a backend reads from one secret version's JSON. */
export interface SecretAccount {
  account: Account;
  /** Name of the secret holding the privileged account that makes the change, if the backend needs one. */
  masterSecret: string | undefined;
  strategy: RotationStrategy;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Validates SecretData in this backend's format; throws InvalidSecretError naming `label` and the field. */
  readSecret(raw: RawSecret, label: string): SecretAccount;
  /** The other account of the alternating pair, checked against this database's naming rules. */
  alternateName(currentUser: string): Promise<string>;
  /** Characters and lengths this database accepts in passwords. */
  /**
   * Characters and lengths this database accepts in passwords. With `target`, the server's own policy
   * too (MySQL's validate_password, MariaDB's simple_password_check), read through a session of
   * `target.via`: the login that will set the password (the master for alternating accounts, the
   * account itself for one), and `target.users` the names the password must not contain.
   */
  passwordRules(target?: { via: Account; users: readonly string[] }): Promise<PasswordRules>;
  /**
   * Whether these credentials log in now: `unknown` where the backend cannot try a login (an RDS
   * engine we have no client for). Throws TransientError when the database cannot be reached.
   */
  loginState(account: Account): Promise<LoginState>;
  /** Makes the database match the pending account: create or update it with exactly the current account's privileges. */
  apply(plan: RotationPlan): Promise<ApplyResult>;
  /**
   * A dry run of `apply`: the same reads and refusals (the same errors, thrown the same way), and
   * the changes `apply` would make now, in its order, made from the same plan. It changes nothing.
   */
  preview(plan: RotationPlan): Promise<PlannedChange[]>;
  /**
   * Proves the pending account works; throws PreconditionError when it does not. `strategy` says
   * whether it has a partner to match (alternate, the default) or is the only account (single);
   * `purpose` whether this is the test step's proof or end's, before promotion (the default): a
   * backend may leave to end a check that only matters there.
   */
  verify(pending: Account, strategy?: RotationStrategy, purpose?: VerifyPurpose): Promise<VerifyResult>;
}

export const ALTERNATE_SUFFIX = '_rt';

/** `appuser` ⇄ `appuser_rt`: the pair alternates back and forth, never growing a second suffix. */
export function alternateOf(user: string): string {
  return user.endsWith(ALTERNATE_SUFFIX) && user.length > ALTERNATE_SUFFIX.length
    ? user.slice(0, -ALTERNATE_SUFFIX.length)
    : user + ALTERNATE_SUFFIX;
}

/** What a backend's database accepts as an account name. */
export interface AccountNameRules {
  /** The longest name, `_rt` included. */
  maxLength: number;
  /** Where the limit comes from, for the message: "allowed (ACCOUNT_NAME_MAX_LENGTH)", "this instance allows". */
  limitSource: string;
  pattern: RegExp;
  /** What a name that fails `pattern` is told, after "AccountName: ". */
  patternRule: string;
}

/**
 * The alternate of `currentUser`, refused with InvalidSecretError (naming `label` and AccountName,
 * never the name itself) when the database would not accept it.
 */
export function checkedAlternate(currentUser: string, rules: AccountNameRules, label: string): string {
  const alternate = alternateOf(currentUser);
  if (alternate.length > rules.maxLength) {
    throw new InvalidSecretError(
      `${label}: AccountName: the alternate account name would have ${alternate.length} characters, more than the ${rules.maxLength} ${rules.limitSource}`,
    );
  }
  if (!rules.pattern.test(alternate)) throw new InvalidSecretError(`${label}: AccountName: ${rules.patternRule}`);
  return alternate;
}

/** The fields both secret formats share, as an Account. */
export function accountFromSecret(secret: {
  AccountName: string;
  AccountPassword: string;
  Endpoint?: string | undefined;
  Port?: number | undefined;
  SSL?: boolean | undefined;
  DBName?: string | undefined;
}): Account {
  return {
    user: secret.AccountName,
    password: secret.AccountPassword,
    endpoint: secret.Endpoint,
    port: secret.Port,
    ssl: secret.SSL,
    database: secret.DBName,
  };
}
