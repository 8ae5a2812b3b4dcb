/**
 * Metric policies (the Canary annotation `gitcanary.dev/metric-policies`), pure: what no data and
 * too few samples mean for one metric, and when a run of inconclusive analyses becomes a failed
 * check. Without a policy a metric is judged exactly as Flagger judges it (no data → fail).
 */
import type { CanaryStatus, MetricPolicy, MetricVerdict, Observation, QueryResult } from './types.js';

/**
 * The policy as one line, for the verdict, the status file and `plan`.
 * @example describePolicy({ noData: 'hold', minSamples: 100, maxInconclusive: 3 })
 *   === 'noData: hold, minSamples: 100, maxInconclusive: 3'
 */
export function describePolicy(p: MetricPolicy): string {
  const parts = [`noData: ${p.noData}`];
  if (p.minSamples !== undefined) parts.push(`minSamples: ${p.minSamples}`);
  parts.push(`maxInconclusive: ${p.maxInconclusive ?? 'unlimited'}`);
  return parts.join(', ');
}

/**
 * Applies a metric's policy before its value is judged; undefined means judge it as Flagger does.
 * - no data: `hold` → inconclusive, `pass` → pass ("no data: policy pass"), `fail` → Flagger;
 * - minSamples: a samples query that failed → fail (an outage never passes); fewer samples than
 *   the minimum (no data counts as 0) → inconclusive.
 * @example policyVerdict({ name: 'rate', policy: { noData: 'hold' } }, { kind: 'no-data' }, undefined)
 *   → { name: 'rate', result: 'inconclusive', reason: 'no values found for metric rate: policy hold', … }
 */
export function policyVerdict(
  check: Observation['check'],
  observed: QueryResult,
  samples: QueryResult | undefined,
): MetricVerdict | undefined {
  const p = check.policy;
  if (!p) return undefined;
  const base: MetricVerdict = { name: check.name, result: 'fail', reason: '', policy: describePolicy(p) };
  if (check.query !== undefined) base.query = check.query;
  if (check.error) return undefined;
  if (p.minSamples !== undefined) {
    if (!samples) return { ...base, reason: `${check.name}: samples query was not run` };
    if (samples.kind === 'error') return { ...base, reason: `samples query failed: ${samples.message}` };
    const n = samples.kind === 'value' ? samples.value : 0;
    if (n < p.minSamples) {
      return {
        ...base,
        samples: n,
        result: 'inconclusive',
        reason: `${check.name}: ${n} samples < minSamples ${p.minSamples}`,
      };
    }
  }
  if (observed.kind !== 'no-data' || p.noData === 'fail') return undefined;
  if (p.noData === 'pass') return { ...base, result: 'pass', reason: 'no data: policy pass' };
  return { ...base, result: 'inconclusive', reason: `no values found for metric ${check.name}: policy hold` };
}

/**
 * The next inconclusive count after a verdict, and the failed check's reason once a metric's
 * `maxInconclusive` is passed. A conclusive analysis (no inconclusive metric) resets the count.
 * It fails once any inconclusive metric's `maxInconclusive` is passed; the count goes on until a
 * conclusive analysis, so every further inconclusive analysis is a failed check too.
 * @example inconclusiveStreak(2, [{ check: { policy: { noData: 'hold', maxInconclusive: 2 } } …}], [inconclusive])
 *   → { count: 3, exceeded: 'rate inconclusive 3 analyses in a row > maxInconclusive 2' }
 */
export function inconclusiveStreak(
  prev: CanaryStatus['inconclusiveChecks'],
  observations: readonly Observation[],
  metrics: readonly MetricVerdict[],
): { count?: number; exceeded?: string } {
  const open = metrics.filter((m) => m.result === 'inconclusive');
  if (open.length === 0) return {};
  const count = (prev ?? 0) + 1;
  for (const m of open) {
    const limit = observations.find((o) => o.check.name === m.name)?.check.policy?.maxInconclusive;
    if (limit !== undefined && count > limit) {
      return {
        count,
        exceeded: `${m.name} inconclusive ${count} analyses in a row > maxInconclusive ${limit}`,
      };
    }
  }
  return { count };
}
