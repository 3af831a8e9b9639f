/**
 * ApsaraDB RDS backend through the RDS OpenAPI. Alternating users: the alternate account is
 * created with the current account's type, its per-database privileges made equal to the current
 * account's, and its password reset last. Single account: ResetAccountPassword on the account
 * itself, its privileges untouched. `apply` makes the changes plan.ts plans and `preview` lists
 * them. Logs in over SQL to test where the engine is MySQL-family. Instance facts that cannot change
 * within a rotation (engine, version, internal address) are kept per container for INSTANCE_FACTS_TTL_MS;
 * accounts are always read afresh, both accounts of a check in one DescribeAccounts listing.
 * Knows nothing of KMS; never logs a password.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PreconditionError, TransientError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { throwawayPassword, type PasswordRules } from '../../password.js';
import { parseSecret, RdsSecretSchema, type RawSecret, type RotationStrategy } from '../../secrets/schema.js';
import {
  accountFromSecret,
  alternateOf,
  checkedAlternate,
  type Account,
  type ApplyResult,
  type Backend,
  type LoginState,
  type PlannedChange,
  type RotationPlan,
  type SecretAccount,
  type VerifyPurpose,
  type VerifyResult,
} from '../backend.js';
import { canLogIn, type ConnectOptions } from '../mysql/connection.js';
import type { RdsAccount, RdsAccountsApi, RdsInstanceInfo } from './client.js';
import { AccountNotReadyError } from './errors.js';
import { describeChange, plannedChanges, resetChange, type RdsChange } from './plan.js';

/** RDS accepts only these punctuation characters in passwords. */
export const RDS_PASSWORD_PUNCTUATION = '!@#$%^&*()_+-=';
export const RDS_PASSWORD_RULES: PasswordRules = { minLength: 8, maxLength: 32, punctuation: RDS_PASSWORD_PUNCTUATION };
const RDS_ACCOUNT_NAME = /^[a-z][a-z0-9_]*[a-z0-9]$/;
/** Waits between DescribeAccounts polls while a new account is Unavailable (about 30 s in all). */
export const DEFAULT_AVAILABILITY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];

export interface RdsBackendOptions {
  /** "secret app-db", for messages */
  label: string;
  log: Logger;
  instanceId: string;
  api: RdsAccountsApi;
  ca: string | undefined;
  accountNameMaxLength: number | undefined;
  availabilityDelaysMs?: readonly number[];
}

/** The longest account name an engine accepts, `_rt` included. */
export function accountNameLimit(info: RdsInstanceInfo): number {
  const engine = info.engine.toLowerCase();
  if (engine === 'mysql') return ['5.5', '5.6'].includes(info.engineVersion) ? 16 : 32;
  if (engine === 'mariadb') return 16;
  if (engine === 'postgresql') return 63;
  if (engine === 'sqlserver') return 64;
  return 16;
}

function canLogInOverSql(info: RdsInstanceInfo): boolean {
  return ['mysql', 'mariadb'].includes(info.engine.toLowerCase());
}

/** The RDS format (CONTRACT: Secrets): no master secret; the default strategy is alternate. */
export function readRdsSecret(raw: RawSecret, label: string): SecretAccount {
  const secret = parseSecret(RdsSecretSchema, raw, label);
  return { account: accountFromSecret(secret), masterSecret: undefined, strategy: secret.RotationStrategy ?? 'alternate' };
}

/** How long DescribeDBInstanceAttribute's engine, version and internal address (or DescribeDBInstanceNetInfo's, where it gave none) are reused. */
export const INSTANCE_FACTS_TTL_MS = 10 * 60_000;

interface CachedFact<T> {
  at: number;
  value: Promise<T>;
}

/**
 * Per container: keyed by the client (itself one per endpoint, region and credentials key, clients.ts)
 * and the instance id. A failed read is not kept.
 */
let instanceFacts = new WeakMap<RdsAccountsApi, Map<string, CachedFact<unknown>>>();

/** Drops every cached instance fact, as a new container (or INSTANCE_FACTS_TTL_MS later) would start. For tests and the bench. */
export function forgetInstanceFacts(): void {
  instanceFacts = new WeakMap();
}

