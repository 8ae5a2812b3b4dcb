/**
 * The weight-based routers (Traefik, Contour, Linkerd/OSM/SMI, Gloo, Kuma, APISIX): weights read
 * back unchanged through the serialized bytes, the Flagger details golden files cannot show
 * alone, and validation of what each provider cannot honour.
 */
import { describe, expect, it } from 'vitest';
import type { Routes } from '../../src/core/types.js';
import { configSchema } from '../../src/inputs/config.js';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import { list, rec } from '../../src/render/meta.js';
import { currentRoutes, render } from '../../src/render/render.js';
import { headerCondition } from '../../src/routers/contour.js';
import { abMatchers } from '../../src/routers/gloo.js';
import { routerFor } from '../../src/routers/registry.js';
import type { RouterInput } from '../../src/routers/types.js';
import { loadedCanary, parseObjects } from './cases.js';

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

/** A canary for `provider` in namespace `test`; apisix gets the routeRef it needs. */
function canary(
  provider: string,
  service: Record<string, unknown> = {},
  analysis: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): LoadedCanary {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', ...(annotations ? { annotations } : {}) },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...(provider === 'apisix' ? { routeRef: { kind: 'ApisixRoute', name: 'web' } } : {}),
      service: { port: 9898, ...service },
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
      ...spec,
    },
  });
}

