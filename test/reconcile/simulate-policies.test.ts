/** simulate with metric policies: recorded samples counts and no-data ticks replay as they were judged. */
import { describe, expect, it } from 'vitest';
import type { MetricCheck } from '../../src/core/types.js';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { recordedFromHistory, samplesKey, simulate } from '../../src/reconcile/simulate.js';
import { canaryWith } from '../support/sim.js';

const c: LoadedCanary = {
  ref: { namespace: 'test', name: 'podinfo' },
  origin: { file: 'canary.yaml', line: 1 },
  dir: '',
  canary: canaryWith({ stepWeight: 20, maxWeight: 40, threshold: 2 }),
  provider: 'istio',
  warnings: [],
};
const check: MetricCheck = {
  name: 'rate',
  kind: 'success-rate',
  thresholdRange: { min: 99 },
  query: 'q',
  policy: { noData: 'hold', minSamples: 100, samplesQuery: 'n' },
};
const start = new Date('2026-01-01T00:00:00Z');

describe('simulate with metric policies', () => {
  it('holds on too few samples or no data, advances on enough samples', () => {
    const lines = simulate(
      c,
      [check],
      [
        { rate: 100, [samplesKey('rate')]: 40 },
        { rate: null, [samplesKey('rate')]: 500 },
        { rate: 100, [samplesKey('rate')]: 500 },
      ],
      start,
    );
    const analysed = lines.filter((l) => l.analysed);
    expect(analysed.map((l) => `${l.canaryWeight} f${l.failedChecks} h${l.inconclusiveChecks}`)).toEqual([
      '20 f0 h1',
      '20 f0 h2',
      '40 f0 h0',
    ]);
  });

  it('recordedFromHistory keeps the samples count of each metric', () => {
    const { ticks } = recordedFromHistory([
      {
        time: '2026-01-01T00:00:00Z',
        phase: 'Progressing',
        canaryWeight: 20,
        failedChecks: 0,
        message: 'New revision detected! Scaling up podinfo',
      },
      {
        time: '2026-01-01T00:01:00Z',
        phase: 'Progressing',
        canaryWeight: 20,
        failedChecks: 0,
        message: 'Hold',
        verdict: {
          result: 'pass',
          reason: 'inconclusive: rate: 40 samples < minSamples 100',
          metrics: [
            {
              name: 'rate',
              result: 'inconclusive',
              reason: 'rate: 40 samples < minSamples 100',
              samples: 40,
            },
          ],
        },
      },
    ]);
    expect(ticks).toEqual([{ rate: null, 'rate:samples': 40 }]);
  });
});
