/**
 * Step `set`: make the database match the ACSPending version, after the safety checks AWS's
 * rotation guidance asks for. Nothing is changed until every check has passed, and the store is never
 * written: only the backend changes the database.
 */
import { PreconditionError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import { requireAlternating, sameExceptAccount } from './rules.js';
import type { StepContext, StepResult } from './types.js';
import { loadMasterFor, loadVersion } from './versions.js';

export async function setStep(ctx: StepContext): Promise<StepResult> {
  const versionId = ctx.versionId;
  const pending = await loadVersion(ctx, { versionId }, 'VersionId');
  const result = { Step: 'set' as const, Backend: ctx.backend.kind, VersionId: versionId, AccountName: pending.account.user };
  if (pending.version.stages.includes(Stage.Current)) return { ...result, Skipped: 'this version is already ACSCurrent' };
  const label = secretLabel(ctx.secretName, `version ${versionId}`);
  if (!pending.version.stages.includes(Stage.Pending)) throw new PreconditionError(`${label}: the version is not staged ACSPending`);

  const current = await loadVersion(ctx, { stage: Stage.Current }, Stage.Current);
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

  if ((await ctx.backend.loginState(pending.account)) === 'works') {
    ctx.log.info('the pending credentials already log in', { check: 'pending-login', account: pending.account.user });
    return { ...result, Skipped: 'the pending credentials already log in' };
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

  const applied = await ctx.backend.apply({ current: current.account, pending: pending.account, master });
  ctx.log.info('the database now matches the pending version', {
    account: pending.account.user,
    outcome: applied.created ? 'created' : 'updated',
  });
  return result;
}
