/**
 * The benchmark's figures (also written as JSON) and their plain-text tables.
 */
import type { FloorResult } from './floor.js';

export interface TickFigures {
  tick: string;
  label: string;
  /** Evaluation time (`--now`). */
  now: string;
  /** Phase and canary weight every canary reached. */
  reached: string;
  changedFiles: number;
  samplesMs: number[];
  medianMs: number;
  floor: FloorResult & { samplesMs: number[] };
  /** medianMs / floor.totalMs */
  ratio: number;
  gitSpawns: number;
  gitBySubcommand: Record<string, number>;
  /** Median summed process time per git subcommand, ms. */
  gitMsBySubcommand: Record<string, number>;
  gitMs: number;
  queryMs: number;
  otherMs: number;
  queries: number;
  queriesPerSecond: number;
  maxQueriesInFlight: number;
  queryP50Ms: number;
  baselineRssMB: number;
  peakRssMB: number;
  /** Each run's peak RSS. */
  peakRssSamplesMB: number[];
  peakHeapUsedMB: number;
}

export interface SizeFigures {
  n: number;
  reps: number;
  floorReps: number;
  /** Generating, pushing and cloning the repository, and the two preparation ticks. */
  setupMs: number;
  ticks: TickFigures[];
}

export interface PureFigures {
  n: number;
  reps: number;
  loadValidateMs: number;
  /** Decide + render for the scale-up tick (no metrics). */
  decideRenderScaleUpMs: number;
  /** Decide + render for the analysis tick, metrics from an instant stub. */
  decideRenderAnalysisMs: number;
}

export interface BenchFigures {
  env: Record<string, string | number>;
  prometheus: { series: number; samples: number; generateMs: number; backfillAndStartMs: number };
  sizes: SizeFigures[];
  pure?: PureFigures;
  totalMs: number;
}

const f0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toString() : '-');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export function formatReport(b: BenchFigures): string {
  const out: string[] = [];
  const env = Object.entries(b.env)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(`gitcanary tick benchmark — ${env}`);
  out.push(
    `prometheus: ${b.prometheus.series} series, ${b.prometheus.samples} samples ` +
      `(generated in ${f0(b.prometheus.generateMs)} ms, backfilled + started in ${f0(b.prometheus.backfillAndStartMs)} ms)`,
  );
  out.push('');
  out.push(
    'Ticks: median of the runs. floor = git fetch + write + git add + git commit + git push + 1 query.',
  );
  out.push('git / query ms: wall time with a git process / a query running (count, most in flight);');
  out.push("js+fs ms: the rest (load, decide, render, file reads). Memory: median of the runs' peaks.");
  const rows: string[][] = [];
  for (const s of b.sizes) {
    for (const t of s.ticks) {
      rows.push([
        String(s.n),
        `${t.tick} ${t.label}`,
        t.reached,
        String(t.changedFiles),
        f0(t.medianMs),
        f0(t.floor.totalMs),
        `${f1(t.ratio)}x`,
        `${f0(t.gitMs)} (${t.gitSpawns})`,
        t.queries > 0 ? `${f0(t.queryMs)} (${t.queries}, ≤${t.maxQueriesInFlight})` : '-',
        t.queries > 0 ? f0(t.queriesPerSecond) : '-',
        t.queries > 0 ? f1(t.queryP50Ms) : '-',
        f0(t.otherMs),
        `${f0(t.peakRssMB)} (+${f0(t.peakRssMB - t.baselineRssMB)})`,
        f0(t.peakHeapUsedMB),
        `${s.reps}/${s.floorReps}`,
      ]);
    }
  }
  out.push(
    table(
      [
        'N',
        'tick',
        'reached',
        'files',
        'tick ms',
        'floor ms',
        'tick/floor',
        'git ms (spawns)',
        'query ms (n, in flight)',
        'q/s',
        'q p50 ms',
        'js+fs ms',
        'peak RSS MB (+base)',
        'peak heap MB',
        'runs tick/floor',
      ],
      rows,
    ),
  );
  out.push('');
  out.push('Floor breakdown (median ms)');
  out.push(
    table(
      ['N', 'tick', 'fetch', 'write', 'add', 'commit', 'push', 'query', 'total'],
      b.sizes.flatMap((s) =>
        s.ticks.map((t) => [
          String(s.n),
          t.tick,
          f0(t.floor.fetchMs),
          f0(t.floor.writeMs),
          f0(t.floor.addMs),
          f0(t.floor.commitMs),
          f0(t.floor.pushMs),
          f1(t.floor.queryMs),
          f0(t.floor.totalMs),
        ]),
      ),
    ),
  );
  if (b.pure) {
    const p = b.pure;
    out.push('');
    out.push(`Pure parts at N=${p.n} (no git, no Prometheus; one run each, load: median of 2)`);
    out.push(
      table(
        ['N', 'part', 'ms'],
        [
          [String(p.n), 'load + validate repo', f0(p.loadValidateMs)],
          [String(p.n), 'decide + render, scale-up tick', f0(p.decideRenderScaleUpMs)],
          [String(p.n), 'decide + render, analysis tick (stub metrics)', f0(p.decideRenderAnalysisMs)],
        ],
      ),
    );
  }
  out.push('');
  out.push('git per tick by subcommand: spawns × (summed ms)');
  for (const s of b.sizes) {
    for (const t of s.ticks) {
      const text = Object.entries(t.gitBySubcommand)
        .map(([k, v]) => `${k}×${v} (${f0(t.gitMsBySubcommand[k] ?? Number.NaN)})`)
        .join(' ');
      out.push(`  N=${s.n} ${t.tick}: ${text}`);
    }
  }
  out.push(`total ${f0(b.totalMs / 1000)} s`);
  return out.join('\n');
}
