/**
 * Istio and Gateway API for every Flagger strategy: A/B, blue/green (with mirroring), session
 * affinity and the Istio API version. Each rendered shape is read back through its serialized
 * bytes (render → YAML → parse → readRoutes) and must give the routes it was rendered with.
 */
import { describe, expect, it } from 'vitest';
import type { Phase, Routes } from '../../src/core/types.js';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import type { Raw } from '../../src/render/meta.js';
import { currentRoutes, render } from '../../src/render/render.js';
import { routerFor } from '../../src/routers/registry.js';
import { cookieValue } from '../../src/routers/session-affinity.js';
import type { RouterInput } from '../../src/routers/types.js';
import { loadedCanary, parseObjects } from './cases.js';

const providers = ['istio', 'gatewayapi:v1', 'gatewayapi:v1beta1'] as const;

function canary(
  provider: string,
  analysis: Record<string, unknown>,
  service: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): LoadedCanary {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', ...(annotations ? { annotations } : {}) },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, gatewayRefs: [{ name: 'gw', namespace: 'ingress' }], ...service },
      analysis: { interval: '1m', threshold: 5, ...analysis },
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

interface At {
  phase?: Phase;
  iterations?: number;
  runRevision?: string;
}

function routerInput(c: LoadedCanary, at: At): Omit<RouterInput, 'routes'> {
  return {
    canary: c,
    namespace: 'test',
    apex: 'podinfo',
    target: 'podinfo',
    phase: at.phase ?? 'Progressing',
    iterations: at.iterations ?? 0,
    runRevision: at.runRevision ?? 'run-1',
    lookup: () => undefined,
  };
}

/** Every object rendered at `routes`, parsed back from the file bytes. */
function renderObjects(c: LoadedCanary, routes: Routes, at: At = {}): K8sObject[] {
  const input = routerInput(c, at);
  const files = render({
    ...input,
    source: { origin: { file: 'apps/podinfo/deployment.yaml', line: 1 }, object: deployment, configs: [] },
    primary: { from: 'source' },
    canaryReplicas: 'source',
    routes,
    revision: 'r1',
  });
  return files.flatMap((f) => parseObjects(f.content));
}

const roundTrip = (c: LoadedCanary, routes: Routes, at: At = {}): Routes | undefined =>
  currentRoutes(renderObjects(c, routes, at), routerInput(c, at));

/** The routing rules: VirtualService `http` or HTTPRoute `rules`. */
function rulesOf(objects: K8sObject[]): Raw[] {
  const route = objects.find((o) => o.kind === 'VirtualService' || o.kind === 'HTTPRoute');
  const spec = (route?.['spec'] ?? {}) as Raw;
  return (route?.kind === 'VirtualService' ? spec['http'] : spec['rules']) as Raw[];
}

const r = (primary: number, canary: number, mirrored = false): Routes => ({ primary, canary, mirrored });

const ab = { iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] };
const bgMirror = { iterations: 3, mirror: true };
const affinity = (extra: Record<string, unknown> = {}) => ({
  stepWeight: 10,
  sessionAffinity: { cookieName: 'flagger-cookie', ...extra },
});

describe.each(providers)('%s: readRoutes after render', (provider) => {
  it.each([r(100, 0), r(0, 100)])('A/B reads back $primary/$canary from the match rule', (routes) => {
    expect(roundTrip(canary(provider, ab), routes)).toEqual(routes);
    const withServiceMatch = canary(provider, ab, { match: [{ uri: { prefix: '/api' } }] });
    expect(roundTrip(withServiceMatch, routes)).toEqual(routes);
  });

  it.each([r(100, 0, true), r(100, 0), r(0, 100)])(
    'blue/green with mirror reads back $primary/$canary mirrored=$mirrored',
    (routes) => {
      expect(roundTrip(canary(provider, bgMirror), routes, { iterations: 1 })).toEqual(routes);
    },
  );

  it.each([0, 10, 30, 50, 100])('session affinity: canary weight %i reads back', (w) => {
    const routes = r(100 - w, w);
    expect(roundTrip(canary(provider, affinity()), routes)).toEqual(routes);
    const both = canary(provider, affinity({ primaryCookieName: 'primary-cookie' }));
    expect(roundTrip(both, routes)).toEqual(routes);
  });

  it.each(['Finalising', 'Succeeded', 'Failed'] as const)(
    'session affinity: the cookie deletion rule in %s reads back 100/0',
    (phase) => {
      const c = canary(provider, affinity({ primaryCookieName: 'primary-cookie' }));
      expect(rulesOf(renderObjects(c, r(100, 0), { phase }))).toHaveLength(2);
      expect(roundTrip(c, r(100, 0), { phase })).toEqual(r(100, 0));
    },
  );

  it('session affinity: sticky rules, then the weighted rule', () => {
    const c = canary(provider, affinity({ primaryCookieName: 'primary-cookie' }));
    const count = provider === 'gatewayapi:v1beta1' ? 2 : 3;
    expect(rulesOf(renderObjects(c, r(70, 30)))).toHaveLength(count);
    // no cookie to set or delete: idle before any run, and the start of a run at weight 0
    expect(rulesOf(renderObjects(c, r(100, 0), { phase: 'Initialized', runRevision: '' }))).toHaveLength(1);
    expect(rulesOf(renderObjects(c, r(100, 0), { phase: 'Progressing' }))).toHaveLength(1);
    expect(rulesOf(renderObjects(c, r(100, 0), { phase: 'Succeeded', runRevision: '' }))).toHaveLength(1);
  });

  it('accepts A/B, blue/green with mirroring and session affinity', () => {
    for (const analysis of [ab, bgMirror, affinity()])
      expect(routerFor(provider).validate(canary(provider, analysis))).toEqual([]);
  });

  it('rejects session affinity combined with A/B', () => {
    const c = canary(provider, { ...ab, sessionAffinity: { cookieName: 'c' } });
    expect(
      routerFor(provider)
        .validate(c)
        .map((i) => i.path),
    ).toEqual(['spec.analysis.sessionAffinity']);
  });
});

