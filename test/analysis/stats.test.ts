/**
 * The statistics against published reference values: SciPy's documented Mann-Whitney example,
 * and values computed with SciPy 1.10.1 (`scipy.stats.mannwhitneyu`, `norm`, `beta`,
 * `binomtest(...).proportion_ci(method="exact")`) for the inputs below, listed as computed.
 */
import { describe, expect, it } from 'vitest';
import { betaCdf, betaQuantile } from '../../src/analysis/stats/beta.js';
import { hodgesLehmann } from '../../src/analysis/stats/hodges-lehmann.js';
import {
  exactDistribution,
  groupedU,
  hanleyMcNeil,
  mannWhitney,
  midranks,
} from '../../src/analysis/stats/mann-whitney.js';
import { normCdf, normQuantile } from '../../src/analysis/stats/normal.js';
import { pairwiseDifferences, selectDifference } from '../../src/analysis/stats/pairwise-select.js';
import { clopperPearson, rateRatio } from '../../src/analysis/stats/rate-ratio.js';

describe('normal distribution', () => {
  it.each([
    [-3, 0.0013499],
    [-1.5, 0.0668072],
    [0, 0.5],
    [0.5, 0.69146246],
    [2.2, 0.98609655],
  ])('Φ(%d) = %f (scipy.stats.norm.cdf)', (z, p) => {
    expect(normCdf(z)).toBeCloseTo(p, 6);
  });

  it.each([
    [1e-10, -6.3613409],
    [0.001, -3.09023231],
    [0.025, -1.95996398],
    [0.3, -0.52440051],
    [0.5, 0],
    [0.975, 1.95996398],
    [0.999999, 4.75342431],
  ])('Φ⁻¹(%f) = %f (scipy.stats.norm.ppf)', (p, z) => {
    expect(normQuantile(p)).toBeCloseTo(z, 7);
  });
});

describe('Mann-Whitney U', () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it("SciPy's documented example: U = 17, exact p = 0.1111, asymptotic p = 0.11135", () => {
    expect(mannWhitney(males, females, 'two-sided', 'exact')).toMatchObject({ u: 17, method: 'exact' });
    expect(mannWhitney(males, females, 'two-sided', 'exact').p).toBeCloseTo(0.1111111111111111, 12);
    expect(mannWhitney(males, females, 'two-sided', 'asymptotic').p).toBeCloseTo(0.11134688653314041, 6);
    expect(mannWhitney(males, females).method).toBe('exact');
  });

  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  it.each([
    ['two-sided', 0.13291945818531892, 0.13591114767585355],
    ['greater', 0.06645972909265946, 0.06795557383792677],
    ['less', 0.9442044002897128, 0.9432538050185106],
  ] as const)('%s: asymptotic and exact p as SciPy', (alternative, asymptotic, exact) => {
    const a = mannWhitney(x, y, alternative, 'asymptotic');
    expect(a.u).toBe(58);
    expect(a.p).toBeCloseTo(asymptotic, 6);
    expect(mannWhitney(x, y, alternative, 'exact').p).toBeCloseTo(exact, 12);
  });

  it.each([
    ['two-sided', 0.03175895714806371],
    ['greater', 0.9876172774448116],
    ['less', 0.015879478574031856],
  ] as const)('with ties (midranks, tie-corrected variance) %s: p as SciPy', (alternative, p) => {
    const r = mannWhitney([1, 2, 2, 3, 3, 3, 4, 5], [2, 3, 4, 4, 5, 5, 6, 7, 7], alternative);
    expect(r.method).toBe('asymptotic');
    expect(r.u).toBe(13.5);
    expect(r.cles).toBeCloseTo(13.5 / 72, 12);
    expect(r.p).toBeCloseTo(p, 6);
  });

  it('midranks share the mean rank of their tie group', () => {
    expect(midranks([10, 20, 20, 30])).toEqual({ ranks: [1, 2.5, 2.5, 4], ties: [1, 2, 1] });
  });

  it('the exact distribution sums to 1 and is symmetric; the smallest two-sided p at 3+3 is 0.1', () => {
    const d = exactDistribution(5, 7);
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    for (let u = 0; u <= 35; u++) expect(d[u]).toBeCloseTo(d[35 - u] as number, 12);
    expect(mannWhitney([4, 5, 6], [1, 2, 3], 'two-sided', 'exact').p).toBeCloseTo(0.1, 12);
  });

  it('all values tied: no difference, p = 1, no division by zero', () => {
    expect(mannWhitney([3, 3, 3], [3, 3], 'greater')).toMatchObject({ u: 3, sd: 0, p: 1 });
  });

  it('grouped data (histogram buckets) give the same U as the raw values', () => {
    const canary = [1, 1, 2, 2, 2, 3, 3, 3, 3];
    const baseline = [1, 1, 1, 2, 2, 3];
    const g = groupedU([2, 3, 4], [3, 2, 1]);
    expect(g.u).toBe(mannWhitney(canary, baseline).u);
    expect(g).toMatchObject({ m: 9, n: 6, ties: [5, 5, 5] });
  });

  it('Hanley–McNeil interval of a CLES', () => {
    const [lo, hi] = hanleyMcNeil(0.5, 100, 100);
    // SE² = [A(1−A) + (m−1)(Q1−A²) + (n−1)(Q2−A²)]/(mn) with A = ½, Q1 = ⅓, Q2 = ⅓
    const se = Math.sqrt((0.25 + 99 * (1 / 3 - 0.25) * 2) / 10_000);
    expect(lo).toBeCloseTo(0.5 - 1.959963984540054 * se, 9);
    expect(hi).toBeCloseTo(0.5 + 1.959963984540054 * se, 9);
  });
});

