import { describe, expect, it } from 'vitest';
import type { Located } from '../../src/inputs/model.js';
import type { MetricTemplate } from '../../src/inputs/schema.js';
import { loadBuiltins } from '../../src/metrics/builtins.js';
import { planChecks, templateModel } from '../../src/metrics/checks.js';
import { loadedCanary } from './canary-fixture.js';

const builtins = loadBuiltins();

const template = (
  name: string,
  query: string,
  provider: Partial<MetricTemplate['spec']['provider']> = {},
  namespace: string | null = 'test',
): Located<MetricTemplate> => ({
  origin: { file: `templates/${name}.yaml`, line: 1 },
  value: {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: namespace ? { name, namespace } : { name },
    spec: { provider: { type: 'prometheus', address: 'http://prom.monitoring:9090', ...provider }, query },
  },
});

const templates = [
  template('latency', 'histogram_quantile(0.99, x{ns="{{ namespace }}",app="{{ target }}"}[{{ interval }}])'),
  template('errors', 'sum(rate(errors{dir="{{ variables.direction }}"}[{{ interval }}]))', {
    secretRef: { name: 'prom-auth' },
    headers: { 'X-Scope-OrgID': ['team-a'] },
  }),
  template('shared', 'vector({{ interval }})', { address: 'http://thanos:10902' }, 'monitoring'),
  template('dd', 'avg:requests{*}', { type: 'datadog' }),
  template('nameless', 'vector(1)', {}, null),
];

