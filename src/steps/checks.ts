/**
 * The safety checks `set` makes before the backend changes anything (README: Safety checks in
 * `set`), in their order, shared by `set` and by the dry run (plan.ts), so that a plan is refused
 * exactly where, and exactly as, `set` would be. Reads only: the master secret (alternate) or the
 * ACSPrevious version (single) from KMS, and logins.
 */
import type { Account, LoginState } from '../backends/backend.js';
import { InvalidSecretError, PreconditionError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import { requireRotatable, sameExceptAccount } from './rules.js';
import type { StepContext } from './types.js';
import { loadMasterFor, parseVersion, type LoadedVersion } from './versions.js';

export interface CheckedRotation {
  /** The master account the backend makes the change with, when the secret names one (alternate only). */
  master: Account | undefined;
  /**
   * Single-account rotation: the credentials that log in now, with which the account changes its own
   * password — the current ones, or where only those still work, the ACSPrevious password (a
   * rotation that changed the database and was then rolled back, or restored by hand).
   */
  login?: Account | undefined;
  /** Set has nothing to do, and why (the pending credentials already log in). */
  skipped?: string;
}

export interface CheckOptions {
  /** "secret app-db (version v2)": the pending version, for the messages of its structural checks. */
  label: string;
  /**
   * false where the pending password was generated just now and cannot log in yet (the dry run's
   * new version): the login that would only fail is not tried, so a failed-login limit on the
   * alternate (MySQL's FAILED_LOGIN_ATTEMPTS, MariaDB's max_password_errors) is never counted.
   */
  pendingMayLogIn: boolean;
}

export async function checkBeforeSet(
  ctx: StepContext<string | undefined>,
  current: LoadedVersion,
  pending: LoadedVersion,
  options: CheckOptions,
): Promise<CheckedRotation> {
  const { label } = options;
  requireRotatable(ctx.secretName, ctx.backend.kind, current, Stage.Current);
  const single = current.strategy === 'single';
  // Structural checks first: they cost nothing and catch a tampered pending version before any login.
  if (single) {
    if (pending.account.user !== current.account.user) {
      throw new PreconditionError(
        `${label}: AccountName is not the ACSCurrent account, whose own password RotationStrategy single changes`,
      );
    }
  } else if (pending.account.user !== (await ctx.backend.alternateName(current.account.user))) {
    throw new PreconditionError(`${label}: AccountName is not the alternate of the ACSCurrent account`);
  }
  if (pending.account.endpoint !== current.account.endpoint || pending.account.port !== current.account.port) {
    throw new PreconditionError(`${label}: Endpoint and Port must be those of the ACSCurrent version`);
  }
  if (!sameExceptAccount(pending.raw, current.raw)) {
    throw new PreconditionError(`${label}: fields other than AccountName and AccountPassword differ from the ACSCurrent version`);
  }

  // The master is checked here too, before any login: a master that is the current or the alternate
  // account would have its own grants and password rewritten. A single-account rotation uses none.
  const master =
    single || current.masterSecret === undefined
      ? undefined
      : await loadMasterFor(ctx, current, current.masterSecret, pending.account.user);

  if (options.pendingMayLogIn && (await ctx.backend.loginState(pending.account)) === 'works') {
    ctx.log.info('the pending credentials already log in', { check: 'pending-login', account: pending.account.user });
    return { master, skipped: 'the pending credentials already log in' };
  }
  const currentState = await ctx.backend.loginState(current.account);
  const currentLabel = secretLabel(ctx.secretName, Stage.Current);
  requireUsable(currentLabel, current.account.user, currentState);
  if (currentState !== 'refused') return single ? { master, login: current.account } : { master };
  if (!single) throw new PreconditionError(`${currentLabel}: the current credentials do not log in`);
  const previous = await previousLogin(ctx, current);
  if (!previous) throw new PreconditionError(`${currentLabel}: neither the pending, the current nor the ACSPrevious credentials log in`);
  ctx.log.warn('the current credentials do not log in but the ACSPrevious password does: set changes the password with it', {
    check: 'previous-login',
    account: current.account.user,
  });
  return { master, login: previous };
}

/** A locked or expired pending account is no blocker (apply rewrites it); a current one cannot be rotated. */
function requireUsable(label: string, user: string, state: LoginState): void {
  if (state === 'locked' || state === 'expired') {
    throw new PreconditionError(
      `${label}: the current account ${user} ${state === 'locked' ? 'is locked' : 'has an expired password'}; it must log in to be rotated`,
    );
  }
}

/**
 * The current account with the ACSPrevious version's password, when that logs in. Only the password
 * is taken from ACSPrevious, and only from a version of the same account on the same server: the
 * login goes where ACSCurrent says, with its TLS setting. An ACSPrevious version that cannot be
 * read as this backend's secret is no help, and no error.
 */
async function previousLogin(ctx: StepContext<string | undefined>, current: LoadedVersion): Promise<Account | undefined> {
  const version = await ctx.store.find(ctx.secretName, { stage: Stage.Previous });
  if (!version || version.versionId === current.version.versionId) return undefined;
  let previous: LoadedVersion;
  try {
    previous = parseVersion(ctx, version, Stage.Previous);
  } catch (err) {
    if (err instanceof InvalidSecretError) return undefined;
    throw err;
  }
  const { account } = previous;
  if (account.user !== current.account.user || account.endpoint !== current.account.endpoint || account.port !== current.account.port) {
    return undefined;
  }
  const login = { ...current.account, password: account.password };
  const state = await ctx.backend.loginState(login);
  requireUsable(secretLabel(ctx.secretName, Stage.Current), current.account.user, state);
  return state === 'refused' ? undefined : login;
}
