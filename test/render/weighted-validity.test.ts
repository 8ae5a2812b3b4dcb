/**
 * The routing objects of the Traefik, Contour, SMI (Linkerd, OSM), Gloo, Kuma and APISIX golden
 * cases (golden.test.ts keeps `expected/` byte-identical to what render produces) match their
 * published schemas: TraefikService through @kubernetes-models/traefik, the others through the
 * CRD-derived JSON Schemas of crd-schemas.ts. Every percentage split sums to 100.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TraefikService } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TraefikService';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { list, rec } from '../../src/render/meta.js';
import { readSmiWeight } from '../../src/routers/smi.js';
import type { K8sObject } from '../../src/spec/model.js';
import { parseObjects } from './cases.js';
import { crdSchemas } from './crd-schemas.js';

/** Golden provider folders whose routers live in traefik/contour/smi/gloo/kuma/apisix.ts. */
const providers = [
  'apisix',
  'contour',
  'gloo',
  'kuma',
  'linkerd',
  'osm',
  'smi-v1alpha1',
  'smi-v1alpha2',
  'smi-v1alpha3',
  'traefik',
];
const root = resolve('fixtures/golden');
const cases = providers.flatMap((provider) =>
  readdirSync(join(root, provider)).map((name) => ({
    name: `${provider}/${name}`,
    dir: join(root, provider, name),
  })),
);

const ajv = new Ajv({ allErrors: true });
const validators = Object.fromEntries(Object.entries(crdSchemas).map(([key, s]) => [key, ajv.compile(s)]));
const keyOf = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
const isRouting = (o: K8sObject) => o.kind === 'TraefikService' || keyOf(o) in validators;

/** Schema errors of a routing object, as `path message` lines (empty when valid). */
function schemaErrors(o: K8sObject): string[] {
  if (o.kind === 'TraefikService') {
    try {
      new TraefikService(o as unknown as ConstructorParameters<typeof TraefikService>[0]).validate();
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
  const validate = validators[keyOf(o)];
  if (!validate) return [`no schema for ${keyOf(o)}`];
  return validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Contour rules beyond the CRD schema: at most one prefix condition per route, starting with `/`. */
function contourRuleErrors(o: K8sObject): string[] {
  if (o.kind !== 'HTTPProxy') return [];
  return list(rec(o['spec'])['routes']).flatMap((r, i) => {
    const prefixes = list(rec(r)['conditions']).flatMap((c) => {
      const p = rec(c)['prefix'];
      return typeof p === 'string' ? [p] : [];
    });
    return [
      ...(prefixes.length > 1 ? [`routes[${i}]: more than one prefix condition`] : []),
      ...prefixes.filter((p) => !p.startsWith('/')).map((p) => `routes[${i}]: prefix ${p} must start with /`),
    ];
  });
}

/** The weights of each percentage split in a routing object (an omitted weight is 0). */
function splits(o: K8sObject): number[][] {
  const spec = rec(o['spec']);
  const w = (x: unknown) => (typeof x === 'number' ? x : 0);
  switch (o.kind) {
    case 'TraefikService':
      return [list(rec(spec['weighted'])['services']).map((s) => w(rec(s)['weight']))];
    case 'HTTPProxy':
      return list(spec['routes']).map((r) => list(rec(r)['services']).map((s) => w(rec(s)['weight'])));
    case 'TrafficSplit':
      return [list(spec['backends']).map((b) => readSmiWeight(rec(b)['weight']))];
    case 'RouteTable':
      return list(spec['routes']).map((r) =>
        list(rec(rec(rec(r)['routeAction'])['multi'])['destinations']).map((d) => w(rec(d)['weight'])),
      );
    case 'TrafficRoute':
      return [list(rec(spec['conf'])['split']).map((s) => w(rec(s)['weight']))];
    case 'ApisixRoute':
      return list(spec['http']).map((h) => list(rec(h)['backends']).map((b) => w(rec(b)['weight'])));
    default:
      return [];
  }
}

/** The routing objects among a case's expected files. */
function routingObjects(dir: string): K8sObject[] {
  const expected = join(dir, 'expected');
  if (!existsSync(expected)) return [];
  return readdirSync(expected)
    .filter((f) => f !== 'kustomization.yaml')
    .flatMap((f) => parseObjects(readFileSync(join(expected, f), 'utf8')))
    .filter(isRouting);
}

describe('weight-based routers render schema-valid routing objects', () => {
  it('covers every provider with at least an idle and a mid-rollout case', () => {
    for (const p of providers) {
      const names = cases.filter((c) => c.name.startsWith(`${p}/`)).map((c) => c.name);
      expect(names, p).toContain(`${p}/idle`);
      expect(names.length, p).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(cases)('$name', ({ dir }) => {
    const objects = routingObjects(dir);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      expect(schemaErrors(o), `${keyOf(o)} ${o.metadata.name}`).toEqual([]);
      expect(contourRuleErrors(o)).toEqual([]);
      for (const split of splits(o))
        expect(
          split.reduce((a, b) => a + b, 0),
          `${o.kind} weights`,
        ).toBe(100);
    }
  });

  it('every percentage-based object has a split', () => {
    const kinds = cases.flatMap(({ dir }) => routingObjects(dir)).filter((o) => o.kind !== 'Upstream');
    for (const o of kinds) expect(splits(o).length, o.kind).toBeGreaterThan(0);
  });
});

describe('the schemas catch invalid objects', () => {
  const base = (dir: string, kind: string): K8sObject => {
    const o = routingObjects(join(root, dir)).find((x) => x.kind === kind);
    if (!o) throw new Error(`${dir} has no ${kind}`);
    return structuredClone(o);
  };

  it('a TraefikService weight that is not an integer', () => {
    const o = base('traefik/weight-5', 'TraefikService');
    rec(list(rec(rec(o['spec'])['weighted'])['services'])[0])['weight'] = '95';
    expect(schemaErrors(o).join()).toMatch(/weight must be integer/);
  });

  it('an HTTPProxy retryOn value Contour does not know, and a misspelt key', () => {
    const o = base('contour/weight-30', 'HTTPProxy');
    const route = rec(list(rec(o['spec'])['routes'])[0]);
    rec(route['retryPolicy'])['retryOn'] = ['5xx', 'connect-timeout'];
    route['timeoutPolicies'] = {};
    expect(schemaErrors(o)).toEqual([
      '/spec/routes/0 must NOT have additional properties',
      '/spec/routes/0/retryPolicy/retryOn/1 must be equal to one of the allowed values',
    ]);
  });

  it('two prefix conditions in one Contour route', () => {
    const o = base('contour/ab-header', 'HTTPProxy');
    const conditions = list(rec(list(rec(o['spec'])['routes'])[0])['conditions']);
    rec(conditions[1])['prefix'] = '/api';
    expect(contourRuleErrors(o)).toEqual(['routes[0]: more than one prefix condition']);
  });

  it('a namespaced Kuma TrafficRoute', () => {
    const o = base('kuma/idle', 'TrafficRoute');
    o.metadata.namespace = 'test';
    expect(schemaErrors(o)).toEqual(['/metadata must NOT have additional properties']);
  });

  it('an SMI v1alpha1 weight that is not a quantity', () => {
    const o = base('linkerd/weight-20', 'TrafficSplit');
    rec(list(rec(o['spec'])['backends'])[0])['weight'] = 'twenty';
    expect(schemaErrors(o).join()).toMatch(/weight must match pattern/);
  });
});
