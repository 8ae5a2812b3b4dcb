/**
 * The canary judged against the primary over the same window, pure: samples
 * in, a MetricVerdict out, with the numbers and why. The decision is on the confidence interval
 * of the degradation against the tolerance T, never on a p-value alone:
 * - the interval's lower bound above T → fail (the canary is worse by more than T);
 * - its upper bound at most T → pass;
 * - otherwise, or with fewer requests / samples than the minimum → inconclusive (the analysis
 *   holds; it is not a failed check).
 *
 * Methods:
 * - `rate-ratio` for error counts: canary errors x_c of n_c requests against the primary's x_b of
 *   n_b; the exact conditional-binomial (Clopper–Pearson) interval of the error-rate ratio. With no
 *   error in either arm there is no ratio: the canary's one-sided upper error-rate bound is
 *   compared with `maxErrorRate` instead.
 * - `mann-whitney` for latency or any "higher is worse" sample: the one-sided Mann-Whitney U test
 *   (p) with the Hodges-Lehmann shift and its interval; on the `log` scale the shift is a ratio
 *   (`1.14` = the canary is 1.14× the primary).
 */
import { betaCdf } from '../analysis/stats/beta.js';
import { hodgesLehmann } from '../analysis/stats/hodges-lehmann.js';
import { mannWhitney } from '../analysis/stats/mann-whitney.js';
import { rateRatio } from '../analysis/stats/rate-ratio.js';
import type { ComparisonEvidence, ComparisonObservation, MetricVerdict } from './types.js';

/** 3 significant digits, `∞` for infinities. @example num(3.1987) === '3.2' */
const num = (v: number): string =>
  Number.isFinite(v) ? String(Number(v.toPrecision(3))) : v > 0 ? '∞' : '-∞';
const pct = (c: number) => `${Number((c * 100).toPrecision(3))}%`;

/**
 * Judges one comparison.
 * @example compareVerdict({ spec: { name: 'errors', method: 'rate-ratio', tolerance: 1.5, … },
 *   samples: { method: 'rate-ratio', canary: { requests: 5991, errors: 104 }, primary: { requests: 23955, errors: 130 } }, … })
 *   → { result: 'fail', value: 3.2, reason: 'errors: error rate 3.2× primary (95% CI 2.45–4.17) > tolerance 1.5 …' }
 */
