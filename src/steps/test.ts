/**
 * Step `test`: prove the ACSPending credentials work (a login and a harmless query) before
 * `end` makes them current. Changes nothing: it never writes to the store or the database.
 */
import { PreconditionError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import type { StepContext, StepResult } from './types.js';
import { loadVersion } from './versions.js';

export async function testStep(ctx: StepContext): Promise<StepResult> {
  const versionId = ctx.versionId;
  const pending = await loadVersion(ctx, { versionId }, 'VersionId');
  const stages = pending.version.stages;
  if (!stages.includes(Stage.Pending) && !stages.includes(Stage.Current)) {
    throw new PreconditionError(`${secretLabel(ctx.secretName, `version ${versionId}`)}: the version is neither ACSPending nor ACSCurrent`);
  }
  const verified = await ctx.backend.verify(pending.account, pending.strategy, 'test');
  ctx.log.info('the pending credentials work', { check: verified.check, account: pending.account.user });
  return { Step: 'test', Backend: ctx.backend.kind, VersionId: versionId, AccountName: pending.account.user, Check: verified.check };
}
