/**
 * The nginx, skipper and kubernetes routers: rendered splits read back unchanged (through the
 * serialized bytes), the A/B annotations, the errors naming a missing or unusable Ingress, and
 * validation of what these providers cannot honour.
 */
import { describe, expect, it } from 'vitest';
import type { Routes } from '../../src/core/types.js';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import { currentRoutes, render } from '../../src/render/render.js';
import type { RenderInput } from '../../src/render/types.js';
import { kubernetesRouter } from '../../src/routers/kubernetes.js';
import { annotationsPrefixAnnotation, nginxRouter } from '../../src/routers/nginx.js';
import { abRule } from '../../src/routers/nginx-match.js';
import { backendWeights, insertPredicate, skipperRouter } from '../../src/routers/skipper.js';
import type { RouterInput } from '../../src/routers/types.js';
import { loadedCanary, parseObjects } from './cases.js';

interface CanaryOpts {
  analysis?: Record<string, unknown>;
  ingressRef?: boolean;
  annotations?: Record<string, string>;
  /** Put the analysis under the deprecated `canaryAnalysis`. */
  legacy?: boolean;
}

function canary(provider: string, opts: CanaryOpts = {}): LoadedCanary {
  const analysis = { interval: '1m', threshold: 5, stepWeight: 10, ...opts.analysis };
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: {
      name: 'podinfo',
      namespace: 'test',
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...(opts.ingressRef === false
        ? {}
        : { ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' } }),
      service: { port: 80, targetPort: 9898 },
      ...(opts.legacy ? { canaryAnalysis: analysis } : { analysis }),
    },
  });
}

const ab = (headers: Record<string, Record<string, string>>) => ({
  iterations: 5,
  stepWeight: undefined,
  match: [{ headers }],
});

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

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

/** The user's Ingress `web`: `/` and `/api` to podinfo, `/static` to cdn. */
function userIngress(overrides: Partial<K8sObject> = {}): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      namespace: 'test',
      annotations: {
        'nginx.ingress.kubernetes.io/canary-weight': '5',
        'nginx.ingress.kubernetes.io/rewrite-target': '/',
        'custom.example.com/canary': 'kept',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend('podinfo') },
              { path: '/static', pathType: 'Prefix', backend: backend('cdn') },
              { path: '/api', pathType: 'Prefix', backend: backend('podinfo') },
            ],
          },
        },
      ],
    },
    ...overrides,
  };
}

function renderInput(c: LoadedCanary, routes: Routes, objects: K8sObject[], iterations = 0): RenderInput {
  return {
    canary: c,
    source: { origin: { file: 'apps/podinfo/deployment.yaml', line: 1 }, object: deployment, configs: [] },
    primary: { from: 'source' },
    canaryReplicas: 'source',
    routes,
    phase: 'Progressing',
    iterations,
    revision: 'r1',
    runRevision: 'r1',
    lookup: (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name),
  };
}

function routerInput(c: LoadedCanary, iterations = 0): Omit<RouterInput, 'routes'> {
  return {
    canary: c,
    namespace: 'test',
    apex: 'podinfo',
    target: 'podinfo',
    phase: 'Progressing',
    iterations,
    runRevision: 'r1',
    lookup: () => undefined,
  };
}

/** Every rendered object, parsed back from the bytes. */
function renderedObjects(c: LoadedCanary, routes: Routes, objects = [userIngress()], iterations = 0) {
  return render(renderInput(c, routes, objects, iterations)).flatMap((f) => parseObjects(f.content));
}

const canaryIngress = (objects: K8sObject[]) => {
  const found = objects.find((o) => o.kind === 'Ingress');
  if (!found) throw new Error('no Ingress rendered');
  return found;
};

function roundTrip(c: LoadedCanary, routes: Routes, iterations = 0): Routes | undefined {
  return currentRoutes(renderedObjects(c, routes, [userIngress()], iterations), routerInput(c, iterations));
}

const split = (canaryWeight: number): Routes => ({
  primary: 100 - canaryWeight,
  canary: canaryWeight,
  mirrored: false,
});

