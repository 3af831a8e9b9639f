/**
 * Step `end`: ACSCurrent moves to the new version, the old current keeps ACSPrevious (moved
 * explicitly, since KMS is not documented to do it), and ACSPending is cleared. Each move is
 * checked against the listing first, so a re-run after a crash finishes what is left. Before any
 * move it proves the pending version works (a login, or on RDS engines without one the account's
 * state): `end` after a skipped `set`, or after the alternate was dropped, must not promote a version
 * nobody can log in with. It never changes the database.
 */
import { CloudApiError, PreconditionError, SecretNotFoundError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import type { VersionInfo } from '../secrets/store.js';
import type { StepContext, StepResult } from './types.js';
import { requireVersion } from './versions.js';

export async function endStep(ctx: StepContext): Promise<StepResult> {
  const versionId = ctx.versionId;
  const result = { Step: 'end' as const, Backend: ctx.backend.kind, VersionId: versionId };
  const label = secretLabel(ctx.secretName, `version ${versionId}`);
  const versions = await ctx.store.listVersions(ctx.secretName);
  const target = versions.find((v) => v.versionId === versionId);
  const holder = (stage: string) => versions.find((v) => v.stages.includes(stage));
  const current = holder(Stage.Current);

  if (current?.versionId === versionId) {
    if (target?.stages.includes(Stage.Pending)) await removeLeftoverPending(ctx);
    return { ...result, Skipped: 'this version is already ACSCurrent' };
  }
  if (!target) throw new SecretNotFoundError(`${label}: no such version`);
  if (!target.stages.includes(Stage.Pending)) throw new PreconditionError(`${label}: the version is not staged ACSPending`);

  // The listing has the stages; the data, where `test` ran here, is already known.
  const pending = requireVersion(ctx, await ctx.store.withData(ctx.secretName, target), 'VersionId');
  try {
    await ctx.backend.verify(pending.account, pending.strategy, 'promote');
  } catch (err) {
    if (err instanceof PreconditionError) {
      // The backend's message says why (refused, locked, privileges differ); it names no value.
      throw new PreconditionError(
        `${label}: the pending credentials do not work, so ACSCurrent stays where it is; run set and test first (${err.message})`,
      );
    }
    throw err;
  }

  for (let pass = 1; ; pass++) {
    try {
      await promote(ctx, pass === 1 ? versions : await ctx.store.listVersions(ctx.secretName));
      break;
    } catch (err) {
      // Another end of the same version at the same moment (a retry racing a slow first attempt)
      // moved a stage this pass planned from: look again and finish what is left.
      if (!(err instanceof CloudApiError) || pass >= MAX_PASSES) throw err;
      ctx.log.warn('a stage moved while end ran; reading the stages again', { stage: Stage.Current });
    }
  }
  ctx.log.info('ACSCurrent moved to the new version', { stage: Stage.Current });
  return result;
}

const MAX_PASSES = 3;

/** ACSPending off a version that is already ACSCurrent; another end at the same moment may have taken it first. */
async function removeLeftoverPending(ctx: StepContext): Promise<void> {
  try {
    await ctx.store.removeStage(ctx.secretName, Stage.Pending, ctx.versionId);
  } catch (err) {
    if (!(err instanceof CloudApiError)) throw err;
    const again = await ctx.store.listVersions(ctx.secretName);
    if (again.find((v) => v.versionId === ctx.versionId)?.stages.includes(Stage.Pending)) throw err;
  }
}

/** The moves still missing, by `listing`, for the version to be ACSCurrent: ACSPrevious to the old current, ACSCurrent, ACSPending off. */
async function promote(ctx: StepContext, listing: readonly VersionInfo[]): Promise<void> {
  const versionId = ctx.versionId;
  const holder = (stage: string) => listing.find((v) => v.stages.includes(stage));
  const current = holder(Stage.Current);
  if (current?.versionId !== versionId) {
    if (current) {
      const previous = holder(Stage.Previous);
      if (previous?.versionId !== current.versionId) {
        await ctx.store.moveStage(ctx.secretName, Stage.Previous, current.versionId, previous?.versionId);
      }
    }
    await ctx.store.moveStage(ctx.secretName, Stage.Current, versionId, current?.versionId);
  }
  if (listing.find((v) => v.versionId === versionId)?.stages.includes(Stage.Pending)) {
    await ctx.store.removeStage(ctx.secretName, Stage.Pending, versionId);
  }
}
