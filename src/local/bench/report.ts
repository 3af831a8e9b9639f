/**
 * The bench's results as one JSON document and as the plain-text table `npm run bench` prints. Both
 * carry the same figures. Dev tooling only: never bundled.
 */
import type { BundleFile, ColdStartFigures, ColdStartRatio } from './cold-start.js';
import type { RotationFigures } from './rotations.js';
import type { StageProbe } from './kms-stages.js';

export interface ScaleFigures {
  secrets: number;
  concurrency: number;
  kmsLimitPerSecond: number;
  status: string;
  rotated: number;
  notRotated: number;
  pending: number;
  totalMs: number;
  perSecretP50Ms: number;
  perSecretP95Ms: number;
  kmsCalls: number;
  throttled: number;
  retries: number;
  floorMs: number;
  /** totalMs ÷ floorMs. */
  ofFloor: number;
  /** Logins with ACSCurrent made while the run went on, and how many were refused. */
  currentLogins: number;
  currentLoginFailures: number;
}

/** The bundle's cold start; `paths` and `files` are the split bundle's (dist/'s layout). */
export interface ColdStartResults {
  samples: number;
  paths: ColdStartFigures[];
  files: BundleFile[];
  /** The former single-file bundle (`build.mjs --single-file`), sampled interleaved with the split one. */
  singleFile?: { paths: ColdStartFigures[]; files: BundleFile[] };
  /** A bare `node -e`, sampled in the same rounds: Node's own process start. */
  bareNode?: ColdStartFigures;
  /** Per path, split ÷ single. */
  ratios?: ColdStartRatio[];
}

export interface BenchResults {
  machine: { node: string; platform: string; cpus: number; at: string };
  options: Record<string, number>;
  rotations: RotationFigures[];
  coldStart: ColdStartResults | undefined;
  scale: ScaleFigures | undefined;
  /** Whether moving ACSCurrent gives its old holder ACSPrevious in the KMS emulator (item 4). */
  stages?: StageProbe | undefined;
}

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(cells[0] ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

const byAction = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

export function formatResults(results: BenchResults): string {
  const out: string[] = [];
  if (results.stages) {
    out.push(
      `KMS emulator: moving ACSCurrent alone ${results.stages.previousFollowsCurrent ? 'leaves' : 'does not leave'} ACSPrevious on the old version; if real KMS does too, ${results.stages.callSavedIfConfirmed} can go.`,
      '',
    );
  }
  out.push(
    `Per rotation (${results.rotations[0]?.rotations ?? 0} rotations each, each begun in a new FC instance, its steps in that one; calls averaged, connections median per rotation; cold steps: every step in a new instance)`,
  );
  out.push(
    table(
      [
        'backend',
        'strategy',
        'KMS calls',
        'KMS, cold steps',
        'RDS first',
        'RDS steady',
        'RDS, cold steps',
        'MySQL conns',
        'p50 ms',
        'p95 ms',
      ],
      results.rotations.map((r) => [
        r.backend,
        r.strategy,
        r.kmsCallsPerRotation,
        r.coldSteps.kmsCallsPerRotation,
        r.rdsFirstTotal,
        r.rdsSteadyTotal,
        r.coldSteps.rdsPerRotation,
        r.mysqlConnections,
        r.p50Ms,
        r.p95Ms,
      ]),
    ),
  );
  out.push('');
  out.push('Calls by action');
  out.push(
    table(
      ['backend', 'strategy', 'KMS', 'RDS first rotation', 'RDS steady state'],
      results.rotations.map((r) => [r.backend, r.strategy, byAction(r.kmsCallsByAction), byAction(r.rdsFirst), byAction(r.rdsSteady)]),
    ),
  );
  if (results.coldStart) {
    out.push('');
    const c = results.coldStart;
    const single = new Map((c.singleFile?.paths ?? []).map((p) => [p.path, p]));
    const ratio = new Map((c.ratios ?? []).map((r) => [r.path, r]));
    const interleaved = c.singleFile ? ', split and single-file bundles and a bare node interleaved' : '';
    out.push(`Cold start (median of ${c.samples} fresh node processes${interleaved}, first invocation: step new)`);
    out.push(
      table(
        ['path', 'inside: process start → result ms', 'outside: spawn → exit ms'],
        c.paths.map((p) => [p.path, p.insideMedianMs, p.outsideMedianMs]),
      ),
    );
    if (c.singleFile) {
      const bare = c.bareNode?.insideMedianMs ?? 0;
      out.push('');
      out.push(`Against the single-file bundle (bare node: ${bare} ms inside, ${c.bareNode?.outsideMedianMs ?? '-'} ms outside)`);
      out.push(
        table(
          [
            'path',
            'split inside ms',
            'single inside ms',
            'split ÷ single',
            'outside ÷',
            'without node start: split ms',
            'single ms',
            'split ÷ single',
          ],
          c.paths.map((p) => {
            const s = single.get(p.path);
            const r = ratio.get(p.path);
            const less = (n: number | undefined) => (n === undefined ? '-' : Math.round((n - bare) * 10) / 10);
            return [
              p.path,
              p.insideMedianMs,
              s?.insideMedianMs ?? '-',
              r?.inside.toFixed(2) ?? '-',
              r?.outside.toFixed(2) ?? '-',
              less(p.insideMedianMs),
              less(s?.insideMedianMs),
              r?.bundlePart.toFixed(2) ?? '-',
            ];
          }),
        ),
      );
    }
    out.push('');
    out.push(
      table(
        ['bundle file', 'bytes'],
        [...c.files.map((f) => [f.file, f.bytes]), ...(c.singleFile?.files ?? []).map((f) => [`single-file: ${f.file}`, f.bytes])],
      ),
    );
  }
  if (results.scale) {
    const s = results.scale;
    out.push('');
    out.push(`Scale: ${s.secrets} secrets through rotate-many, MaxConcurrency ${s.concurrency}, KMS limit ${s.kmsLimitPerSecond}/s`);
    out.push(
      table(
        [
          'status',
          'rotated',
          'not rotated',
          'pending',
          'total s',
          'floor s',
          '× floor',
          'per-secret p50 s',
          'p95 s',
          'KMS calls',
          'throttled',
          'retries',
          'ACSCurrent logins (refused)',
        ],
        [
          [
            s.status,
            s.rotated,
            s.notRotated,
            s.pending,
            (s.totalMs / 1000).toFixed(1),
            (s.floorMs / 1000).toFixed(1),
            s.ofFloor.toFixed(2),
            (s.perSecretP50Ms / 1000).toFixed(1),
            (s.perSecretP95Ms / 1000).toFixed(1),
            s.kmsCalls,
            s.throttled,
            s.retries,
            `${s.currentLogins} (${s.currentLoginFailures})`,
          ],
        ],
      ),
    );
  }
  return out.join('\n');
}
