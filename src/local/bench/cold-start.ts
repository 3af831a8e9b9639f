/**
 * Cold start of the deployable bundle: `node scripts/build.mjs --outdir <tmp>`, then for each path a
 * fresh `node` process per sample that requires `<outdir>/index.js` and serves one invocation (step
 * `new`) against the running emulators. Measured inside the child (process start, performance.timeOrigin,
 * to the handler's result) and outside (spawn to exit). Lists every file the build wrote, whatever the
 * bundle's split. Dev tooling only: never bundled.
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

export async function buildBundle(): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  await run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--outdir', outdir], { cwd: ROOT, maxBuffer: 16 << 20 });
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

export async function measureColdStart(outdir: string, path: ColdStartPath, samples: number): Promise<ColdStartFigures> {
  const child = join(outdir, 'cold-child.cjs');
  await writeFile(child, CHILD);
  const inside: number[] = [];
  const outside: number[] = [];
  // The function reads its configuration from process.env; only what FC would set is passed.
  const env = { PATH: process.env['PATH'] ?? '', ...path.env, LOG_LEVEL: 'error' };
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const { stderr } = await run(
      process.execPath,
      [child, join(outdir, 'index.js'), JSON.stringify(path.event), JSON.stringify(LOCAL_CREDENTIALS)],
      { env, maxBuffer: 16 << 20 },
    ).catch((err: { stderr?: string }) => {
      throw new Error(
        `cold start (${path.name}) failed: ${String(err.stderr ?? '')
          .split('\n')
          .slice(-2)
          .join(' ')}`,
      );
    });
    outside.push(performance.now() - started);
    const last = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; ms?: number };
    if (!last.ok || last.ms === undefined) throw new Error(`cold start (${path.name}): the invocation failed`);
    inside.push(last.ms);
  }
  const r = (n: number) => Math.round(n * 10) / 10;
  return { path: path.name, samples, insideMedianMs: r(quantile(inside, 0.5)), outsideMedianMs: r(quantile(outside, 0.5)) };
}

export async function removeBundle(outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
}