describe('nginx', () => {
  it.each([0, 5, 10, 33, 50, 90, 100])('canary weight %i reads back', (w) => {
    expect(roundTrip(canary('nginx'), split(w))).toEqual(split(w));
  });

  it('renders only the canary Ingress: apex backends renamed, canary keys and last-applied dropped', () => {
    const user = userIngress();
    user.metadata.annotations = {
      ...user.metadata.annotations,
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    };
    const before = structuredClone(user);
    const ing = canaryIngress(renderedObjects(canary('nginx'), split(30), [user]));
    expect(user).toEqual(before);
    expect(ing.metadata.name).toBe('web-canary');
    expect(ing.metadata.annotations).toEqual({
      'custom.example.com/canary': 'kept',
      'gitcanary.dev/canary': 'test/podinfo',
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '30',
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
    });
    const paths = (ing['spec'] as { rules: { http: { paths: { backend: unknown }[] } }[] }).rules[0]?.http
      .paths;
    expect(paths?.map((p) => p.backend)).toEqual([
      backend('podinfo-canary'),
      backend('cdn'),
      backend('podinfo-canary'),
    ]);
  });

  it('renames a defaultBackend naming the apex', () => {
    const user = userIngress();
    user['spec'] = { ...(user['spec'] as object), defaultBackend: backend('podinfo') };
    const ing = canaryIngress(renderedObjects(canary('nginx'), split(10), [user]));
    expect((ing['spec'] as { defaultBackend: unknown }).defaultBackend).toEqual(backend('podinfo-canary'));
  });

  it('blue/green writes the 0/100 the core decides and reads it back', () => {
    const c = canary('nginx', { analysis: { iterations: 3, stepWeight: undefined } });
    expect(roundTrip(c, split(100), 4)).toEqual(split(100));
    expect(roundTrip(c, split(0), 1)).toEqual(split(0));
  });

  it('A/B by header: header annotations while C > 0, weight stays 0; reads 0/100', () => {
    const c = canary('nginx', { analysis: ab({ 'x-canary': { exact: 'insider' } }) });
    const objects = renderedObjects(c, split(100));
    expect(canaryIngress(objects).metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'insider',
      'nginx.ingress.kubernetes.io/canary-weight': '0',
    });
    expect(currentRoutes(objects, routerInput(c))).toEqual(split(100));
  });

  it('A/B by header regex writes canary-by-header-pattern', () => {
    const c = canary('nginx', { analysis: ab({ 'user-agent': { regex: '.*Firefox.*' } }) });
    const annotations = canaryIngress(renderedObjects(c, split(100))).metadata.annotations;
    expect(annotations?.['nginx.ingress.kubernetes.io/canary-by-header']).toBe('user-agent');
    expect(annotations?.['nginx.ingress.kubernetes.io/canary-by-header-pattern']).toBe('.*Firefox.*');
    expect(annotations?.['nginx.ingress.kubernetes.io/canary-by-header-value']).toBeUndefined();
  });

  it('A/B at C = 0 is the reset: no by-header/by-cookie keys, reads 100/0', () => {
    const c = canary('nginx', { analysis: ab({ cookie: { exact: 'canary' } }) });
    const objects = renderedObjects(c, split(0));
    const annotations = canaryIngress(objects).metadata.annotations ?? {};
    expect(Object.keys(annotations).filter((k) => k.includes('canary-by'))).toEqual([]);
    expect(currentRoutes(objects, routerInput(c))).toEqual(split(0));
  });

  it('a by-header annotation counts only when the canary has analysis.match (Flagger GetRoutes)', () => {
    const objects = renderedObjects(canary('nginx', { analysis: ab({ 'x-a': { exact: '1' } }) }), split(100));
    expect(currentRoutes(objects, routerInput(canary('nginx')))).toEqual(split(0));
  });

  it('the Canary annotation overrides the annotation prefix', () => {
    const c = canary('nginx', { annotations: { [annotationsPrefixAnnotation]: 'example.com/' } });
    const objects = renderedObjects(c, split(40));
    expect(canaryIngress(objects).metadata.annotations).toMatchObject({
      'example.com/canary': 'true',
      'example.com/canary-weight': '40',
      'nginx.ingress.kubernetes.io/canary-weight': '5',
    });
    expect(currentRoutes(objects, routerInput(c))).toEqual(split(40));
  });

  it('reads a missing weight as 0 and refuses a weight that is not 0–100', () => {
    const c = canary('nginx');
    const ing = canaryIngress(renderedObjects(c, split(10)));
    delete ing.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'];
    expect(nginxRouter.readRoutes([ing], routerInput(c))).toEqual(split(0));
    ing.metadata.annotations = { 'nginx.ingress.kubernetes.io/canary-weight': 'ten' };
    expect(() => nginxRouter.readRoutes([ing], routerInput(c))).toThrow(
      'Ingress test/web-canary nginx.ingress.kubernetes.io/canary-weight: "ten" is not a weight between 0 and 100',
    );
  });

  it('no canary Ingress or no ingressRef means no routes', () => {
    expect(nginxRouter.readRoutes([], routerInput(canary('nginx')))).toBeUndefined();
    expect(nginxRouter.readRoutes([], routerInput(canary('nginx', { ingressRef: false })))).toBeUndefined();
  });
});

