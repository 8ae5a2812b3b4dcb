/**
 * Flagger's metrics rebuilt from Git: the exposition (names, labels, values as Flagger's
 * recorder sets them), then pushed to Debian's real Pushgateway, scraped by a real Prometheus and
 * read back with the queries of Flagger's Grafana dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryStatus } from '../../src/core/types.js';
import { type FlaggerMetricsInput, flaggerMetrics } from '../../src/export/flagger-metrics.js';
import { pushMetrics } from '../../src/export/pushgateway.js';
import { emptyHistogram, observeSeconds } from '../../src/export/tick-durations.js';
import { type Scraped, startScrapedPushgateway } from '../support/pushgateway.js';

const status = (
  phase: CanaryStatus['phase'],
  canaryWeight: number,
  metrics: [string, number][] = [],
): CanaryStatus => ({
  phase,
  canaryWeight,
  failedChecks: 0,
  iterations: 0,
  lastAppliedSpec: 'a',
  lastPromotedSpec: 'a',
  lastTransitionTime: '2026-01-01T12:00:00Z',
  lastStepTime: '2026-01-01T12:00:00Z',
  trackedConfigs: {},
  conditions: [],
  history: [
    {
      time: '2026-01-01T12:00:00Z',
      phase,
      canaryWeight,
      failedChecks: 0,
      message: 'analysis',
      verdict: {
        result: 'pass',
        reason: 'all checks passed',
        metrics: metrics.map(([name, value]) => ({
          name,
          value,
          result: 'pass' as const,
          reason: 'in range',
        })),
      },
    },
  ],
});

const input: FlaggerMetricsInput = {
  version: '0.1.0',
  meshProvider: 'istio',
  canaries: [
    {
      namespace: 'test',
      target: 'podinfo',
      status: status('Progressing', 30, [
        ['request-success-rate', 99.5],
        ['request-duration', 0.12],
      ]),
    },
    { namespace: 'test', target: 'backend', status: status('Failed', 0) },
    { namespace: 'prod', target: 'web', status: status('Succeeded', 0) },
    { namespace: 'prod', target: 'new', status: undefined },
  ],
  transitions: [
    { namespace: 'prod', target: 'web', strategy: 'canary', outcome: 'success', analysisStatus: 'completed' },
    { namespace: 'prod', target: 'web', strategy: 'canary', outcome: 'success', analysisStatus: 'completed' },
    { namespace: 'prod', target: 'web', strategy: 'canary', outcome: 'success', analysisStatus: 'skipped' },
    {
      namespace: 'test',
      target: 'backend',
      strategy: 'blue-green',
      outcome: 'failure',
      analysisStatus: 'completed',
    },
  ],
  durations: new Map([['test/podinfo', observeSeconds(observeSeconds(emptyHistogram(), 0.04), 0.3)]]),
};

describe('the exposition', () => {
  const text = flaggerMetrics(input);
  const line = (prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

  it('status: 0 Progressing, 2 Failed, 1 otherwise; labelled with the target', () => {
    expect(line('flagger_canary_status{')).toEqual([
      'flagger_canary_status{name="web",namespace="prod"} 1',
      'flagger_canary_status{name="backend",namespace="test"} 2',
      'flagger_canary_status{name="podinfo",namespace="test"} 0',
    ]);
  });

  it('weight: two series, <target>-primary and <target>', () => {
    expect(line('flagger_canary_weight{workload="podinfo')).toEqual([
      'flagger_canary_weight{workload="podinfo-primary",namespace="test"} 70',
      'flagger_canary_weight{workload="podinfo",namespace="test"} 30',
    ]);
  });

  it('total per namespace counts every canary, with or without a status file', () => {
    expect(line('flagger_canary_total{')).toEqual([
      'flagger_canary_total{namespace="prod"} 2',
      'flagger_canary_total{namespace="test"} 2',
    ]);
  });

  it('the last analysis value per metric, and counters from the transitions', () => {
    expect(line('flagger_canary_metric_analysis{')).toEqual([
      'flagger_canary_metric_analysis{name="podinfo",namespace="test",metric="request-success-rate"} 99.5',
      'flagger_canary_metric_analysis{name="podinfo",namespace="test",metric="request-duration"} 0.12',
    ]);
    expect(line('flagger_canary_successes_total{')).toEqual([
      'flagger_canary_successes_total{name="web",namespace="prod",deployment_strategy="canary",analysis_status="completed"} 2',
      'flagger_canary_successes_total{name="web",namespace="prod",deployment_strategy="canary",analysis_status="skipped"} 1',
    ]);
    expect(line('flagger_canary_failures_total{')).toEqual([
      'flagger_canary_failures_total{name="backend",namespace="test",deployment_strategy="blue-green",analysis_status="completed"} 1',
    ]);
  });

  it('the tick-duration histogram with the default buckets', () => {
    expect(line('flagger_canary_duration_seconds_bucket{name="podinfo",namespace="test",le="0.05"}')).toEqual(
      ['flagger_canary_duration_seconds_bucket{name="podinfo",namespace="test",le="0.05"} 1'],
    );
    expect(line('flagger_canary_duration_seconds_count')).toEqual([
      'flagger_canary_duration_seconds_count{name="podinfo",namespace="test"} 2',
    ]);
    expect(text).toContain('# TYPE flagger_canary_duration_seconds histogram');
  });
});

describe('pushed to a real Pushgateway, scraped by a real Prometheus', () => {
  let s: Scraped;
  beforeAll(async () => {
    s = await startScrapedPushgateway();
  }, 60_000);
  afterAll(() => s?.stop());

  async function eventually<T>(f: () => Promise<T[]>): Promise<T[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await f();
      if (r.length > 0 || Date.now() > deadline) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  it("Flagger's dashboard queries return the same series", async () => {
    expect(await pushMetrics(s.pushgateway, flaggerMetrics(input))).toEqual({ ok: true, status: 200 });
    const weights = await eventually(() =>
      s.query('flagger_canary_weight{namespace="test",workload=~"podinfo|podinfo-primary"}'),
    );
    expect(weights.map((r) => [r.metric.workload, r.value[1]]).sort()).toEqual([
      ['podinfo', '30'],
      ['podinfo-primary', '70'],
    ]);
    const status = await s.query('flagger_canary_status{namespace="test",name="backend"}');
    expect(status.map((r) => r.value[1])).toEqual(['2']);
    const successes = await s.query('sum by (name) (flagger_canary_successes_total{namespace="prod"})');
    expect(successes.map((r) => [r.metric.name, r.value[1]])).toEqual([['web', '3']]);
    const p = await s.query(
      'histogram_quantile(0.5, sum by (le) (flagger_canary_duration_seconds_bucket{name="podinfo"}))',
    );
    expect(Number(p[0]?.value[1])).toBeGreaterThan(0);
  }, 60_000);

  it('an unreachable or refusing Pushgateway is a result, not a crash', async () => {
    const refused = await pushMetrics('http://127.0.0.1:9', 'x 1\n', { timeoutMs: 2000 });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^Pushgateway unreachable/);
    const bad = await pushMetrics(s.pushgateway, 'not exposition text {\n');
    expect(bad).toMatchObject({ ok: false, status: 400 });
  });
});
