/**
 * What `npm run bench` runs, part by part: per-rotation figures for each backend and strategy, the
 * bundle's cold start, and rotate-many at scale. Each part starts its own RotationWorld (emulators in
 * this process, sandboxes on the local MySQL) and drops it afterwards. Dev tooling only: never bundled.
 */
import type { RotationStrategy } from '../../secrets/schema.js';
import { RotationWorld, type WorldSecret } from '../fixtures/rotation-world.js';
import {
  bareNodeSubject,
  buildBundle,
  bundleFiles,
  bundleSubject,
  coldStartRatio,
  measureInterleaved,
  removeBundle,
  type ColdStartSubject,
} from './cold-start.js';
import type { BenchResults, ColdStartResults, ScaleFigures } from './report.js';
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

/**
 * The split bundle (dist/'s layout) and the former single file, built side by side; each path of each
 * bundle on a secret of its own (so both see the same sequence: the first `new` stages a version, the
 * next ones reuse it), sampled interleaved with a bare node; the ratios split ÷ single per path.
 */
async function clearPending(world: RotationWorld, secretName: string): Promise<void> {
  for (const version of await world.store.listVersions(secretName)) {
    if (version.stages.includes('ACSPending')) await world.store.removeStage(secretName, 'ACSPending', version.versionId);
  }
}

async function coldPart(options: BenchOptions, progress: (line: string) => void): Promise<ColdStartResults> {
  progress('cold start: building the bundle and the single-file bundle');
  const built = await Promise.allSettled([buildBundle(), buildBundle({ singleFile: true })]);
  const [split, single] = built.map((b) => (b.status === 'fulfilled' ? b.value : undefined));
  try {
    const failed = built.find((b) => b.status === 'rejected');
    if (failed || split === undefined || single === undefined) throw (failed as PromiseRejectedResult | undefined)?.reason;
    return await inWorld(true, async (world) => {
      const pathNames = ['self-managed', 'rds'] as const;
      const subjects: ColdStartSubject[] = [];
      for (const name of pathNames) {
        for (const [bundle, outdir] of [
          ['split', split],
          ['single', single],
        ] as const) {
          const secret = await addSecret(world, name);
          const event = { Step: 'new', ...world.inputFor(secret) } as Record<string, string>;
          // Every sample's new stages a version (reads the master, logs in for the password policy, writes),
          // as a rotation's first invocation does: the one an earlier sample staged is taken off first.
          const prepare = () => clearPending(world, secret.secretName);
          subjects.push(bundleSubject(`${bundle} ${name}`, outdir, { name, event, env: world.env, prepare }));
        }
      }
      subjects.push(bareNodeSubject());
      progress(`cold start: ${subjects.map((s) => s.name).join(', ')} × ${options.cold}, interleaved`);
      const measured = new Map((await measureInterleaved(subjects, options.cold)).map((f) => [f.path, f]));
      const figures = (bundle: string) => pathNames.map((name) => ({ ...measured.get(`${bundle} ${name}`)!, path: name }));
      const paths = figures('split');
      const singlePaths = figures('single');
      const bareNode = measured.get('bare node')!;
      return {
        samples: options.cold,
        paths,
        files: await bundleFiles(split),
        singleFile: { paths: singlePaths, files: await bundleFiles(single) },
        bareNode,
        ratios: pathNames.map((name, i) => coldStartRatio(name, paths[i]!, singlePaths[i]!, bareNode)),
      };
    });
  } finally {
    await Promise.all([split, single].map((outdir) => (outdir === undefined ? undefined : removeBundle(outdir))));
  }
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
  if (parts.has('cold')) results.coldStart = await coldPart(options, progress);
  if (parts.has('scale')) results.scale = await scalePart(options, progress);
  return results;
}
