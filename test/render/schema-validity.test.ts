/**
 * Every object of every golden case (golden.test.ts keeps `expected/` byte-identical to what render
 * produces) matches the published schema of its kind (object-schemas.ts), has no unknown keys where
 * the schema describes them, and every traffic split in it sends 100% of the traffic
 * (routing-weights.ts). A kind without a schema fails, so a new router cannot slip through.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../src/inputs/model.js';
import { list, rec } from '../../src/render/meta.js';
import { supportedProviders } from '../../src/routers/registry.js';
import { parseObjects } from './cases.js';
import { keyOf, schemaErrors } from './object-schemas.js';
import { contourRuleErrors, splitErrors, splitKinds } from './routing-weights.js';

const root = resolve('fixtures/golden');
/** Golden folder of a provider: `gatewayapi:v1` → `gatewayapi-v1`. */
const folderOf = (provider: string) => provider.replace(':', '-');

interface RenderedFile {
  file: string;
  objects: K8sObject[];
}

const cases = readdirSync(root).flatMap((provider) =>
  readdirSync(join(root, provider)).map((name) => {
    const expected = join(root, provider, name, 'expected');
    const files: RenderedFile[] = existsSync(expected)
      ? readdirSync(expected).map((file) => ({
          file,
          objects: parseObjects(readFileSync(join(expected, file), 'utf8')),
        }))
      : [];
    return { name: `${provider}/${name}`, provider, files };
  }),
);

/** Every problem of one rendered file, as `file: kind name: message` lines. */
function fileErrors({ file, objects }: RenderedFile, siblings: string[]): string[] {
  if (objects.length !== 1 || !objects[0]) return [`${file}: holds ${objects.length} documents, not 1`];
  const o = objects[0];
  const at = `${file}: ${o.kind} ${o.metadata?.name ?? ''}`.trimEnd();
  const problems = [...schemaErrors(o), ...splitErrors(o), ...contourRuleErrors(o)];
  if (o.kind === 'Kustomization') {
    const resources = list(rec(o)['resources']);
    if (file !== 'kustomization.yaml') problems.push('a Kustomization must be kustomization.yaml');
    if (JSON.stringify(resources) !== JSON.stringify(siblings))
      problems.push(
        `resources ${JSON.stringify(resources)} are not the other files ${JSON.stringify(siblings)}`,
      );
  } else if (file !== `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`) {
    problems.push(`file name should be ${o.kind.toLowerCase()}-${o.metadata.name}.yaml`);
  }
  return problems.map((p) => `${at}: ${p}`);
}

