/**
 * The traffic splits written in rendered routing objects, and the rules they must follow beyond
 * their schemas: every percentage split sums to 100, and Contour's prefix rules.
 */

import type { K8sObject } from '../../src/inputs/model.js';
import { list, rec } from '../../src/render/meta.js';
import { readSmiWeight } from '../../src/routers/smi.js';

/** One list of weighted destinations: where it is in the object and its weights. */
export interface Split {
  at: string;
  weights: number[];
}

/**
 * Kinds whose every object must hold at least one split (Upstreams, DestinationRules, App Mesh
 * VirtualNodes and v1beta2 VirtualServices hold none).
 */
export const splitKinds: ReadonlySet<string> = new Set([
  'VirtualService',
  'VirtualRouter',
  'HTTPRoute',
  'Ingress',
  'TraefikService',
  'HTTPProxy',
  'TrafficSplit',
  'RouteTable',
  'TrafficRoute',
  'ApisixRoute',
]);

const num = (x: unknown, omitted = 0): number =>
  typeof x === 'number' ? x : x === undefined ? omitted : NaN;

/** The weights of the entries of `entries`, read by `weight`, each list as a Split at `at[i]`. */
const splitsOf = (
  at: string,
  lists: unknown[],
  entries: (l: unknown) => unknown[],
  weight: (e: unknown) => number,
) => lists.map((l, i) => ({ at: `${at}/${i}`, weights: entries(l).map(weight) }));

/** `<prefix>/canary-weight` of an NGINX canary Ingress, as 100 − w / w, or the annotation's problem. */
function nginxSplit(annotations: Record<string, unknown>): Split[] | string {
  const entry = Object.entries(annotations).find(([k]) => k.endsWith('/canary-weight'));
  if (!entry) return [];
  const [key, raw] = entry;
  const total = annotations[key.replace(/weight$/, 'weight-total')];
  if (total !== undefined && total !== '100') return `${key}-total is ${String(total)}, not 100`;
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || Number(raw) > 100)
    return `${key} ${JSON.stringify(raw)} is not an integer from 0 to 100`;
  return [{ at: `/metadata/annotations/${key}`, weights: [100 - Number(raw), Number(raw)] }];
}

/** Skipper's `zalando.org/backend-weights`: a JSON map of Service name to weight. */
function skipperSplit(annotations: Record<string, unknown>): Split[] | string {
  const raw = annotations['zalando.org/backend-weights'];
  if (raw === undefined) return [];
  try {
    return [
      {
        at: '/metadata/annotations/zalando.org~1backend-weights',
        weights: Object.values(rec(JSON.parse(String(raw)))).map((w) => num(w)),
      },
    ];
  } catch {
    return `zalando.org/backend-weights ${String(raw)} is not JSON`;
  }
}

/**
 * App Mesh splits: the weighted targets of each route of a VirtualRouter (v1beta2 `httpRoute`) or
 * v1beta1 VirtualService (`http`). A v1beta2 VirtualService or a VirtualNode holds none.
 */
function appMeshSplits(o: K8sObject): Split[] {
  if (o.kind === 'VirtualNode' || (o.kind === 'VirtualService' && o.apiVersion.endsWith('/v1beta2')))
    return [];
  const route = o.kind === 'VirtualRouter' ? 'httpRoute' : 'http';
  return splitsOf(
    '/spec/routes',
    list(rec(o['spec'])['routes']),
    (r) => list(rec(rec(rec(r)[route])['action'])['weightedTargets']),
    (t) => num(rec(t)['weight']),
  );
}

/**
 * The splits of a routing object, or a message when one cannot be read. An omitted weight is 0,
 * except in HTTPRoutes, where the Gateway API default is 1.
 * @example splits(trafficSplit) // [{ at: '/spec/backends', weights: [80, 20] }]
 */
export function splits(o: K8sObject): Split[] | string {
  const spec = rec(o['spec']);
  const weight = (e: unknown) => num(rec(e)['weight']);
  if (o.apiVersion.startsWith('appmesh.k8s.aws/')) return appMeshSplits(o);
  switch (o.kind) {
    case 'VirtualService':
      return (['http', 'tcp', 'tls'] as const).flatMap((k) =>
        splitsOf(`/spec/${k}`, list(spec[k]), (r) => list(rec(r)['route']), weight),
      );
    case 'HTTPRoute':
      return splitsOf(
        '/spec/rules',
        list(spec['rules']),
        (r) => list(rec(r)['backendRefs']),
        (b) => num(rec(b)['weight'], 1),
      );
    case 'Ingress': {
      const annotations = rec(o.metadata.annotations);
      const nginx = nginxSplit(annotations);
      if (typeof nginx === 'string' || nginx.length > 0) return nginx;
      return skipperSplit(annotations);
    }
    case 'TraefikService':
      return [
        { at: '/spec/weighted/services', weights: list(rec(spec['weighted'])['services']).map(weight) },
      ];
    case 'HTTPProxy':
      return splitsOf('/spec/routes', list(spec['routes']), (r) => list(rec(r)['services']), weight);
    case 'TrafficSplit':
      return [
        { at: '/spec/backends', weights: list(spec['backends']).map((b) => readSmiWeight(rec(b)['weight'])) },
      ];
    case 'RouteTable':
      return splitsOf(
        '/spec/routes',
        list(spec['routes']),
        (r) => list(rec(rec(rec(r)['routeAction'])['multi'])['destinations']),
        weight,
      );
    case 'TrafficRoute':
      return [{ at: '/spec/conf/split', weights: list(rec(spec['conf'])['split']).map(weight) }];
    case 'ApisixRoute':
      return splitsOf('/spec/http', list(spec['http']), (h) => list(rec(h)['backends']), weight);
    default:
      return [];
  }
}

/**
 * Splits that do not send 100% of the traffic: every split must sum to 100, except a single Istio
 * destination, which receives all traffic whatever its weight (Flagger writes the A/B fallback
 * route as one primary destination of weight 0 during the iterations).
 * @example splitErrors(traefikServiceWith(90, 20)) // ['/spec/weighted/services: weights 90+20 sum to 110, not 100']
 */
export function splitErrors(o: K8sObject): string[] {
  const found = splits(o);
  if (typeof found === 'string') return [found];
  const appMeshWithout = o.apiVersion === 'appmesh.k8s.aws/v1beta2' && o.kind === 'VirtualService';
  if (splitKinds.has(o.kind) && !appMeshWithout && found.length === 0)
    return [`${o.kind} ${o.metadata.name} has no traffic split`];
  return found.flatMap(({ at, weights }) => {
    if (o.kind === 'VirtualService' && weights.length === 1) return [];
    const sum = weights.reduce((a, b) => a + b, 0);
    return sum === 100 ? [] : [`${at}: weights ${weights.join('+')} sum to ${sum}, not 100`];
  });
}

/** Contour rules beyond the CRD schema: at most one prefix condition per route, starting with `/`. */
export function contourRuleErrors(o: K8sObject): string[] {
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
