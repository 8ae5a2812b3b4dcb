/**
 * SMI routers (Flagger `smi.go`, `smi_v1alpha2.go`, `smi_v1alpha3.go`): a TrafficSplit `<apex>`
 * sending the traffic of `spec.service` to `<apex>-canary` and `<apex>-primary`, canary listed
 * first. `linkerd` uses `split.smi-spec.io/v1alpha1` (weights are Kubernetes quantities), `osm`
 * uses v1alpha2. No A/B, mirroring or session affinity.
 */
import type { Routes } from '../core/types.js';
import type { K8sObject } from '../inputs/model.js';
import { list, objectMeta, type Raw, rec } from '../render/meta.js';
import { findObject, serviceNames } from './common.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

/** The TrafficSplit versions Flagger writes. */
export type SmiVersion = 'v1alpha1' | 'v1alpha2' | 'v1alpha3';

/**
 * A backend weight as written: v1alpha1 weights are quantities, which Kubernetes serialises as
 * strings; v1alpha2/3 weights are numbers.
 * @example smiWeight('v1alpha1', 10) // '10'
 * @example smiWeight('v1alpha3', 10) // 10
 */
export const smiWeight = (version: SmiVersion, w: number): number | string =>
  version === 'v1alpha1' ? String(w) : w;

/**
 * A written backend weight as a number: a number, or a quantity string holding a whole number.
 * Anything else (`500m`, `1k`, absent) reads as 0, as Flagger's `AsInt64` check leaves it.
 * @example readSmiWeight('10') // 10
 * @example readSmiWeight('500m') // 0
 */
export function readSmiWeight(x: unknown): number {
  if (typeof x === 'number') return x;
  return typeof x === 'string' && /^[0-9]+$/.test(x) ? Number(x) : 0;
}

/** The apex service of the split: `service.hosts[0]`, else the apex name. */
const splitService = (input: Omit<RouterInput, 'routes'>): string =>
  input.canary.canary.spec.service.hosts?.[0] ?? input.apex;

function trafficSplit(input: RouterInput, version: SmiVersion): K8sObject {
  const names = serviceNames(input);
  const backend = (service: string, w: number): Raw => ({ service, weight: smiWeight(version, w) });
  return {
    apiVersion: `split.smi-spec.io/${version}`,
    kind: 'TrafficSplit',
    // Flagger puts no service.apex metadata on the TrafficSplit.
    metadata: objectMeta(input.apex, input.namespace),
    spec: {
      service: splitService(input),
      backends: [backend(names.canary, input.routes.canary), backend(names.primary, input.routes.primary)],
    },
  };
}

/**
 * The split written in TrafficSplit `<apex>`: the weights of the `-primary` and `-canary`
 * backends. Undefined without the TrafficSplit or when neither backend is listed.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const ts = findObject(rendered, 'TrafficSplit', input.apex);
  if (!ts) return undefined;
  const names = serviceNames(input);
  const backends = list(rec(ts['spec'])['backends']).map(rec);
  const primary = backends.find((b) => b['service'] === names.primary);
  const canary = backends.find((b) => b['service'] === names.canary);
  if (!primary && !canary) return undefined;
  return {
    primary: readSmiWeight(primary?.['weight']),
    canary: readSmiWeight(canary?.['weight']),
    mirrored: false,
  };
}

function smiRouter(version: SmiVersion, provider: string): Router {
  return {
    render: (input) => [trafficSplit(input, version)],
    readRoutes,
    validate: (c) => lackingFeatures(c, provider, ['match', 'mirror', 'sessionAffinity']),
  };
}

/** Provider `linkerd`: TrafficSplit `split.smi-spec.io/v1alpha1`. */
export const linkerdRouter: Router = smiRouter('v1alpha1', 'linkerd');
/** Provider `osm`: TrafficSplit `split.smi-spec.io/v1alpha2`. */
export const osmRouter: Router = smiRouter('v1alpha2', 'osm');
/** Provider `smi:v1alpha1`. */
export const smiV1alpha1Router: Router = smiRouter('v1alpha1', 'smi:v1alpha1');
/** Provider `smi:v1alpha2`. */
export const smiV1alpha2Router: Router = smiRouter('v1alpha2', 'smi:v1alpha2');
/** Provider `smi:v1alpha3`. */
export const smiV1alpha3Router: Router = smiRouter('v1alpha3', 'smi:v1alpha3');
