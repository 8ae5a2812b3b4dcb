/**
 * Queries the samples of each canary-against-primary comparison (src/inputs/compare-spec.ts) over
 * the same window for both arms, on the canary's metrics server, through the same provider (and
 * egress policy) as its other checks. The judging is pure (src/core/compare.ts).
 *
 * Samples: `rate-ratio` sends two instant queries per arm at the run's time (requests and errors
 * over `[{{ window }}]`; an empty answer is 0); `mann-whitney` sends one range query per arm over
 * the window, every `step`, and pools every value of every series (one per pod or instance and
 * step: render the range selectors with `[{{ step }}]` so the steps do not overlap).
 */
import type { ComparisonSamples, Observation } from '../core/types.js';
import { type PlannedComparison, plannedComparisons, renderArm } from '../inputs/compare-spec.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { ReconcileContext } from './context.js';

export async function observeComparisons(ctx: ReconcileContext, c: LoadedCanary): Promise<Observation[]> {
  const planned = plannedComparisons(c);
  if (planned.length > 0 && typeof planned[0] === 'string') {
    const problems = planned as string[];
    return [
      {
        check: { name: 'compare', kind: 'custom', error: problems.join('; ') },
        result: { kind: 'error', message: problems.join('; ') },
      },
    ];
  }
  const server = c.canary.spec.metricsServer ?? ctx.config.metricsServer;
  const provider = ctx.metrics({ address: server, from: c.canary.spec.metricsServer ? 'spec' : 'operator' });
  return Promise.all(
    (planned as PlannedComparison[]).map(async (p): Promise<Observation> => {
      const end = ctx.now;
      const start = new Date(end.getTime() - p.windowMs);
      const window = { start: start.toISOString(), end: end.toISOString() };
      const samples = await sample(provider, c, p, start, end);
      const query = p.entry.method === 'rate-ratio' ? p.entry.errors : p.entry.query;
      return {
        check: { name: p.spec.name, kind: 'custom', query },
        result: { kind: 'no-data' },
        comparison: { spec: p.spec, window, samples },
      };
    }),
  );
}

async function sample(
  provider: MetricsProvider,
  c: LoadedCanary,
  p: PlannedComparison,
  start: Date,
  end: Date,
): Promise<ComparisonSamples | { error: string }> {
  const target = c.canary.spec.targetRef.name;
  const vars = (workload: string) => ({
    workload,
    target,
    namespace: c.ref.namespace,
    window: p.entry.window,
    step: p.entry.method === 'mann-whitney' ? p.entry.step : '',
  });
  const arms = [target, `${target}-primary`] as const;
  const e = p.entry;
  if (e.method === 'rate-ratio') {
    const count = async (q: string, workload: string): Promise<number | string> => {
      const r = await provider.query(renderArm(q, vars(workload)), end);
      if (r.kind === 'error') return `${workload}: ${r.message}`;
      return r.kind === 'no-data' ? 0 : r.value;
    };
    const [cr, ce, pr, pe] = await Promise.all([
      count(e.requests, arms[0]),
      count(e.errors, arms[0]),
      count(e.requests, arms[1]),
      count(e.errors, arms[1]),
    ]);
    const failed = [cr, ce, pr, pe].find((x) => typeof x === 'string');
    if (failed !== undefined) return { error: `query failed: ${failed}` };
    return {
      method: 'rate-ratio',
      canary: { requests: cr as number, errors: ce as number },
      primary: { requests: pr as number, errors: pe as number },
    };
  }
  if (!provider.samples) return { error: 'this metrics provider cannot answer range queries' };
  const from = new Date(start.getTime() + p.stepMs);
  const [canary, primary] = await Promise.all(
    arms.map((w) => provider.samples!(renderArm(e.query, vars(w)), from, end, p.stepMs / 1000)),
  );
  for (const [arm, r] of [
    [arms[0], canary],
    [arms[1], primary],
  ] as const)
    if (r?.kind === 'error') return { error: `query failed: ${arm}: ${r.message}` };
  const values = (r: typeof canary) => (r?.kind === 'samples' ? r.values : []);
  return { method: 'mann-whitney', canary: values(canary), primary: values(primary) };
}
