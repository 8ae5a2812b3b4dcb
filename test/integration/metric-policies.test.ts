/**
 * Metric policies on a real Prometheus (backfilled with promtool) and real git: a canary with no
 * traffic under `noData: hold` (no limit) neither advances nor fails over several runs, then
 * advances once its traffic series arrive; a low-traffic canary stays below `minSamples` and holds,
 * then past `maxInconclusive` fails its checks and rolls back.
 * The policy and the inconclusive count land in the status file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps } from '../support/gitops.js';
import { OpenMetrics } from '../support/openmetrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

const T0 = Date.parse('2026-01-01T12:00:00Z') / 1000;
/** The canary's traffic starts 8 minutes after T0 (scrapes every 15 s at +7 s). */
const trafficFrom = T0 + 480 + 7;
let prom: PromHandle;

beforeAll(async () => {
  const om = new OpenMetrics({ start: trafficFrom, end: T0 + 1200 + 7 });
  om.counter('http_requests_total', { env: 'hold', deployment: 'podinfo', code: '200' }, 100);
  om.counter('http_requests_total', { env: 'hold', deployment: 'podinfo', code: '500' }, 0);
  // one request per 15 s: 4 a minute, fewer than minSamples 10
  om.counter('http_requests_total', { env: 'low', deployment: 'podinfo', code: '200' }, 1);
  prom = await startPrometheus(om.toString());
}, 60_000);
afterAll(() => prom?.stop());

const errorRate = (env: string) =>
  `100 * sum(rate(http_requests_total{env="${env}",deployment="podinfo",code=~"5.."}[1m])) / sum(rate(http_requests_total{env="${env}",deployment="podinfo"}[1m]))`;

function canaryRepo(env: string, policy: string): GitOps {
  const r = createGitOps('istio-podinfo');
  const annotation = `gitcanary.dev/metric-policies: |\n      error-rate:\n${policy
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n')}`;
  r.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      s
        .replace('  namespace: test\n', `  namespace: test\n  annotations:\n    ${annotation}\n`)
        .replace(
          / {4}metrics:\n[\s\S]*$/,
          `    metrics:\n      - name: error-rate\n        query: '${errorRate(env)}'\n        thresholdRange:\n          max: 1\n`,
        ),
    'a metric policy',
  );
  return r;
}

/** Runs until the first analysis is due: Progressing at weight 20 (T0 + 3 min). */
async function started(r: GitOps): Promise<() => ReturnType<typeof reconcile>> {
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
  return tick;
}

const status = (r: GitOps) => parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status;

describe('metric policies, real Prometheus', () => {
  it('noData: hold with no limit: five runs without traffic hold, then traffic arrives and it advances', async () => {
    const r = canaryRepo('hold', 'noData: hold');
    try {
      const tick = await started(r);
      // T0 + 4 … 8 min: no canary series yet.
      for (let i = 1; i <= 5; i++) {
        const c = (await tick()).canaries[0]!;
        expect(c.error).toBeUndefined();
        expect(c).toMatchObject({ phase: 'Progressing', canaryWeight: 20, failedChecks: 0 });
        const s = status(r);
        expect(s.inconclusiveChecks).toBe(i);
        expect(s.history.at(-1).verdict.metrics[0]).toMatchObject({
          name: 'error-rate',
          result: 'inconclusive',
          reason: 'no values found for metric error-rate: policy hold',
          policy: 'noData: hold, maxInconclusive: unlimited',
        });
      }
      expect(r.remoteFile('apps/podinfo/podinfo.status.yaml')).toContain('Hold test/podinfo at weight 20');
      // plan (between two runs) shows the policy and the count, as text and as JSON
      const plan = async (...o: string[]) => {
        const out: string[] = [];
        const at = new Date((T0 + 510) * 1000).toISOString();
        const code = await main(
          ['plan', '--repo', r.work, '--now', at, '--metrics-server', prom.url, ...o],
          (l) => out.push(l),
          () => {},
        );
        expect(code).toBe(0);
        return out.join('\n');
      };
      const text = await plan();
      expect(text).toContain('test/podinfo: policy error-rate: noData: hold, maxInconclusive: unlimited');
      expect(text).toContain('test/podinfo: 5 inconclusive analyses in a row');
      expect(JSON.parse(await plan('-o', 'json')).canaries[0]).toMatchObject({
        policies: [{ metric: 'error-rate', policy: 'noData: hold, maxInconclusive: unlimited' }],
        inconclusiveChecks: 5,
      });
      // T0 + 9 min: a minute of traffic with no errors.
      const c = (await tick()).canaries[0]!;
      expect(c).toMatchObject({ phase: 'Progressing', canaryWeight: 40, failedChecks: 0 });
      const s = status(r);
      expect(s.inconclusiveChecks).toBeUndefined();
      expect(s.history.at(-1).verdict.metrics[0]).toMatchObject({ result: 'pass', value: 0 });
    } finally {
      r.cleanup();
    }
  }, 90_000);

  it('minSamples: 0, then 4 requests a minute stay below 10 and hold; past maxInconclusive 6 the checks fail', async () => {
    const r = canaryRepo(
      'low',
      'noData: hold\nminSamples: 10\nsamplesQuery: sum(increase(http_requests_total{env="low",deployment="{{ target }}"}[{{ interval }}]))\nmaxInconclusive: 6',
    );
    try {
      const tick = await started(r);
      // T0 + 4 … 9 min: no series, then a minute of 1 request per 15 s: six holds.
      for (let i = 1; i <= 6; i++) {
        expect((await tick()).canaries[0]).toMatchObject({ canaryWeight: 20, failedChecks: 0 });
        expect(status(r).inconclusiveChecks).toBe(i);
      }
      const low = status(r).history.at(-1).verdict.metrics[0];
      expect(low.result).toBe('inconclusive');
      expect(low.samples).toBeGreaterThan(0);
      expect(low.samples).toBeLessThan(10);
      expect(low.reason).toBe(`error-rate: ${low.samples} samples < minSamples 10`);
      expect(low.policy).toBe('noData: hold, minSamples: 10, maxInconclusive: 6');
      // T0 + 10, 11 min: still too few; two failed checks; T0 + 12: threshold 2 rolls back.
      expect((await tick()).canaries[0]).toMatchObject({ canaryWeight: 20, failedChecks: 1 });
      expect(status(r).history.at(-1).verdict.reason).toBe(
        'error-rate inconclusive 7 analyses in a row > maxInconclusive 6',
      );
      expect((await tick()).canaries[0]).toMatchObject({ failedChecks: 2 });
      expect((await tick()).canaries[0]).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
      // simulate replays the recorded run from the status file: the same holds, then the same failures
      const out: string[] = [];
      const code = await main(
        ['simulate', 'test/podinfo', '--repo', r.work, '--from-status', '-o', 'json'],
        (l) => out.push(l),
        () => {},
      );
      expect(code).toBe(0);
      const replay = JSON.parse(out.join('\n'));
      expect(replay.reproduced).toBe(true);
      const analysed = replay.lines.filter((l: { analysed: boolean }) => l.analysed);
      expect(
        analysed.map(
          (l: { inconclusiveChecks: number; failedChecks: number }) =>
            `${l.inconclusiveChecks}/${l.failedChecks}`,
        ),
      ).toEqual(['1/0', '2/0', '3/0', '4/0', '5/0', '6/0', '7/1', '8/2']);
    } finally {
      r.cleanup();
    }
  }, 90_000);
});
