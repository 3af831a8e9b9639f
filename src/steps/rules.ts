/**
 * The rules the steps apply to versions before acting: which strategy a secret rotates with and
 * whether its backend can, the account a rotation's pending version must hold, and that the
 * versions of one rotation differ in their account only. No I/O but the backend's naming check.
 */
import type { Backend, BackendKind } from '../backends/backend.js';
import { InvalidSecretError } from '../errors.js';
import { secretLabel, type RawSecret } from '../secrets/schema.js';
import type { LoadedVersion } from './versions.js';

/**
 * Refuses a strategy the secret cannot rotate with: `alternate` on a self-managed secret without a
 * MasterSecret (nobody could create and update the alternate account). InvalidSecretError naming
 * the field, before anything is staged or changed.
 */
export function requireRotatable(secretName: string, backend: BackendKind, loaded: LoadedVersion, which: string): void {
  if (loaded.strategy === 'alternate' && backend === 'mysql' && loaded.masterSecret === undefined) {
    throw new InvalidSecretError(
      `${secretLabel(secretName, which)}: MasterSecret: required with RotationStrategy "alternate" (the master creates and updates the alternate account); ` +
        'add one, or leave RotationStrategy out (or set it to "single") to have the account change its own password',
    );
  }
}

/** The account the pending version holds: the current one itself (single), or its alternate, checked against the backend's naming rules. */
export async function pendingUserFor(backend: Backend, current: LoadedVersion): Promise<string> {
  return current.strategy === 'single' ? current.account.user : backend.alternateName(current.account.user);
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
