/**
 * Cold start of the deployable bundle against the former single-file one: `node scripts/build.mjs
 * --outdir <tmp>` and `--single-file --outdir <tmp>`, then, sample by sample and interleaved (every
 * round runs each bundle's paths and a bare `node -e` once, the order reversed every other round, so
 * machine noise hits them alike), a fresh `node` process per sample that requires `<outdir>/index.js`
 * and serves one invocation (step `new`) against the running emulators. Measured inside the child
 * (process start, performance.timeOrigin, to the handler's result) and outside (spawn to exit); the
 * bare process gives Node's own start, which no bundle can shorten. Lists every file the build wrote,
 * whatever the bundle's split. Dev tooling only: never bundled.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Environment } from '../../config.js';
import { LOCAL_CREDENTIALS } from '../fixtures/kms-admin.js';
import { quantile } from './scale.js';

const run = promisify(execFile);

/** The repository root: the build script resolves its entry point from there. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ColdStartPath {
  name: string;
  event: Record<string, string>;
  env: Environment;
  /** Run before each sample, outside its timing: puts the world back where a first invocation finds it. */
  prepare?: () => Promise<void>;
}

export interface ColdStartFigures {
  path: string;
  samples: number;
  /** Median, ms: process start to the first result, as the child measured it. */
  insideMedianMs: number;
  /** Median, ms: spawn to exit, as the bench measured it. */
  outsideMedianMs: number;
}

export interface BundleFile {
  file: string;
  bytes: number;
}

/** One fresh process, ms: inside (process start to result, or to its first line for a bare node) and outside (spawn to exit). */
export interface ColdStartSample {
  insideMs: number;
  outsideMs: number;
}

/** Something measured once per round: a bundle's path, or the bare node process. */
export interface ColdStartSubject {
  name: string;
  sample(): Promise<ColdStartSample>;
}

/** The child: one invocation through the bundle's handler, then its own timing as one JSON line. */
const CHILD = `
const { performance } = require('node:perf_hooks');
const bundle = require(process.argv[2]);
const event = Buffer.from(process.argv[3]);
const context = { requestId: 'bench-cold-' + process.pid, credentials: JSON.parse(process.argv[4]) };
Promise.resolve(bundle.handler(event, context)).then(
  () => { process.stderr.write(JSON.stringify({ ok: true, ms: performance.now() }) + '\\n'); process.exit(0); },
  (e) => { process.stderr.write(JSON.stringify({ ok: false, name: e && e.name }) + '\\n'); process.exit(1); },
);
`;

/** A bare node: Node's own process start, the same report line, nothing required. */
const BARE = `process.stderr.write(JSON.stringify({ ok: true, ms: performance.now() }) + '\\n'); process.exit(0);`;

/** Builds the bundle into a temporary directory: split (dist/'s layout) or the former single file. */
export async function buildBundle(options: { singleFile?: boolean } = {}): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), options.singleFile ? 'bench-bundle-single-' : 'bench-bundle-'));
  const args = [join(ROOT, 'scripts/build.mjs'), '--outdir', outdir, ...(options.singleFile ? ['--single-file'] : [])];
  await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 });
  await writeFile(join(outdir, 'cold-child.cjs'), CHILD);
  return outdir;
}

export async function bundleFiles(outdir: string): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name !== 'cold-child.cjs') files.push({ file: relative(outdir, path), bytes: (await stat(path)).size });
    }
  };
  await walk(outdir);
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

async function sampleProcess(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ColdStartSample> {
  const started = performance.now();
  const { stderr } = await run(process.execPath, args, { env, maxBuffer: 16 << 20 }).catch((err: { stderr?: string }) => {
    throw new Error(
      `cold start (${name}) failed: ${String(err.stderr ?? '')
        .split('\n')
        .slice(-2)
        .join(' ')}`,
    );
  });
  const outsideMs = performance.now() - started;
  const last = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; ms?: number };
  if (!last.ok || last.ms === undefined) throw new Error(`cold start (${name}): the invocation failed`);
  return { insideMs: last.ms, outsideMs };
}

/** One sample of `path` through the bundle in `outdir`: a fresh process, its first invocation. */
export function bundleSubject(name: string, outdir: string, path: ColdStartPath): ColdStartSubject {
  // The function reads its configuration from process.env; only what FC would set is passed.
  const env = { PATH: process.env['PATH'] ?? '', ...path.env, LOG_LEVEL: 'error' };
  const args = [join(outdir, 'cold-child.cjs'), join(outdir, 'index.js'), JSON.stringify(path.event), JSON.stringify(LOCAL_CREDENTIALS)];
  return {
    name,
    sample: async () => {
      await path.prepare?.();
      return sampleProcess(name, args, env);
    },
  };
}

/** One sample of a bare `node -e`: what a process costs before any bundle is read. */
export function bareNodeSubject(name = 'bare node'): ColdStartSubject {
  return { name, sample: () => sampleProcess(name, ['-e', BARE], { PATH: process.env['PATH'] ?? '' }) };
}

/**
 * `samples` rounds, each sampling every subject once, in the given order on even rounds and the
 * reverse on odd ones; the medians per subject, in the subjects' order.
 */
export async function measureInterleaved(subjects: readonly ColdStartSubject[], samples: number): Promise<ColdStartFigures[]> {
  const taken = subjects.map(() => ({ inside: [] as number[], outside: [] as number[] }));
  for (let round = 0; round < samples; round++) {
    const order = subjects.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const s = await subjects[i]!.sample();
      taken[i]!.inside.push(s.insideMs);
      taken[i]!.outside.push(s.outsideMs);
    }
  }
  return subjects.map((subject, i) => ({
    path: subject.name,
    samples,
    insideMedianMs: round1(quantile(taken[i]!.inside, 0.5)),
    outsideMedianMs: round1(quantile(taken[i]!.outside, 0.5)),
  }));
}

/** The split bundle against the single file on one path: the ratios of their medians. */
export interface ColdStartRatio {
  path: string;
  /** split ÷ single, inside figures (process start → result). */
  inside: number;
  /** split ÷ single, outside figures (spawn → exit). */
  outside: number;
  /** split ÷ single once the bare node's inside median is taken off both: the bundle's own part. */
  bundlePart: number;
}

export function coldStartRatio(path: string, split: ColdStartFigures, single: ColdStartFigures, bare: ColdStartFigures): ColdStartRatio {
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return {
    path,
    inside: r(split.insideMedianMs / single.insideMedianMs),
    outside: r(split.outsideMedianMs / single.outsideMedianMs),
    bundlePart: r((split.insideMedianMs - bare.insideMedianMs) / (single.insideMedianMs - bare.insideMedianMs)),
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function removeBundle(outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
}
