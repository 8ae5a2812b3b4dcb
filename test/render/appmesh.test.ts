/**
 * App Mesh routers beyond the golden cases: what validate() refuses (and why), the split read back
 * from the first route only (the A/B header route), and the v1beta2 pod selectors.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../src/inputs/model.js';
import { list, rec } from '../../src/render/meta.js';
import { appMeshRouter, appMeshV1beta2Router } from '../../src/routers/appmesh.js';
import type { RouterInput } from '../../src/routers/types.js';
import { loadedCanary } from './cases.js';
import { schemaErrors } from './object-schemas.js';
import { splitErrors } from './routing-weights.js';

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
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, meshName: 'global', ...service },
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
    },
  });
}

const workload = (label: string): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: { selector: { matchLabels: { 'app.kubernetes.io/name': label } } },
});

function input(c: ReturnType<typeof canary>, canaryWeight: number, objects: K8sObject[] = []): RouterInput {
  return {
    canary: c,
    namespace: 'test',
    apex: 'podinfo',
    target: 'podinfo',
    routes: { primary: 100 - canaryWeight, canary: canaryWeight, mirrored: false },
    phase: 'Progressing',
    iterations: 0,
    runRevision: 'rev-1',
    lookup: (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name),
  };
}

const issues = (router: typeof appMeshRouter, c: ReturnType<typeof canary>) =>
  router.validate(c).map((i) => `${i.path}: ${i.message}`);

describe('App Mesh validate', () => {
  it('appmesh (v1beta1) needs the mesh name; appmesh:v1beta2 does not', () => {
    expect(issues(appMeshRouter, canary('appmesh', { meshName: undefined }))).toEqual([
      'spec.service.meshName: appmesh needs the App Mesh name (service.meshName)',
    ]);
    expect(issues(appMeshV1beta2Router, canary('appmesh:v1beta2', { meshName: undefined }))).toEqual([]);
  });

  it('refuses what Flagger silently drops: mirroring, session affinity, non-header A/B matches', () => {
    const c = canary(
      'appmesh:v1beta2',
      {},
      { stepWeight: undefined, iterations: 2, mirror: true, match: [{ uri: { prefix: '/a' } }] },
    );
    expect(issues(appMeshV1beta2Router, c)).toEqual([
      'spec.analysis.mirror: traffic mirroring (analysis.mirror) is not supported by the appmesh:v1beta2 router',
      'spec.analysis.match[0].uri: appmesh:v1beta2 A/B routes match on headers only',
      'spec.analysis.match[0].headers: appmesh:v1beta2 A/B routes need at least one header',
    ]);
    const affinity = canary('appmesh', {}, { sessionAffinity: { cookieName: 'c' } });
    expect(issues(appMeshRouter, affinity)).toEqual([
      'spec.analysis.sessionAffinity: session affinity (analysis.sessionAffinity) is not supported by the appmesh router',
    ]);
  });

  it('more headers than one App Mesh route can match, or a header name too long', () => {
    const headers = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`x-h${i}`, { exact: 'v' }]));
    const long = { ['x'.repeat(51)]: { exact: 'v' } };
    const c = canary(
      'appmesh',
      {},
      { stepWeight: undefined, iterations: 2, match: [{ headers }, { headers: long }] },
    );
    expect(issues(appMeshRouter, c)).toEqual([
      `spec.analysis.match[1].headers: App Mesh header names have at most 50 characters: ${'x'.repeat(51)}`,
      'spec.analysis.match: an App Mesh route matches at most 10 headers, not 12',
    ]);
  });

  it('service.match beyond the first URI prefix, bad durations and unknown retry events', () => {
    const c = canary('appmesh', {
      match: [{ uri: { exact: '/x' }, method: { exact: 'GET' } }, { uri: { prefix: '/b' } }],
      timeout: '15 seconds',
      retries: { attempts: 2, perTryTimeout: '1x', retryOn: '5xx,gateway-error' },
    });
    expect(issues(appMeshRouter, c)).toEqual([
      'spec.service.match[0].method: appmesh routes match the URI prefix of service.match[0] only',
      'spec.service.match[0].uri.exact: appmesh routes match URI prefixes only',
      'spec.service.match[1].uri: appmesh routes match the URI prefix of service.match[0] only',
      'spec.service.timeout: "15 seconds" is not a duration such as 500ms or 15s',
      'spec.service.retries.perTryTimeout: "1x" is not a duration such as 500ms or 15s',
      'spec.service.retries.retryOn: App Mesh retries on server-error, gateway-error, client-error, stream-error (comma-separated, no spaces), not "5xx"',
    ]);
  });
});

describe('App Mesh routes', () => {
  const ab = {
    stepWeight: undefined,
    iterations: 2,
    match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
  };

  it('A/B: the header route carries the split and is what readRoutes reads; the fallback goes to the primary', () => {
    for (const [router, provider] of [
      [appMeshRouter, 'appmesh'],
      [appMeshV1beta2Router, 'appmesh:v1beta2'],
    ] as const) {
      const c = canary(provider, {}, ab);
      const objects = router.render(input(c, 100));
      const apex = objects.find(
        (o) => o.kind === (provider === 'appmesh' ? 'VirtualService' : 'VirtualRouter'),
      );
      const routes = list(rec(apex?.['spec'])['routes']).map(rec);
      expect(routes.map((r) => [r['name'], r['priority']])).toEqual([
        ['podinfo-a', 10],
        ['podinfo-b', 20],
      ]);
      expect(router.readRoutes(objects, input(c, 0))).toEqual({ primary: 0, canary: 100, mirrored: false });
      for (const o of objects)
        expect([...schemaErrors(o), ...splitErrors(o)], `${provider} ${o.kind}`).toEqual([]);
    }
  });

  it('the -canary router always sends everything to the canary, whatever the split', () => {
    const objects = appMeshV1beta2Router.render(input(canary('appmesh:v1beta2'), 30));
    const vr = objects.find((o) => o.kind === 'VirtualRouter' && o.metadata.name === 'podinfo-canary');
    const targets = list(
      rec(rec(rec(list(rec(vr?.['spec'])['routes'])[0])['httpRoute'])['action'])['weightedTargets'],
    );
    expect(targets).toEqual([
      { virtualNodeRef: { name: 'podinfo-canary' }, weight: 100 },
      { virtualNodeRef: { name: 'podinfo-primary' }, weight: 0 },
    ]);
  });

  it('a route without both virtual nodes reads as no routes', () => {
    const c = canary('appmesh');
    const objects = appMeshRouter.render(input(c, 20));
    const vs = objects.find((o) => o.metadata.name === 'podinfo.test')!;
    const targets = list(
      rec(rec(rec(list(rec(vs['spec'])['routes'])[0])['http'])['action'])['weightedTargets'],
    );
    targets.pop();
    expect(appMeshRouter.readRoutes(objects, input(c, 0))).toBeUndefined();
  });

  it('v1beta2 virtual nodes select pods by the workload selector label', () => {
    const objects = appMeshV1beta2Router.render(input(canary('appmesh:v1beta2'), 0, [workload('web')]));
    const selectors = objects
      .filter((o) => o.kind === 'VirtualNode')
      .map((o) => [o.metadata.name, rec(rec(o['spec'])['podSelector'])['matchLabels']]);
    expect(selectors).toEqual([
      ['podinfo-primary', { 'app.kubernetes.io/name': 'web-primary' }],
      ['podinfo-canary', { 'app.kubernetes.io/name': 'web' }],
    ]);
  });
});

describe('the App Mesh schemas catch invalid objects', () => {
  it('a weight above 100, a misspelt key, an unknown retry event', () => {
    const c = canary('appmesh:v1beta2', { retries: { attempts: 1 } });
    const vr = appMeshV1beta2Router.render(input(c, 10)).find((o) => o.kind === 'VirtualRouter')!;
    const route = rec(list(rec(vr['spec'])['routes'])[0]);
    const http = rec(route['httpRoute']);
    rec(list(rec(http['action'])['weightedTargets'])[0])['weight'] = 110;
    rec(http['retryPolicy'])['httpRetryEvents'] = ['5xx'];
    route['prority'] = 1;
    expect(schemaErrors(vr)).toEqual([
      '/spec/routes/0 must NOT have additional properties: prority',
      '/spec/routes/0/httpRoute/action/weightedTargets/0/weight must be <= 100',
      '/spec/routes/0/httpRoute/retryPolicy/httpRetryEvents/0 must be equal to one of the allowed values',
    ]);
    expect(splitErrors(vr)).toEqual(['/spec/routes/0: weights 110+90 sum to 200, not 100']);
  });

  it('a v1beta1 VirtualNode without its mesh', () => {
    const vn = appMeshRouter.render(input(canary('appmesh'), 0)).find((o) => o.kind === 'VirtualNode')!;
    delete rec(vn['spec'])['meshName'];
    expect(schemaErrors(vn)).toEqual(["/spec must have required property 'meshName'"]);
  });
});
