/**
 * Instruments one measured section: every `git` process spawned through `child_process.spawn`
 * (what simple-git uses) with its subcommand and lifetime, every metrics query with its lifetime,
 * and RSS / heap sampled on a timer. Intervals are merged so "time in git" and "time in queries"
 * are wall time, not summed per-process time.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { QueryResult } from '../src/core/types.js';
import type { MetricsProvider } from '../src/metrics/provider.js';

export interface Interval {
  start: number;
  end: number;
}

export interface ProbeResult {
  /** Wall time of the section, ms. */
  ms: number;
  gitSpawns: number;
  /** Spawns by git subcommand, e.g. `{ fetch: 2, 'rev-parse': 5 }`. */
  gitBySubcommand: Record<string, number>;
  /** Summed process lifetimes by git subcommand, ms. */
  gitMsBySubcommand: Record<string, number>;
  /** Wall time with at least one git process alive, ms. */
  gitMs: number;
  queries: number;
  /** Queries that did not return a value (no-data or error). */
  queriesWithoutValue: number;
  /** Wall time with at least one query in flight, ms. */
  queryMs: number;
  /** Wall time with neither git nor a query running (JS: load, decide, render, fs), ms. */
  otherMs: number;
  /** Most queries in flight at once. */
  maxQueriesInFlight: number;
  /** Median single-query latency, ms. */
  queryP50Ms: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
}

/** Total length of the union of `intervals`. */
export function unionMs(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let cur: Interval | undefined;
  for (const i of sorted) {
    if (cur && i.start <= cur.end) cur.end = Math.max(cur.end, i.end);
    else {
      if (cur) total += cur.end - cur.start;
      cur = { ...i };
    }
  }
  return cur ? total + cur.end - cur.start : total;
}

/** Most intervals overlapping at one instant. */
function maxOverlap(intervals: readonly Interval[]): number {
  const events = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let cur = 0;
  let max = 0;
  for (const [, d] of events) {
    cur += d!;
    max = Math.max(max, cur);
  }
  return max;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Recorder {
  git: Array<Interval & { sub: string }>;
  queries: Interval[];
  queriesWithoutValue: number;
}

let active: Recorder | null = null;

type SpawnFn = (...args: unknown[]) => ChildProcess;
const cp = createRequire(import.meta.url)('node:child_process') as { spawn: SpawnFn };
const originalSpawn = cp.spawn;
cp.spawn = function spawn(this: unknown, ...args: unknown[]): ChildProcess {
  const start = performance.now();
  const child = originalSpawn.apply(this, args);
  const rec = active;
  if (rec && args[0] === 'git') {
    const argv = Array.isArray(args[1]) ? (args[1] as string[]) : [];
    let i = 0;
    while (argv[i] === '-c') i += 2;
    // From before the fork: spawning itself blocks the event loop and is part of the process cost.
    const entry = { sub: argv[i] ?? '?', start, end: Number.NaN };
    rec.git.push(entry);
    child.once('close', () => {
      entry.end = performance.now();
    });
  }
  return child;
};
// simple-git imports `spawn` from node:child_process as an ES binding; make it see the wrapper.
syncBuiltinESMExports();

/** Wraps a provider so the active probe sees each query's lifetime and outcome. */
export function countingProvider(inner: MetricsProvider): MetricsProvider {
  return {
    async query(query: string, at: Date): Promise<QueryResult> {
      const rec = active;
      const start = performance.now();
      const result = await inner.query(query, at);
      if (rec) {
        rec.queries.push({ start, end: performance.now() });
        if (result.kind !== 'value') rec.queriesWithoutValue++;
      }
      return result;
    },
  };
}

/** Runs `fn` under the probe (after a full GC), sampling memory every `sampleMs`. */
export async function probe<T>(
  fn: () => Promise<T>,
  sampleMs = 5,
): Promise<{ value: T; probe: ProbeResult }> {
  if (active) throw new Error('probes do not nest');
  globalThis.gc?.();
  const baselineRssBytes = process.memoryUsage.rss();
  let peakRssBytes = baselineRssBytes;
  let peakHeapUsedBytes = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRssBytes = Math.max(peakRssBytes, m.rss);
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, m.heapUsed);
  };
  const timer = setInterval(sample, sampleMs);
  const rec: Recorder = { git: [], queries: [], queriesWithoutValue: 0 };
  active = rec;
  const start = performance.now();
  let value: T;
  try {
    value = await fn();
  } finally {
    active = null;
    clearInterval(timer);
  }
  const ms = performance.now() - start;
  sample();
  const open = rec.git.filter((g) => Number.isNaN(g.end));
  if (open.length > 0) throw new Error(`git processes still running after the section: ${open.length}`);
  const gitBySubcommand: Record<string, number> = {};
  const gitMsBySubcommand: Record<string, number> = {};
  for (const g of rec.git) {
    gitBySubcommand[g.sub] = (gitBySubcommand[g.sub] ?? 0) + 1;
    gitMsBySubcommand[g.sub] = (gitMsBySubcommand[g.sub] ?? 0) + g.end - g.start;
  }
  return {
    value,
    probe: {
      ms,
      gitSpawns: rec.git.length,
      gitBySubcommand,
      gitMsBySubcommand,
      gitMs: unionMs(rec.git),
      queries: rec.queries.length,
      queriesWithoutValue: rec.queriesWithoutValue,
      queryMs: unionMs(rec.queries),
      otherMs: ms - unionMs([...rec.git, ...rec.queries]),
      maxQueriesInFlight: maxOverlap(rec.queries),
      queryP50Ms: median(rec.queries.map((q) => q.end - q.start)),
      baselineRssBytes,
      peakRssBytes,
      peakHeapUsedBytes,
    },
  };
}