describe('Hodges-Lehmann shift', () => {
  it('is the median of all differences (numpy.median of the outer difference: 0.85)', () => {
    const c = [2.1, 3.5, 2.9, 4.4, 3.3, 2.8];
    const b = [1.9, 2.2, 3.0, 2.1, 2.6, 2.4, 2.0];
    const s = hodgesLehmann(c, b);
    expect(s.estimate).toBeCloseTo(0.85, 12);
    expect(s.low).toBeLessThan(s.estimate);
    expect(s.high).toBeGreaterThan(s.estimate);
  });

  it('a pure shift is found exactly, and its interval holds it', () => {
    const b = Array.from({ length: 40 }, (_, i) => Math.sin(i) * 10);
    const s = hodgesLehmann(
      b.map((v) => v + 3),
      b,
    );
    expect(s.estimate).toBeCloseTo(3, 12);
    expect(s.low).toBeLessThanOrEqual(3);
    expect(s.high).toBeGreaterThanOrEqual(3);
  });
});

describe('k-th pairwise difference without the m·n list', () => {
  /** A deterministic sample with many ties (values on a coarse grid). */
  const sample = (count: number, seed: number, grid: number): number[] => {
    let s = seed;
    return Array.from({ length: count }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return Math.round((s / 2147483648) * grid) / 7;
    });
  };
  const sortedDifferences = (x: number[], y: number[]) =>
    Float64Array.from(x.flatMap((a) => y.map((b) => a - b))).sort();

  it.each([
    [1, 1, 5],
    [3, 200, 4],
    [200, 3, 1000],
    [37, 53, 6],
    [120, 90, 100000],
    [150, 150, 2],
  ])('%i × %i samples on a grid of %i: every rank equals the sorted list', (m, n, grid) => {
    const x = sample(m, m * 31 + grid, grid);
    const y = sample(n, n * 17 + 3, grid);
    const all = sortedDifferences(x, y);
    const d = pairwiseDifferences(x, y);
    const ranks = new Set([1, 2, all.length, all.length - 1, Math.ceil(all.length / 2)]);
    for (let r = 1; r <= all.length; r += Math.max(1, Math.floor(all.length / 97))) ranks.add(r);
    for (const r of ranks) if (r >= 1 && r <= all.length) expect(selectDifference(d, r)).toBe(all[r - 1]);
  });

  it('refuses a rank outside 1…m·n', () => {
    expect(() => selectDifference(pairwiseDifferences([1, 2], [1]), 3)).toThrow('rank 3 outside 1…2');
  });

  it('the documented example', () => {
    expect(selectDifference(pairwiseDifferences([2, 3, 4], [1, 2, 3]), 5)).toBe(1);
    expect(hodgesLehmann([2, 3, 4], [1, 2, 3]).estimate).toBe(1);
  });
});

describe('beta distribution and exact intervals', () => {
  it.each([
    [0.1, 2, 3, 0.0523],
    [0.3, 0.5, 5, 0.93473775],
    [0.7, 30, 4, 0.00418713],
  ])('I_%f(%f, %f) = %f (scipy.stats.beta.cdf)', (x, a, b, p) => {
    expect(betaCdf(x, a, b)).toBeCloseTo(p, 7);
  });

  it('quantiles (scipy.stats.beta.ppf)', () => {
    expect(betaQuantile(0.025, 3, 50)).toBeCloseTo(0.01205932, 7);
    expect(betaQuantile(0.975, 4, 49)).toBeCloseTo(0.15947336, 7);
  });

  it.each([
    [0, 50, 0, 0.07112173646420458],
    [7, 50, 0.05819170033997342, 0.26739600249700846],
    [104, 234, 0.37970593954424825, 0.5106083627834112],
  ])('Clopper–Pearson %d/%d = [%f, %f] (binomtest proportion_ci exact)', (k, n, lo, hi) => {
    const [l, h] = clopperPearson(k, n);
    expect(l).toBeCloseTo(lo, 9);
    expect(h).toBeCloseTo(hi, 9);
  });
});

describe('error-rate ratio', () => {
  it('sig fixture: 104/5,991 against 130/23,955 → 3.20 [2.45, 4.17]', () => {
    const r = rateRatio(104, 5991, 130, 23955);
    expect(r.ratio).toBeCloseTo(104 / 5991 / (130 / 23955), 12);
    expect(r.low).toBeCloseTo(2.447634824248303, 8);
    expect(r.high).toBeCloseTo(4.171845680908491, 8);
  });

  it('no errors anywhere: no ratio, the canary rate bounded by 1 − 0.05^(1/n)', () => {
    const r = rateRatio(0, 300, 0, 1000);
    expect(r.ratio).toBeNaN();
    expect(r.canaryRateHigh).toBeCloseTo(1 - 0.05 ** (1 / 300), 12);
  });

  it('errors only in the canary: an infinite ratio with a finite lower bound', () => {
    const r = rateRatio(5, 100, 0, 1000);
    expect(r.ratio).toBe(Number.POSITIVE_INFINITY);
    expect(r.high).toBe(Number.POSITIVE_INFINITY);
    expect(r.low).toBeGreaterThan(1);
  });
});
