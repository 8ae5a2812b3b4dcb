/**
 * Error-rate ratios for counts: canary errors x_c of n_c requests against baseline errors x_b of
 * n_b. Given x = x_c + x_b errors in all, x_c ~ Binomial(x, π) with π = RR·n_c / (RR·n_c + n_b), so
 * the exact (Clopper–Pearson) interval of π maps to an exact interval of the rate ratio RR. With no
 * errors at all there is no ratio: the absolute upper bound of the canary's error rate is given.
 */
import { betaQuantile } from './beta.js';

/** Clopper–Pearson interval of a binomial proportion k/n. @example clopperPearson(0, 50) // [0, 0.0711] */
export function clopperPearson(k: number, n: number, confidence = 0.95): [number, number] {
  const alpha = 1 - confidence;
  const low = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
  const high = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
  return [low, high];
}

export interface RateRatio {
  /** x_c/n_c ÷ x_b/n_b; Infinity when the baseline had no errors but the canary did. */
  ratio: number;
  low: number;
  high: number;
  /** With no errors in either arm: the canary's one-sided upper bound of its error rate. */
  canaryRateHigh?: number;
}

/**
 * @example rateRatio(104, 5991, 130, 23955) // ratio ≈ 3.20, [≈2.45, ≈4.17]
 */
export function rateRatio(xc: number, nc: number, xb: number, nb: number, confidence = 0.95): RateRatio {
  if (nc <= 0 || nb <= 0) throw new Error('rateRatio: both arms need requests');
  const x = xc + xb;
  if (x === 0) {
    const alpha = 1 - confidence;
    return {
      ratio: Number.NaN,
      low: 0,
      high: Number.POSITIVE_INFINITY,
      canaryRateHigh: 1 - alpha ** (1 / nc),
    };
  }
  const toRatio = (pi: number) => (pi >= 1 ? Number.POSITIVE_INFINITY : (pi * nb) / ((1 - pi) * nc));
  const [lo, hi] = clopperPearson(xc, x, confidence);
  return {
    ratio: xb === 0 ? Number.POSITIVE_INFINITY : xc / nc / (xb / nb),
    low: toRatio(lo),
    high: toRatio(hi),
  };
}
