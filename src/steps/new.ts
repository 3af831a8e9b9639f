/**
 * Step `new`: stage a version with the alternate account and a fresh password as ACSPending.
 * Idempotent: an ACSPending version that still fits the current one is reused (a CloudFlow retry
 * arrives with a fresh requestId, and a crashed rotation may already have applied it); a stale
 * one is replaced, which takes ACSPending off it. What it reads and checks (`decideNew`) is shared
 * with the dry run, which writes nothing. Through the store and backend ports only: never an SDK or
 * SQL, and never a password in a log line or a message.
 */
import { generatePassword, passwordPolicy } from '../password.js';
import { Stage, secretLabel, withAccount, type RawSecret } from '../secrets/schema.js';
import type { SecretValue } from '../secrets/store.js';
import { requireAlternating, sameExceptAccount } from './rules.js';
import type { StepContext, StepResult } from './types.js';
import { loadMasterFor, loadVersion, parseVersion, type LoadedVersion } from './versions.js';

type Ctx = StepContext<string | undefined>;

/** What `new` reads and decides before it writes anything. */
export interface NewDecision {
  current: LoadedVersion;
  /** The pending account's name: the alternate of the current one. */
  alternate: string;
  /** The version holding ACSPending, if any. */
  staged: SecretValue | undefined;
  /** `staged`, when it is not ACSCurrent's and still fits it: `new` reuses it instead of staging a version. */
  reuse: SecretValue | undefined;
}

/** `new`'s reads and checks, in its order: ACSCurrent, its strategy, the alternate's name, the master, the ACSPending version. */
export async function decideNew(ctx: Ctx): Promise<NewDecision> {
  const current = await loadVersion(ctx, { stage: Stage.Current }, Stage.Current);
  requireAlternating(ctx.secretName, current, Stage.Current);
  const alternate = await ctx.backend.alternateName(current.account.user);
  // One KMS read buys refusing now what set would refuse later (a missing master, a master for another
  // server, a master that is the current or alternate account), before a pending version is staged.
  if (current.masterSecret !== undefined) await loadMasterFor(ctx, current, current.masterSecret, alternate);
  const staged = await ctx.store.find(ctx.secretName, { stage: Stage.Pending });
  const reuse =
    staged && staged.versionId !== current.version.versionId && isReusable(ctx, staged, current.raw, alternate) ? staged : undefined;
  return { current, alternate, staged, reuse };
}

/** A fresh password for the pending account, registered with the mask before anything can see it. */
export function newPassword(ctx: Ctx): string {
  const password = generatePassword(passwordPolicy(ctx.passwordConfig, ctx.backend.passwordRules()));
  ctx.mask.protect(password);
  return password;
}

/** The new version's SecretData: ACSCurrent's, with the pending account's name and password. */
export function pendingData(ctx: Ctx, current: LoadedVersion, alternate: string, password: string): string {
  return withAccount(current.version.data, alternate, password, secretLabel(ctx.secretName, Stage.Current));
}

export async function newStep(ctx: Ctx): Promise<StepResult> {
  const { current, alternate, staged: pending, reuse } = await decideNew(ctx);
  const result = { Step: 'new' as const, Backend: ctx.backend.kind, AccountName: alternate };
  if (reuse) {
    ctx.log.info('reusing the ACSPending version of an earlier attempt', { versionId: reuse.versionId });
    return { ...result, VersionId: reuse.versionId, Skipped: 'an ACSPending version for this rotation already exists' };
  }
  if (pending && pending.versionId !== current.version.versionId) {
    ctx.log.warn('replacing a stale ACSPending version', { versionId: pending.versionId });
  }

  const versionId = ctx.versionId ?? ctx.requestId;
  // An explicit VersionId may name a rotation that already finished; FC's requestId never does.
  const existing = ctx.versionId !== undefined ? await ctx.store.find(ctx.secretName, { versionId }) : undefined;
  if (existing?.stages.includes(Stage.Current)) {
    // The result names the account this version holds (README: Step results), which is ACSCurrent's.
    return { ...result, AccountName: current.account.user, VersionId: versionId, Skipped: 'this version is already ACSCurrent' };
  }

  const password = newPassword(ctx);
  await ctx.store.putPending(ctx.secretName, versionId, pendingData(ctx, current, alternate, password));
  if (pending && pending.versionId !== versionId) {
    // KMS is not documented to take a stage off its old holder on PutSecretValue: make sure.
    const stale = await ctx.store.find(ctx.secretName, { versionId: pending.versionId });
    if (stale?.stages.includes(Stage.Pending)) await ctx.store.removeStage(ctx.secretName, Stage.Pending, pending.versionId);
  }
  ctx.log.info('staged a new version as ACSPending', { versionId, account: alternate });
  return { ...result, VersionId: versionId };
}

function isReusable(ctx: Ctx, pending: SecretValue, currentRaw: RawSecret, alternate: string): boolean {
  try {
    const parsed = parseVersion(ctx, pending, Stage.Pending);
    return parsed.account.user === alternate && sameExceptAccount(parsed.raw, currentRaw);
  } catch {
    return false;
  }
}
