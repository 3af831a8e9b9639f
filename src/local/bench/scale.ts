/**
 * Many secrets through the shipped `rotate-many` flow by the local CloudFlow runner, under the KMS
 * emulator's rate limit: the scale run both `npm run bench` and the scale test use. The flow runs as
 * shipped but for the Map's MaxConcurrency, which is replaced in a copy of its text. Figures come from
 * the runner's events and the emulator's counters. Dev and test tooling only: never bundled.
 */
import { readFile } from 'node:fs/promises';
import { handle } from '../../handler.js';
import { inProcessInvoker, loadFlow, runExecution, type ExecutionEvent, type ExecutionResult } from '../cloudflow/index.js';
import { LOCAL_CREDENTIALS } from '../fixtures/kms-admin.js';
import type { RotationWorld, WorldSecret } from '../fixtures/rotation-world.js';
import { shippedFlowPath } from '../runner/flow.js';
import { probeCurrentLogins, type ProbeResult } from './login-probe.js';

export interface ScaleOptions {
  concurrency: number;
  /** KMS calls per second the emulator admits during the run; lifted again afterwards. */
  kmsLimit: number;
  /** Multiplies the flow's Retry delays (1: as CloudFlow waits). */
  timeScale?: number;
  sink?: (line: string) => void;
  /** Log in with every secret's ACSCurrent, sweep after sweep, while the run goes on (default true). */
  probeLogins?: boolean;
}

export interface ScaleRun {
  result: ExecutionResult;
  totalMs: number;
  /** Per Map item, first event to last, in ms. */
  perSecretMs: number[];
  kmsCalls: number;
  throttled: number;
  retries: number;
  /** Admitted KMS calls ÷ the limit: the fastest any run could make them, in ms. */
  floorMs: number;
  /** ACSCurrent logins made during the run, and those refused. */
  probe: ProbeResult | undefined;
}

/** rotate-many's definition with its Map's MaxConcurrency replaced. */
export async function rotateManyAt(concurrency: number) {
  const text = await readFile(shippedFlowPath('rotate-many'), 'utf8');
  const replaced = text.replace(/^(\s*)MaxConcurrency: \d+$/m, `$1MaxConcurrency: ${concurrency}`);
  if (replaced === text && concurrency !== 10) throw new Error('rotate-many.yaml has no MaxConcurrency line to replace');
  return loadFlow(replaced, `rotate-many (MaxConcurrency ${concurrency})`);
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function perItemDurations(events: readonly ExecutionEvent[]): number[] {
  const spans = new Map<string, { first: number; last: number }>();
  for (const e of events) {
    const item = /^([^/]+\[\d+\])\//.exec(e.path)?.[1];
    if (item === undefined) continue;
    const span = spans.get(item);
    if (span) span.last = Math.max(span.last, e.at);
    else spans.set(item, { first: e.at, last: e.at });
  }
  return [...spans.values()].map((s) => s.last - s.first);
}

export async function runScale(world: RotationWorld, secrets: readonly WorldSecret[], options: ScaleOptions): Promise<ScaleRun> {
  const definition = await rotateManyAt(options.concurrency);
  const env = world.env;
  const invoke = inProcessInvoker((event, context) => handle(event, context, { env, sink: options.sink ?? (() => undefined) }), {
    credentials: LOCAL_CREDENTIALS,
  });
  const callsBefore = world.kms.calls.length;
  const throttledBefore = world.kms.throttledCount;
  world.kms.setRateLimit({ callsPerSecond: options.kmsLimit });
  const probe = options.probeLogins === false ? undefined : probeCurrentLogins(world, secrets);
  const started = performance.now();
  let result: ExecutionResult;
  try {
    result = await runExecution(
      definition,
      { RegionId: secrets[0] ? world.inputFor(secrets[0]).RegionId : 'cn-hangzhou', Secrets: secrets.map((s) => world.inputFor(s)) },
      { invoke, timeScale: options.timeScale ?? 1, now: () => performance.now() },
    );
  } finally {
    world.kms.setRateLimit(undefined);
  }
  const totalMs = performance.now() - started;
  const probed = await probe?.stop();
  const kmsCalls = world.kms.calls.length - callsBefore;
  return {
    result,
    totalMs,
    perSecretMs: perItemDurations(result.events),
    kmsCalls,
    throttled: world.kms.throttledCount - throttledBefore,
    retries: result.events.filter((e) => e.type === 'RetryScheduled').length,
    floorMs: (kmsCalls / options.kmsLimit) * 1_000,
    probe: probed,
  };
}

/** Secrets of the run whose ACSCurrent did not move, or that still have a version staged ACSPending. */
export async function unrotated(
  world: RotationWorld,
  before: ReadonlyMap<string, string | undefined>,
): Promise<{ notRotated: string[]; pending: string[] }> {
  const notRotated: string[] = [];
  const pending: string[] = [];
  for (const [name, version] of before) {
    const versions = await world.store.listVersions(name);
    if (versions.find((v) => v.stages.includes('ACSCurrent'))?.versionId === version) notRotated.push(name);
    if (versions.some((v) => v.stages.includes('ACSPending'))) pending.push(name);
  }
  return { notRotated, pending };
}
