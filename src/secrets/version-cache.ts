/**
 * SecretData of secret versions this container has read or written, by VersionId. KMS never changes
 * a version's data (PutSecretValue with the same VersionId and other data is refused), so an entry
 * can only be missing, never wrong; stages do move, and are never kept here. The steps of one
 * rotation run seconds apart, often in the same FC instance: `set` and `end` then take the data
 * `new` and `test` already had instead of reading it again. Bounded in time and in number, so a
 * password stays in memory no longer than a rotation needs it.
 */

/** How long a version's data is kept after it was last read or written. */
export const VERSION_DATA_TTL_MS = 10 * 60_000;
/** At most this many versions, the oldest dropped first. */
export const VERSION_DATA_MAX_ENTRIES = 200;

export interface VersionData {
  data: string;
  dataType: 'text' | 'binary';
}

interface Entry extends VersionData {
  at: number;
}

/** `scope` keeps apart what different endpoints, regions and identities were given. */
function keyOf(scope: string, secretName: string, versionId: string): string {
  return JSON.stringify([scope, secretName, versionId]);
}

const entries = new Map<string, Entry>();

export function rememberVersion(scope: string, secretName: string, versionId: string, value: VersionData, now = Date.now()): void {
  const key = keyOf(scope, secretName, versionId);
  // Re-inserted, so the Map's order stays oldest first.
  entries.delete(key);
  entries.set(key, { data: value.data, dataType: value.dataType, at: now });
  while (entries.size > VERSION_DATA_MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
}

export function knownVersion(scope: string, secretName: string, versionId: string, now = Date.now()): VersionData | undefined {
  const key = keyOf(scope, secretName, versionId);
  const hit = entries.get(key);
  if (!hit) return undefined;
  if (now - hit.at >= VERSION_DATA_TTL_MS) {
    entries.delete(key);
    return undefined;
  }
  return { data: hit.data, dataType: hit.dataType };
}

/** Whether any version of the secret is known here now: then one listing may stand in for several reads. */
export function knowsSecret(scope: string, secretName: string, now = Date.now()): boolean {
  const prefix = JSON.stringify([scope, secretName]).slice(0, -1) + ',';
  for (const [key, entry] of entries) {
    if (key.startsWith(prefix) && now - entry.at < VERSION_DATA_TTL_MS) return true;
  }
  return false;
}

/** Drops everything, as a new FC instance starts. For tests and the bench. */
export function forgetVersionData(): void {
  entries.clear();
}
