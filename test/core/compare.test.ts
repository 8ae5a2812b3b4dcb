/**
 * The canary-against-primary verdict, table-tested against reference values computed with SciPy
 * (1.x, /usr/bin/python3) by this snippet:
 *
 *   import numpy as np
 *   from scipy import stats
 *   def rr(xc, nc, xb, nb, conf=0.95):              # exact conditional-binomial rate ratio
 *       x = xc + xb; a = 1 - conf
 *       lo = stats.beta.ppf(a/2, xc, x-xc+1) if xc > 0 else 0.0
 *       hi = stats.beta.ppf(1-a/2, xc+1, x-xc) if xc < x else 1.0
 *       f = lambda p: p*nb/((1-p)*nc)
 *       p = stats.binomtest(xc, x, nc/(nc+nb), alternative='greater').pvalue
 *       return (xc/nc)/(xb/nb), f(lo), f(hi), p
 *   def hl(c, b, conf=0.95):                         # on log values: ratios
 *       c, b = np.log(c), np.log(b)
 *       d = np.sort((c[:, None] - b[None, :]).ravel()); m, n = len(c), len(b)
 *       _, t = np.unique(np.concatenate([c, b]), return_counts=True); N = m + n
 *       sd = np.sqrt(m*n/12*((N+1) - np.sum(t**3 - t)/(N*(N-1))))
 *       k = max(1, int(np.floor(m*n/2 - stats.norm.ppf(1-(1-conf)/2)*sd)))
 *       mw = stats.mannwhitneyu(c, b, alternative='greater', method='exact')
 *       return np.exp(np.median(d)), np.exp(d[k-1]), np.exp(d[len(d)-k]), mw.statistic, mw.pvalue
 *   rr(104, 5991, 130, 23955)  # 3.1987981972959436, 2.447634824248302, 4.171845680908489, 2.5679899209346228e-17
 *   rr(25, 5962, 119, 23654)   # 0.8335001226253669, 0.5186678897624128, 1.2911120027107932, 0.8239443909978914
 *   rr(1, 69, 16, 2353)        # 2.131340579710145, 0.05082453929449837, 13.719252192245195, 0.388195872961401
 *   1 - 0.05**(1/1000)         # 0.0029912495450953314 (no errors in 1,000 canary requests)
 *   hl(np.arange(120, 130.), np.arange(100, 110.))    # 1.1913915894507234, 1.1588785046728978, 1.2254901960784323, 100, 5.412544112234515e-06
 *   hl(np.arange(101, 120, 2.), np.arange(100, 119, 2.))  # 1.0091750806645705, 0.9545454545454539, 1.0673076923076923, 55, 0.36968217540972964
 *
 * The count fixtures are three cases (significant, not significant, low counts); the rank ones evenly spaced latencies, shifted and not.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, isInconclusive } from '../../src/core/analysis.js';
import { compareVerdict } from '../../src/core/compare.js';
import { decide } from '../../src/core/decide.js';
import type { ComparisonObservation, ComparisonSpec } from '../../src/core/types.js';
import { formatStatus, parseStatus } from '../../src/status/status-file.js';
import { canaryWith, Sim } from '../support/sim.js';

const window = { start: '2026-01-01T11:40:00.000Z', end: '2026-01-01T12:00:00.000Z' };
const spec = (method: ComparisonSpec['method'], over: Partial<ComparisonSpec> = {}): ComparisonSpec => ({
  name: method === 'rate-ratio' ? 'error-rate' : 'latency',
  method,
  tolerance: method === 'rate-ratio' ? 1.5 : 1.1,
  minRequests: 50,
  minSamples: 5,
  confidence: 0.95,
  scale: 'log',
  maxErrorRate: 0.01,
  ...over,
});
const counts = (
  c: [number, number],
  p: [number, number],
  over: Partial<ComparisonSpec> = {},
): ComparisonObservation => ({
  spec: spec('rate-ratio', over),
  window,
  samples: {
    method: 'rate-ratio',
    canary: { errors: c[0], requests: c[1] },
    primary: { errors: p[0], requests: p[1] },
  },
});
const ranks = (
  canary: number[],
  primary: number[],
  over: Partial<ComparisonSpec> = {},
): ComparisonObservation => ({
  spec: spec('mann-whitney', over),
  window,
  samples: { method: 'mann-whitney', canary, primary },
});
const range = (from: number, to: number, by = 1) =>
  Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);

describe('rate-ratio against SciPy', () => {
  it.each([
    [
      'sig: 2% vs 0.5% errors',
      [104, 5991],
      [130, 23955],
      {},
      'fail',
      [3.1987981972959436, 2.447634824248302, 4.171845680908489, 2.5679899209346228e-17],
    ],
    [
      'nosig at tolerance 1.5',
      [25, 5962],
      [119, 23654],
      {},
      'pass',
      [0.8335001226253669, 0.5186678897624128, 1.2911120027107932, 0.8239443909978914],
    ],
    [
      'nosig at tolerance 1.2: the interval spans it',
      [25, 5962],
      [119, 23654],
      { tolerance: 1.2 },
      'inconclusive',
      [0.8335001226253669, 0.5186678897624128, 1.2911120027107932, 0.8239443909978914],
    ],
    [
      'low traffic: 1 error of 69',
      [1, 69],
      [16, 2353],
      {},
      'inconclusive',
      [2.131340579710145, 0.05082453929449837, 13.719252192245195, 0.388195872961401],
    ],
  ] as const)('%s → %s', (_, c, p, over, result, [ratio, low, high, pValue]) => {
    const v = compareVerdict(counts([...c], [...p], over));
    expect(v.result).toBe(result);
    expect(v.value).toBeCloseTo(ratio, 12);
    expect(v.comparison?.ci?.[0]).toBeCloseTo(low, 6);
    expect(v.comparison?.ci?.[1]).toBeCloseTo(high, 6);
    expect(v.comparison?.p).toBeCloseTo(pValue, 8);
    expect(v.comparison).toMatchObject({
      canary: { n: c[1], errors: c[0] },
      primary: { n: p[1], errors: p[0] },
      window,
    });
  });

  it('says why, with the numbers', () => {
    expect(compareVerdict(counts([104, 5991], [130, 23955])).reason).toBe(
      'error-rate: error rate 3.2× primary (95% CI 2.45–4.17) > tolerance 1.5 (canary 104/5991, primary 130/23955, p=2.57e-17)',
    );
  });

  it('below minRequests in either arm: inconclusive, never a pass', () => {
    const v = compareVerdict(counts([0, 41], [10, 5000], { minRequests: 100 }));
    expect(v).toMatchObject({
      result: 'inconclusive',
      reason: 'error-rate: canary 41 requests < 100 (canary 0/41, primary 10/5000)',
    });
    expect(compareVerdict(counts([0, 500], [0, 0])).result).toBe('inconclusive');
  });

  it('no errors in either arm: the canary upper bound against maxErrorRate', () => {
    const v = compareVerdict(counts([0, 1000], [0, 4000]));
    expect(v.result).toBe('pass');
    expect(v.reason).toContain('canary error rate ≤ 0.299%');
    expect(1 - 0.05 ** (1 / 1000)).toBeCloseTo(0.0029912495450953314, 15);
    expect(compareVerdict(counts([0, 1000], [0, 4000], { maxErrorRate: 0.001 })).result).toBe('inconclusive');
  });

  it('increase() extrapolation is rounded to whole requests', () => {
    const v = compareVerdict(counts([103.7, 5990.6], [130.2, 23955.4]));
    expect(v.comparison).toMatchObject({
      canary: { n: 5991, errors: 104 },
      primary: { n: 23955, errors: 130 },
    });
  });
});

describe('Mann-Whitney with Hodges-Lehmann against SciPy', () => {
  it.each([
    [
      'canary all above: 120…129 vs 100…109',
      range(120, 129),
      range(100, 109),
      {},
      'fail',
      [1.1913915894507234, 1.1588785046728978, 1.2254901960784323, 5.412544112234515e-6],
    ],
    [
      'interleaved: 101…119 vs 100…118',
      range(101, 119, 2),
      range(100, 118, 2),
      { tolerance: 1.2 },
      'pass',
      [1.0091750806645705, 0.9545454545454539, 1.0673076923076923, 0.36968217540972964],
    ],
    [
      'interleaved at tolerance 1.05',
      range(101, 119, 2),
      range(100, 118, 2),
      { tolerance: 1.05 },
      'inconclusive',
      [1.0091750806645705, 0.9545454545454539, 1.0673076923076923, 0.36968217540972964],
    ],
  ] as const)('%s → %s', (_, c, p, over, result, [ratio, low, high, pValue]) => {
    const v = compareVerdict(ranks(c, p, over));
    expect(v.result).toBe(result);
    expect(v.value).toBeCloseTo(ratio, 10);
    expect(v.comparison?.ci?.[0]).toBeCloseTo(low, 10);
    expect(v.comparison?.ci?.[1]).toBeCloseTo(high, 10);
    expect(v.comparison?.p).toBeCloseTo(pValue, 12);
    expect(v.comparison).toMatchObject({
      method: 'mann-whitney',
      canary: { n: c.length },
      primary: { n: p.length },
    });
  });

  it('3 + 3 samples cannot reach the level: inconclusive below minSamples', () => {
    const v = compareVerdict(ranks([130, 131, 132], [100, 101, 102]));
    expect(v).toMatchObject({ result: 'inconclusive', reason: 'latency: canary 3 samples < 5' });
  });

  it('equal constant arms are no difference (no division by zero)', () => {
    const v = compareVerdict(ranks([5, 5, 5, 5, 5], [5, 5, 5, 5, 5]));
    expect(v).toMatchObject({ result: 'pass', value: 1, comparison: { ci: [1, 1] } });
  });

  it('linear scale: the tolerance is an absolute shift; log needs positive values', () => {
    const v = compareVerdict(ranks(range(120, 129), range(100, 109), { scale: 'linear', tolerance: 5 }));
    expect(v).toMatchObject({ result: 'fail', value: 20 });
    expect(compareVerdict(ranks([0, 1, 2, 3, 4], [1, 2, 3, 4, 5])).result).toBe('inconclusive');
  });

  it('a failed query is a failed check', () => {
    const v = compareVerdict({
      spec: spec('mann-whitney'),
      window,
      samples: { error: 'query failed: HTTP 500' },
    });
    expect(v).toMatchObject({ result: 'fail', reason: 'latency: query failed: HTTP 500' });
  });
});

describe('in the analysis', () => {
  const flagger = {
    check: { name: 'request-success-rate', kind: 'success-rate' as const, thresholdRange: { min: 99 } },
    result: { kind: 'value' as const, value: 99.9 },
  };
  const comparison = (o: ComparisonObservation) => ({
    check: { name: o.spec.name, kind: 'custom' as const },
    result: { kind: 'no-data' as const },
    comparison: o,
  });

  it('an inconclusive comparison holds: the verdict is not a failure', () => {
    const v = evaluate([flagger, comparison(counts([1, 69], [16, 2353]))]);
    expect(v.result).toBe('pass');
    expect(isInconclusive(v)).toBe(true);
    expect(v.reason).toMatch(/^inconclusive: error-rate: error rate 2.13× primary/);
  });

  it('a failing comparison fails the analysis like any metric', () => {
    const v = evaluate([flagger, comparison(counts([104, 5991], [130, 23955]))]);
    expect(v.result).toBe('fail');
    expect(v.metrics.map((m) => m.result)).toEqual(['pass', 'fail']);
  });
});

describe('in the decision', () => {
  it('an inconclusive comparison holds the weight, counts no failed check, records the verdict', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20, maxWeight: 60 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    expect(sim.status).toMatchObject({ canaryWeight: 20, failedChecks: 0 });
    const o = counts([1, 69], [16, 2353]);
    const d = decide({
      id: 'test/podinfo',
      canary: sim.canary,
      provider: 'istio',
      revision: sim.revision,
      trackedConfigs: {},
      routes: sim.routes,
      now: sim.now,
      ...(sim.status ? { status: sim.status } : {}),
      observations: [
        { check: { name: 'error-rate', kind: 'custom' }, result: { kind: 'no-data' }, comparison: o },
      ],
    });
    expect(d.actions.filter((a) => a.type === 'set-routes')).toEqual([]);
    expect(d.status).toMatchObject({ canaryWeight: 20, failedChecks: 0, phase: 'Progressing' });
    expect(d.message).toMatch(
      /^Hold test\/podinfo at weight 20: inconclusive: error-rate: error rate 2.13× primary/,
    );
    expect(d.status.history.at(-1)?.verdict?.metrics[0]).toMatchObject({
      result: 'inconclusive',
      comparison: { method: 'rate-ratio', canary: { n: 69, errors: 1 }, primary: { n: 2353, errors: 16 } },
    });
    // The status file keeps the numbers and reads them back.
    const file = formatStatus({ namespace: 'test', name: 'podinfo' }, d.status);
    expect(file).toContain('result: inconclusive');
    expect(parseStatus(file, 'podinfo.status.yaml')).toEqual(d.status);
  });
});
