/**
 * Metric evaluation (Flagger `scheduler_metrics.go`), pure: observations in, verdict out.
 * Every metric is judged and recorded; the first failure is the verdict's reason, and one failed
 * tick is one failed check however many metrics failed.
 */
import { compareVerdict } from './compare.js';
import { describePolicy, policyVerdict } from './metric-policy.js';
import type { MetricCheck, MetricVerdict, Observation, Verdict } from './types.js';

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/**
 * Judges one metric.
 * - resolution error, provider error, no data (empty result or NaN) → fail;
 * - thresholdRange: fail when value < min or value > max (bounds inclusive);
 * - otherwise the deprecated `threshold` (default 0): success-rate fails when threshold > value,
 *   duration and custom metrics fail when value > threshold.
 * @example judge({ name: 'request-success-rate', kind: 'success-rate', thresholdRange: { min: 99 } }, 98.5)
 *   → { result: 'fail', reason: 'request-success-rate 98.50 < 99' }
 */
export function judge(check: MetricCheck, observed: Observation['result']): MetricVerdict {
  const base: MetricVerdict = { name: check.name, result: 'fail', reason: '' };
  if (check.query !== undefined) base.query = check.query;
  if (check.thresholdRange?.min !== undefined) base.min = check.thresholdRange.min;
  if (check.thresholdRange?.max !== undefined) base.max = check.thresholdRange.max;
  if (check.error) return { ...base, reason: check.error };
  if (observed.kind === 'error') return { ...base, reason: `query failed: ${observed.message}` };
  if (observed.kind === 'no-data') return { ...base, reason: `no values found for metric ${check.name}` };
  const value = check.truncateMs ? Math.trunc(observed.value) : observed.value;
  const withValue = { ...base, value };
  const range = check.thresholdRange;
  if (range) {
    if (range.min !== undefined && value < range.min) {
      return { ...withValue, reason: `${check.name} ${fmt(value)} < ${fmt(range.min)}` };
    }
    if (range.max !== undefined && value > range.max) {
      return { ...withValue, reason: `${check.name} ${fmt(value)} > ${fmt(range.max)}` };
    }
    return { ...withValue, result: 'pass', reason: 'within range' };
  }
  const threshold = check.threshold ?? 0;
  const failed = check.kind === 'success-rate' ? threshold > value : value > threshold;
  if (failed) {
    const op = check.kind === 'success-rate' ? '<' : '>';
    return { ...withValue, reason: `${check.name} ${fmt(value)} ${op} ${fmt(threshold)} (threshold)` };
  }
  return { ...withValue, result: 'pass', reason: 'within threshold' };
}

/**
 * Judges every observation in order (a comparison with the primary by compare.ts, a metric policy
 * first by metric-policy.ts); the verdict
 * fails when any metric fails. Otherwise an inconclusive metric makes the reason say so: the
 * analysis holds (`isInconclusive`) without a failed check.
 */
export function evaluate(observations: Observation[]): Verdict {
  const metrics = observations.map((o) =>
    o.comparison
      ? compareVerdict(o.comparison)
      : (policyVerdict(o.check, o.result, o.samples) ?? withPolicy(o, judge(o.check, o.result))),
  );
  const firstFailure = metrics.find((m) => m.result === 'fail');
  if (firstFailure) return { result: 'fail', reason: firstFailure.reason, metrics };
  const open = metrics.find((m) => m.result === 'inconclusive');
  if (open) return { result: 'pass', reason: `inconclusive: ${open.reason}`, metrics };
  const n = metrics.length;
  return {
    result: 'pass',
    reason: n === 0 ? 'no metrics configured' : `${n} metric${n === 1 ? '' : 's'} within range`,
    metrics,
  };
}

/** A verdict with no failure but an inconclusive metric: hold the weight, count no failed check. */
export const isInconclusive = (v: Verdict): boolean =>
  v.result === 'pass' && v.metrics.some((m) => m.result === 'inconclusive');

/** A verdict judged as Flagger judges it, noting the metric's policy and samples count when it has them. */
function withPolicy(o: Observation, v: MetricVerdict): MetricVerdict {
  const p = o.check.policy;
  if (!p) return v;
  const out: MetricVerdict = { ...v, policy: describePolicy(p) };
  if (o.samples?.kind === 'value') out.samples = o.samples.value;
  return out;
}