describe('nginx A/B translation (abRule)', () => {
  it('keeps only the last header and the last cookie, as Flagger', () => {
    expect(
      abRule([
        { headers: { 'x-a': { exact: '1' } } },
        { headers: { cookie: { exact: 'canary' } } },
        { headers: { 'x-b': { regex: '^b' } } },
      ]),
    ).toEqual({ header: 'x-b', headerPattern: '^b', cookie: 'canary' });
    expect(abRule([{ headers: { 'x-a': { exact: '1', regex: '^1$' } } }])).toEqual({
      header: 'x-a',
      headerValue: '1',
      headerPattern: '^1$',
    });
  });
});

describe('skipper', () => {
  it.each([0, 5, 10, 33, 50, 90, 100])('canary weight %i reads back', (w) => {
    expect(roundTrip(canary('skipper'), split(w))).toEqual(split(w));
  });

  it('switches apex paths to -primary and appends -canary copies per rule', () => {
    const ing = canaryIngress(renderedObjects(canary('skipper'), split(20)));
    const paths = (ing['spec'] as { rules: { http: { paths: { path: string; backend: unknown }[] } }[] })
      .rules[0]?.http.paths;
    expect(paths?.map((p) => [p.path, p.backend])).toEqual([
      ['/', backend('podinfo-primary')],
      ['/static', backend('cdn')],
      ['/api', backend('podinfo-primary')],
      ['/', backend('podinfo-canary')],
      ['/api', backend('podinfo-canary')],
    ]);
    expect(ing.metadata.annotations?.['zalando.org/backend-weights']).toBe(
      '{"podinfo-canary":20,"podinfo-primary":80}',
    );
    expect(ing.metadata.annotations?.['zalando.org/skipper-predicate']).toBe('Weight(100)');
  });

  it('predicates: Weight(100) or False() first, user predicates kept', () => {
    expect(insertPredicate(undefined, 'Weight(100)')).toBe('Weight(100)');
    expect(insertPredicate('Weight(100) && Path("/") &&  ', 'False()')).toBe('False() && Path("/")');
    expect(insertPredicate('False() && Method("GET")', 'Weight(100)')).toBe('Weight(100) && Method("GET")');
    expect(backendWeights({ 'a-primary': 100, 'a-canary': 0 })).toBe('{"a-canary":0,"a-primary":100}');
  });

  it('refuses backend weights it cannot read', () => {
    const c = canary('skipper');
    const ing = canaryIngress(renderedObjects(c, split(10)));
    ing.metadata.annotations = { 'zalando.org/backend-weights': '{"podinfo-primary":90}' };
    expect(() => skipperRouter.readRoutes([ing], routerInput(c))).toThrow(
      'no integer weight for podinfo-canary',
    );
    ing.metadata.annotations = {};
    expect(() => skipperRouter.readRoutes([ing], routerInput(c))).toThrow('annotation missing');
    expect(skipperRouter.readRoutes([], routerInput(c))).toBeUndefined();
  });
});

describe('kubernetes', () => {
  it('renders no routing object and fabricates the split from status.iterations', () => {
    const c = canary('kubernetes', { analysis: { iterations: 3, stepWeight: undefined } });
    const objects = renderedObjects(c, split(100), [], 4);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'Deployment',
      'Deployment',
      'Kustomization',
      'Service',
      'Service',
      'Service',
    ]);
    expect(kubernetesRouter.readRoutes([], routerInput(c, 0))).toEqual(split(0));
    expect(kubernetesRouter.readRoutes([], routerInput(c, 1))).toEqual(split(100));
    expect(currentRoutes(objects, routerInput(c, 4))).toEqual(split(100));
  });
});