describe('session-affinity cookies', () => {
  const c = canary('istio', affinity({ primaryCookieName: 'primary-cookie' }));
  const cookieOf = (runRevision: string) =>
    JSON.stringify(rulesOf(renderObjects(c, r(70, 30), { runRevision }))).match(
      /flagger-cookie=([a-z]+)/,
    )?.[1];

  it('are ten lowercase letters, stable for a run and new for the next run', () => {
    expect(cookieValue('test/podinfo/run-1')).toMatch(/^[a-z]{10}$/);
    expect(cookieOf('run-1')).toBe(cookieValue('test/podinfo/run-1'));
    expect(cookieOf('run-1')).toBe(cookieOf('run-1'));
    expect(cookieOf('run-2')).not.toBe(cookieOf('run-1'));
    expect(cookieValue('test/podinfo/run-1/primary')).not.toBe(cookieValue('test/podinfo/run-1'));
  });

  it('the deletion rule names the cookie the run set', () => {
    const value = cookieValue('test/podinfo/run-1');
    const [deletion] = rulesOf(renderObjects(c, r(100, 0), { phase: 'Succeeded' }));
    expect(deletion).toMatchObject({
      match: [{ headers: { Cookie: { regex: `.*flagger-cookie.*${value}.*` } } }],
      headers: { response: { add: { 'Set-Cookie': `flagger-cookie=${value}; Max-Age=-1` } } },
    });
  });

  it('gateway API merges the deletion cookie into the service response header filter', () => {
    const g = canary('gatewayapi:v1', affinity(), { headers: { response: { add: { 'x-a': '1' } } } });
    const [deletion] = rulesOf(renderObjects(g, r(100, 0), { phase: 'Failed' }));
    expect(deletion?.['filters']).toEqual([
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          add: [
            { name: 'x-a', value: '1' },
            { name: 'Set-Cookie', value: `flagger-cookie=${cookieValue('test/podinfo/run-1')}; Max-Age=-1` },
          ],
        },
      },
    ]);
  });
});

