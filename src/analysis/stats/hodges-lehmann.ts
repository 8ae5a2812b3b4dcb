/**
 * The Hodges-Lehmann shift between a canary sample and a baseline: the median of all m·n
 * differences, with the order-statistic confidence interval whose rank comes from the normal
 * approximation of U (tie-corrected). On log values exp(shift) is a ratio ("1.14× the baseline").
 * The order statistics are selected without building the m·n differences (`pairwise-select.ts`):
 * O((m + n) log(m + n)) sorting and O(log(m·n)) linear passes instead of an m·n sort.
 */
import { midranks, uVariance } from './mann-whitney.js';
import { normQuantile } from './normal.js';
import { pairwiseDifferences, selectDifference } from './pairwise-select.js';

export interface Shift {
  estimate: number;
  low: number;
  high: number;
}

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
  const d = pairwiseDifferences(canary, baseline);
  const total = m * n;
  const sd = Math.sqrt(uVariance(m, n, midranks([...canary, ...baseline]).ties));
  const z = normQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(1, Math.floor(total / 2 - z * sd));
  const at = (rank: number) => selectDifference(d, rank);
  const estimate = total % 2 === 1 ? at((total + 1) / 2) : (at(total / 2) + at(total / 2 + 1)) / 2;
  return {
    estimate,
    low: at(Math.min(k, total)),
    high: at(Math.max(total - k + 1, 1)),
  };
}
