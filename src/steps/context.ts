/**
 * What every step receives and returns, and the secret-version helpers they share.
 * Steps orchestrate through the SecretStore and Backend ports only: no SDK, no SQL.
 */
import { InvalidEventError, PreconditionError, SecretNotFoundError } from '../errors.js';
import type { Step } from '../event.js';
import type { Logger, SecretMask } from '../log.js';
import type { Account, Backend, BackendKind, SecretAccount } from '../backends/backend.js';
import { MasterSecretSchema, Stage, parseSecret, parseSecretJson, secretLabel, type RawSecret, type StageName } from '../secrets/schema.js';
import type { SecretStore, SecretValue } from '../secrets/store.js';

export interface StepContext {
  secretName: string;
  /** The event's VersionId; for `new`, FC's requestId when the event has none. */
  versionId: string | undefined;
  requestId: string;
  store: SecretStore;
  backend: Backend;
  passwordConfig: { passwordLength: number; excludeCharacters: string };
  log: Logger;
  mask: SecretMask;
}

export interface StepResult {
  VersionId: string;
  Step: Step;
  Backend: BackendKind;
  AccountName?: string;
  /** Why the step had nothing to do (a retry, or a rotation already finished). */
  Skipped?: string;
  /** What the test step checked. */
  Check?: string;
}

/** A version of the rotated secret, parsed for its backend. */
export interface LoadedVersion extends SecretAccount {
  version: SecretValue;
  raw: RawSecret;
}

export async function loadVersion(
  ctx: StepContext,
  selector: { stage?: StageName; versionId?: string },
  which: string,
): Promise<LoadedVersion> {
  const version = await ctx.store.find(ctx.secretName, selector);
  if (!version) throw new SecretNotFoundError(`${secretLabel(ctx.secretName, which)}: no such version`);
  return parseVersion(ctx, version, which);
}

export function parseVersion(ctx: StepContext, version: SecretValue, which: string): LoadedVersion {
  const label = secretLabel(ctx.secretName, which);
  const raw = parseSecretJson(version.data, label);
  if (typeof raw['AccountPassword'] === 'string') ctx.mask.protect(raw['AccountPassword']);
  return { version, raw, ...ctx.backend.readSecret(raw, label) };
}

/** This release rotates with two alternating accounts; single-account rotation is planned, not built. */
export function requireAlternating(ctx: StepContext, loaded: LoadedVersion, which: string): void {
  if (loaded.strategy !== 'alternate') {
    throw new PreconditionError(
      `${secretLabel(ctx.secretName, which)}: RotationStrategy single is not supported by this release; ` +
        'set MasterSecret (or RotationStrategy "alternate" with a MasterSecret) to rotate with two accounts',
    );
  }
}

export async function loadMaster(ctx: StepContext, masterSecret: string): Promise<Account> {
  const label = `master secret ${masterSecret} of secret ${ctx.secretName}`;
  const version = await ctx.store.find(masterSecret, { stage: Stage.Current });
  if (!version) throw new SecretNotFoundError(`${label}: not found`);
  const raw = parseSecretJson(version.data, label);
  if (typeof raw['AccountPassword'] === 'string') ctx.mask.protect(raw['AccountPassword']);
  const master = parseSecret(MasterSecretSchema, raw, label);
  return { user: master.AccountName, password: master.AccountPassword, endpoint: master.Endpoint, port: master.Port, ssl: master.SSL };
}

/** Fields other than the account must match between versions of one rotation. */
export function sameExceptAccount(a: RawSecret, b: RawSecret): boolean {
  const strip = (raw: RawSecret): string => {
    const { AccountName: _n, AccountPassword: _p, ...rest } = raw;
    return JSON.stringify(
      Object.keys(rest)
        .sort()
        .map((key) => [key, rest[key]]),
    );
  };
  return strip(a) === strip(b);
}

export function requireVersionId(ctx: StepContext): string {
  if (ctx.versionId === undefined)
    throw new InvalidEventError(`invalid event for secret ${ctx.secretName}: VersionId: required for this step`);
  return ctx.versionId;
}
