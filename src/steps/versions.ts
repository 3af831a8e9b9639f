/**
 * Loading secret versions for the steps: the rotated secret's versions parsed in its backend's
 * format, and the master secret. Every password read is registered with the mask before anything
 * else can see it. Reads only; it never writes to the store.
 */
import type { Account, SecretAccount } from '../backends/backend.js';
import { InvalidSecretError, PreconditionError, SecretNotFoundError, withContext } from '../errors.js';
import { MasterSecretSchema, Stage, parseSecret, parseSecretJson, secretLabel, type RawSecret, type StageName } from '../secrets/schema.js';
import type { SecretValue } from '../secrets/store.js';
import type { StepContext } from './types.js';

/** A version of the rotated secret, parsed for its backend. */
export interface LoadedVersion extends SecretAccount {
  version: SecretValue;
  raw: RawSecret;
}

type Ctx = StepContext<string | undefined>;

export async function loadVersion(ctx: Ctx, selector: { stage?: StageName; versionId?: string }, which: string): Promise<LoadedVersion> {
  return requireVersion(ctx, await ctx.store.find(ctx.secretName, selector), which);
}

/** A version the store answered with, parsed; SecretNotFoundError naming `which` when there was none. */
export function requireVersion(ctx: Ctx, version: SecretValue | undefined, which: string): LoadedVersion {
  if (!version) throw new SecretNotFoundError(`${secretLabel(ctx.secretName, which)}: no such version`);
  return parseVersion(ctx, version, which);
}

export function parseVersion(ctx: Ctx, version: SecretValue, which: string): LoadedVersion {
  const label = secretLabel(ctx.secretName, which);
  const raw = readSecretJson(ctx, version, label);
  return { version, raw, ...ctx.backend.readSecret(raw, label) };
}

/**
 * The master account for a rotation, refused before anything changes where it could become the
 * rotation's own target: the master secret being the rotated secret itself, a master for another
 * server, or a master account that is the current or the alternate account (set would then rewrite
 * the master's grants and password, locking out every secret that uses it).
 */
export async function loadMasterFor(ctx: Ctx, current: LoadedVersion, masterSecret: string, alternate: string): Promise<Account> {
  const label = secretLabel(ctx.secretName, Stage.Current);
  if (masterSecret === ctx.secretName) throw new PreconditionError(`${label}: MasterSecret: names the rotated secret itself`);
  const master = await loadMaster(ctx, masterSecret);
  // Host names are case-insensitive; a different spelling of the same server (an IP, an alias) is still refused.
  if (master.endpoint?.toLowerCase() !== current.account.endpoint?.toLowerCase() || master.port !== current.account.port) {
    throw new PreconditionError(`${label}: MasterSecret: the master secret is for another Endpoint or Port`);
  }
  if (master.user === current.account.user || master.user === alternate) {
    throw new PreconditionError(
      `${label}: MasterSecret: the master account would be rotated itself (it is the ${master.user === alternate ? 'alternate' : 'current'} account); give the application its own account`,
    );
  }
  return master;
}

export async function loadMaster(ctx: Ctx, masterSecret: string): Promise<Account> {
  const label = `master secret ${masterSecret} of secret ${ctx.secretName}`;
  const version = await ctx.store.find(masterSecret, { stage: Stage.Current }).catch((err: unknown) => {
    // The store says which secret is missing; say which rotation needed it.
    throw err instanceof SecretNotFoundError ? withContext(err, label) : err;
  });
  if (!version) throw new SecretNotFoundError(`${label}: not found`);
  const master = parseSecret(MasterSecretSchema, readSecretJson(ctx, version, label), label);
  return { user: master.AccountName, password: master.AccountPassword, endpoint: master.Endpoint, port: master.Port, ssl: master.SSL };
}

/** SecretData as JSON, its password masked from all output before it is validated any further. */
function readSecretJson(ctx: Ctx, version: SecretValue, label: string): RawSecret {
  if (version.dataType !== 'text') throw new InvalidSecretError(`${label}: SecretDataType must be text`);
  const raw = parseSecretJson(version.data, label);
  if (typeof raw['AccountPassword'] === 'string') ctx.mask.protect(raw['AccountPassword']);
  return raw;
}