const deployment: K8sObject = {
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

/** The user's ApisixRoute `web`: a docs entry and the podinfo entry. */
const apisixRoute = (): K8sObject => ({
  apiVersion: 'apisix.apache.org/v2',
  kind: 'ApisixRoute',
  metadata: { name: 'web', namespace: 'test' },
  spec: {
    http: [
      { name: 'docs', match: { paths: ['/docs*'] }, backends: [{ serviceName: 'docs', servicePort: 80 }] },
      {
        name: 'app',
        priority: 1,
        match: { paths: ['/*'] },
        backends: [{ serviceName: 'podinfo', servicePort: 9898, subset: 'v1' }],
      },
    ],
  },
});

const userObjects = (): K8sObject[] => [deployment, apisixRoute()];

function routerInput(c: LoadedCanary, routes: Routes, objects = userObjects()): RouterInput {
  return {
    canary: c,
    namespace: 'test',
    apex: 'podinfo',
    target: 'podinfo',
    routes,
    phase: 'Progressing',
    iterations: 0,
    runRevision: 'rev-1',
    lookup: (kind, name, namespace = 'test') =>
      objects.find(
        (o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? 'test') === namespace,
      ),
  };
}

/** Every rendered object (through the serialized bytes) at `routes`. */
function renderedObjects(c: LoadedCanary, routes: Routes, objects = userObjects()): K8sObject[] {
  const files = render({
    canary: c,
    source: { origin: { file: 'apps/podinfo/deployment.yaml', line: 1 }, object: deployment, configs: [] },
    primary: { from: 'source' },
    canaryReplicas: 'source',
    routes,
    phase: 'Progressing',
    iterations: 0,
    revision: 'r1',
    runRevision: 'r1',
    lookup: routerInput(c, routes, objects).lookup,
  });
  return files.flatMap((f) => parseObjects(f.content));
}

function roundTrip(c: LoadedCanary, routes: Routes): Routes | undefined {
  const { routes: _omit, ...input } = routerInput(c, routes);
  return currentRoutes(renderedObjects(c, routes), input);
}

const split = (canaryWeight: number): Routes => ({
  primary: 100 - canaryWeight,
  canary: canaryWeight,
  mirrored: false,
});
const routingObject = (objects: K8sObject[], kind: string) => {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind}`);
  return o;
};
const specOf = (o: K8sObject) => rec(o['spec']);

describe('readRoutes after render', () => {
  const weights = [0, 5, 10, 33, 50, 90, 100];
  for (const provider of providers) {
    it.each(weights)(`${provider}: canary weight %i reads back`, (w) => {
      expect(roundTrip(canary(provider), split(w))).toEqual(split(w));
    });
    it(`${provider}: A/B-free blue/green switch reads back`, () => {
      expect(roundTrip(canary(provider, {}, { stepWeight: undefined, iterations: 3 }), split(100))).toEqual(
        split(100),
      );
    });
    it(`${provider}: no routing object means no routes`, () => {
      const { routes: _omit, ...input } = routerInput(canary(provider), split(0));
      expect(routerFor(provider).readRoutes([deployment], input)).toBeUndefined();
    });
  }

  it('contour and gloo: the A/B route reads back', () => {
    const ab = {
      stepWeight: undefined,
      iterations: 3,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
    };
    for (const p of ['contour', 'gloo']) expect(roundTrip(canary(p, {}, ab), split(100))).toEqual(split(100));
  });
});

describe('traefik', () => {
  const services = (w: number) =>
    list(
      rec(specOf(routingObject(renderedObjects(canary('traefik'), split(w)), 'TraefikService'))['weighted'])[
        'services'
      ],
    );

  it('lists only the primary while the canary weight is 0', () => {
    expect(services(0)).toEqual([{ name: 'podinfo-primary', namespace: 'test', port: 9898, weight: 100 }]);
  });

  it('omits a 0 primary weight (Flagger omitempty) and reads it as 0', () => {
    expect(services(100)).toEqual([
      { name: 'podinfo-primary', namespace: 'test', port: 9898 },
      { name: 'podinfo-canary', namespace: 'test', port: 9898, weight: 100 },
    ]);
  });
});

describe('smi', () => {
  const ts = (provider: string, service: Record<string, unknown> = {}) =>
    routingObject(renderedObjects(canary(provider, service), split(10)), 'TrafficSplit');

  it.each([
    ['linkerd', 'split.smi-spec.io/v1alpha1', '10'],
    ['osm', 'split.smi-spec.io/v1alpha2', 10],
    ['smi:v1alpha1', 'split.smi-spec.io/v1alpha1', '10'],
    ['smi:v1alpha2', 'split.smi-spec.io/v1alpha2', 10],
    ['smi:v1alpha3', 'split.smi-spec.io/v1alpha3', 10],
  ])('%s writes %s with the canary backend first', (provider, apiVersion, canaryWeight) => {
    const o = ts(provider);
    expect(o.apiVersion).toBe(apiVersion);
    expect(list(specOf(o)['backends'])[0]).toEqual({ service: 'podinfo-canary', weight: canaryWeight });
  });

  it('splits the traffic of service.hosts[0], else the apex', () => {
    expect(specOf(ts('osm'))['service']).toBe('podinfo');
    expect(specOf(ts('osm', { hosts: ['podinfo.test', 'other'] }))['service']).toBe('podinfo.test');
  });

  it('puts no service.apex metadata on the TrafficSplit (Flagger does not)', () => {
    const o = ts('linkerd', { apex: { labels: { team: 'web' } } });
    expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'gitcanary' });
  });
});

describe('contour', () => {
  it('sets spec.ingressClassName from the gitcanary.dev/ingress-class annotation', () => {
    const proxy = (c: LoadedCanary) => specOf(routingObject(renderedObjects(c, split(10)), 'HTTPProxy'));
    const annotated = canary('contour', {}, {}, {}, { 'gitcanary.dev/ingress-class': 'contour-external' });
    expect(proxy(annotated)['ingressClassName']).toBe('contour-external');
    expect(Object.keys(proxy(annotated))).toEqual(['ingressClassName', 'routes']);
    expect(proxy(canary('contour'))['ingressClassName']).toBeUndefined();
  });

  it('takes gitcanary.yaml contour.ingressClass as the default, which the annotation overrides', () => {
    const proxy = (c: LoadedCanary) => specOf(routingObject(renderedObjects(c, split(10)), 'HTTPProxy'));
    const config = configSchema.parse({ contour: { ingressClass: 'contour-internal' } });
    expect(config.contour.ingressClass).toBe('contour-internal');
    expect(() => configSchema.parse({ contour: { ingressClass: 'Not A Name' } })).toThrow(/Kubernetes name/);
    const defaulted = { ...canary('contour'), ingressClass: config.contour.ingressClass! };
    expect(proxy(defaulted)['ingressClassName']).toBe('contour-internal');
    const annotated = canary('contour', {}, {}, {}, { 'gitcanary.dev/ingress-class': 'contour-external' });
    expect(proxy({ ...annotated, ingressClass: 'contour-internal' })['ingressClassName']).toBe(
      'contour-external',
    );
  });

  it('maps header StringMatches as Flagger does (prefix and suffix become contains)', () => {
    expect(headerCondition('x', { exact: 'a' })).toEqual({ name: 'x', exact: 'a' });
    expect(headerCondition('x', { suffix: 'b', exact: 'a' })).toEqual({ name: 'x', contains: 'b' });
    expect(headerCondition('x', { prefix: 'c', suffix: 'b' })).toEqual({ name: 'x', contains: 'c' });
    expect(headerCondition('x', {})).toBeUndefined();
  });

  it('uses service.match[0].uri.prefix on every route and falls back to the primary in A/B', () => {
    const c = canary(
      'contour',
      { match: [{ uri: { prefix: '/api' } }] },
      {
        stepWeight: undefined,
        iterations: 2,
        match: [{ headers: { a: { exact: '1' }, b: { exact: '2' } } }],
      },
    );
    const routes = list(specOf(routingObject(renderedObjects(c, split(100)), 'HTTPProxy'))['routes']).map(
      rec,
    );
    expect(routes.map((r) => r['conditions'])).toEqual([
      [{ prefix: '/api', header: { name: 'a', exact: '1' } }, { header: { name: 'b', exact: '2' } }],
      [{ prefix: '/api' }],
    ]);
    expect(list(routes[1]?.['services']).map((s) => rec(s)['weight'])).toEqual([100, undefined]);
  });

  it('writes no policies without timeout or retries', () => {
    const route = rec(
      list(specOf(routingObject(renderedObjects(canary('contour'), split(0)), 'HTTPProxy'))['routes'])[0],
    );
    expect(Object.keys(route)).toEqual(['conditions', 'services']);
  });
});

describe('gloo', () => {
  it('puts every header and method in one matcher (ANDed)', () => {
    expect(
      abMatchers([
        { headers: { a: { exact: '1' } }, method: { exact: 'GET' } },
        { headers: { b: { regex: '^x' } } },
      ]),
    ).toEqual([
      {
        headers: [
          { name: 'a', value: '1' },
          { name: 'b', value: '^x', regex: true },
        ],
        methods: ['GET'],
      },
    ]);
    expect(abMatchers([])).toEqual([]);
  });

  it('copies the referenced Upstream settings but not its kube target', () => {
    const user: K8sObject = {
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name: 'tuned', namespace: 'test' },
      spec: {
        kube: { serviceName: 'other', servicePort: 1 },
        sslConfig: { sni: 'podinfo' },
        healthChecks: [],
      },
    };
    const c = canary('gloo', {}, {}, { upstreamRef: { kind: 'Upstream', name: 'tuned' } });
    const objects = renderedObjects(c, split(0), [deployment, user]);
    const ups = objects.filter((o) => o.kind === 'Upstream');
    // Rendered files are sorted by name: the canary upstream comes first.
    expect(ups.map((o) => [o.metadata.name, o['spec']])).toEqual([
      [
        'test-podinfo-canaryupstream-9898',
        {
          kube: {
            serviceName: 'podinfo-canary',
            serviceNamespace: 'test',
            servicePort: 9898,
            selector: { app: 'podinfo' },
          },
          sslConfig: { sni: 'podinfo' },
        },
      ],
      [
        'test-podinfo-primaryupstream-9898',
        {
          kube: {
            serviceName: 'podinfo-primary',
            serviceNamespace: 'test',
            servicePort: 9898,
            selector: { app: 'podinfo-primary' },
          },
          sslConfig: { sni: 'podinfo' },
        },
      ],
    ]);
  });

  it('reads the upstreamRef Upstream from upstreamRef.namespace', () => {
    const shared: K8sObject = {
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name: 'tuned', namespace: 'gloo-system' },
      spec: { kube: { serviceName: 'x', servicePort: 1 }, useHttp2: true },
    };
    const ref = { upstreamRef: { kind: 'Upstream', name: 'tuned', namespace: 'gloo-system' } };
    const objects = renderedObjects(canary('gloo', {}, {}, ref), split(0), [deployment, shared]);
    const ups = objects.filter((o) => o.kind === 'Upstream');
    expect(ups.map((o) => rec(o['spec'])['useHttp2'])).toEqual([true, true]);
    expect(() =>
      renderedObjects(
        canary('gloo', {}, {}, { upstreamRef: { kind: 'Upstream', name: 'tuned' } }),
        split(0),
        [deployment, shared],
      ),
    ).toThrow(
      'gloo.solo.io/v1 Upstream test/tuned named by spec.upstreamRef was not found in the repository',
    );
  });

  it('fails when the upstreamRef Upstream is not in the repository', () => {
    const c = canary('gloo', {}, {}, { upstreamRef: { kind: 'Upstream', name: 'missing' } });
    expect(() => renderedObjects(c, split(0))).toThrow(
      'gloo.solo.io/v1 Upstream test/missing named by spec.upstreamRef was not found in the repository',
    );
  });
});

describe('kuma', () => {
  it('renders a cluster-scoped TrafficRoute in the mesh of the kuma.io/mesh annotation', () => {
    const tr = routingObject(
      renderedObjects(canary('kuma', {}, {}, {}, { 'kuma.io/mesh': 'payments' }), split(0)),
      'TrafficRoute',
    );
    expect(tr.metadata).not.toHaveProperty('namespace');
    expect(tr['mesh']).toBe('payments');
    expect(routingObject(renderedObjects(canary('kuma'), split(0)), 'TrafficRoute')['mesh']).toBe('default');
  });
});

describe('apisix', () => {
  it('copies only the apex entry, with priority 10000, and leaves the user route alone', () => {
    const objects = userObjects();
    const before = structuredClone(objects);
    const rendered = renderedObjects(canary('apisix'), split(30), objects);
    expect(objects).toEqual(before);
    expect(rendered.filter((o) => o.kind === 'ApisixRoute').map((o) => o.metadata.name)).toEqual([
      'web-podinfo-canary',
    ]);
    expect(specOf(routingObject(rendered, 'ApisixRoute'))['http']).toEqual([
      {
        name: 'app',
        priority: 10000,
        match: { paths: ['/*'] },
        backends: [
          { serviceName: 'podinfo-primary', servicePort: 9898, subset: 'v1', weight: 70 },
          { serviceName: 'podinfo-canary', servicePort: 9898, weight: 30, subset: 'v1' },
        ],
      },
    ]);
  });

  it('fails with the route named when it is missing or its apex entry has several backends', () => {
    const c = canary('apisix');
    expect(() => renderedObjects(c, split(0), [deployment])).toThrow(
      'ApisixRoute test/web named by spec.routeRef was not found in the repository',
    );
    const two = apisixRoute();
    rec(list(specOf(two)['http'])[1])['backends'] = [
      { serviceName: 'podinfo', servicePort: 9898 },
      { serviceName: 'legacy', servicePort: 80 },
    ];
    expect(() => renderedObjects(c, split(0), [deployment, two])).toThrow(
      'ApisixRoute test/web: spec.http entry app must have exactly one backend (podinfo)',
    );
    const none = apisixRoute();
    specOf(none)['http'] = [];
    expect(() => renderedObjects(c, split(0), [deployment, none])).toThrow(
      'ApisixRoute test/web has no spec.http entry with backend podinfo',
    );
  });
});

describe('validate', () => {
  const paths = (c: LoadedCanary) =>
    routerFor(c.provider)
      .validate(c)
      .map((i) => i.path);
  const ab = {
    stepWeight: undefined,
    iterations: 5,
    match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
  };

  it.each(providers)('%s accepts a plain canary and blue/green', (provider) => {
    expect(paths(canary(provider))).toEqual([]);
    expect(paths(canary(provider, {}, { stepWeight: undefined, iterations: 5 }))).toEqual([]);
  });

  it.each(providers)('%s rejects mirroring and session affinity, accepts port discovery', (provider) => {
    const c = canary(
      provider,
      { portDiscovery: true },
      { mirror: true, sessionAffinity: { cookieName: 'c' } },
    );
    expect(paths(c)).toEqual(['spec.analysis.mirror', 'spec.analysis.sessionAffinity']);
    expect(routerFor(provider).validate(c)[0]?.message).toBe(
      `traffic mirroring (analysis.mirror) is not supported by the ${provider} router`,
    );
  });

  it.each(['traefik', 'linkerd', 'osm', 'smi:v1alpha1', 'smi:v1alpha2', 'smi:v1alpha3', 'kuma', 'apisix'])(
    '%s rejects A/B, which Flagger silently ignores',
    (provider) => {
      expect(paths(canary(provider, {}, ab))).toEqual(['spec.analysis.match']);
    },
  );

  it('names spec.canaryAnalysis when only the deprecated block is set', () => {
    const c = canary(
      'traefik',
      {},
      {},
      { analysis: undefined, canaryAnalysis: { interval: '1m', mirror: true } },
    );
    expect(paths(c)).toEqual(['spec.canaryAnalysis.mirror']);
  });

  it('contour and gloo accept header A/B', () => {
    expect(paths(canary('contour', {}, ab))).toEqual([]);
    expect(paths(canary('gloo', {}, ab))).toEqual([]);
  });

  it('contour rejects A/B conditions it cannot express', () => {
    const c = canary(
      'contour',
      {},
      {
        ...ab,
        match: [
          { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
          { headers: { 'X-Canary': { exact: 'a' } }, queryParams: { q: { exact: '1' } } },
          { headers: { 'x-canary': { exact: 'b' } } },
          { headers: { 'x-empty': {} } },
          { sourceLabels: { app: 'web' } },
        ],
      },
    );
    expect(paths(c)).toEqual([
      'spec.analysis.match[0].headers.cookie.regex',
      'spec.analysis.match[1].queryParams',
      'spec.analysis.match[2].headers.x-canary',
      'spec.analysis.match[3].headers.x-empty',
      'spec.analysis.match[4].sourceLabels',
      'spec.analysis.match[4]',
    ]);
  });

  it('contour rejects service matches beyond match[0].uri.prefix', () => {
    const c = canary('contour', {
      match: [
        { name: 'api', uri: { prefix: '/api', exact: '/x' }, headers: { a: { exact: '1' } } },
        { uri: { prefix: '/v2' } },
      ],
    });
    expect(paths(c)).toEqual([
      'spec.service.match[0].headers',
      'spec.service.match[0].uri.exact',
      'spec.service.match[1]',
    ]);
    expect(paths(canary('contour', { match: [{ name: 'api', uri: { prefix: '/api' } }] }))).toEqual([]);
  });

  it('contour rejects a relative prefix, bad durations and unknown retryOn values', () => {
    const c = canary('contour', {
      match: [{ uri: { prefix: 'api' } }],
      timeout: '10 seconds',
      retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx,connect-timeout' },
    });
    expect(paths(c)).toEqual([
      'spec.service.match[0].uri.prefix',
      'spec.service.timeout',
      'spec.service.retries.retryOn',
    ]);
  });

  it('gloo rejects matchers it cannot express; an upstreamRef in another namespace is fine', () => {
    const c = canary(
      'gloo',
      {},
      {
        ...ab,
        match: [{ headers: { a: { prefix: 'x' } }, method: { regex: 'GET|HEAD' }, uri: { prefix: '/api' } }],
      },
      { upstreamRef: { kind: 'Upstream', name: 'u', namespace: 'gloo-system' } },
    );
    expect(paths(c)).toEqual([
      'spec.analysis.match[0].uri',
      'spec.analysis.match[0].headers.a.prefix',
      'spec.analysis.match[0].method',
    ]);
  });

  it('apisix needs routeRef', () => {
    expect(paths(canary('apisix', {}, {}, { routeRef: undefined }))).toEqual(['spec.routeRef']);
  });
});