describe('render errors name the Ingress', () => {
  it.each(['nginx', 'skipper'])('%s: Ingress missing from the repository', (provider) => {
    expect(() => renderedObjects(canary(provider), split(10), [])).toThrow(
      'Ingress test/web named by spec.ingressRef was not found in the repository',
    );
  });

  it.each(['nginx', 'skipper'])('%s: Ingress without an apex backend', (provider) => {
    const user = userIngress({
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('other') }] } }] },
    });
    expect(() => renderedObjects(canary(provider), split(10), [user])).toThrow(
      'backend podinfo not found in Ingress test/web',
    );
  });

  it('an extensions/v1beta1 Ingress is refused', () => {
    const user = userIngress({ apiVersion: 'extensions/v1beta1' });
    expect(() => renderedObjects(canary('nginx'), split(10), [user])).toThrow(
      'Ingress test/web is extensions/v1beta1; the nginx router reads networking.k8s.io/v1 Ingresses only',
    );
  });

  it('a Canary without ingressRef cannot render', () => {
    expect(() => renderedObjects(canary('nginx', { ingressRef: false }), split(10))).toThrow(
      'the nginx router needs spec.ingressRef',
    );
  });
});

describe('validate', () => {
  const paths = (c: LoadedCanary) => {
    const router = { nginx: nginxRouter, skipper: skipperRouter, kubernetes: kubernetesRouter }[
      c.provider as 'nginx' | 'skipper' | 'kubernetes'
    ];
    return router.validate(c).map((i) => i.path);
  };

  it('accepts plain canaries, blue/green, and NGINX A/B by header or cookie', () => {
    for (const p of ['nginx', 'skipper']) {
      expect(paths(canary(p))).toEqual([]);
      expect(paths(canary(p, { analysis: { iterations: 3, stepWeight: undefined } }))).toEqual([]);
    }
    expect(paths(canary('kubernetes', { ingressRef: false }))).toEqual([]);
    expect(paths(canary('nginx', { analysis: ab({ 'x-canary': { exact: 'insider' } }) }))).toEqual([]);
    expect(paths(canary('nginx', { analysis: ab({ 'x-canary': { regex: '^in' } }) }))).toEqual([]);
    expect(paths(canary('nginx', { analysis: ab({ cookie: { exact: 'canary' } }) }))).toEqual([]);
  });

  it.each(['nginx', 'skipper'])('%s needs spec.ingressRef', (p) => {
    const issues = (p === 'nginx' ? nginxRouter : skipperRouter).validate(canary(p, { ingressRef: false }));
    expect(issues).toEqual([
      {
        path: 'spec.ingressRef',
        message: `the ${p} router needs spec.ingressRef naming the Ingress that routes to the apex Service`,
      },
    ]);
  });

  it('skipper rejects A/B', () => {
    const issues = skipperRouter.validate(
      canary('skipper', { analysis: ab({ 'x-canary': { exact: 'a' } }) }),
    );
    expect(issues).toEqual([
      {
        path: 'spec.analysis.match',
        message: 'A/B testing (analysis.match) is not supported by the skipper router',
      },
    ]);
  });

  it.each(['nginx', 'skipper', 'kubernetes'])('%s rejects mirroring and session affinity', (p) => {
    const c = canary(p, { analysis: { mirror: true, sessionAffinity: { cookieName: 'c' } } });
    expect(paths(c)).toEqual(['spec.analysis.mirror', 'spec.analysis.sessionAffinity']);
    expect(paths(canary(p, { analysis: { mirror: false } }))).toEqual([]);
  });

  it('kubernetes rejects analysis.match (Flagger clears it with a warning)', () => {
    const c = canary('kubernetes', { ingressRef: false, analysis: ab({ 'x-canary': { exact: 'a' } }) });
    expect(paths(c)).toEqual(['spec.analysis.match']);
  });

  it('names the deprecated canaryAnalysis block when that is the one set', () => {
    const c = canary('skipper', { legacy: true, analysis: { mirror: true } });
    expect(paths(c)).toEqual(['spec.canaryAnalysis.mirror']);
  });

  it('nginx reports match conditions NGINX cannot express', () => {
    const c = canary('nginx', {
      analysis: {
        iterations: 5,
        stepWeight: undefined,
        match: [
          { uri: { prefix: '/api' }, headers: { 'x-a': { prefix: 'a' } } },
          { headers: { cookie: { regex: 'can.*' } } },
          { queryParams: { q: { exact: '1' } } },
          { headers: { 'x-b': {} } },
        ],
      },
    });
    expect(paths(c)).toEqual([
      'spec.analysis.match[0].uri',
      'spec.analysis.match[0].headers.x-a',
      'spec.analysis.match[1].headers.cookie',
      'spec.analysis.match[2].queryParams',
      'spec.analysis.match[2].headers',
      'spec.analysis.match[3].headers.x-b',
    ]);
  });

  it('nginx A/B needs iterations', () => {
    const c = canary('nginx', { analysis: { match: [{ headers: { 'x-a': { exact: '1' } } }] } });
    expect(paths(c)).toEqual(['spec.analysis.match']);
  });
});