export function compareVerdict(o: ComparisonObservation): MetricVerdict {
  const { spec } = o;
  const base = { name: spec.name, max: spec.tolerance };
  if ('error' in o.samples) return { ...base, result: 'fail', reason: `${spec.name}: ${o.samples.error}` };
  const evidence = (e: Omit<ComparisonEvidence, 'window' | 'confidence' | 'tolerance' | 'method'>) => ({
    method: spec.method,
    window: o.window,
    confidence: spec.confidence,
    tolerance: spec.tolerance,
    ...e,
  });
  const s = o.samples;
  if (s.method === 'rate-ratio') {
    const c = { n: Math.round(s.canary.requests), errors: Math.round(s.canary.errors) };
    const b = { n: Math.round(s.primary.requests), errors: Math.round(s.primary.errors) };
    c.errors = Math.min(Math.max(c.errors, 0), c.n);
    b.errors = Math.min(Math.max(b.errors, 0), b.n);
    const counts = `canary ${c.errors}/${c.n}, primary ${b.errors}/${b.n}`;
    const few =
      c.n < spec.minRequests ? ['canary', c.n] : b.n < spec.minRequests ? ['primary', b.n] : undefined;
    if (few || c.n === 0 || b.n === 0) {
      const [arm, n] = few ?? (c.n === 0 ? ['canary', 0] : ['primary', 0]);
      return {
        ...base,
        result: 'inconclusive',
        reason: `${spec.name}: ${arm} ${n} requests < ${Math.max(spec.minRequests, 1)} (${counts})`,
        comparison: evidence({ canary: c, primary: b }),
      };
    }
    const rr = rateRatio(c.errors, c.n, b.errors, b.n, spec.confidence);
    if (rr.canaryRateHigh !== undefined) {
      const ok = rr.canaryRateHigh <= spec.maxErrorRate;
      const bound = `canary error rate ≤ ${pct(rr.canaryRateHigh)} (one-sided ${pct(spec.confidence)} bound)`;
      return {
        ...base,
        result: ok ? 'pass' : 'inconclusive',
        reason: `${spec.name}: no errors in either arm; ${bound} ${ok ? '≤' : '>'} ${pct(spec.maxErrorRate)} (${counts})`,
        comparison: evidence({ canary: c, primary: b }),
      };
    }
    const x = c.errors + b.errors;
    const pi0 = c.n / (c.n + b.n);
    // P(X_c ≥ x_c) for X_c ~ Binomial(x, π0): "the canary's error rate is higher" under RR = 1.
    const p = c.errors === 0 ? 1 : betaCdf(pi0, c.errors, x - c.errors + 1);
    const what = `error rate ${num(rr.ratio)}× primary (${pct(spec.confidence)} CI ${num(rr.low)}–${num(rr.high)})`;
    return {
      ...base,
      ...(Number.isFinite(rr.ratio) ? { value: rr.ratio } : {}),
      ...judgeInterval(spec.name, what, rr.low, rr.high, spec.tolerance, `${counts}, p=${num(p)}`),
      comparison: evidence({ canary: c, primary: b, estimate: rr.ratio, ci: [rr.low, rr.high], p }),
    };
  }
  const sizes = { canary: { n: s.canary.length }, primary: { n: s.primary.length } };
  const min = Math.max(spec.minSamples, 1);
  if (s.canary.length < min || s.primary.length < min) {
    const [arm, n] = s.canary.length < min ? ['canary', s.canary.length] : ['primary', s.primary.length];
    return {
      ...base,
      result: 'inconclusive',
      reason: `${spec.name}: ${arm} ${n} samples < ${min}`,
      comparison: evidence(sizes),
    };
  }
  const log = spec.scale === 'log';
  if (log && [...s.canary, ...s.primary].some((v) => !(v > 0))) {
    return {
      ...base,
      result: 'inconclusive',
      reason: `${spec.name}: the log scale needs positive samples (use scale: linear for values ≤ 0)`,
      comparison: evidence(sizes),
    };
  }
  const t = (v: number) => (log ? Math.log(v) : v);
  const back = (v: number) => (log ? Math.exp(v) : v);
  const canary = s.canary.map(t);
  const primary = s.primary.map(t);
  const mw = mannWhitney(canary, primary, 'greater');
  const hl = hodgesLehmann(canary, primary, spec.confidence);
  const [estimate, low, high] = [back(hl.estimate), back(hl.low), back(hl.high)];
  const what = log
    ? `${num(estimate)}× primary (${pct(spec.confidence)} CI ${num(low)}–${num(high)})`
    : `shift ${num(estimate)} (${pct(spec.confidence)} CI ${num(low)}–${num(high)})`;
  return {
    ...base,
    value: estimate,
    ...judgeInterval(
      spec.name,
      what,
      low,
      high,
      spec.tolerance,
      `n=${s.canary.length}/${s.primary.length}, U=${num(mw.u)}, p=${num(mw.p)}`,
    ),
    comparison: evidence({ ...sizes, estimate, ci: [low, high], p: mw.p }),
  };
}

function judgeInterval(
  name: string,
  what: string,
  low: number,
  high: number,
  tolerance: number,
  detail: string,
): Pick<MetricVerdict, 'result' | 'reason'> {
  if (low > tolerance)
    return { result: 'fail', reason: `${name}: ${what} > tolerance ${num(tolerance)} (${detail})` };
  if (high <= tolerance)
    return { result: 'pass', reason: `${name}: ${what} ≤ tolerance ${num(tolerance)} (${detail})` };
  return {
    result: 'inconclusive',
    reason: `${name}: ${what} spans tolerance ${num(tolerance)}: not enough evidence yet (${detail})`,
  };
}
