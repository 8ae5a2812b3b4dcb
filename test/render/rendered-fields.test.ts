import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../src/inputs/model.js';
import type { ServiceSpec } from '../../src/inputs/schema.js';
import { discoveredPorts } from '../../src/render/ports.js';
import { destinationPort } from '../../src/routers/istio.js';
import { routers } from '../../src/routers/registry.js';
import { ignoredFields, renderedFields } from '../../src/routers/rendered-fields.js';
import { loadedCanary } from './cases.js';

const canary = (provider: string, service: Record<string, unknown>, analysis: Record<string, unknown> = {}) =>
  loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
    },
  });

describe('fields a provider does not render', () => {
  it('every routed provider has an entry', () => {
    expect(Object.keys(routers).filter((p) => !Object.hasOwn(renderedFields, p))).toEqual([]);
  });

  it.each([
    [
      'gatewayapi:v1',
      { retries: { attempts: 3 }, gatewayRefs: [{ name: 'gw' }] },
      {},
      ['spec.service.retries'],
    ],
    ['contour', { corsPolicy: { allowOrigin: ['*'] } }, {}, ['spec.service.corsPolicy']],
    [
      'nginx',
      { timeout: '5s', hosts: ['a.example.com'] },
      {},
      ['spec.service.timeout', 'spec.service.hosts'],
    ],
    ['linkerd', { hosts: ['podinfo'], gateways: ['public'] }, {}, ['spec.service.gateways']],
    [
      'gatewayapi:v1',
      { gatewayRefs: [{ name: 'gw' }] },
      { mirrorWeight: 10 },
      ['spec.analysis.mirrorWeight'],
    ],
    ['istio', { retries: { attempts: 3 }, corsPolicy: {}, gateways: ['public'] }, { mirrorWeight: 10 }, []],
    ['contour', { timeout: '5s', retries: { attempts: 3 } }, {}, []],
  ])('%s %j %j → %j', (provider, service, analysis, paths) => {
    const issues = ignoredFields(canary(provider, service, analysis));
    expect(issues.map((i) => i.path)).toEqual(paths);
  });

  it('names the field and the provider', () => {
    expect(ignoredFields(canary('contour', { corsPolicy: { allowOrigin: ['*'] } }))).toEqual([
      {
        path: 'spec.service.corsPolicy',
        message: 'corsPolicy is not rendered by the contour router: it has no effect with this provider',
      },
    ]);
  });
});

describe('port discovery', () => {
  const workload = (containers: unknown[]) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo' },
      spec: { template: { spec: { containers } } },
    }) as unknown as K8sObject;
  const podinfo = workload([
    {
      name: 'app',
      ports: [
        { name: 'http', containerPort: 9898 },
        { containerPort: 8080 },
        { name: 'metrics', containerPort: 9797 },
      ],
    },
    { name: 'istio-proxy', ports: [{ containerPort: 15090 }] },
    { name: 'side', ports: [{ name: 'metrics', containerPort: 9100 }] },
  ]);

  it.each([
    [
      { port: 9898 },
      [
        ['tcp-app-1', 8080],
        ['metrics', 9100],
      ],
    ],
    [
      { port: 80, targetPort: 8080 },
      [
        ['http', 9898],
        ['metrics', 9100],
      ],
    ],
    [
      { port: 80, targetPort: 'metrics' },
      [
        ['http', 9898],
        ['tcp-app-1', 8080],
      ],
    ],
    [
      { port: 80 },
      [
        ['http', 9898],
        ['tcp-app-1', 8080],
        ['metrics', 9100],
      ],
    ],
  ])('%j', (svc, want) => {
    const got = discoveredPorts({ ...svc, portDiscovery: true } as ServiceSpec, podinfo);
    expect(got.map((p) => [p.name, p.port])).toEqual(want);
  });

  it('is off without portDiscovery', () => {
    expect(discoveredPorts({ port: 80 }, podinfo)).toEqual([]);
  });

  it.each([
    [{ port: 80, portDiscovery: true, gateways: ['public'] }, 80],
    [{ port: 80, portDiscovery: true, delegation: true }, 80],
    [{ port: 80, portDiscovery: true, gateways: ['mesh', 'public'] }, undefined],
    [{ port: 80, portDiscovery: true }, undefined],
    [{ port: 80, gateways: ['public'] }, undefined],
  ])('istio destination port for %j: %s', (svc, port) => {
    expect(destinationPort(svc as ServiceSpec)).toBe(port);
  });
});
