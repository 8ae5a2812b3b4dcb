/**
 * Tick scripts through the weight-based routers' real routing objects: each tick `decide` runs on
 * the routes readRoutes finds in the files the previous tick rendered (as the reconcile shell
 * does). The timelines must equal the in-memory simulator's (test/support/sim.ts), so omitted
 * zero weights (Traefik, Contour, Gloo) and quantity weights (SMI v1alpha1) never lose a step.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import { loadedCanary } from './cases.js';
import { inMemory, RenderedSim } from './rendered-sim.js';

const apisixRoute: K8sObject = {
  apiVersion: 'apisix.apache.org/v2',
  kind: 'ApisixRoute',
  metadata: { name: 'web', namespace: 'test' },
  spec: {
    http: [
      { name: 'app', match: { paths: ['/*'] }, backends: [{ serviceName: 'podinfo', servicePort: 80 }] },
    ],
  },
};
function canary(provider: string, analysis: Record<string, unknown>): LoadedCanary {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...(provider === 'apisix' ? { routeRef: { kind: 'ApisixRoute', name: 'web' } } : {}),
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, ...analysis },
    },
  });
}

const providers = [
  'traefik',
  'contour',
  'linkerd',
  'osm',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
  'gloo',
  'kuma',
  'apisix',
] as const;

describe.each(providers)('%s: timelines through the rendered routing objects', (provider) => {
  it('canary, stepWeight 20 to maxWeight 40', () => {
    const c = canary(provider, { stepWeight: 20, maxWeight: 40 });
    const lines = new RenderedSim(c, [apisixRoute]).rollout();
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 80/20 i0 f0',
      'Progressing 60/40 i0 f0 A',
      'Promoting 60/40 i0 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
  });

  it('blue/green, iterations 2: all traffic switched to the canary before promotion', () => {
    const c = canary(provider, { iterations: 2 });
    const lines = new RenderedSim(c, [apisixRoute]).rollout();
    expect(lines).toContain('Progressing 0/100 i3 f0 A');
    expect(lines).toEqual(inMemory(c));
  });
});

describe.each(['contour', 'gloo'])('%s: A/B through the rendered routing objects', (provider) => {
  it('iterations 2 on the match route, then promotion', () => {
    const c = canary(provider, { iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    const lines = new RenderedSim(c, [apisixRoute]).rollout();
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 0/100 i1 f0',
      'Progressing 0/100 i2 f0 A',
      'Promoting 0/100 i2 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
  });
});
