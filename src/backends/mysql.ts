/**
 * Self-managed MySQL / MariaDB backend, alternating users: logged in as the master account it
 * creates or updates the alternate with exactly the current account's grants and TLS
 * requirement, then sets its password. Knows nothing of KMS; never logs a password.
 */
import { randomBytes } from 'node:crypto';
import { InvalidSecretError, PreconditionError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PasswordRules } from '../password.js';
import { accountName } from '../secrets/schema.js';
import { alternateOf, type Account, type ApplyResult, type Backend, type LoginState, type RotationPlan, type VerifyResult } from './backend.js';
import { canLogIn, LoginRefused, withConnection, type ConnectOptions, type Session } from './mysql-connection.js';
import { dialectFor, parseServerVersion, tlsRequirementFromRow, type MysqlDialect } from './mysql-dialect.js';
import { planGrantSync } from './mysql-grants.js';
import { bound, verbatim } from './sql.js';

export const DEFAULT_MYSQL_NAME_LIMIT = 16;

export interface MysqlBackendOptions {
  /** "secret app-db", for messages */
  label: string;
  log: Logger;
  caFile: string | undefined;
  /** ACCOUNT_NAME_MAX_LENGTH, when set */
  accountNameMaxLength: number | undefined;
}

export class MysqlBackend implements Backend {
  readonly kind = 'mysql' as const;
  private readonly connectOptions: ConnectOptions;

  constructor(private readonly options: MysqlBackendOptions) {
    this.connectOptions = { caFile: options.caFile, log: options.log, label: options.label };
  }

  async alternateName(currentUser: string): Promise<string> {
    const alternate = alternateOf(currentUser);
    const limit = this.options.accountNameMaxLength ?? DEFAULT_MYSQL_NAME_LIMIT;
    if (alternate.length > limit) {
      throw new InvalidSecretError(
        `${this.options.label}: AccountName: the alternate account name would have ${alternate.length} characters, more than the ${limit} allowed (ACCOUNT_NAME_MAX_LENGTH)`,
      );
    }
    if (!accountName.safeParse(alternate).success) {
      throw new InvalidSecretError(`${this.options.label}: AccountName: the alternate account name is not a valid MySQL user name`);
    }
    return alternate;
  }

  passwordRules(): PasswordRules {
    // MySQL takes any character in a bound value; the configured exclusions keep clients and shells safe.
    return { minLength: 8, maxLength: 128 };
  }

  async loginState(account: Account): Promise<LoginState> {
    return (await canLogIn(account, this.connectOptions)) ? 'works' : 'refused';
  }

  async apply(plan: RotationPlan): Promise<ApplyResult> {
    const { current, pending, master } = plan;
    const label = this.options.label;
    if (!master) throw new InvalidSecretError(`${label}: MasterSecret: required to create and update the alternate account`);
    try {
      return await withConnection(master, this.connectOptions, (session) => this.applyAsMaster(session, current, pending));
    } catch (err) {
      if (err instanceof LoginRefused) {
        throw new PreconditionError(`${label}: the master secret's credentials do not log in (${err.code})`);
      }
      throw err;
    }
  }

  private async applyAsMaster(session: Session, current: Account, pending: Account): Promise<ApplyResult> {
    const label = this.options.label;
    const [server] = await session.query<{ v: unknown; mode: unknown }>(verbatim('SELECT VERSION() AS v, @@SESSION.sql_mode AS mode'));
    const dialect = dialectFor(parseServerVersion(String(server?.v ?? '')));
    const modes = String(server?.mode ?? '').split(',');
    if (modes.includes('NO_BACKSLASH_ESCAPES')) {
      // Bound values and copied grantees are escaped with backslashes, which this mode would turn into literals.
      await session.query(bound('SET SESSION sql_mode = ?', modes.filter((m) => m !== 'NO_BACKSLASH_ESCAPES').join(',')));
    }
    if (pending.user.length > dialect.maxUserNameLength) {
      throw new InvalidSecretError(`${label}: AccountName: this server allows user names of at most ${dialect.maxUserNameLength} characters`);
    }
    const hosts = (await session.query<{ Host: unknown }>(dialect.userHosts(current.user))).map((row) => String(row.Host));
    if (hosts.length === 0) {
      throw new PreconditionError(`${label}: AccountName: the current account has no entry in mysql.user visible to the master`);
    }
    let created = false;
    for (const host of hosts) {
      created = (await this.cloneOnHost(session, dialect, current.user, pending, host)) || created;
    }
    this.options.log.info('pending account matches the current account', { account: pending.user, count: hosts.length });
    return { created };
  }

  /** Makes pending@host a twin of current@host. The real password is set last, so a pending login that works proves the rest is done. */
  private async cloneOnHost(session: Session, dialect: MysqlDialect, currentUser: string, pending: Account, host: string): Promise<boolean> {
    const existing = await session.query(dialect.readTlsRequirement(pending.user, host));
    const created = existing.length === 0;
    if (created) {
      // A throwaway password: until the grants are copied, nobody may log in as the new account.
      await session.query(dialect.createUser(pending.user, host, randomBytes(24).toString('base64url')));
    }
    const grantsOf = async (user: string): Promise<string[]> =>
      (await session.query(dialect.showGrants(user, host))).map((row) => String(Object.values(row)[0]));
    const statements = planGrantSync(await grantsOf(currentUser), await grantsOf(pending.user), { user: pending.user, host });
    for (const statement of statements) await session.query(statement);

    const [currentTls] = await session.query(dialect.readTlsRequirement(currentUser, host));
    const wanted = tlsRequirementFromRow(currentTls ?? {});
    const have = tlsRequirementFromRow(existing[0] ?? {});
    if (created || JSON.stringify(wanted) !== JSON.stringify(have)) await session.query(dialect.setRequire(pending.user, host, wanted));

    await session.query(dialect.setPassword(pending.user, host, pending.password));
    return created;
  }

  async verify(pending: Account): Promise<VerifyResult> {
    if (!(await canLogIn(pending, this.connectOptions))) {
      throw new PreconditionError(`${this.options.label}: the pending credentials do not log in`);
    }
    return { check: 'login' };
  }
}
