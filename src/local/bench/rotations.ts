/**
 * Per-rotation figures for one backend and strategy: the four steps in-process through the real
 * handler, rotation after rotation on one secret, with the KMS and RDS emulators' call logs and the
 * server's `Connections` counter read around each. The counter is read on one connection the bench
 * holds open, so the bench's own reads open none; other clients of the same server still add noise,
 * which the median per rotation ignores. Dev tooling only: never bundled.
 */
import type mysql from 'mysql2/promise';
import type { RotationStrategy } from '../../secrets/schema.js';
import { LOCAL_CREDENTIALS } from '../fixtures/kms-admin.js';
import { adminConnection } from '../fixtures/mysql-sandbox.js';
import type { RotationWorld, WorldSecret } from '../fixtures/rotation-world.js';
import { forgetInstanceFacts } from '../../backends/rds/backend.js';
import { forgetVersionData } from '../../secrets/version-cache.js';
import { STEPS } from '../../event.js';
import { invokeStep, type InvokeOptions } from '../runner/rotate.js';
import { quantile } from './scale.js';

export type Backend = 'self-managed' | 'rds';

export interface RotationFigures {
  backend: Backend;
  strategy: RotationStrategy;
  rotations: number;
  /** Calls per rotation by action, averaged over every rotation. */
  kmsCallsByAction: Record<string, number>;
  kmsCallsPerRotation: number;
  /** RDS calls by action on the first rotation, and averaged over the later (steady-state) ones. */
  rdsFirst: Record<string, number>;
  rdsSteady: Record<string, number>;
  rdsFirstTotal: number;
  rdsSteadyTotal: number;
  /**
   * The same rotation with every step in a new FC instance (nothing the container kept: no version
   * data, no instance facts), averaged over COLD_STEP_ROTATIONS rotations after the others.
   */
  coldSteps: { rotations: number; kmsCallsByAction: Record<string, number>; kmsCallsPerRotation: number; rdsPerRotation: number };
  /** Server-side Connections opened per rotation: the median over rotations. */
  mysqlConnections: number;
  p50Ms: number;
  p95Ms: number;
}

function countByAction(calls: readonly { action: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) counts[c.action] = (counts[c.action] ?? 0) + 1;
  return counts;
}

function average(maps: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(
    Object.entries(sum)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, Math.round((v / Math.max(1, maps.length)) * 100) / 100]),
  );
}

const total = (m: Record<string, number>) => Math.round(Object.values(m).reduce((a, b) => a + b, 0) * 100) / 100;

export async function serverConnections(conn: mysql.Connection): Promise<number> {
  const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'Connections'");
  return Number((rows as { Value: string }[])[0]?.Value ?? Number.NaN);
}

/** A secret of the world set to `strategy` by a new ACSCurrent version, as an operator would. */
export async function withStrategy(world: RotationWorld, secret: WorldSecret, strategy: RotationStrategy): Promise<void> {
  const current = await world.store.find(secret.secretName, { stage: 'ACSCurrent' });
  if (!current) throw new Error(`${secret.secretName} has no ACSCurrent version`);
  const data = { ...(JSON.parse(current.data) as Record<string, unknown>), RotationStrategy: strategy };
  await world.admin.putSecretValue({ name: secret.secretName, versionId: `bench-${strategy}`, data: JSON.stringify(data) });
}

/** Rotations measured with every step in a new instance. */
export const COLD_STEP_ROTATIONS = 4;

/**
 * One rotation, new → set → test → end, as CloudFlow runs it. It starts in a new FC instance (a
 * schedule's rotations are days apart); `coldSteps` gives every step a new instance too, where
 * otherwise FC's keeping the instance between steps seconds apart is assumed.
 */
async function rotateOnce(input: ReturnType<RotationWorld['inputFor']>, options: InvokeOptions, coldSteps: boolean): Promise<void> {
  let versionId: string | undefined;
  for (const step of STEPS) {
    if (step === 'new' || coldSteps) {
      forgetVersionData();
      forgetInstanceFacts();
    }
    versionId = (await invokeStep(input, step, versionId, options)).VersionId;
  }
}

export async function measureRotations(
  world: RotationWorld,
  secret: WorldSecret,
  backend: Backend,
  strategy: RotationStrategy,
  rotations: number,
): Promise<RotationFigures> {
  const conn = await adminConnection(world.server);
  const input = world.inputFor(secret);
  const kms: Record<string, number>[] = [];
  const rds: Record<string, number>[] = [];
  const connections: number[] = [];
  const durations: number[] = [];
  const coldKms: Record<string, number>[] = [];
  const coldRds: Record<string, number>[] = [];
  const options: InvokeOptions = { env: world.env, sink: () => undefined, context: { credentials: LOCAL_CREDENTIALS } };
  try {
    for (let i = 0; i < rotations; i++) {
      const kmsBefore = world.kms.calls.length;
      const rdsBefore = world.rds?.emulator.calls.length ?? 0;
      const connBefore = await serverConnections(conn);
      const started = performance.now();
      await rotateOnce(input, options, false);
      durations.push(performance.now() - started);
      connections.push((await serverConnections(conn)) - connBefore);
      kms.push(countByAction(world.kms.calls.slice(kmsBefore)));
      rds.push(countByAction(world.rds?.emulator.calls.slice(rdsBefore) ?? []));
    }
    for (let i = 0; i < COLD_STEP_ROTATIONS; i++) {
      const kmsBefore = world.kms.calls.length;
      const rdsBefore = world.rds?.emulator.calls.length ?? 0;
      await rotateOnce(input, options, true);
      coldKms.push(countByAction(world.kms.calls.slice(kmsBefore)));
      coldRds.push(countByAction(world.rds?.emulator.calls.slice(rdsBefore) ?? []));
    }
  } finally {
    await conn.end();
  }
  const kmsCallsByAction = average(kms);
  const rdsFirst = average(rds.slice(0, 1));
  const rdsSteady = average(rds.slice(1));
  return {
    backend,
    strategy,
    rotations,
    kmsCallsByAction,
    kmsCallsPerRotation: total(kmsCallsByAction),
    rdsFirst,
    rdsSteady,
    coldSteps: {
      rotations: COLD_STEP_ROTATIONS,
      kmsCallsByAction: average(coldKms),
      kmsCallsPerRotation: total(average(coldKms)),
      rdsPerRotation: total(average(coldRds)),
    },
    rdsFirstTotal: total(rdsFirst),
    rdsSteadyTotal: total(rdsSteady),
    mysqlConnections: quantile(connections, 0.5),
    p50Ms: Math.round(quantile(durations, 0.5) * 10) / 10,
    p95Ms: Math.round(quantile(durations, 0.95) * 10) / 10,
  };
}