describe('every golden case renders schema-valid objects', () => {
  it('every provider of the registry has golden cases, and every golden folder is a provider', () => {
    const folders = readdirSync(root).sort();
    expect(folders).toEqual(supportedProviders().map(folderOf).sort());
    for (const f of folders) expect(cases.filter((c) => c.provider === f).length, f).toBeGreaterThan(0);
  });

  it('every provider has an idle and a mid-rollout case', () => {
    // gatewayapi:v1beta1 shares v1's renderer (its idle case is v1's); kubernetes renders no routing object.
    const exceptions = ['gatewayapi-v1beta1', 'kubernetes'];
    for (const p of supportedProviders()
      .map(folderOf)
      .filter((p) => !exceptions.includes(p))) {
      const names = cases.filter((c) => c.provider === p).map((c) => c.name);
      expect(names, p).toContain(`${p}/idle`);
      expect(names.length, p).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(cases)('$name', ({ provider, files }) => {
    expect(files.length).toBeGreaterThan(0);
    const names = files.map((f) => f.file);
    const siblings = names.filter((f) => f !== 'kustomization.yaml').sort();
    expect(names).toContain('kustomization.yaml');
    expect(files.flatMap((f) => fileErrors(f, siblings))).toEqual([]);
    const routing = files
      .flatMap((f) => f.objects)
      .filter((o) => splitKinds.has(o.kind) || o.apiVersion === 'serving.knative.dev/v1');
    if (provider !== 'kubernetes') expect(routing.length, 'routing objects').toBeGreaterThan(0);
  });
});

describe('the checks catch invalid objects', () => {
  const base = (dir: string, kind: string): K8sObject => {
    const c = cases.find((x) => x.name === dir);
    const o = c?.files.flatMap((f) => f.objects).find((x) => x.kind === kind);
    if (!o) throw new Error(`${dir} has no ${kind}`);
    return structuredClone(o);
  };
  const spec = (o: K8sObject) => rec(o['spec']);

  it('a kind without a schema', () => {
    const o: K8sObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(schemaErrors(o)).toEqual([
      'no schema for example.com/v1/Widget: add one to test/render/object-schemas.ts',
    ]);
  });

  it('a VirtualService with a misspelt key, at the top of spec and deeper', () => {
    const o = base('istio/weight-10', 'VirtualService');
    spec(o)['htttp'] = spec(o)['http'];
    rec(list(spec(o)['http'])[0])['rout'] = [];
    expect(schemaErrors(o)).toEqual([
      '/spec/http/0/rout is not a known field',
      '/spec/htttp is not a known field',
    ]);
  });

  it('a networking.istio.io/v1 VirtualService is checked against the v1beta1 schema', () => {
    const o = base('istio/v1-weight-10', 'VirtualService');
    expect(keyOf(o)).toBe('networking.istio.io/v1/VirtualService');
    expect(schemaErrors(o)).toEqual([]);
    rec(list(rec(list(spec(o)['http'])[0])['route'])[0])['weight'] = '90';
    expect(schemaErrors(o).join()).toMatch(/weight must be integer/);
  });

  it('an HTTPRoute with a negative weight and a misspelt rules key', () => {
    const o = base('gatewayapi-v1/weight-30', 'HTTPRoute');
    const rule = rec(list(spec(o)['rules'])[0]);
    rec(list(rule['backendRefs'])[0])['weight'] = -1;
    rule['filtres'] = [];
    const errors = schemaErrors(o);
    expect(errors.join()).toMatch(/weight must be >= 0/);
    expect(errors).toContain('/spec/rules/0/filtres is not a known field');
  });

  it('a Gateway API CORS filter is checked against the experimental-channel schema', () => {
    const o = base('gatewayapi-v1/weight-30', 'HTTPRoute');
    const filters = list(rec(list(spec(o)['rules'])[0])['filters']);
    const cors = rec(rec(filters.find((f) => rec(f)['type'] === 'CORS'))['cors']);
    cors['maxAge'] = 0;
    cors['allowMethod'] = ['GET'];
    expect(schemaErrors(o)).toEqual([
      '/spec/rules/0/filters/3/cors must NOT have additional properties: allowMethod',
      '/spec/rules/0/filters/3/cors/maxAge must be >= 1',
    ]);
  });

  it('a TraefikService weight that is not an integer, and a misspelt spec key', () => {
    const o = base('traefik/weight-5', 'TraefikService');
    rec(list(rec(spec(o)['weighted'])['services'])[0])['weight'] = '95';
    spec(o)['mirorring'] = {};
    const errors = schemaErrors(o);
    expect(errors.join()).toMatch(/weight must be integer/);
    expect(errors).toContain('/spec/mirorring is not a known field');
  });

  it('an Ingress with bad rules, a numeric annotation, a path without pathType, or a misspelt key', () => {
    const o = base('nginx/weight-20', 'Ingress');
    expect(schemaErrors({ ...o, spec: { rules: 'no' } }).join()).toMatch(/rules must be array/);
    expect(
      schemaErrors({ ...o, metadata: { name: 'x', annotations: { weight: 10 } as never } }).join(),
    ).toMatch(/weight must be string/);
    const noPathType = { rules: [{ http: { paths: [{ path: '/', backend: {} }] } }] };
    expect(schemaErrors({ ...o, spec: noPathType }).join()).toMatch(/required property pathType/);
    expect(schemaErrors({ ...o, spec: { ...spec(o), ingresClassName: 'nginx' } })).toEqual([
      '/spec/ingresClassName is not a known field',
    ]);
  });

  it('a Service with a misspelt spec key', () => {
    const o = base('istio/idle', 'Service');
    spec(o)['prots'] = spec(o)['ports'];
    expect(schemaErrors(o)).toEqual(['/spec/prots is not a known field']);
  });

  it('an HTTPProxy retryOn value Contour does not know, and a misspelt key', () => {
    const o = base('contour/weight-30', 'HTTPProxy');
    const route = rec(list(spec(o)['routes'])[0]);
    rec(route['retryPolicy'])['retryOn'] = ['5xx', 'connect-timeout'];
    route['timeoutPolicies'] = {};
    expect(schemaErrors(o)).toEqual([
      '/spec/routes/0 must NOT have additional properties: timeoutPolicies',
      '/spec/routes/0/retryPolicy/retryOn/1 must be equal to one of the allowed values',
    ]);
  });

  it('two prefix conditions in one Contour route', () => {
    const o = base('contour/ab-header', 'HTTPProxy');
    const conditions = list(rec(list(spec(o)['routes'])[0])['conditions']);
    rec(conditions[1])['prefix'] = '/api';
    expect(contourRuleErrors(o)).toEqual(['routes[0]: more than one prefix condition']);
  });

  it('a namespaced Kuma TrafficRoute', () => {
    const o = base('kuma/idle', 'TrafficRoute');
    o.metadata.namespace = 'test';
    expect(schemaErrors(o)).toEqual(['/metadata must NOT have additional properties: namespace']);
  });

  it('an SMI v1alpha1 weight that is not a quantity', () => {
    const o = base('linkerd/weight-20', 'TrafficSplit');
    rec(list(spec(o)['backends'])[0])['weight'] = 'twenty';
    expect(schemaErrors(o).join()).toMatch(/weight must match pattern/);
  });

  it('a kustomization.yaml with a misspelt key or a resource that is not a file name', () => {
    const o = base('istio/idle', 'Kustomization');
    expect(schemaErrors({ ...o, resources: [1] } as K8sObject)).toEqual(['/resources/0 must be string']);
    expect(schemaErrors({ ...o, resource: [] } as K8sObject)).toEqual([
      '(root) must NOT have additional properties: resource',
    ]);
  });

  it('splits that do not sum to 100, in any provider', () => {
    const route = base('kuma/weight-10', 'TrafficRoute');
    rec(list(rec(spec(route)['conf'])['split'])[0])['weight'] = 95;
    expect(splitErrors(route)).toEqual(['/spec/conf/split: weights 95+10 sum to 105, not 100']);
    const vs = base('istio/weight-10', 'VirtualService');
    rec(list(rec(list(spec(vs)['http'])[0])['route'])[1])['weight'] = 20;
    expect(splitErrors(vs)).toEqual(['/spec/http/0: weights 90+20 sum to 110, not 100']);
    const hr = base('gatewayapi-v1/weight-30', 'HTTPRoute');
    delete rec(list(rec(list(spec(hr)['rules'])[0])['backendRefs'])[1])['weight'];
    expect(splitErrors(hr)).toEqual(['/spec/rules/0: weights 70+1 sum to 71, not 100']);
    const ingress = base('nginx/weight-20', 'Ingress');
    ingress.metadata.annotations = { 'nginx.ingress.kubernetes.io/canary-weight': '120' };
    expect(splitErrors(ingress)).toEqual([
      'nginx.ingress.kubernetes.io/canary-weight "120" is not an integer from 0 to 100',
    ]);
    const skipper = base('skipper/weight-30', 'Ingress');
    skipper.metadata.annotations = { 'zalando.org/backend-weights': '{"a":70,"b":20}' };
    expect(splitErrors(skipper)).toEqual([
      '/metadata/annotations/zalando.org~1backend-weights: weights 70+20 sum to 90, not 100',
    ]);
    skipper.metadata.annotations = {};
    expect(splitErrors(skipper)).toEqual(['Ingress podinfo-canary has no traffic split']);
  });
});
