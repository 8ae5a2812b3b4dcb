/**
 * Routers: rendered weights read back unchanged (through the serialized bytes), validation of
 * what gitcanary cannot render yet, and the registry's error for unsupported providers.
 */
import { describe, expect, it } from 'vitest';
import type { Routes } from '../../src/core/types.js';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { currentRoutes, render } from '../../src/render/render.js';
import { routerFor, routers } from '../../src/routers/registry.js';
import type { RouterInput } from '../../src/routers/types.js';
import { loadedCanary, parseObjects } from './cases.js';

function canary(
  provider: string,
  service: Record<string, unknown> = {},
  analysis: Record<string, unknown> = {},
) {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider,
      targetRef:
        provider === 'knative'
          ? { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' }
          : { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, gatewayRefs: [{ name: 'gw', namespace: 'ingress' }], ...service },
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
    },
  });
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo' } },
      spec: { containers: [{ name: 'app', image: 'podinfo:1' }] },
    },
  },
};

function routerInput(c: LoadedCanary, routes: Routes): RouterInput {
  return {
    canary: c,
    namespace: 'test',
    apex: 'podinfo',
    target: 'podinfo',
    routes,
    phase: 'Progressing',
    iterations: 0,
    runRevision: 'rev-1',
    lookup: () => undefined,
  };
}

/** The Knative Service a knative canary renders from (its template names the revision). */
const knativeService = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: { template: { metadata: { name: 'podinfo-v1' }, spec: { containers: [{ image: 'podinfo:1' }] } } },
};

/** Renders every file at `routes`, parses the bytes back and asks the router what it sees. */
function roundTrip(c: LoadedCanary, routes: Routes): Routes | undefined {
  const files = render({
    canary: c,
    source: {
      origin: { file: 'apps/podinfo/deployment.yaml', line: 1 },
      object: c.provider === 'knative' ? knativeService : deployment,
      configs: [],
    },
    primary: { from: 'source' },
    canaryReplicas: 'source',
    routes,
    phase: 'Progressing',
    iterations: 0,
    revision: 'r1',
    runRevision: 'r1',
    lookup: () => undefined,
  });
  const { routes: _omit, ...input } = routerInput(c, routes);
  return currentRoutes(
    files.flatMap((f) => parseObjects(f.content)),
    input,
  );
}

describe('readRoutes after render', () => {
  const weights = [0, 5, 10, 33, 50, 90, 100];
  // Routers that build their routing object from the Canary alone; nginx, skipper and apisix
  // copy a user-owned object (test/render/ingress-routers.test.ts, weighted-routers.test.ts)
  // and kubernetes has no routing object (it derives the split from the iterations).
  const selfContained = Object.keys(routers).filter(
    (p) => !['nginx', 'skipper', 'apisix', 'kubernetes'].includes(p),
  );
  for (const provider of selfContained) {
    it.each(weights)(`${provider}: canary weight %i reads back`, (w) => {
      const routes = { primary: 100 - w, canary: w, mirrored: false };
      expect(roundTrip(canary(provider), routes)).toEqual(routes);
    });
    it(`${provider}: no routing object means no routes`, () => {
      const { routes: _omit, ...input } = routerInput(canary(provider), {
        primary: 100,
        canary: 0,
        mirrored: false,
      });
      expect(routerFor(provider).readRoutes([], input)).toBeUndefined();
    });
  }

  it('istio: a mirrored step reads back as mirrored', () => {
    const routes = { primary: 100, canary: 0, mirrored: true };
    expect(roundTrip(canary('istio', {}, { mirror: true, mirrorWeight: 30 }), routes)).toEqual(routes);
  });
});

