/** Metric policies: no data, minimum samples and the run of inconclusive analyses, in the pure core. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/analysis.js';
import { describePolicy, inconclusiveStreak, policyVerdict } from '../../src/core/metric-policy.js';
import type {
  MetricCheck,
  MetricPolicy,
  MetricVerdict,
  Observation,
  QueryResult,
} from '../../src/core/types.js';
import { brief, canaryWith, Sim } from '../support/sim.js';

const noData: QueryResult = { kind: 'no-data' };
const v = (value: number): QueryResult => ({ kind: 'value', value });
const check = (policy?: MetricPolicy): MetricCheck => ({
  name: 'rate',
  kind: 'success-rate',
  thresholdRange: { min: 99 },
  query: 'q',
  ...(policy ? { policy } : {}),
});
const counted: MetricPolicy = { noData: 'hold', minSamples: 100, samplesQuery: 'n' };

describe('policyVerdict', () => {
  it.each<
    [string, MetricPolicy | undefined, QueryResult, QueryResult | undefined, string | undefined, string]
  >([
    ['no policy: judged as Flagger', undefined, noData, undefined, undefined, ''],
    ['noData fail: judged as Flagger', { noData: 'fail' }, noData, undefined, undefined, ''],
    [
      'noData hold: inconclusive',
      { noData: 'hold' },
      noData,
      undefined,
      'inconclusive',
      'no values found for metric rate: policy hold',
    ],
    ['noData pass: pass', { noData: 'pass' }, noData, undefined, 'pass', 'no data: policy pass'],
    ['a value under noData hold: judged as Flagger', { noData: 'hold' }, v(98), undefined, undefined, ''],
    [
      'an error is never held',
      { noData: 'hold' },
      { kind: 'error', message: 'HTTP 500' },
      undefined,
      undefined,
      '',
    ],
    [
      'fewer samples: inconclusive',
      counted,
      v(100),
      v(99),
      'inconclusive',
      'rate: 99 samples < minSamples 100',
    ],
    ['samples no data counts 0', counted, v(100), noData, 'inconclusive', 'rate: 0 samples < minSamples 100'],
    [
      'samples query failed: fail',
      counted,
      v(100),
      { kind: 'error', message: 'HTTP 503' },
      'fail',
      'samples query failed: HTTP 503',
    ],
    ['samples query not run: fail', counted, v(100), undefined, 'fail', 'rate: samples query was not run'],
    ['enough samples: judged as Flagger', counted, v(100), v(100), undefined, ''],
    [
      'enough samples, no data: the noData policy',
      counted,
      noData,
      v(500),
      'inconclusive',
      'no values found for metric rate: policy hold',
    ],
  ])('%s', (_, policy, observed, samples, result, reason) => {
    const got = policyVerdict(check(policy), observed, samples);
    if (result === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject({ name: 'rate', result, reason, policy: describePolicy(policy!) });
  });

  it('a resolution error is judged as Flagger (fails with its reason)', () => {
    expect(
      policyVerdict({ ...check({ noData: 'pass' }), error: 'not found' }, noData, undefined),
    ).toBeUndefined();
  });

  it('describes the policy in one line', () => {
    expect(describePolicy({ noData: 'hold', minSamples: 100, maxInconclusive: 3 })).toBe(
      'noData: hold, minSamples: 100, maxInconclusive: 3',
    );
    expect(describePolicy({ noData: 'fail' })).toBe('noData: fail, maxInconclusive: unlimited');
  });
});

describe('evaluate with policies', () => {
  it('noData pass passes the verdict and records the policy', () => {
    const verdict = evaluate([{ check: check({ noData: 'pass' }), result: noData }]);
    expect(verdict.result).toBe('pass');
    expect(verdict.metrics[0]).toMatchObject({
      result: 'pass',
      reason: 'no data: policy pass',
      policy: 'noData: pass, maxInconclusive: unlimited',
    });
  });

  it('a judged metric with a policy records it and its samples count', () => {
    const verdict = evaluate([{ check: check(counted), result: v(98), samples: v(120) }]);
    expect(verdict.result).toBe('fail');
    expect(verdict.metrics[0]).toMatchObject({ result: 'fail', reason: 'rate 98 < 99', samples: 120 });
    expect(verdict.metrics[0]?.policy).toBe('noData: hold, minSamples: 100, maxInconclusive: unlimited');
  });

  it('another metric failing still fails the verdict while one holds', () => {
    const other: MetricCheck = {
      name: 'latency',
      kind: 'duration',
      thresholdRange: { max: 500 },
      query: 'l',
    };
    const verdict = evaluate([
      { check: check({ noData: 'hold' }), result: noData },
      { check: other, result: v(900) },
    ]);
    expect(verdict).toMatchObject({ result: 'fail', reason: 'latency 900 > 500' });
  });
});

describe('inconclusiveStreak', () => {
  const held = (name: string): MetricVerdict => ({ name, result: 'inconclusive', reason: 'r' });
  const obs = (maxInconclusive?: number): Observation[] => [
    {
      check: check({ noData: 'hold', ...(maxInconclusive !== undefined ? { maxInconclusive } : {}) }),
      result: noData,
    },
  ];
  it.each<
    [string, number | undefined, number | undefined, MetricVerdict[], ReturnType<typeof inconclusiveStreak>]
  >([
    ['conclusive resets', 4, 2, [{ name: 'rate', result: 'pass', reason: '' }], {}],
    ['first hold counts 1', undefined, 2, [held('rate')], { count: 1 }],
    ['at the limit still holds', 1, 2, [held('rate')], { count: 2 }],
    [
      'past the limit fails',
      2,
      2,
      [held('rate')],
      { count: 3, exceeded: 'rate inconclusive 3 analyses in a row > maxInconclusive 2' },
    ],
    [
      'maxInconclusive 0 fails the first',
      undefined,
      0,
      [held('rate')],
      { count: 1, exceeded: 'rate inconclusive 1 analyses in a row > maxInconclusive 0' },
    ],
    ['unlimited by default', 1000, undefined, [held('rate')], { count: 1001 }],
  ])('%s', (_, prev, limit, metrics, expected) => {
    expect(inconclusiveStreak(prev, obs(limit), metrics)).toEqual(expected);
  });
});

describe('decide with a hold policy (tick script)', () => {
  const observe =
    (policy: MetricPolicy, traffic: (n: number) => boolean) =>
    (n: number): Observation[] => [{ check: check(policy), result: traffic(n) ? v(100) : noData }];

  it('noData hold without a limit: neither advances nor fails, then advances once data arrives', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, maxWeight: 50, threshold: 2 }));
    sim.initAndBump();
    sim.observe = observe({ noData: 'hold' }, (n) => n > 8);
    sim.runUntil('Progressing');
    sim.tick(); // the first step (weight 10) runs no analysis
    const lines = Array.from({ length: 10 }, () => sim.tick());
    expect(brief(lines)).toEqual([
      ...Array.from({ length: 8 }, () => 'Progressing 90/10 i0 f0 A'),
      'Progressing 80/20 i0 f0 A',
      'Progressing 70/30 i0 f0 A',
    ]);
    expect(sim.decisions.at(-3)?.status.inconclusiveChecks).toBe(8);
    expect(sim.decisions.at(-3)?.message).toContain(
      'Hold test/podinfo at weight 10: inconclusive: no values found',
    );
    expect(sim.decisions.at(-2)?.status.inconclusiveChecks).toBeUndefined();
  });

  it('maxInconclusive 2: the third inconclusive analysis in a row is a failed check, then a rollback', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, maxWeight: 50, threshold: 2 }));
    sim.initAndBump();
    sim.observe = observe({ noData: 'hold', maxInconclusive: 2 }, () => false);
    sim.runUntil('Progressing');
    sim.tick(); // the first step (weight 10) runs no analysis
    const lines = Array.from({ length: 5 }, () => sim.tick());
    expect(brief(lines)).toEqual([
      'Progressing 90/10 i0 f0 A',
      'Progressing 90/10 i0 f0 A',
      'Progressing 90/10 i0 f1 A',
      'Progressing 90/10 i0 f2 A',
      'Failed 100/0 i0 f0',
    ]);
    expect(sim.decisions[sim.decisions.length - 3]?.verdict?.reason).toBe(
      'rate inconclusive 3 analyses in a row > maxInconclusive 2',
    );
  });

  it('a conclusive analysis resets the count', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, maxWeight: 90, threshold: 5 }));
    sim.initAndBump();
    sim.observe = observe({ noData: 'hold', maxInconclusive: 2 }, (n) => n % 3 === 0);
    sim.runUntil('Progressing');
    sim.tick(); // the first step (weight 10) runs no analysis
    const lines = Array.from({ length: 6 }, () => sim.tick());
    expect(lines.every((l) => l.failedChecks === 0)).toBe(true);
    expect(sim.decisions.map((d) => d.status.inconclusiveChecks).slice(-6)).toEqual([
      1,
      2,
      undefined,
      1,
      2,
      undefined,
    ]);
  });
});
