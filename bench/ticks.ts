/**
 * The measured ticks of the benchmark, their expected outcome, and the figures drawn from their
 * runs and floors.
 */
import type { ReconcileResult } from '../src/reconcile/run.js';
import type { FloorResult } from './floor.js';
import { median, type ProbeResult } from './probe.js';
import type { TickFigures } from './report.js';

/** Data window start (seconds); the data covers 10 minutes at 15 s steps. */
export const BASE = 1_700_000_000;
export const WINDOW = { start: BASE, end: BASE + 600, step: 15 };
/** Tick times (seconds), one analysis interval (1m) apart, all inside the data window. */
export const AT = { init: BASE + 300, initialized: BASE + 360, a: BASE + 420, b: BASE + 480, c: BASE + 540 };

export interface TickPlan {
  tick: string;
  label: string;
  at: number;
  phase: string;
  weight: number;
  queriesPerCanary: number;
}

export const plans: TickPlan[] = [
  { tick: 'A', label: 'scale-up', at: AT.a, phase: 'Progressing', weight: 0, queriesPerCanary: 0 },
  { tick: 'B', label: 'first weight', at: AT.b, phase: 'Progressing', weight: 10, queriesPerCanary: 0 },
  { tick: 'C', label: 'analysis', at: AT.c, phase: 'Progressing', weight: 20, queriesPerCanary: 2 },
];

const MB = 1024 * 1024;

export const at = (seconds: number): Date => new Date(seconds * 1000);

/** Throws unless every canary reached `phase` at `weight` without error and every query had data. */
export function check(
  what: string,
  r: ReconcileResult,
  n: number,
  p: ProbeResult | null,
  plan?: TickPlan,
): void {
  const bad = r.canaries.filter(
    (c) => c.error || (plan && (c.phase !== plan.phase || c.canaryWeight !== plan.weight || !c.stepped)),
  );
  if (r.canaries.length !== n || bad.length > 0 || !r.commit) {
    const first = bad[0];
    throw new Error(
      `${what}: ${r.canaries.length}/${n} canaries, ${bad.length} unexpected, commit ${r.commit}` +
        (first
          ? ` (${first.name}: ${first.phase} ${first.canaryWeight}% ${first.error ?? first.message})`
          : ''),
    );
  }
  if (p && plan && (p.queries !== n * plan.queriesPerCanary || p.queriesWithoutValue > 0)) {
    throw new Error(`${what}: ${p.queries} queries (${p.queriesWithoutValue} without a value)`);
  }
}

export function figures(
  plan: TickPlan,
  runs: ProbeResult[],
  floors: FloorResult[],
  last: ReconcileResult,
): TickFigures {
  const m = (pick: (p: ProbeResult) => number) => median(runs.map(pick));
  const fm = (pick: (f: FloorResult) => number) => median(floors.map(pick));
  const medianMs = m((p) => p.ms);
  const floor = {
    fetchMs: fm((f) => f.fetchMs),
    writeMs: fm((f) => f.writeMs),
    addMs: fm((f) => f.addMs),
    commitMs: fm((f) => f.commitMs),
    pushMs: fm((f) => f.pushMs),
    queryMs: fm((f) => f.queryMs),
    totalMs: fm((f) => f.totalMs),
    samplesMs: floors.map((f) => f.totalMs),
  };
  const queries = Math.max(...runs.map((p) => p.queries));
  return {
    tick: plan.tick,
    label: plan.label,
    now: at(plan.at).toISOString(),
    reached: `${plan.phase} ${plan.weight}%`,
    changedFiles: last.changes.length,
    samplesMs: runs.map((p) => p.ms),
    medianMs,
    floor,
    ratio: medianMs / floor.totalMs,
    gitSpawns: Math.max(...runs.map((p) => p.gitSpawns)),
    gitBySubcommand: runs[0]!.gitBySubcommand,
    gitMsBySubcommand: Object.fromEntries(
      Object.keys(runs[0]!.gitBySubcommand).map((k) => [k, m((p) => p.gitMsBySubcommand[k] ?? 0)]),
    ),
    gitMs: m((p) => p.gitMs),
    queryMs: m((p) => p.queryMs),
    otherMs: m((p) => p.otherMs),
    queries,
    queriesPerSecond: queries / (m((p) => p.queryMs) / 1000),
    maxQueriesInFlight: Math.max(...runs.map((p) => p.maxQueriesInFlight)),
    queryP50Ms: m((p) => p.queryP50Ms),
    baselineRssMB: m((p) => p.baselineRssBytes) / MB,
    // Median, not max: the first run after Prometheus' backfill text is freed can read ~100 MB
    // higher (all runs are in the JSON).
    peakRssMB: m((p) => p.peakRssBytes) / MB,
    peakRssSamplesMB: runs.map((p) => p.peakRssBytes / MB),
    peakHeapUsedMB: m((p) => p.peakHeapUsedBytes) / MB,
  };
}