function cachedFact<T>(api: RdsAccountsApi, key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
  let byKey = instanceFacts.get(api);
  if (!byKey) instanceFacts.set(api, (byKey = new Map()));
  const hit = byKey.get(key) as CachedFact<T> | undefined;
  if (hit && now - hit.at < INSTANCE_FACTS_TTL_MS) return hit.value;
  const value = load();
  const entry: CachedFact<T> = { at: now, value };
  byKey.set(key, entry);
  value.catch(() => {
    if (byKey.get(key) === entry) byKey.delete(key);
  });
  return value;
}

export class RdsApiBackend implements Backend {
  readonly kind = 'rds-api' as const;
  private readonly connectOptions: ConnectOptions;

  constructor(private readonly options: RdsBackendOptions) {
    this.connectOptions = { ca: options.ca, log: options.log, label: options.label };
  }

  private get where(): string {
    return `${this.options.label} on RDS instance ${this.options.instanceId}`;
  }

  private instanceInfo(): Promise<RdsInstanceInfo> {
    const { api, instanceId } = this.options;
    return cachedFact(api, `attribute|${instanceId}`, () => api.instanceInfo(instanceId));
  }

  /** Both accounts in one call (one listing), each as RDS describes it now; never cached. */
  private async accounts(first: string, second: string | undefined): Promise<[RdsAccount | undefined, RdsAccount | undefined]> {
    const { api, instanceId } = this.options;
    if (!api.describeAccounts) {
      return Promise.all([
        api.describeAccount(instanceId, first),
        second === undefined ? undefined : api.describeAccount(instanceId, second),
      ]);
    }
    const found = await api.describeAccounts(instanceId, second === undefined ? [first] : [first, second]);
    return [found.get(first), second === undefined ? undefined : found.get(second)];
  }

  async alternateName(currentUser: string): Promise<string> {
    return checkedAlternate(
      currentUser,
      {
        maxLength: this.options.accountNameMaxLength ?? accountNameLimit(await this.instanceInfo()),
        limitSource: 'this instance allows',
        pattern: RDS_ACCOUNT_NAME,
        patternRule: 'RDS account names use lowercase letters, digits and _, start with a letter and end with a letter or digit',
      },
      this.options.label,
    );
  }

  readSecret(raw: RawSecret, label: string): SecretAccount {
    return readRdsSecret(raw, label);
  }

  async passwordRules(): Promise<PasswordRules> {
    return RDS_PASSWORD_RULES;
  }

  async loginState(account: Account): Promise<LoginState> {
    if (!canLogInOverSql(await this.instanceInfo())) return 'unknown';
    return (await canLogIn(await this.address(account), this.connectOptions)) ? 'works' : 'refused';
  }

  /**
   * The secret's Endpoint/Port when it has them, else the instance's internal address: the one
   * DescribeDBInstanceAttribute already gave with the engine (no further call), or where it gave
   * none, DescribeDBInstanceNetInfo's VPC connection string.
   */
  private async address(account: Account): Promise<Account> {
    if (account.endpoint) return { ...account, port: account.port ?? 3306 };
    const { api, instanceId } = this.options;
    const attributed = (await this.instanceInfo()).intranetAddress;
    const found = attributed ?? (await cachedFact(api, `netinfo|${instanceId}`, () => api.intranetAddress(instanceId)));
    if (!found) {
      throw new PreconditionError(`${this.where}: Endpoint: the secret has none and the instance reports no VPC or intranet address`);
    }
    return { ...account, endpoint: found.host, port: found.port };
  }

