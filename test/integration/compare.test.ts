/**
 * Canary against primary on a real Prometheus (backfilled with promtool): the same window, the
 * same queries for `<target>` and `<target>-primary`. A canary with 4× the primary's error rate and
 * 1.4× its latency fails both comparisons (one failed check, weight held); an equal canary passes
 * them and advances. The numbers land in the status file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps } from '../support/gitops.js';
import { OpenMetrics } from '../support/openmetrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

const T0 = Date.parse('2026-01-01T12:00:00Z') / 1000;
let prom: PromHandle;

/** Deterministic noise in [-1, 1). */
const noise = (seed: number) => {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
};

beforeAll(async () => {
  // 15 s scrapes at +7 s, from 40 minutes before T0 to 10 minutes after.
  const om = new OpenMetrics({ start: T0 - 2400 + 7, end: T0 + 600 + 7 });
  for (const env of ['worse', 'equal']) {
    for (const [deployment, errors] of [
      ['podinfo-primary', 0.5],
      ['podinfo', env === 'worse' ? 2 : 0.5],
    ] as const) {
      om.counter('http_requests_total', { env, deployment, code: '200' }, 100 - errors);
      om.counter('http_requests_total', { env, deployment, code: '500' }, errors);
      const pods = deployment === 'podinfo' ? ['a', 'b'] : ['x', 'y', 'z'];
      for (const [i, pod] of pods.entries()) {
        const scale = env === 'worse' && deployment === 'podinfo' ? 1.4 : 1;
        om.gauge('request_latency_seconds', { env, deployment, pod: `${deployment}-${pod}` }, (t) =>
          Number(
            (scale * 0.1 * (1 + 0.1 * noise(t + 1000 * i + (deployment === 'podinfo' ? 7 : 0)))).toFixed(5),
          ),
        );
      }
    }
  }
  prom = await startPrometheus(om.toString());
}, 60_000);
afterAll(() => prom?.stop());

const annotation = (env: string) => `gitcanary.dev/compare: |
      error-rate:
        method: rate-ratio
        requests: sum(increase(http_requests_total{env="${env}",deployment="{{ workload }}"}[{{ window }}]))
        errors: sum(increase(http_requests_total{env="${env}",deployment="{{ workload }}",code=~"5.."}[{{ window }}]))
        window: 20m
        tolerance: 2
        minRequests: 1000
      latency:
        method: mann-whitney
        query: max by (pod) (max_over_time(request_latency_seconds{env="${env}",deployment="{{ workload }}"}[{{ step }}]))
        window: 20m
        step: 1m
        tolerance: 1.2`;

async function rollout(env: string): Promise<{ r: GitOps; tick: () => ReturnType<typeof reconcile> }> {
  const r = createGitOps('istio-podinfo');
  r.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      s
        .replace('  namespace: test\n', `  namespace: test\n  annotations:\n    ${annotation(env)}\n`)
        .replace(/ {4}metrics:\n[\s\S]*$/, '    metrics: []\n'),
    'compare with the primary',
  );
  let now = T0 * 1000;
  const tick = async () => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now), metricsServer: prom.url });
    now += 60_000;
    return res;
  };
  await tick();
  await tick();
  r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
  await tick();
  expect((await tick()).canaries[0]).toMatchObject({ canaryWeight: 20, phase: 'Progressing' });
  return { r, tick };
}

const lastVerdict = (r: GitOps) =>
  parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status.history.at(-1).verdict;

describe('canary against primary, real Prometheus', () => {
  it('a worse canary fails both comparisons: one failed check, the weight held', async () => {
    const { r, tick } = await rollout('worse');
    try {
      const c = (await tick()).canaries[0]!;
      expect(c.error).toBeUndefined();
      expect(c).toMatchObject({ canaryWeight: 20, failedChecks: 1 });
      const v = lastVerdict(r);
      expect(v.result).toBe('fail');
      const [errors, latency] = v.metrics;
      expect(errors).toMatchObject({
        name: 'error-rate',
        result: 'fail',
        comparison: { method: 'rate-ratio' },
      });
      // 20 minutes at 100 requests per 15 s: 8,000 per arm; 2 % against 0.5 % errors.
      expect(errors.comparison.canary.n).toBeGreaterThan(7800);
      expect(errors.comparison.primary.n).toBeGreaterThan(7800);
      expect(errors.value).toBeCloseTo(4, 1);
      expect(errors.comparison.ci[0]).toBeGreaterThan(2);
      expect(errors.reason).toMatch(
        /^error-rate: error rate 4× primary \(95% CI [\d.]+–[\d.]+\) > tolerance 2/,
      );
      expect(latency).toMatchObject({
        name: 'latency',
        result: 'fail',
        comparison: { method: 'mann-whitney' },
      });
      // one value per pod per minute: 2 canary pods, 3 primary pods, 20 steps
      expect(latency.comparison.canary.n).toBe(40);
      expect(latency.comparison.primary.n).toBe(60);
      expect(latency.value).toBeGreaterThan(1.3);
      expect(latency.comparison.ci[0]).toBeGreaterThan(1.2);
      expect(latency.comparison.window).toEqual({
        start: '2026-01-01T11:44:00.000Z',
        end: '2026-01-01T12:04:00.000Z',
      });
    } finally {
      r.cleanup();
    }
  }, 60_000);

  it('an equal canary passes both and advances', async () => {
    const { r, tick } = await rollout('equal');
    try {
      const c = (await tick()).canaries[0]!;
      expect(c.error).toBeUndefined();
      expect(c).toMatchObject({ canaryWeight: 40, failedChecks: 0 });
      const v = lastVerdict(r);
      expect(v.result).toBe('pass');
      expect(v.metrics.map((m: { result: string }) => m.result)).toEqual(['pass', 'pass']);
      expect(v.metrics[0].value).toBeCloseTo(1, 5);
      expect(v.metrics[1].comparison.ci[1]).toBeLessThanOrEqual(1.2);
    } finally {
      r.cleanup();
    }
  }, 60_000);
});
