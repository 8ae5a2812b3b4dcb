/**
 * `npm run bench`: one tick over N generated canaries (N = 10, 100, 1000; or the sizes given as
 * arguments) against a local bare remote and a real local Prometheus, next to the floor measured
 * in the same run (plain `git fetch` + write + `git add` + `git commit` + `git push` of the same
 * change, plus one query round trip), with peak memory. Prints tables and writes `.bench/latest.json`.
 *
 * Every canary is first brought to where a tick does real work (Initializing → Initialized, then an
 * image bump pushed for all of them); then three ticks are measured, each replayed from its saved
 * starting commit: A scales the canaries up, B sets the first weight, C runs the analysis
 * (2 queries per canary) and steps to 20%.
 *
 * Env: BENCH_REPS (runs per tick; default 5 for N ≤ 10, 3 for N ≤ 100, 1 above; floors run at
 * least 3 times).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultConfig } from '../src/inputs/config.js';
import { metricsFactory } from '../src/reconcile/observe.js';
import type { ReconcileResult } from '../src/reconcile/run.js';
import { reconcile } from '../src/reconcile/run.js';
import { git } from '../test/support/gitops.js';
import { type PromHandle, startPrometheus } from '../test/support/prometheus.js';
import { type FloorResult, firstQuery, measureFloor } from './floor.js';
import { countingProvider, median, type ProbeResult, probe } from './probe.js';
import { istioSeries } from './prom-data.js';
import { timePure } from './pure.js';
import { type BenchRepo, createBenchRepo } from './repo.js';
import { type BenchFigures, formatReport, type PureFigures, type SizeFigures } from './report.js';
import { AT, at, check, figures, plans, WINDOW } from './ticks.js';

const cleanups: Array<() => void | Promise<void>> = [];

function sizesFromArgs(): number[] {
  const args = process.argv.slice(2).map(Number);
  if (args.length === 0) return [10, 100, 1000];
  if (args.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('usage: tick.bench.ts [N...]');
  return args;
}

/** Measured runs of each tick: the N=1000 ticks take 10–20 s each on 2 cores. */
const repsFor = (n: number): number => Number(process.env.BENCH_REPS) || (n <= 10 ? 5 : n <= 100 ? 3 : 1);
/** Floor runs (cheap next to a tick): at least 3. */
const floorReps = 3;

async function benchSize(n: number, prom: PromHandle, withPure: boolean): Promise<SizeResult> {
  const reps = repsFor(n);
  const setupStart = performance.now();
  const repo = createBenchRepo(n);
  cleanups.push(() => repo.cleanup());
  try {
    const inner = metricsFactory(defaultConfig());
    const tick = (seconds: number) =>
      reconcile({
        repoDir: repo.work,
        now: at(seconds),
        metricsServer: prom.url,
        metrics: (target) => countingProvider(inner(target)),
      });
    check('initialize', await tick(AT.init), n, null);
    check('initialized', await tick(AT.initialized), n, null);
    let start = repo.bumpImages('6.1.6');
    const query = await firstQuery(repo.work);
    const setupMs = performance.now() - setupStart;
    const ticks: SizeFigures['ticks'] = [];
    const starts: Record<string, string> = {};
    repo.compact();
    for (const plan of plans) {
      starts[plan.tick] = start;
      const runs: ProbeResult[] = [];
      const floors: FloorResult[] = [];
      let last: ReconcileResult | undefined;
      let after = '';
      // Tick and floor runs alternate, each from a pruned clone; odd rounds run the floor first, so
      // neither always finds the other's objects already in the remote's packs.
      const runTick = async () => {
        repo.resetTo(start);
        const { value, probe: p } = await probe(() => tick(plan.at));
        check(`N=${n} tick ${plan.tick}`, value, n, p, plan);
        after = repo.remoteHead();
        if (value.commit !== after) throw new Error(`tick ${plan.tick}: the remote is not at its commit`);
        runs.push(p);
        last = value;
      };
      const runFloor = async () => {
        if (!last) throw new Error('the floor needs a tick first');
        const message = git(repo.remote, 'log', '-1', '--format=%B', after);
        repo.resetTo(start);
        const q = { url: prom.url, query, at: at(plan.at) };
        floors.push(await measureFloor(repo.work, last.changes, message, q));
      };
      for (let i = 0; i < Math.max(reps, floorReps); i++) {
        if (i >= reps) await runFloor();
        else if (i % 2 === 0) await runTick().then(runFloor);
        else await runFloor().then(runTick);
      }
      if (!last) throw new Error('unreachable');
      repo.resetTo(after);
      repo.compact();
      start = after;
      ticks.push(figures(plan, runs, floors, last));
    }
    const size = { n, reps, floorReps: Math.max(reps, floorReps), setupMs, ticks };
    return withPure ? { size, pure: await pureParts(n, repo, starts) } : { size };
  } finally {
    repo.cleanup();
  }
}