describe('planChecks', () => {
  it('runs loop 1 (builtins by name, inline queries) before loop 2 (templateRefs); builtin+templateRef runs both', () => {
    const canary = loadedCanary([
      { name: 'latency', templateRef: { name: 'latency' }, thresholdRange: { max: 500 } },
      { name: 'request-success-rate', templateRef: { name: 'latency' }, thresholdRange: { min: 99 } },
      { name: 'custom-inline', query: 'sum(up)', threshold: 3 },
      { name: 'request-duration', threshold: 500 },
    ]);
    const checks = planChecks(canary, templates, builtins, 'istio');
    expect(checks.map((c) => [c.name, c.kind])).toEqual([
      ['request-success-rate', 'success-rate'],
      ['custom-inline', 'custom'],
      ['request-duration', 'duration'],
      ['latency', 'custom'],
      ['request-success-rate', 'custom'],
    ]);
    expect(checks.map((c) => c.error)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(checks[0]).toMatchObject({ thresholdRange: { min: 99 } });
    expect(checks[0]?.address).toBeUndefined();
    expect(checks[0]?.truncateMs).toBeUndefined();
    expect(checks[1]).toEqual({ name: 'custom-inline', kind: 'custom', threshold: 3, query: 'sum(up)' });
    expect(checks[2]).toMatchObject({ threshold: 500, truncateMs: true });
    expect(checks[3]).toMatchObject({ thresholdRange: { max: 500 }, address: 'http://prom.monitoring:9090' });
  });

  it('builtin and inline metrics default the interval to 1m; template metrics render what is set ("" when unset)', () => {
    const canary = loadedCanary([
      { name: 'request-success-rate' },
      { name: 'request-duration', interval: '30s' },
      { name: 'latency', templateRef: { name: 'latency' } },
      { name: 'latency-2m', interval: '2m', templateRef: { name: 'latency' } },
    ]);
    const [rate, duration, latency, latency2] = planChecks(canary, templates, builtins, 'istio');
    expect(rate?.query).toContain('istio_requests_total{');
    expect(rate?.query).toContain('destination_workload=~"podinfo"');
    expect(rate?.query).toContain('}[1m]');
    expect(duration?.query).toContain('}[30s]');
    expect(latency?.query).toBe('histogram_quantile(0.99, x{ns="test",app="podinfo"}[])');
    expect(latency2?.query).toBe('histogram_quantile(0.99, x{ns="test",app="podinfo"}[2m])');
  });

  it('inline queries are sent as written (Flagger does not template them)', () => {
    const [check] = planChecks(
      loadedCanary([{ name: 'raw', query: 'up{job="{{ name }}"}' }]),
      [],
      builtins,
      'istio',
    );
    expect(check?.query).toBe('up{job="{{ name }}"}');
  });

  it('carries the template provider address, secret and headers, and the variables', () => {
    const canary = loadedCanary([
      {
        name: 'errors',
        templateRef: { name: 'errors' },
        templateVariables: { direction: 'inbound' },
        interval: '5m',
      },
    ]);
    expect(planChecks(canary, templates, builtins, 'istio')).toEqual([
      {
        name: 'errors',
        kind: 'custom',
        query: 'sum(rate(errors{dir="inbound"}[5m]))',
        address: 'http://prom.monitoring:9090',
        secret: { namespace: 'test', name: 'prom-auth' },
        headers: { 'X-Scope-OrgID': ['team-a'] },
      },
    ]);
  });

  it('resolves templateRef namespaces: the canary’s by default, else the one given', () => {
    const canary = loadedCanary([
      { name: 'a', templateRef: { name: 'shared', namespace: 'monitoring' }, interval: '1m' },
      { name: 'b', templateRef: { name: 'shared' } },
      { name: 'c', templateRef: { name: 'nameless', namespace: 'default' } },
    ]);
    const [a, b, c] = planChecks(canary, templates, builtins, 'istio');
    expect(a).toMatchObject({ query: 'vector(1m)', address: 'http://thanos:10902' });
    expect(b?.error).toBe('MetricTemplate test/shared not found');
    expect(c?.query).toBe('vector(1)');
  });

  it('turns unresolvable metrics into checks with an error', () => {
    const canary = loadedCanary([
      { name: 'nothing', thresholdRange: { max: 1 } },
      { name: 'dd', templateRef: { name: 'dd' } },
      { name: 'no-var', templateRef: { name: 'errors' } },
      { name: 'no-address', templateRef: { name: 'noaddr' } },
    ]);
    const noAddress = template('noaddr', 'vector(1)', { address: undefined });
    const checks = planChecks(canary, [...templates, noAddress], builtins, 'istio');
    expect(checks.map((c) => c.error)).toEqual([
      'metric nothing is not a built-in metric and has neither a query nor a templateRef',
      "MetricTemplate test/dd: provider type datadog needs the metric's interval (its query window is 10 × interval); set interval (e.g. 1m)",
      'MetricTemplate test/errors: query render error: map has no entry for key "direction" in {{ variables.direction }}',
      'MetricTemplate test/noaddr: provider.address is required for type prometheus',
    ]);
    expect(checks.every((c) => c.query === undefined)).toBe(true);
    expect(checks[0]?.thresholdRange).toEqual({ max: 1 });
  });

  it('keptn is refused for good, saying why: it would create objects in the cluster', () => {
    const canary = loadedCanary([{ name: 'k', templateRef: { name: 'keptn' } }]);
    const [k] = planChecks(
      canary,
      [template('keptn', 'keptnmetric/test/podinfo/1m', { type: 'keptn' as never })],
      builtins,
      'istio',
    );
    expect(k?.error).toBe(
      'MetricTemplate test/keptn: provider type keptn is not supported: keptn creates KeptnMetric and Analysis objects in the cluster, and gitcanary never writes to the cluster',
    );
  });

  it('picks the observer’s queries: nginx uses the ingressRef, skipper encodes names', () => {
    const metrics = [{ name: 'request-success-rate' }];
    const nginx = loadedCanary(metrics, {
      provider: 'nginx',
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo-web' },
    });
    expect(planChecks(nginx, [], builtins, 'istio')[0]?.query).toContain('ingress="podinfo-web"');
    const skipper = loadedCanary(metrics, { provider: 'skipper' }, 'pod-info');
    expect(planChecks(skipper, [], builtins, 'istio')[0]?.query).toContain(
      'route=~"kube(ew)?_test__pod_info_canary__.*__pod_info_canary(_[0-9]+)?"',
    );
    const linkerd = loadedCanary(metrics, { provider: 'nginx' });
    expect(planChecks(linkerd, [], builtins, 'linkerd')[0]?.query).toContain('response_total{');
  });

  it('plans nothing without an analysis or metrics', () => {
    const canary = loadedCanary([]);
    expect(planChecks(canary, templates, builtins, 'istio')).toEqual([]);
    delete canary.canary.spec.analysis;
    expect(planChecks(canary, templates, builtins, 'istio')).toEqual([]);
  });
});

describe('templateModel', () => {
  it('falls back to the target for service, ingress and route', () => {
    expect(templateModel(loadedCanary([]), '1m')).toEqual({
      name: 'podinfo',
      namespace: 'test',
      target: 'podinfo',
      service: 'podinfo',
      ingress: 'podinfo',
      route: 'podinfo',
      interval: '1m',
      variables: {},
    });
    const named = loadedCanary([], {
      service: { port: 80, name: 'web' },
      routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'web-route' },
    });
    expect(templateModel(named, '')).toMatchObject({
      service: 'web',
      route: 'web-route',
      ingress: 'podinfo',
    });
  });
});
