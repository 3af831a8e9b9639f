/**
 * `Step: discover` (CONTRACT: Event): which tagged generic secrets are due for rotation. Read-only:
 * it lists and reads version metadata, never a SecretData and never a change. A secret is due when
 * its ACSCurrent version is older than the interval its tag holds, or when an ACSPending version
 * has been left for over an hour (rotating it resumes or replaces it); a younger ACSPending is a
 * rotation in progress and is left alone. Every misconfiguration is reported, never guessed at.
 */
import { InstanceIdSchema } from '../event.js';
import type { Logger } from '../log.js';
import { Stage } from '../secrets/schema.js';
import type { SecretStore, TaggedSecret, VersionInfo } from '../secrets/store.js';
import { SecretNotFoundError } from '../errors.js';
import { parseInterval } from './interval.js';

/** What a rotation flow's Map takes per secret. */
export interface DueSecret {
  SecretName: string;
  RegionId: string;
  InstanceId?: string;
}

export interface Problem {
  SecretName: string;
  Reason: string;
}

export interface DiscoverResult {
  Secrets: DueSecret[];
  /** Every due secret, also those left out of Secrets by the cap (picked up by the next run). */
  Due: number;
  NotDue: number;
  Problems: Problem[];
  /** Set when the cap left due secrets or problems out of this answer. */
  Truncated?: { Secrets: number; Problems: number };
}

/**
 * At most this many secrets per answer. A flow state holds 64 KiB (an entry is at most about 300
 * bytes, and the Map's records of them travel on to Report), and an execution 5,000 events (a
 * secret's four steps take some 20, each retry a few more): 50 leaves room for a throttling storm.
 * The most overdue come first; the rest are due again at the next run.
 */
export const MAX_DUE_PER_RUN = 50;
/** Problems are unbounded in number: cap them as well. */
export const MAX_PROBLEMS_PER_RUN = 20;
/**
 * A schedule fires at the same time every day, and a version is created a little after its run
 * started: without slack, the next run would find it a few seconds short of its interval and a
 * `1d` secret would rotate every other day. Up to an hour early is due (a quarter of the interval
 * for intervals under four hours).
 */
export function scheduleSlackMs(intervalMs: number): number {
  return Math.min(3_600_000, intervalMs / 4);
}
/** An ACSPending older than this was left by a rotation that did not finish. */
export const STALE_PENDING_MS = 3_600_000;
/** ListSecretVersionIds calls in flight at once: enough to be quick, few enough not to be throttled. */
const READ_CONCURRENCY = 5;

export interface DiscoverInput {
  regionId: string;
  tagKey: string;
  now: number;
}

type Verdict = { kind: 'due'; secret: DueSecret; overdueMs: number } | { kind: 'not-due' } | { kind: 'problem'; problem: Problem };

export async function discover(store: SecretStore, input: DiscoverInput, log: Logger): Promise<DiscoverResult> {
  const tagged = await store.listTagged(input.tagKey);
  const verdicts = await mapLimited(tagged, READ_CONCURRENCY, (secret) => judge(store, secret, input));
  const due = verdicts.flatMap((v) => (v.kind === 'due' ? [v] : [])).sort((a, b) => b.overdueMs - a.overdueMs);
  const problems = verdicts.flatMap((v) => (v.kind === 'problem' ? [v.problem] : []));
  const result: DiscoverResult = {
    Secrets: due.slice(0, MAX_DUE_PER_RUN).map((v) => v.secret),
    Due: due.length,
    NotDue: verdicts.filter((v) => v.kind === 'not-due').length,
    Problems: problems.slice(0, MAX_PROBLEMS_PER_RUN),
  };
  if (due.length > MAX_DUE_PER_RUN || problems.length > MAX_PROBLEMS_PER_RUN) {
    result.Truncated = {
      Secrets: Math.max(0, due.length - MAX_DUE_PER_RUN),
      Problems: Math.max(0, problems.length - MAX_PROBLEMS_PER_RUN),
    };
  }
  log.info('secrets discovered', { tagged: tagged.length, due: result.Due, notDue: result.NotDue, problems: problems.length });
  return result;
}

async function judge(store: SecretStore, secret: TaggedSecret, input: DiscoverInput): Promise<Verdict> {
  const name = secret.secretName;
  const problem = (reason: string): Verdict => ({ kind: 'problem', problem: { SecretName: name, Reason: reason } });
  // A secret waiting out its deletion window is on its way out: rotating it would only delay that.
  if (secret.plannedDeletion) return { kind: 'not-due' };
  if (secret.secretType !== 'Generic') return problem(`SecretType is ${secret.secretType}; only Generic secrets are rotated`);
  const interval = parseInterval(secret.tags[input.tagKey] ?? '');
  if (!interval.ok) return problem(`the value of tag ${input.tagKey} ${interval.reason}`);
  const instanceTag = `${input.tagKey}-instance`;
  const instanceId = secret.tags[instanceTag];
  if (instanceId !== undefined && (instanceId === '' || !InstanceIdSchema.safeParse(instanceId).success)) {
    return problem(`the value of tag ${instanceTag} is not an RDS instance id such as rm-...`);
  }

  let versions: VersionInfo[];
  try {
    versions = await store.listVersions(name);
  } catch (err) {
    // Deleted between the listing and this read: nothing to rotate.
    if (err instanceof SecretNotFoundError) return { kind: 'not-due' };
    throw err;
  }
  const current = versions.find((v) => v.stages.includes(Stage.Current));
  const pending = versions.find((v) => v.stages.includes(Stage.Pending));
  if (current === undefined) return problem('no version holds ACSCurrent');
  if (current.createdAt === undefined) return problem('KMS reported no creation time for its ACSCurrent version');

  const dueSecret: DueSecret = { SecretName: name, RegionId: input.regionId, ...(instanceId ? { InstanceId: instanceId } : {}) };
  if (pending !== undefined && pending.versionId !== current.versionId) {
    // Without its age, a pending version could be a rotation under way: never race it on a guess.
    if (pending.createdAt === undefined) return problem('KMS reported no creation time for its ACSPending version');
    const pendingAge = input.now - pending.createdAt;
    // A younger ACSPending is a rotation under way; starting another would only race it.
    if (pendingAge <= STALE_PENDING_MS) return { kind: 'not-due' };
    return { kind: 'due', secret: dueSecret, overdueMs: pendingAge };
  }
  const overdueMs = input.now - current.createdAt - interval.ms + scheduleSlackMs(interval.ms);
  return overdueMs >= 0 ? { kind: 'due', secret: dueSecret, overdueMs } : { kind: 'not-due' };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the items. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