  /**
   * Follows plannedChanges, as preview lists them: the create first, then, once the alternate is
   * Available, the rest planned again from it as it is then (by the same function: the same list,
   * unless another set changed it meanwhile), with the privileges read back before the password.
   */
  async apply(plan: RotationPlan): Promise<ApplyResult> {
    const { current, pending } = plan;
    if (plan.strategy === 'single') {
      for (const change of await this.singleChanges(current, pending)) await this.execute(change, pending);
      this.options.log.info('the RDS account has its new password', { account: pending.user, outcome: 'updated' });
      return { created: false };
    }
    // The RDS API shows no sessions, and the current account cannot see another account's without PROCESS.
    this.options.log.info(
      'open sessions of the account set changes are not checked on RDS (PREVIOUS_ACCOUNT_SESSIONS applies to self-managed MySQL)',
      {
        account: pending.user,
      },
    );
    const { source, existing } = await this.checkAccounts(current, pending);
    let created = false;
    for (const change of plannedChanges(source, pending.user, existing)) {
      if (change.action === 'CreateAccount') created = (await this.execute(change, pending)) === 'created';
    }
    // Planned from what is known without another read: an account just created holds no privileges, one the
    // listing showed Available holds what it listed. Anything else (or a new account RDS is still creating,
    // which refuses changes with AccountNotReadyError) is polled until Available, then planned again.
    const known: RdsAccount | undefined = created
      ? { name: pending.user, status: 'Unknown', type: source.type, privileges: [] }
      : existing?.status === 'Available'
        ? existing
        : undefined;
    let target = known ?? (await this.waitUntilAvailable(pending.user));
    for (;;) {
      try {
        for (const change of plannedChanges(source, pending.user, target)) {
          if (change.action === 'ResetAccountPassword') await this.requirePrivilegesReadBack(source, pending.user);
          await this.execute(change, pending);
        }
        break;
      } catch (err) {
        if (!(err instanceof AccountNotReadyError) || target !== known) throw err;
        target = await this.waitUntilAvailable(pending.user);
      }
    }
    this.options.log.info('pending RDS account matches the current account', {
      account: pending.user,
      outcome: created ? 'created' : 'updated',
    });
    return { created };
  }

  /** The same reads and refusals as `apply`, and the calls it would make, in its order; none is made. */
  async preview(plan: RotationPlan): Promise<PlannedChange[]> {
    const { current, pending } = plan;
    if (plan.strategy === 'single') {
      const changes = await this.singleChanges(current, pending);
      return [
        { kind: 'note', text: "a single-account rotation: only the account's password is reset; its privileges are left as they are" },
        ...changes.map((change) => describeChange(this.options.instanceId, change)),
      ];
    }
    const { source, existing } = await this.checkAccounts(current, pending);
    const notes: PlannedChange[] = [];
    if (existing && existing.status !== 'Available') {
      notes.push({ kind: 'note', text: `the alternate account is ${existing.status}: set waits until it is Available before changing it` });
    }
    const changes = plannedChanges(source, pending.user, existing);
    if (changes.length === 1) {
      notes.push({
        kind: 'note',
        text: "the alternate account already has the current account's type and privileges: only its password is reset",
      });
    }
    return [...notes, ...changes.map((change) => describeChange(this.options.instanceId, change))];
  }

  /**
   * A single-account rotation's one change, ResetAccountPassword on the account itself, once the
   * account is known to exist. Any type (the privileged account too) and any privileges: nothing but
   * the password changes.
   */
  private async singleChanges(current: Account, pending: Account): Promise<RdsChange[]> {
    if (pending.user !== current.user)
      throw new PreconditionError(`${this.where}: a single-account rotation must change the current account itself`);
    const account = await this.options.api.describeAccount(this.options.instanceId, current.user);
    if (!account) throw new PreconditionError(`${this.where}: AccountName: the current account does not exist`);
    return [resetChange(current.user)];
  }

  /** Both accounts as RDS describes them, refused where the API cannot make the alternate a twin of the current account. */
  private async checkAccounts(current: Account, pending: Account): Promise<{ source: RdsAccount; existing: RdsAccount | undefined }> {
    const [source, existing] = await this.accounts(current.user, pending.user);
    if (!source) throw new PreconditionError(`${this.where}: AccountName: the current account does not exist`);
    const custom = source.privileges.filter((p) => p.privilege === 'Custom').length;
    if (custom > 0) {
      throw new PreconditionError(
        `${this.where}: the current account holds Custom privileges on ${custom} database(s), which the RDS API cannot copy; grant them as ReadWrite/ReadOnly/DDLOnly/DMLOnly or rotate with the self-managed MySQL backend`,
      );
    }
    if (source.type === 'Super') {
      throw new PreconditionError(
        `${this.where}: the current account is the privileged (Super) account, and RDS allows only one per instance; rotate a standard account`,
      );
    }
    if (existing && existing.type !== source.type) {
      throw new PreconditionError(
        `${this.where}: the alternate account exists with AccountType ${existing.type}, the current one is ${source.type}`,
      );
    }
    return { source, existing };
  }

