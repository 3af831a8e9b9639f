/**
 * Step `new`: stage a version with the pending account (the alternate, or for a single-account
 * rotation the current account itself) and a fresh password as ACSPending.
 * Idempotent: an ACSPending version that still fits the current one is reused (a CloudFlow retry
 * arrives with a fresh requestId, and a crashed rotation may already have applied it); a stale
 * one is replaced, which takes ACSPending off it — but the password of a stale single-account
 * version the database already holds is kept in its replacement, never dropped. What it reads and
 * checks (`decideNew`) is shared with the dry run, which writes nothing. Through the store and
 * backend ports only: never an SDK or SQL, and never a password in a log line or a message.
 */
import type { Account } from '../backends/backend.js';
import { PreconditionError } from '../errors.js';
import { generatePassword, passwordPolicy } from '../password.js';
import { Stage, secretLabel, withAccount, type RawSecret } from '../secrets/schema.js';
import type { SecretValue } from '../secrets/store.js';
import { pendingUserFor, requireRotatable, sameExceptAccount } from './rules.js';
import type { StepContext, StepResult } from './types.js';
import { loadMasterFor, loadVersion, parseVersion, type LoadedVersion } from './versions.js';

type Ctx = StepContext<string | undefined>;

/** What `new` reads and decides before it writes anything. */
export interface NewDecision {
  current: LoadedVersion;
  /** The pending account's name: the alternate of the current one, or (single) the current one itself. */
  pendingUser: string;
  /** The version holding ACSPending, if any. */
  staged: SecretValue | undefined;
  /** `staged`, when it is not ACSCurrent's and still fits it: `new` reuses it instead of staging a version. */
  reuse: SecretValue | undefined;
  /**
   * A stale `staged` version of a single-account rotation whose password the database already holds
   * (its `set` ran, its `end` did not): the new version takes that password instead of a fresh one, so
   * replacing it never drops the only password that logs in.
   */
  carried: { versionId: string; password: string } | undefined;
  /** The login whose session reads the server's password policy: the one that will set the password. */
  policyVia: Account | undefined;
}

/** `new`'s reads and checks, in its order: ACSCurrent, its strategy, the pending account's name, the master, the ACSPending version. */
export async function decideNew(ctx: Ctx): Promise<NewDecision> {
  const current = await loadVersion(ctx, { stage: Stage.Current }, Stage.Current);
  requireRotatable(ctx.secretName, ctx.backend.kind, current, Stage.Current);
  const pendingUser = await pendingUserFor(ctx.backend, current);
  // One KMS read buys refusing now what set would refuse later (a missing master, a master for another
  // server, a master that is the current or alternate account), before a pending version is staged.
  let master: Account | undefined;
  if (current.strategy === 'alternate' && current.masterSecret !== undefined) {
    master = await loadMasterFor(ctx, current, current.masterSecret, pendingUser);
  }
  const staged = await ctx.store.find(ctx.secretName, { stage: Stage.Pending });
  const stale = staged && staged.versionId !== current.version.versionId ? staged : undefined;
  const reuse = stale && isReusable(ctx, stale, current.raw, pendingUser) ? stale : undefined;
  const carried = stale && !reuse ? await heldPassword(ctx, current, stale) : undefined;
  // Alternating accounts: the master sets the password. One account: the account itself, with what works now.
  const policyVia =
    current.strategy === 'alternate' ? master : carried ? { ...current.account, password: carried.password } : current.account;
  return { current, pendingUser, staged, reuse, carried, policyVia };
}

/**
 * The password of a stale ACSPending version that the database already holds for the current
 * account, when that version (or ACSCurrent) rotates a single account: its `set` may have changed
 * the password, and then, on a server without dual passwords, it holds the only one that logs in.
 * The one case where `new` logs in to the database. Undefined when it cannot be (an alternating
 * rotation's version, one that does not parse, another account) or the login is refused; refused
 * with PreconditionError, nothing staged, when ACSCurrent rotates alternating accounts, since that
 * version cannot become part of such a rotation.
 */
