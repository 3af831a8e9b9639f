/**
 * Step `new`: stage a version with the alternate account and a fresh password as ACSPending.
 * Idempotent: an ACSPending version that still fits the current one is reused (a CloudFlow retry
 * arrives with a fresh requestId, and a crashed rotation may already have applied it); a stale
 * one is replaced, which takes ACSPending off it. Through the store and backend ports only: never an
 * SDK or SQL, and never a password in a log line or a message.
 */
import { generatePassword, passwordPolicy } from '../password.js';
import { Stage, secretLabel, withAccount, type RawSecret } from '../secrets/schema.js';
import type { SecretValue } from '../secrets/store.js';
import { requireAlternating, sameExceptAccount } from './rules.js';
import type { StepContext, StepResult } from './types.js';
import { loadMasterFor, loadVersion, parseVersion } from './versions.js';

export async function newStep(ctx: StepContext<string | undefined>): Promise<StepResult> {
  const current = await loadVersion(ctx, { stage: Stage.Current }, Stage.Current);
  requireAlternating(ctx.secretName, current, Stage.Current);
  const alternate = await ctx.backend.alternateName(current.account.user);
  const result = { Step: 'new' as const, Backend: ctx.backend.kind, AccountName: alternate };
  // One KMS read buys refusing now what set would refuse later (a missing master, a master for another
  // server, a master that is the current or alternate account), before a pending version is staged.
  if (current.masterSecret !== undefined) await loadMasterFor(ctx, current, current.masterSecret, alternate);

  const pending = await ctx.store.find(ctx.secretName, { stage: Stage.Pending });
  if (pending && pending.versionId !== current.version.versionId) {
    if (isReusable(ctx, pending, current.raw, alternate)) {
      ctx.log.info('reusing the ACSPending version of an earlier attempt', { versionId: pending.versionId });
      return { ...result, VersionId: pending.versionId, Skipped: 'an ACSPending version for this rotation already exists' };
    }
    ctx.log.warn('replacing a stale ACSPending version', { versionId: pending.versionId });
  }

  const versionId = ctx.versionId ?? ctx.requestId;
  // An explicit VersionId may name a rotation that already finished; FC's requestId never does.
  const existing = ctx.versionId !== undefined ? await ctx.store.find(ctx.secretName, { versionId }) : undefined;
  if (existing?.stages.includes(Stage.Current)) {
    // The result names the account this version holds (README: Step results), which is ACSCurrent's.
    return { ...result, AccountName: current.account.user, VersionId: versionId, Skipped: 'this version is already ACSCurrent' };
  }

  const password = generatePassword(passwordPolicy(ctx.passwordConfig, ctx.backend.passwordRules()));
  ctx.mask.protect(password);
  await ctx.store.putPending(
    ctx.secretName,
    versionId,
    withAccount(current.version.data, alternate, password, secretLabel(ctx.secretName, Stage.Current)),
  );
  if (pending && pending.versionId !== versionId) {
    // KMS is not documented to take a stage off its old holder on PutSecretValue: make sure.
    const stale = await ctx.store.find(ctx.secretName, { versionId: pending.versionId });
    if (stale?.stages.includes(Stage.Pending)) await ctx.store.removeStage(ctx.secretName, Stage.Pending, pending.versionId);
  }
  ctx.log.info('staged a new version as ACSPending', { versionId, account: alternate });
  return { ...result, VersionId: versionId };
}

function isReusable(ctx: StepContext<string | undefined>, pending: SecretValue, currentRaw: RawSecret, alternate: string): boolean {
  try {
    const parsed = parseVersion(ctx, pending, Stage.Pending);
    return parsed.account.user === alternate && sameExceptAccount(parsed.raw, currentRaw);
  } catch {
    return false;
  }
}
