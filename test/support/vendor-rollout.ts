/**
 * One rollout of the istio-podinfo fixture on a real git repository (bare remote + clones), judged
 * by a MetricTemplate of any provider: the template and a metric `errors` (thresholdRange max 1,
 * interval 1m) are pushed by a "human", the image is bumped, and the reconcile loop ticks with
 * `now` advancing a minute per tick until the canary is Succeeded or Failed. Before each tick
 * `feed(step)` sets what the backend answers, so the data changes as the rollout advances.
 * The built-in metrics go to a loopback Prometheus API that passes them.
 */
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps } from './gitops.js';
import { startVendorApi, type VendorApi } from './vendor-api.js';

/** A loopback Prometheus API answering the built-in request-success-rate and duration checks. */
export function startBuiltinProm(): Promise<VendorApi> {
  return startVendorApi((r) => {
    if (r.method !== 'GET' || r.path !== '/api/v1/query') return `unexpected ${r.method} ${r.path}`;
    const v = (r.params.get('query') ?? '').includes('duration') ? '120' : '99.9';
    return {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, v] }] },
      }),
    };
  });
}

export interface VendorRollout {
  repo: GitOps;
  /** `phase/canaryWeight/failedChecks` after each tick of the rollout. */
  phases: string[];
}

export interface RolloutOptions {
  /** The MetricTemplate `vendor-check` in namespace test (YAML). */
  template: string;
  /** The loopback Prometheus for the built-in metrics. */
  metricsServer: string;
  /** Called before each tick of the rollout (0, 1, …) with that tick's clock. */
  feed: (step: number, now: Date) => void | Promise<void>;
  /** The clock of the first tick (default 2026-01-01T00:00:00Z). */
  start?: number;
}

/** The metric added to the fixture's canary: the template's value must stay at most 1. */
const metric =
  '      - name: errors\n        templateRef:\n          name: vendor-check\n        thresholdRange:\n          max: 1\n        interval: 1m\n';

export async function vendorRollout(o: RolloutOptions, repos: GitOps[]): Promise<VendorRollout> {
  const repo = createGitOps('istio-podinfo');
  repos.push(repo);
  repo.humanEdit('apps/podinfo/vendor-check.yaml', () => o.template, 'template');
  repo.humanEdit('apps/podinfo/canary.yaml', (s) => `${s}${metric}`, 'vendor metric');
  let now = o.start ?? Date.parse('2026-01-01T00:00:00Z');
  const tick = async () => {
    const res = await reconcile({ repoDir: repo.work, now: new Date(now), metricsServer: o.metricsServer });
    now += 60_000;
    return res.canaries[0]!;
  };
  await o.feed(0, new Date(now));
  await tick();
  await tick();
  repo.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
  const phases: string[] = [];
  for (let i = 0; i < 12; i++) {
    await o.feed(i, new Date(now));
    const c = await tick();
    phases.push(`${c.phase}/${c.canaryWeight}/${c.failedChecks}`);
    if (c.phase === 'Succeeded' || c.phase === 'Failed') break;
  }
  return { repo, phases };
}