describe('istio strategies', () => {
  it('A/B crosses analysis × service matches, replacing headers', () => {
    const c = canary(
      'istio',
      { iterations: 3, match: [{ headers: { a: { exact: '1' } } }, { headers: { b: { regex: '2' } } }] },
      { match: [{ uri: { prefix: '/api' }, headers: { t: { exact: 'x' } } }, { uri: { exact: '/' } }] },
    );
    const [matched, rest] = rulesOf(renderObjects(c, r(0, 100)));
    expect(matched?.['match']).toEqual([
      { uri: { prefix: '/api' }, headers: { a: { exact: '1' } } },
      { uri: { exact: '/' }, headers: { a: { exact: '1' } } },
      { uri: { prefix: '/api' }, headers: { b: { regex: '2' } } },
      { uri: { exact: '/' }, headers: { b: { regex: '2' } } },
    ]);
    expect(rest).toEqual({
      match: [{ uri: { prefix: '/api' }, headers: { t: { exact: 'x' } } }, { uri: { exact: '/' } }],
      route: [{ destination: { host: 'podinfo-primary' }, weight: 0 }],
    });
  });

  it('the A/B routes replace a mirror', () => {
    const c = canary('istio', { ...ab, mirror: true });
    expect(JSON.stringify(rulesOf(renderObjects(c, r(0, 100, true))))).not.toContain('mirror');
  });

  it('blue/green mirroring honours mirrorWeight', () => {
    const c = canary('istio', { ...bgMirror, mirrorWeight: 25 });
    expect(rulesOf(renderObjects(c, r(100, 0, true)))[0]).toMatchObject({
      mirror: { host: 'podinfo-canary' },
      mirrorPercentage: { value: 25 },
    });
  });

  it('the api version annotation picks networking.istio.io/v1 for every object', () => {
    const c = canary('istio', { stepWeight: 10 }, {}, { 'gitcanary.dev/istio-api-version': 'v1' });
    const istio = renderObjects(c, r(90, 10)).filter((o) => o.apiVersion.startsWith('networking.istio.io'));
    expect(istio.map((o) => `${o.kind} ${o.apiVersion}`)).toEqual([
      'DestinationRule networking.istio.io/v1',
      'DestinationRule networking.istio.io/v1',
      'VirtualService networking.istio.io/v1',
    ]);
    expect(roundTrip(c, r(90, 10))).toEqual(r(90, 10));
  });

  it('validate names the annotation path for an unknown api version', () => {
    const c = canary('istio', { stepWeight: 10 }, {}, { 'gitcanary.dev/istio-api-version': 'v1alpha3' });
    expect(routerFor('istio').validate(c)).toEqual([
      {
        path: 'metadata.annotations.gitcanary.dev/istio-api-version',
        message: 'must be one of v1beta1, v1',
      },
    ]);
  });

  it('validate reports analysis.match fields the merge with service.match drops, and tcp routes', () => {
    const c = canary(
      'istio',
      { iterations: 3, match: [{ headers: { a: { exact: '1' } }, queryParams: { q: { exact: '1' } } }] },
      { match: [{ uri: { prefix: '/' } }] },
    );
    expect(
      routerFor('istio')
        .validate(c)
        .map((i) => i.path),
    ).toEqual(['spec.analysis.match[0].queryParams']);
    const tcp = canary('istio', { ...affinity() }, { appProtocol: 'tcp' });
    expect(
      routerFor('istio')
        .validate(tcp)
        .map((i) => i.path),
    ).toEqual(['spec.analysis.sessionAffinity']);
  });

  it('accepts port discovery', () => {
    const c = canary('istio', { stepWeight: 10 }, { portDiscovery: true });
    expect(routerFor('istio').validate(c)).toEqual([]);
  });
});

describe('gateway API strategies', () => {
  it('A/B merges analysis headers and queryParams into each service match; rule 1 is primary 100', () => {
    const c = canary(
      'gatewayapi:v1',
      { iterations: 3, match: [{ headers: { a: { exact: '1' } } }, { queryParams: { q: { regex: 'x' } } }] },
      { match: [{ uri: { prefix: '/api' }, method: { exact: 'GET' } }] },
    );
    const [matched, rest] = rulesOf(renderObjects(c, r(0, 100)));
    expect(matched?.['matches']).toEqual([
      {
        path: { type: 'PathPrefix', value: '/api' },
        headers: [{ type: 'Exact', name: 'a', value: '1' }],
        method: 'GET',
      },
      {
        path: { type: 'PathPrefix', value: '/api' },
        queryParams: [{ type: 'RegularExpression', name: 'q', value: 'x' }],
        method: 'GET',
      },
    ]);
    expect(rest?.['backendRefs']).toEqual([
      { group: '', kind: 'Service', name: 'podinfo-primary', port: 9898, weight: 100 },
    ]);
  });

  it('mirrors blue/green traffic only while routes.mirrored', () => {
    const c = canary('gatewayapi:v1', bgMirror);
    expect(JSON.stringify(rulesOf(renderObjects(c, r(100, 0, true))))).toContain('RequestMirror');
    expect(JSON.stringify(rulesOf(renderObjects(c, r(0, 100))))).not.toContain('RequestMirror');
  });

  it('validate: canary-strategy mirroring, untranslatable or ignored analysis matches, v1beta1 primary cookie', () => {
    const paths = (c: LoadedCanary) =>
      routerFor(c.provider)
        .validate(c)
        .map((i) => i.path);
    expect(paths(canary('gatewayapi:v1', { stepWeight: 10, mirror: true }))).toEqual([
      'spec.analysis.mirror',
    ]);
    const abBad = canary('gatewayapi:v1', {
      iterations: 3,
      match: [{ headers: { a: { prefix: 'x' } }, uri: { prefix: '/' }, sourceLabels: { app: 'a' } }],
    });
    expect(paths(abBad)).toEqual([
      'spec.analysis.match[0].headers.a',
      'spec.analysis.match[0].sourceLabels',
      'spec.analysis.match[0].uri',
    ]);
    const primaryCookie = affinity({ primaryCookieName: 'p' });
    expect(paths(canary('gatewayapi:v1beta1', primaryCookie))).toEqual([
      'spec.analysis.sessionAffinity.primaryCookieName',
    ]);
    expect(paths(canary('gatewayapi:v1', primaryCookie))).toEqual([]);
  });
});
