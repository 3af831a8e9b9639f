/**
 * What `npm run bench` runs, part by part: per-rotation figures for each backend and strategy, the
 * bundle's cold start, and rotate-many at scale. Each part starts its own RotationWorld (emulators in
 * this process, sandboxes on the local MySQL) and drops it afterwards. Dev tooling only: never bundled.
 */
import type { RotationStrategy } from '../../secrets/schema.js';
import { RotationWorld, type WorldSecret } from '../fixtures/rotation-world.js';
import { buildBundle, bundleFiles, measureColdStart, removeBundle } from './cold-start.js';
import type { BenchResults, ScaleFigures } from './report.js';
import { measureRotations, withStrategy, type Backend } from './rotations.js';
import { probeStageMoves } from './kms-stages.js';
import { quantile, runScale, unrotated } from './scale.js';

export interface BenchOptions {
  rotations: number;
  secrets: number;
  concurrency: number;
  kmsLimit: number;
  cold: number;
}

const CASES: readonly { backend: Backend; strategy: RotationStrategy }[] = [
  { backend: 'self-managed', strategy: 'alternate' },
  { backend: 'self-managed', strategy: 'single' },
  { backend: 'rds', strategy: 'alternate' },
  { backend: 'rds', strategy: 'single' },
];

async function inWorld<T>(rds: boolean, body: (world: RotationWorld) => Promise<T>): Promise<T> {
  const world = await RotationWorld.start({ rds });
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

const addSecret = (world: RotationWorld, backend: Backend): Promise<WorldSecret> =>
  backend === 'rds' ? world.addRdsSecret({ prefix: 'bench-rds-' }) : world.addMysqlSecret({ prefix: 'bench-' });

async function scalePart(options: BenchOptions, progress: (line: string) => void): Promise<ScaleFigures> {
  return inWorld(false, async (world) => {
    progress(`scale: seeding ${options.secrets} secrets`);
    const secrets: WorldSecret[] = [];
    for (let i = 0; i < options.secrets; i++) secrets.push(await world.addMysqlSecret({ prefix: 'bench-scale-' }));
    const before = new Map<string, string | undefined>();
    for (const s of secrets) before.set(s.secretName, await world.currentVersion(s.secretName));
    progress(`scale: rotate-many at MaxConcurrency ${options.concurrency}, KMS limit ${options.kmsLimit}/s`);
    const run = await runScale(world, secrets, { concurrency: options.concurrency, kmsLimit: options.kmsLimit });
    const left = await unrotated(world, before);
    const rotated = (run.result.output?.['Rotated'] as number | undefined) ?? 0;
    return {
      secrets: options.secrets,
      concurrency: options.concurrency,
      kmsLimitPerSecond: options.kmsLimit,
      status: run.result.status === 'Succeeded' ? 'Succeeded' : `Failed (${run.result.error?.Code ?? '?'})`,
      rotated: run.result.status === 'Succeeded' ? rotated : options.secrets - left.notRotated.length,
      notRotated: left.notRotated.length,
      pending: left.pending.length,
      totalMs: Math.round(run.totalMs),
      perSecretP50Ms: Math.round(quantile(run.perSecretMs, 0.5)),
      perSecretP95Ms: Math.round(quantile(run.perSecretMs, 0.95)),
      kmsCalls: run.kmsCalls,
      throttled: run.throttled,
      retries: run.retries,
      floorMs: Math.round(run.floorMs),
      ofFloor: Math.round((run.totalMs / run.floorMs) * 100) / 100,
      currentLogins: run.probe?.logins ?? 0,
      currentLoginFailures: run.probe?.failures.length ?? 0,
    };
  });
}

export async function runBench(options: BenchOptions, parts: ReadonlySet<string>, progress: (line: string) => void): Promise<BenchResults> {
  const results: BenchResults = {
    machine: { node: '', platform: '', cpus: 0, at: '' },
    options: { ...options },
    rotations: [],
    coldStart: undefined,
    scale: undefined,
  };
  if (parts.has('rotations')) {
    await inWorld(true, async (world) => {
      results.stages = await probeStageMoves(world);
      for (const { backend, strategy } of CASES) {
        progress(`rotations: ${backend} ${strategy} × ${options.rotations}`);
        const secret = await addSecret(world, backend);
        await withStrategy(world, secret, strategy);
        results.rotations.push(await measureRotations(world, secret, backend, strategy, options.rotations));
      }
    });
  }
  if (parts.has('cold')) {
    progress('cold start: building the bundle');
    const outdir = await buildBundle();
    try {
      results.coldStart = await inWorld(true, async (world) => {
        const mysqlSecret = await addSecret(world, 'self-managed');
        const rdsSecret = await addSecret(world, 'rds');
        const paths = [];
        for (const [name, secret] of [
          ['self-managed', mysqlSecret],
          ['rds', rdsSecret],
        ] as const) {
          progress(`cold start: ${name} × ${options.cold}`);
          const event = { Step: 'new', ...world.inputFor(secret) } as Record<string, string>;
          paths.push(await measureColdStart(outdir, { name, event, env: world.env }, options.cold));
        }
        return { samples: options.cold, paths, files: await bundleFiles(outdir) };
      });
    } finally {
      await removeBundle(outdir);
    }
  }
  if (parts.has('scale')) results.scale = await scalePart(options, progress);
  return results;
}