async function heldPassword(ctx: Ctx, current: LoadedVersion, stale: SecretValue): Promise<NewDecision['carried']> {
  let parsed: LoadedVersion;
  try {
    parsed = parseVersion(ctx, stale, Stage.Pending);
  } catch {
    return undefined;
  }
  if (parsed.strategy !== 'single' && current.strategy !== 'single') return undefined;
  if (parsed.account.user !== current.account.user || parsed.account.password === current.account.password) return undefined;
  const state = await ctx.backend.loginState({ ...current.account, password: parsed.account.password });
  if (state === 'refused') return undefined;
  if (current.strategy === 'single') {
    // `unknown` (no login possible) is kept too: keeping a password the database may hold costs nothing.
    return { versionId: stale.versionId, password: parsed.account.password };
  }
  if (state === 'unknown') return undefined;
  throw new PreconditionError(
    `${secretLabel(ctx.secretName, Stage.Pending)}: version ${stale.versionId} is a single-account rotation whose password the database already holds, ` +
      'so it is not replaced; make ACSCurrent hold the password that logs in (or finish that rotation without MasterSecret) before rotating alternating accounts',
  );
}

/**
 * A fresh password for the pending account, meeting the configured policy, the database's rules and
 * (self-managed) the server's own policy as read by the login that will set it; registered with the
 * mask before anything can see it.
 */
export async function newPassword(ctx: Ctx, decision: Pick<NewDecision, 'policyVia' | 'pendingUser' | 'current'>): Promise<string> {
  const rules = await ctx.backend.passwordRules(
    decision.policyVia ? { via: decision.policyVia, users: [decision.pendingUser, decision.current.account.user] } : undefined,
  );
  const password = generatePassword(passwordPolicy(ctx.passwordConfig, rules));
  ctx.mask.protect(password);
  return password;
}

/** The new version's SecretData: ACSCurrent's, with the pending account's name and password. */
export function pendingData(ctx: Ctx, current: LoadedVersion, pendingUser: string, password: string): string {
  return withAccount(current.version.data, pendingUser, password, secretLabel(ctx.secretName, Stage.Current));
}

export async function newStep(ctx: Ctx): Promise<StepResult> {
  const decision = await decideNew(ctx);
  const { current, pendingUser, staged: pending, reuse, carried } = decision;
  const result = { Step: 'new' as const, Backend: ctx.backend.kind, AccountName: pendingUser };
  if (reuse) {
    ctx.log.info('reusing the ACSPending version of an earlier attempt', { versionId: reuse.versionId });
    return { ...result, VersionId: reuse.versionId, Skipped: 'an ACSPending version for this rotation already exists' };
  }
  if (carried) {
    ctx.log.warn('replacing a stale ACSPending version whose password the database already holds: the new version keeps that password', {
      versionId: carried.versionId,
    });
  } else if (pending && pending.versionId !== current.version.versionId) {
    ctx.log.warn('replacing a stale ACSPending version', { versionId: pending.versionId });
  }

  const versionId = ctx.versionId ?? ctx.requestId;
  // An explicit VersionId may name a rotation that already finished; FC's requestId never does.
  const existing = ctx.versionId !== undefined ? await ctx.store.find(ctx.secretName, { versionId }) : undefined;
  if (existing?.stages.includes(Stage.Current)) {
    // The result names the account this version holds (README: Step results), which is ACSCurrent's.
    return { ...result, AccountName: current.account.user, VersionId: versionId, Skipped: 'this version is already ACSCurrent' };
  }

  const password = carried?.password ?? (await newPassword(ctx, decision));
  await ctx.store.putPending(ctx.secretName, versionId, pendingData(ctx, current, pendingUser, password));
  if (pending && pending.versionId !== versionId) {
    // KMS is not documented to take a stage off its old holder on PutSecretValue: make sure.
    const stale = await ctx.store.find(ctx.secretName, { versionId: pending.versionId });
    if (stale?.stages.includes(Stage.Pending)) await ctx.store.removeStage(ctx.secretName, Stage.Pending, pending.versionId);
  }
  ctx.log.info('staged a new version as ACSPending', { versionId, account: pendingUser });
  return { ...result, VersionId: versionId };
}

function isReusable(ctx: Ctx, pending: SecretValue, currentRaw: RawSecret, pendingUser: string): boolean {
  try {
    const parsed = parseVersion(ctx, pending, Stage.Pending);
    return parsed.account.user === pendingUser && sameExceptAccount(parsed.raw, currentRaw);
  } catch {
    return false;
  }
}