describe('validate', () => {
  const paths = (c: LoadedCanary) =>
    routerFor(c.provider)
      .validate(c)
      .map((i) => i.path);

  // Routers that cannot honour A/B say so (each router's own tests cover the rest).
  const noAB = [
    'traefik',
    'linkerd',
    'osm',
    'smi:v1alpha1',
    'smi:v1alpha2',
    'smi:v1alpha3',
    'kuma',
    'skipper',
    'knative',
  ];
  it.each(noAB)('%s rejects A/B and session affinity, naming the field', (provider) => {
    const c = canary(provider, {}, { match: [{ headers: { x: { exact: 'y' } } }], iterations: 5 });
    expect(paths(c)).toContain('spec.analysis.match');
    expect(paths(canary(provider, {}, { sessionAffinity: { cookieName: 'c' } }))).toContain(
      'spec.analysis.sessionAffinity',
    );
  });

  it('accepts a plain canary', () => {
    const needRefs = ['nginx', 'skipper', 'apisix'];
    for (const provider of Object.keys(routers).filter((p) => !needRefs.includes(p))) {
      // App Mesh v1beta1 objects name their mesh (test/render/appmesh.test.ts).
      const service = provider === 'appmesh' ? { meshName: 'global' } : {};
      expect(paths(canary(provider, service))).toEqual([]);
    }
  });

  it('knative needs a Knative Service target and no autoscalerRef (Flagger verifyKnativeCanary)', () => {
    const c = canary('knative');
    const deploymentTarget: LoadedCanary = {
      ...c,
      canary: {
        ...c.canary,
        spec: {
          ...c.canary.spec,
          targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
          autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo' },
        },
      },
    };
    const issues = routerFor('knative').validate(deploymentTarget);
    expect(issues.map((i) => i.path)).toEqual(['spec.targetRef', 'spec.autoscalerRef']);
    expect(issues[0]?.message).toContain('provider knative needs a Knative Service target');
  });

  it('gateway API needs gatewayRefs', () => {
    expect(paths(canary('gatewayapi:v1', { gatewayRefs: [] }))).toEqual(['spec.service.gatewayRefs']);
  });

  it('gateway API reports service matches it cannot translate', () => {
    const c = canary('gatewayapi:v1', { match: [{ uri: { suffix: '.js' }, authority: { exact: 'a' } }] });
    expect(paths(c)).toEqual(['spec.service.match[0].uri', 'spec.service.match[0].authority']);
  });

  it('gateway API v1beta1 has no timeouts or CORS', () => {
    const c = canary('gatewayapi:v1beta1', { timeout: '10s', corsPolicy: { allowOrigin: ['*'] } });
    expect(paths(c)).toEqual(['spec.service.timeout', 'spec.service.corsPolicy']);
    expect(paths(canary('gatewayapi:v1', { timeout: '10s', corsPolicy: { allowOrigin: ['*'] } }))).toEqual(
      [],
    );
  });

  it('gateway API cannot mirror canary-strategy traffic', () => {
    expect(paths(canary('gatewayapi:v1', {}, { mirror: true }))).toEqual(['spec.analysis.mirror']);
  });

  it('istio delegation excludes hosts and gateways', () => {
    expect(paths(canary('istio', { delegation: true, hosts: ['a.example.com'] }))).toEqual([
      'spec.service.delegation',
    ]);
  });
});

describe('istio rendering details', () => {
  const vsSpec = (service: Record<string, unknown>) => {
    const c = canary('istio', service);
    const [vs] = routerFor('istio').render(routerInput(c, { primary: 100, canary: 0, mirrored: false }));
    return vs?.['spec'];
  };

  it('does not append the apex when it or * is already a host', () => {
    expect(vsSpec({ hosts: ['*'] })).toMatchObject({ hosts: ['*'] });
    expect(vsSpec({ hosts: ['podinfo', 'x.example.com'] })).toMatchObject({
      hosts: ['podinfo', 'x.example.com'],
    });
  });

  it('delegation leaves hosts and gateways out', () => {
    expect(vsSpec({ delegation: true })).not.toHaveProperty('hosts');
    expect(vsSpec({ delegation: true })).not.toHaveProperty('gateways');
  });

  it('appProtocol tcp renders tcp routes', () => {
    expect(vsSpec({ appProtocol: 'TCP', match: [{ port: 5432 }] })).toEqual({
      hosts: ['podinfo'],
      gateways: ['mesh'],
      tcp: [
        {
          match: [{ port: 5432 }],
          route: [
            { destination: { host: 'podinfo-primary' }, weight: 100 },
            { destination: { host: 'podinfo-canary' }, weight: 0 },
          ],
        },
      ],
    });
  });
});

describe('registry', () => {
  it('names the supported providers for an unsupported one', () => {
    expect(() => routerFor('crossover')).toThrow(
      /^provider "crossover" is not supported yet; supported: apisix, appmesh, appmesh:v1beta2, contour, /,
    );
    expect(() => routerFor('gatewayapi')).toThrow(/provider "gatewayapi" is not supported yet; supported: /);
    expect(() => routerFor('toString')).toThrow(/not supported yet/);
  });
});
