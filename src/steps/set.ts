/**
 * Step `set`: make the database match the ACSPending version, after the safety checks AWS's
 * rotation guidance asks for (checks.ts, which the dry run runs too): the alternate made a twin of
 * the current account by the master, or for a single-account rotation the account's own password
 * changed, logged in as itself. Nothing is changed until every check has passed, and the store is
 * never written: only the backend changes the database.
 */
import { PreconditionError } from '../errors.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import { checkBeforeSet } from './checks.js';
import type { StepContext, StepResult } from './types.js';
import { requireVersion } from './versions.js';

export async function setStep(ctx: StepContext): Promise<StepResult> {
  const versionId = ctx.versionId;
  // Both versions at once: where this container ran the rotation's `new`, one listing stands in for two reads.
  const [pendingValue, currentValue] = await ctx.store.findEach(ctx.secretName, [{ versionId }, { stage: Stage.Current }]);
  const pending = requireVersion(ctx, pendingValue, 'VersionId');
  const result = { Step: 'set' as const, Backend: ctx.backend.kind, VersionId: versionId, AccountName: pending.account.user };
  if (pending.version.stages.includes(Stage.Current)) return { ...result, Skipped: 'this version is already ACSCurrent' };
  const label = secretLabel(ctx.secretName, `version ${versionId}`);
  if (!pending.version.stages.includes(Stage.Pending)) throw new PreconditionError(`${label}: the version is not staged ACSPending`);

  const current = requireVersion(ctx, currentValue, Stage.Current);
  const checked = await checkBeforeSet(ctx, current, pending, { label, pendingMayLogIn: true });
  if (checked.skipped !== undefined) return { ...result, Skipped: checked.skipped };

  const applied = await ctx.backend.apply({
    current: current.account,
    pending: pending.account,
    master: checked.master,
    // Alternate is the plan's default: its shape stays as it was.
    ...(current.strategy === 'single' ? { strategy: 'single' as const, login: checked.login } : {}),
  });
  ctx.log.info('the database now matches the pending version', {
    account: pending.account.user,
    outcome: applied.created ? 'created' : 'updated',
  });
  return result;
}
