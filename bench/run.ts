/**
 * `npm run bench`: per-rotation calls, connections and latency for each backend and strategy, the
 * bundle's cold start and file sizes, and rotate-many at scale under a KMS rate limit, against the
 * embedded emulators and the local MySQL (MYSQL_URL, default mysql://root@127.0.0.1:3306). Prints a
 * table and writes the same figures as JSON. Never part of `npm test`.
 *
 *   --rotations N    rotations per backend and strategy (default 50)
 *   --secrets N      secrets in the scale run (default 200)
 *   --concurrency N  the scale run's Map MaxConcurrency (default 20)
 *   --kms-limit N    KMS calls per second the emulator admits in the scale run (default 100)
 *   --cold N         cold-start samples per path and bundle (split, single file), interleaved (default 10)
 *   --only LIST      comma-separated parts to run: rotations,cold,scale (default all)
 *   --out PATH       where the JSON goes (default bench/results.json)
 */
import { cpus } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { runBench } from '../src/local/bench/main.js';
import { formatResults } from '../src/local/bench/report.js';

const { values } = parseArgs({
  options: {
    rotations: { type: 'string', default: '50' },
    secrets: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    'kms-limit': { type: 'string', default: '100' },
    cold: { type: 'string', default: '10' },
    only: { type: 'string', default: 'rotations,cold,scale' },
    out: { type: 'string', default: 'bench/results.json' },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} takes a positive whole number`);
  return n;
}

const options = {
  rotations: positive('rotations', values.rotations),
  secrets: positive('secrets', values.secrets),
  concurrency: positive('concurrency', values.concurrency),
  kmsLimit: positive('kms-limit', values['kms-limit']),
  cold: positive('cold', values.cold),
};
const parts = new Set(values.only.split(',').map((p) => p.trim()));
const results = await runBench(options, parts, (line) => process.stderr.write(`${line}\n`));
results.machine = { node: process.version, platform: process.platform, cpus: cpus().length, at: new Date().toISOString() };
process.stdout.write(`${formatResults(results)}\n`);
const json = await prettier.format(JSON.stringify(results), { ...(await prettier.resolveConfig(values.out)), parser: 'json' });
await writeFile(values.out, json);
process.stderr.write(`wrote ${values.out}\n`);