  /** One planned change, made: the passwords come from here, never from the change. */
  private async execute(change: RdsChange, pending: Account): Promise<'created' | 'exists' | undefined> {
    const { api, instanceId } = this.options;
    switch (change.action) {
      case 'CreateAccount':
        // A throwaway password until the privileges are in place: a working pending login must mean set finished.
        return api.createAccount(instanceId, {
          name: change.accountName,
          password: throwawayPassword(RDS_PASSWORD_RULES),
          type: change.accountType,
          description: change.description,
        });
      case 'RevokeAccountPrivilege':
        await api.revoke(instanceId, change.accountName, [...change.dbNames]);
        return undefined;
      case 'GrantAccountPrivilege':
        await api.grant(instanceId, change.accountName, [...change.privileges]);
        return undefined;
      case 'ResetAccountPassword':
        await api.resetPassword(instanceId, change.accountName, pending.password);
        return undefined;
    }
  }

  /**
   * Trust, but verify, as the MySQL backend does: both accounts read again must hold exactly the
   * privileges the sync was planned from. An answer that was stale (an account listed twice, an old
   * copy first) shows up here as a difference, before the password makes the alternate usable.
   */
  private async requirePrivilegesReadBack(source: RdsAccount, alternate: string): Promise<void> {
    const [current, target] = await this.accounts(source.name, alternate);
    const want = privilegeKey(source);
    if (!current || !target || privilegeKey(current) !== want || privilegeKey(target) !== want) {
      throw new TransientError(`${this.where}: the alternate account's privileges do not read back as the current account's; retry`);
    }
  }

  private async waitUntilAvailable(accountName: string): Promise<RdsAccount> {
    const delays = this.options.availabilityDelaysMs ?? DEFAULT_AVAILABILITY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      const account = await this.options.api.describeAccount(this.options.instanceId, accountName);
      if (account?.status === 'Available') return account;
      const delay = delays[attempt];
      if (delay === undefined) {
        throw new TransientError(
          `${this.where}: the alternate account is ${account ? 'still not Available' : 'not visible yet'}; retry later`,
        );
      }
      this.options.log.info('waiting for the RDS account to become Available', { account: accountName, durationMs: delay });
      await sleep(delay);
    }
  }

  async verify(pending: Account, strategy: RotationStrategy = 'alternate', purpose: VerifyPurpose = 'promote'): Promise<VerifyResult> {
    const { api, instanceId } = this.options;
    let check: VerifyResult['check'] = 'account-state';
    if (canLogInOverSql(await this.instanceInfo())) {
      if (!(await canLogIn(await this.address(pending), this.connectOptions))) {
        const state = await api.describeAccount(instanceId, pending.user);
        if (state && state.status !== 'Available') throw new TransientError(`${this.where}: the pending account is not Available yet`);
        throw new PreconditionError(`${this.where}: the pending credentials do not log in`);
      }
      check = 'login';
      // The privileges are compared where they decide something: set reads them back before the
      // password, and end compares them before ACSCurrent moves. test's login adds no RDS call.
      if (purpose === 'test') return { check };
    }
    // A login alone does not prove the application can read its data, so before promotion (and on
    // engines without a login, always) the account must also be Available with its partner's privileges.
    // A single-account rotation has no partner: an old alternate left from another strategy is not one.
    const [account, partner] = await this.accounts(pending.user, strategy === 'single' ? undefined : alternateOf(pending.user));
    if (!account) throw new PreconditionError(`${this.where}: the pending account does not exist`);
    // Where the login worked, a status still settling after ResetAccountPassword does not matter.
    if (check === 'account-state' && account.status !== 'Available') {
      throw new TransientError(`${this.where}: the pending account is not Available yet`);
    }
    if (partner && privilegeKey(account) !== privilegeKey(partner)) {
      throw new PreconditionError(`${this.where}: the pending account's privileges differ from the current account's`);
    }
    return { check };
  }
}

/** An account's per-database privileges in a comparable form, order aside. */
function privilegeKey(account: RdsAccount): string {
  return JSON.stringify(account.privileges.map((p) => `${p.dbName}:${p.privilege}`).sort());
}
