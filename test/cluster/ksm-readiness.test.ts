/**
 * Readiness without cluster access: Flagger's rollout rule over kube-state-metrics series in a
 * real Prometheus, then the seed's canary through real git: a primary rolled
 * out lets it initialize, a canary never available holds, its Progressing=false condition rolls back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rolledOutQuery, stalledQuery } from '../../src/reconcile/ksm-readiness.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps } from '../support/gitops.js';
import { OpenMetrics } from '../support/openmetrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

const START = 1_700_000_000;
const STALL = START + 1800;
const ns = 'demo-canary';

function ksm(): string {
  const om = new OpenMetrics({ start: START, end: START + 3600 });
  const deployment = (name: string, v: Record<string, number | ((t: number) => number)>) => {
    for (const [series, value] of Object.entries(v))
      om.gauge(`kube_deployment_${series}`, { namespace: ns, deployment: name }, value);
  };
  deployment('podinfo-primary', {
    metadata_generation: 3,
    status_observed_generation: 3,
    spec_replicas: 2,
    status_replicas: 2,
    status_replicas_updated: 2,
    status_replicas_available: 2,
  });
  deployment('podinfo', {
    metadata_generation: 5,
    status_observed_generation: 5,
    spec_replicas: 2,
    status_replicas: 3,
    status_replicas_updated: 2,
    status_replicas_available: 0,
  });
  for (const status of ['true', 'false'])
    om.gauge(
      'kube_deployment_status_condition',
      { namespace: ns, deployment: 'podinfo', condition: 'Progressing', status },
      (t) => (t >= STALL === (status === 'false') ? 1 : 0),
    );
  return om.toString();
}

let prom: PromHandle;
beforeAll(async () => {
  prom = await startPrometheus(ksm());
});
afterAll(async () => {
  await prom?.stop();
});

async function instant(query: string, at: number): Promise<string[]> {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${at}`;
  const body = (await (await fetch(url)).json()) as { data: { result: Array<{ value: [number, string] }> } };
  return body.data.result.map((r) => r.value[1]);
}

describe('kube-state-metrics readiness', () => {
  it('the rollout rule in PromQL: 1 rolled out, 0 not, stalled once Progressing is false', async () => {
    const at = START + 600;
    expect(await instant(rolledOutQuery('deployment', ns, 'podinfo-primary', 100), at)).toEqual(['1']);
    expect(await instant(rolledOutQuery('deployment', ns, 'podinfo', 100), at)).toEqual(['0']);
    expect(await instant(rolledOutQuery('deployment', ns, 'absent', 100), at)).toEqual([]);
    expect(await instant(stalledQuery(ns, 'podinfo'), at)).toEqual(['0']);
    expect(await instant(stalledQuery(ns, 'podinfo'), STALL + 60)).toEqual(['1']);
  });

  it('the seed without cluster access: holds while not rolled out, rolls back when stalled', async () => {
    const repo = createGitOps('seed-traefik');
    try {
      repo.humanEdit(
        'gitcanary.yaml',
        () => 'cluster:\n  access: none\n  fallback: kube-state-metrics\n',
        'readiness from kube-state-metrics',
      );
      let now = (START + 600) * 1000;
      const tick = async (advance = 10_000) => {
        const r = await reconcile({ repoDir: repo.work, now: new Date(now), metricsServer: prom.url });
        now += advance;
        return r.canaries[0]!;
      };
      expect((await tick()).phase).toBe('Initializing');
      expect((await tick()).phase).toBe('Initialized');
      repo.humanEdit(
        'apps/podinfo/deployment.yaml',
        (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.0.1'),
        'bump',
      );
      expect((await tick()).phase).toBe('Progressing');
      const held = await tick(STALL * 1000 + 60_000 - now);
      expect([held.phase, held.message]).toEqual([
        'Progressing',
        'canary deployment podinfo.demo-canary not ready: waiting for rollout to finish: not rolled out',
      ]);
      const failed = await tick();
      expect(failed.phase).toBe('Failed');
      expect(failed.message).toBe(
        'canary deployment podinfo.demo-canary not ready: deployment "podinfo" exceeded its progress deadline; Canary failed! Scaling down podinfo.demo-canary',
      );
      const status = parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
      expect(status.live).toEqual({ by: 'kube-state-metrics' });
    } finally {
      repo.cleanup();
    }
  });
});
