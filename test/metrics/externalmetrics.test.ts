/**
 * The externalmetrics provider through the real @kubernetes/client-node reader against the
 * loopback Kubernetes API: the path, the label selector and the bearer token of each request,
 * the first item's quantity, empty and missing metrics as no data, a refused token as an error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKubeReader } from '../../src/cluster/kube-reader.js';
import { parseQuantity } from '../../src/cluster/quantity.js';
import { externalMetricsProvider, parseExternalQuery } from '../../src/metrics/providers/externalmetrics.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube.js';

const dir = mkdtempSync(join(tmpdir(), 'gitcanary-extmetrics-'));
let kube: FakeKube;
const now = new Date('2026-12-07T12:00:00Z');

function kubeconfig(server: string, token: string): string {
  const file = join(dir, `config-${token}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: gitcanary, user: { token: "${token}" } }]
contexts: [{ name: test, context: { cluster: test, user: gitcanary } }]
current-context: test
`,
  );
  return file;
}

beforeAll(async () => {
  kube = await startFakeKube();
  kube.externalMetrics.set('test/queue-depth', [
    { metricLabels: { app: 'other' }, value: '9' },
    { metricLabels: { app: 'podinfo', tier: 'web' }, value: '1500m' },
    { metricLabels: { app: 'podinfo', tier: 'db' }, value: '2k' },
  ]);
});
afterAll(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('parseQuantity', () => {
  it.each([
    ['1500m', 1.5],
    ['2k', 2000],
    ['1Gi', 1073741824],
    ['1.5Ki', 1536],
    ['250u', 0.00025],
    ['3n', 3e-9],
    ['12e-3', 0.012],
    ['1E3', 1000],
    ['-0.5M', -500000],
    ['0.1', 0.1],
    ['42', 42],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)).toBe(value);
  });
  it.each(['', 'k', '1.5.3', '1KI', '1 k', '1kb', '0x10', 'NaN'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('parseExternalQuery', () => {
  it('reads namespace, metric and the url-encoded selector', () => {
    expect(parseExternalQuery(' test/queue-depth?labelSelector=app%3Dpodinfo%2Ctier%3Dweb ')).toEqual({
      namespace: 'test',
      metricName: 'queue-depth',
      labelSelector: 'app=podinfo,tier=web',
    });
    expect(parseExternalQuery('test/queue-depth')).toEqual({
      namespace: 'test',
      metricName: 'queue-depth',
      labelSelector: '',
    });
  });
  it.each(['queue-depth', 'a/b/c', '/m', 'test/m?selector=x', 'test/m?labelSelector=a&x=1'])(
    'refuses %j',
    (q) => {
      expect(parseExternalQuery(q)).toMatch(/^invalid query .*expected <namespace>\/<metricName>/);
    },
  );
});

describe('externalmetrics provider', () => {
  it('reads the first matching item through the kubeconfig token, with the selector sent', async () => {
    const reader = await openKubeReader({ kubeconfig: kubeconfig(kube.url, kube.token), timeoutMs: 1000 });
    const p = externalMetricsProvider(reader);
    const from = kube.metricRequests.length;
    expect(await p.query('test/queue-depth?labelSelector=app%3Dpodinfo', now)).toEqual({
      kind: 'value',
      value: 1.5,
    });
    expect(await p.query('test/queue-depth?labelSelector=app%3Dpodinfo%2Ctier%3Ddb', now)).toEqual({
      kind: 'value',
      value: 2000,
    });
    expect(await p.query('test/queue-depth?labelSelector=app%3Dnone', now)).toEqual({ kind: 'no-data' });
    expect(await p.query('test/absent', now)).toEqual({ kind: 'no-data' });
    expect(kube.metricRequests.slice(from)).toEqual([
      {
        path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/queue-depth',
        labelSelector: 'app=podinfo',
        authorization: `Bearer ${kube.token}`,
      },
      {
        path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/queue-depth',
        labelSelector: 'app=podinfo,tier=db',
        authorization: `Bearer ${kube.token}`,
      },
      {
        path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/queue-depth',
        labelSelector: 'app=none',
        authorization: `Bearer ${kube.token}`,
      },
      {
        path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/absent',
        authorization: `Bearer ${kube.token}`,
      },
    ]);
    expect(kube.violations).toEqual([]);
  });

  it('a refused token, a bad query and no cluster access are errors, never values', async () => {
    const wrong = externalMetricsProvider(
      await openKubeReader({ kubeconfig: kubeconfig(kube.url, 'wrong') }),
    );
    const refused = await wrong.query('test/queue-depth', now);
    expect(refused).toEqual({
      kind: 'error',
      message: expect.stringContaining('refused the credentials (401)'),
    });
    expect(JSON.stringify(refused)).not.toContain('wrong');
    expect(await wrong.query('queue-depth', now)).toEqual({
      kind: 'error',
      message: expect.stringContaining('externalmetrics: invalid query "queue-depth"'),
    });
    expect(await externalMetricsProvider(undefined).query('test/queue-depth', now)).toEqual({
      kind: 'error',
      message: expect.stringContaining('set cluster.access (kubeconfig or in-cluster)'),
    });
  });
});
