/**
 * The dry run of a whole rotation (the CLI's `plan`): what `new` would decide (decideNew: ACSCurrent,
 * its strategy, the pending account's name, the master, an ACSPending version to reuse or whose
 * password to keep), the checks `set`
 * would make (checkBeforeSet, the same function set calls), and the backend's own plan of `apply`
 * (Backend.preview, the same plan apply executes), plus the KMS calls `new` and `end` would make.
 * A rotation that would be refused is refused here with the same error. It writes nothing: no
 * version is stored, no stage moved, nothing changed in the database or on RDS; the password the
 * plan is made with is generated as `new` would, registered with the mask and never shown.
 */
import type { BackendKind, PlannedChange } from '../backends/backend.js';
import { Stage, secretLabel } from '../secrets/schema.js';
import type { SecretValue, VersionInfo } from '../secrets/store.js';
import { checkBeforeSet } from './checks.js';
import { decideNew, newPassword, pendingData } from './new.js';
import type { StepContext } from './types.js';
import { parseVersion, type LoadedVersion } from './versions.js';

/** One KMS call of the rotation: which step makes it, the API action, and what it does. */
export interface KmsCall {
  step: 'new' | 'end';
  action: 'PutSecretValue' | 'UpdateSecretVersionStage';
  detail: string;
}

export interface RotationPreview {
  SecretName: string;
  Backend: BackendKind;
  /** ACSCurrent's account, and the account the rotation makes current. */
  CurrentAccount: string;
  PendingAccount: string;
  /** The ACSPending version of an earlier attempt that `new` would reuse; absent when it would stage a new one. */
  PendingVersionId?: string;
  Kms: KmsCall[];
  /** What `set` would change in the database or on RDS, in its order (or a note that it changes nothing). */
  Changes: PlannedChange[];
}

/** Everything a step needs but the VersionId: a plan stages no version. */
export type PlanContext = Omit<StepContext<undefined>, 'versionId'>;

/** The version `new` would stage, as the checks see it: it is never stored. */
const NEW_VERSION = '(new)';

export async function planRotation(services: PlanContext): Promise<RotationPreview> {
  const ctx: StepContext<undefined> = { ...services, versionId: undefined };
  const decision = await decideNew(ctx);
  const { current, pendingUser, reuse, carried } = decision;
  const pending = reuse
    ? parseVersion(ctx, reuse, 'VersionId')
    : freshVersion(ctx, current, pendingUser, carried?.password ?? (await newPassword(ctx, decision)));
  const versionLabel = reuse ? `version ${reuse.versionId}` : 'the version new would stage';
  const checked = await checkBeforeSet(ctx, current, pending, {
    label: secretLabel(ctx.secretName, versionLabel),
    // A password generated just now logs in nowhere: the login is not tried (checks.ts says why).
    pendingMayLogIn: reuse !== undefined || carried !== undefined,
  });
  const changes: PlannedChange[] =
    checked.skipped !== undefined
      ? [{ kind: 'note', text: `${checked.skipped}: set changes nothing` }]
      : await ctx.backend.preview({
          current: current.account,
          pending: pending.account,
          master: checked.master,
          // Alternate is the plan's default: its shape stays as it was.
          ...(current.strategy === 'single' ? { strategy: 'single' as const, login: checked.login } : {}),
        });
  const listing = await ctx.store.listVersions(ctx.secretName);
  ctx.log.info('planned a rotation; nothing was changed', { account: pendingUser, count: changes.length });
  return {
    SecretName: ctx.secretName,
    Backend: ctx.backend.kind,
    CurrentAccount: current.account.user,
    PendingAccount: pendingUser,
    ...(reuse ? { PendingVersionId: reuse.versionId } : {}),
    Kms: [
      ...(reuse ? [] : newCalls(ctx.secretName, pendingUser, decision.staged, carried?.versionId)),
      ...endCalls(listing, current.version.versionId, reuse?.versionId),
    ],
    Changes: changes,
  };
}

/** The version `new` would stage, never stored: ACSCurrent's data with the pending account and the password new would give it. */
function freshVersion(ctx: StepContext<undefined>, current: LoadedVersion, pendingUser: string, password: string): LoadedVersion {
  const version: SecretValue = {
    secretName: ctx.secretName,
    versionId: NEW_VERSION,
    stages: [Stage.Pending],
    data: pendingData(ctx, current, pendingUser, password),
    dataType: 'text',
  };
  return parseVersion(ctx, version, Stage.Pending);
}

/** `new`'s writes (newStep): the new version, and ACSPending taken off the version that held it if KMS left it there. */
function newCalls(secretName: string, pendingUser: string, staged: SecretValue | undefined, carriedFrom: string | undefined): KmsCall[] {
  const password =
    carriedFrom === undefined
      ? 'a generated AccountPassword (<redacted>)'
      : `the AccountPassword of version ${carriedFrom}, which the database already holds (<redacted>)`;
  return [
    {
      step: 'new',
      action: 'PutSecretValue',
      detail: `a new version of secret ${secretName}, staged ACSPending (its VersionId is the new step's requestId): the ACSCurrent version's SecretData with AccountName ${pendingUser} and ${password}`,
    },
    ...(staged
      ? [
          {
            step: 'new' as const,
            action: 'UpdateSecretVersionStage' as const,
            detail: `ACSPending removed from version ${staged.versionId}, replaced as stale, if PutSecretValue left it there`,
          },
        ]
      : []),
  ];
}

/** `end`'s moves (end.ts promote) from the stages as they are now; `target` undefined: the version new would stage. */
function endCalls(listing: readonly VersionInfo[], currentId: string, target: string | undefined): KmsCall[] {
  const theNew = target === undefined ? 'the new version' : `version ${target}`;
  const previous = listing.find((v) => v.stages.includes(Stage.Previous));
  const calls: KmsCall[] = [];
  if (previous?.versionId !== currentId) {
    calls.push({
      step: 'end',
      action: 'UpdateSecretVersionStage',
      detail: `ACSPrevious moved to version ${currentId} (ACSCurrent now)${previous ? `, from version ${previous.versionId}` : ''}`,
    });
  }
  calls.push(
    { step: 'end', action: 'UpdateSecretVersionStage', detail: `ACSCurrent moved from version ${currentId} to ${theNew}` },
    { step: 'end', action: 'UpdateSecretVersionStage', detail: `ACSPending removed from ${theNew}` },
  );
  return calls;
}
