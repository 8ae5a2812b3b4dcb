/**
 * The Hodges-Lehmann shift between a canary sample and a baseline: the median of all m·n
 * differences, with the order-statistic confidence interval whose rank comes from the normal
 * approximation of U (tie-corrected). On log values exp(shift) is a ratio ("1.14× the baseline").
 */
import { midranks, uVariance } from './mann-whitney.js';
import { normQuantile } from './normal.js';

export interface Shift {
  estimate: number;
  low: number;
  high: number;
}

const median = (sorted: Float64Array): number => {
  const k = sorted.length;
  return k % 2 === 1
    ? (sorted[(k - 1) / 2] as number)
    : ((sorted[k / 2 - 1] as number) + (sorted[k / 2] as number)) / 2;
};

/**
 * @example hodgesLehmann([2, 3, 4], [1, 2, 3]) // { estimate: 1, … }
 */
export function hodgesLehmann(
  canary: readonly number[],
  baseline: readonly number[],
  confidence = 0.95,
): Shift {
  const m = canary.length;
  const n = baseline.length;
  if (m === 0 || n === 0) throw new Error('hodgesLehmann: both samples need at least one value');
  const d = new Float64Array(m * n);
  let i = 0;
  for (const x of canary) for (const y of baseline) d[i++] = x - y;
  d.sort();
  const sd = Math.sqrt(uVariance(m, n, midranks([...canary, ...baseline]).ties));
  const z = normQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(1, Math.floor((m * n) / 2 - z * sd));
  return {
    estimate: median(d),
    low: d[Math.min(k, d.length) - 1] as number,
    high: d[Math.max(d.length - k, 0)] as number,
  };
}
