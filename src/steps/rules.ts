/**
 * The rules the steps apply to versions before acting: which strategy this release rotates with,
 * and that the versions of one rotation differ in their account only. Pure; no I/O.
 */
import { PreconditionError } from '../errors.js';
import { secretLabel, type RawSecret } from '../secrets/schema.js';
import type { LoadedVersion } from './versions.js';

/** This release rotates with two alternating accounts; single-account rotation is planned, not built. */
export function requireAlternating(secretName: string, loaded: LoadedVersion, which: string): void {
  if (loaded.strategy !== 'alternate') {
    throw new PreconditionError(
      `${secretLabel(secretName, which)}: RotationStrategy single is not supported by this release; ` +
        'set MasterSecret (or RotationStrategy "alternate" with a MasterSecret) to rotate with two accounts',
    );
  }
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
