/**
 * Is the committed weight in effect? Judged from the requests the canary received: k of n in a
 * window that lies after the step went live. The likelihood of k under the new weight is set
 * against the likelihood under the old one (binomial): 19:1 for the new weight confirms it, 19:1
 * for the old contradicts it, anything in between is inconclusive. An inconclusive check never
 * fails a step: it only says the weight was not verified. Pure.
 */

export type LiveWeightVerdict = 'confirmed' | 'contradicted' | 'inconclusive';

export interface LiveWeight {
  verdict: LiveWeightVerdict;
  /** The observed share of requests that reached the canary, in percent. */
  observed: number;
  /** Likelihood ratio new : old (Infinity or 0 at the extremes). */
  ratio: number;
  requests: number;
}

/** Weights are floored and capped so a stray request never makes a likelihood zero. */
const stray = 0.001;
const clamp = (w: number) => Math.min(1 - stray, Math.max(stray, w / 100));
const logLikelihood = (k: number, n: number, w: number) =>
  k * Math.log(clamp(w)) + (n - k) * Math.log(1 - clamp(w));

/**
 * @param canary requests the canary served in the window
 * @param total requests canary and primary served together (counts from `increase`, rounded down)
 * @param oldWeight the canary weight before the step, newWeight after it (percent)
 * @example liveWeight(0, 60, 0, 5).verdict // 'contradicted': 60 requests and none reached a 5% canary
 * @example liveWeight(3, 60, 0, 5).verdict // 'confirmed'
 */
export function liveWeight(
  canary: number,
  total: number,
  oldWeight: number,
  newWeight: number,
  odds = 19,
): LiveWeight {
  const n = Math.max(0, Math.floor(total));
  const k = Math.min(n, Math.max(0, Math.floor(canary)));
  const observed = n === 0 ? Number.NaN : (100 * k) / n;
  if (n === 0 || oldWeight === newWeight) return { verdict: 'inconclusive', observed, ratio: 1, requests: n };
  const ratio = Math.exp(logLikelihood(k, n, newWeight) - logLikelihood(k, n, oldWeight));
  const verdict: LiveWeightVerdict =
    ratio >= odds ? 'confirmed' : ratio <= 1 / odds ? 'contradicted' : 'inconclusive';
  return { verdict, observed, ratio, requests: n };
}

/**
 * The fewest requests that can tell the two weights apart when the traffic splits exactly as
 * `trueWeight` (the expected count), for `plan` to show what the current traffic can verify.
 *
 * @example requestsToTell(0, 5) // 59: below that, no canary hit at 5% is not yet 19:1 for 0%
 */
export function requestsToTell(
  oldWeight: number,
  newWeight: number,
  odds = 19,
  limit = 1_000_000,
): number | undefined {
  for (let n = 1; n <= limit; n = n < 1000 ? n + 1 : Math.ceil(n * 1.01)) {
    const k = Math.round((n * newWeight) / 100);
    const kOld = Math.round((n * oldWeight) / 100);
    if (
      liveWeight(k, n, oldWeight, newWeight, odds).verdict === 'confirmed' &&
      liveWeight(kOld, n, oldWeight, newWeight, odds).verdict === 'contradicted'
    )
      return n;
  }
  return undefined;
}