interface SizeResult {
  size: SizeFigures;
  pure?: PureFigures;
}

/**
 * Load/validate and decide/render on their own, once each from the starting commits of ticks A
 * and C (the load is timed twice; its median is reported).
 */
async function pureParts(n: number, repo: BenchRepo, starts: Record<string, string>): Promise<PureFigures> {
  repo.resetTo(starts.A!);
  globalThis.gc?.();
  const a = await timePure(repo.work, at(AT.a));
  repo.resetTo(starts.C!);
  globalThis.gc?.();
  const c = await timePure(repo.work, at(AT.c));
  return {
    n,
    reps: 1,
    loadValidateMs: median([a.loadMs, c.loadMs]),
    decideRenderScaleUpMs: a.decideRenderMs,
    decideRenderAnalysisMs: c.decideRenderMs,
  };
}

/**
 * Starts the bench's Prometheus with the istio series of `workloads` workloads. The OpenMetrics
 * text (tens of MB for 1000 workloads) is dropped before returning, so it does not inflate the
 * RSS baseline of the ticks (nor the cost of forking git from a bigger process).
 */
async function benchPrometheus(workloads: number) {
  let t = performance.now();
  const data = istioSeries(workloads, WINDOW);
  const generateMs = performance.now() - t;
  const samples = data.series * Math.floor((WINDOW.end - WINDOW.start) / WINDOW.step + 1);
  t = performance.now();
  const prom = await startPrometheus(data.text);
  cleanups.push(() => prom.stop());
  return {
    prom,
    series: data.series,
    samples,
    generateMs,
    backfillAndStartMs: performance.now() - t,
  };
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const sizes = sizesFromArgs();
  const largest = Math.max(...sizes);
  if (!globalThis.gc) process.stderr.write('warning: run with --expose-gc for steadier memory figures\n');
  const env = {
    node: process.version,
    git: version('git', ['--version']).replace(/^git version /, ''),
    prometheus: version(process.env.PROMETHEUS_BIN ?? 'prometheus', ['--version']).replace(
      /^prometheus, version /,
      '',
    ),
    cpus: cpus().length,
    date: new Date().toISOString(),
  };
  process.stderr.write(`generating istio series for ${largest} workloads…\n`);
  const { prom, ...prometheus } = await benchPrometheus(largest);
  const results: SizeFigures[] = [];
  let pure: PureFigures | undefined;
  for (const n of sizes) {
    process.stderr.write(`N=${n}…\n`);
    const r = await benchSize(n, prom, n === largest && pure === undefined);
    results.push(r.size);
    pure ??= r.pure;
  }
  await prom.stop();
  const figures: BenchFigures = {
    env,
    prometheus,
    sizes: results,
    ...(pure ? { pure } : {}),
    totalMs: performance.now() - t0,
  };
  console.log(formatReport(figures));
  const outDir = resolve(import.meta.dirname, '../.bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\nwrote ${join(outDir, 'latest.json')}`);
}

async function cleanupAll(): Promise<void> {
  await Promise.allSettled(cleanups.splice(0).map(async (f) => f()));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanupAll().finally(() => process.exit(130));
  });
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanupAll);
