/**
 * A rollout judged by a vendor provider (Datadog's /api/v1/query on a loopback server that checks
 * path, keys and window) on a real git repository: a good canary is promoted, a bad one rolls
 * back after the threshold's failed checks. The built-in metrics go to a loopback Prometheus API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { startVendorApi, type VendorApi } from '../support/vendor-api.js';

let prom: VendorApi;
let dd: VendorApi;
let errors = 0;
beforeAll(async () => {
  prom = await startVendorApi((r) => {
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
  dd = await startVendorApi((r) => {
    if (r.method !== 'GET' || r.path !== '/api/v1/query') return `unexpected ${r.method} ${r.path}`;
    if (r.headers['dd-api-key'] !== 'dd-api-k3y' || r.headers['dd-application-key'] !== 'dd-app-k3y')
      return 'missing keys';
    const to = Number(r.params.get('to'));
    if (Number(r.params.get('from')) !== to - 600) return 'window is not 10 × 1m';
    if (r.params.get('query') !== 'sum:errors{service:podinfo,ns:test}')
      return `query ${r.params.get('query')}`;
    return { status: 200, body: JSON.stringify({ series: [{ pointlist: [[to * 1000, errors]] }] }) };
  });
  process.env.GITCANARY_SECRET_TEST__DD_CREDS_DATADOG_API_KEY = 'dd-api-k3y';
  process.env.GITCANARY_SECRET_TEST__DD_CREDS_DATADOG_APPLICATION_KEY = 'dd-app-k3y';
});
afterAll(async () => {
  delete process.env.GITCANARY_SECRET_TEST__DD_CREDS_DATADOG_API_KEY;
  delete process.env.GITCANARY_SECRET_TEST__DD_CREDS_DATADOG_APPLICATION_KEY;
  await prom.close();
  await dd.close();
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const template = (address: string) => `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: dd-errors
  namespace: test
spec:
  provider:
    type: datadog
    address: ${address}
    secretRef:
      name: dd-creds
  query: sum:errors{service:{{ target }},ns:{{ namespace }}}
`;

async function rollout(errorCount: number) {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  r.humanEdit('apps/podinfo/dd-errors.yaml', () => template(dd.url), 'template');
  r.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      `${s}      - name: errors\n        templateRef:\n          name: dd-errors\n        thresholdRange:\n          max: 1\n        interval: 1m\n`,
    'datadog metric',
  );
  let now = Date.parse('2026-01-01T00:00:00Z');
  const tick = async () => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now), metricsServer: prom.url });
    now += 60_000;
    return res.canaries[0]!;
  };
  await tick();
  await tick();
  r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
  errors = errorCount;
  const phases: string[] = [];
  for (let i = 0; i < 12; i++) {
    const c = await tick();
    phases.push(`${c.phase}/${c.canaryWeight}/${c.failedChecks}`);
    if (c.phase === 'Succeeded' || c.phase === 'Failed') break;
  }
  return { r, phases };
}

describe('a rollout judged by datadog', () => {
  it('a good canary is promoted, a bad one rolls back', async () => {
    const good = await rollout(0);
    expect(good.phases.at(-1)).toMatch(/^Succeeded\//);
    expect(good.phases).toContain('Progressing/60/0');
    const bad = await rollout(5);
    expect(bad.phases.at(-1)).toMatch(/^Failed\/0\//);
    expect(bad.phases.some((p) => p.startsWith('Progressing/20/'))).toBe(true);
    expect(dd.problems).toEqual([]);
    expect(prom.problems).toEqual([]);
    expect(git(bad.r.remote, 'log', '-p', '--all')).not.toContain('dd-api-k3y');
  });
}, 300_000);
