/**
 * The safety checks `set` makes before the backend changes anything (README: Safety checks in
 * `set`), in their order, shared by `set` and by the dry run (plan.ts), so that a plan is refused
 * exactly where, and exactly as, `set` would be. Reads only: the master secret from KMS, and logins.
 */
import type { Account } from '../backends/backend.js';
import { PreconditionError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import { requireAlternating, sameExceptAccount } from './rules.js';
import type { StepContext } from './types.js';
import { loadMasterFor, type LoadedVersion } from './versions.js';

export interface CheckedRotation {
  /** The master account the backend makes the change with, when the secret names one. */
  master: Account | undefined;
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
  requireAlternating(ctx.secretName, current, Stage.Current);
  // Structural checks first: they cost nothing and catch a tampered pending version before any login.
  if (pending.account.user !== (await ctx.backend.alternateName(current.account.user))) {
    throw new PreconditionError(`${label}: AccountName is not the alternate of the ACSCurrent account`);
  }
  if (pending.account.endpoint !== current.account.endpoint || pending.account.port !== current.account.port) {
    throw new PreconditionError(`${label}: Endpoint and Port must be those of the ACSCurrent version`);
  }
  if (!sameExceptAccount(pending.raw, current.raw)) {
    throw new PreconditionError(`${label}: fields other than AccountName and AccountPassword differ from the ACSCurrent version`);
  }

  // The master is checked here too, before any login: a master that is the current or the alternate
  // account would have its own grants and password rewritten.
  const master =
    current.masterSecret === undefined ? undefined : await loadMasterFor(ctx, current, current.masterSecret, pending.account.user);

  if (options.pendingMayLogIn && (await ctx.backend.loginState(pending.account)) === 'works') {
    ctx.log.info('the pending credentials already log in', { check: 'pending-login', account: pending.account.user });
    return { master, skipped: 'the pending credentials already log in' };
  }
  const currentState = await ctx.backend.loginState(current.account);
  const currentLabel = secretLabel(ctx.secretName, Stage.Current);
  if (currentState === 'refused') throw new PreconditionError(`${currentLabel}: the current credentials do not log in`);
  // A locked or expired pending account is no blocker (apply rewrites it); a current one cannot be rotated.
  if (currentState === 'locked' || currentState === 'expired') {
    throw new PreconditionError(
      `${currentLabel}: the current account ${current.account.user} ${currentState === 'locked' ? 'is locked' : 'has an expired password'}; it must log in to be rotated`,
    );
  }
  return { master };
}
