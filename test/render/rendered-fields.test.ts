import { describe, expect, it } from 'vitest';
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
