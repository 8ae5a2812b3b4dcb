/**
 * Traefik router (Flagger `pkg/router/traefik.go`, `traefik.io/v1alpha1`): a TraefikService
 * `<apex>` doing weighted round robin between `<apex>-primary` and `<apex>-canary`. The user's
 * own IngressRoute points at it (`services: [{name: <apex>, kind: TraefikService}]`); gitcanary,
 * like Flagger, never creates or edits IngressRoutes. No A/B, mirroring or session affinity.
 */
import type { Routes } from '../core/types.js';
import type { K8sObject } from '../inputs/model.js';
import { list, type Raw, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, weightOf } from './common.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

/** API version of the TraefikService (Flagger 1.42+; earlier releases used `traefik.containo.us`). */
export const traefikApiVersion = 'traefik.io/v1alpha1';

/**
 * One weighted service. Flagger's `weight` is `omitempty`, so a 0 weight is left out (Traefik
 * then applies its own default weight, 1).
 * @example weightedService('podinfo-primary', 'test', 80, 0) // { name: 'podinfo-primary', namespace: 'test', port: 80 }
 */
export function weightedService(name: string, namespace: string, port: number, weight: number): Raw {
  return { name, namespace, port, ...(weight > 0 ? { weight } : {}) };
}

/**
 * The weighted services for a split: the primary always, the canary only when its weight is
 * above 0 (Flagger `SetRoutes`).
 * @example weightedServices(podinfo, { primary: 100, canary: 0 }).map((s) => s['name']) // ['podinfo-primary']
 */
export function weightedServices(input: RouterInput): Raw[] {
  const names = serviceNames(input);
  const port = input.canary.canary.spec.service.port;
  const { primary, canary } = input.routes;
  return [
    weightedService(names.primary, input.namespace, port, primary),
    ...(canary > 0 ? [weightedService(names.canary, input.namespace, port, canary)] : []),
  ];
}

function traefikService(input: RouterInput): K8sObject {
  return {
    apiVersion: traefikApiVersion,
    kind: 'TraefikService',
    metadata: routeMeta(input),
    spec: { weighted: { services: weightedServices(input) } },
  };
}

/**
 * The split written in TraefikService `<apex>`: the weights of the `-primary` and `-canary`
 * services, an omitted weight or an absent canary entry reading as 0. Undefined when the
 * TraefikService or its primary entry is missing.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const ts = findObject(rendered, 'TraefikService', input.apex);
  if (!ts) return undefined;
  const names = serviceNames(input);
  const services = list(rec(rec(ts['spec'])['weighted'])['services']).map(rec);
  const primary = services.find((s) => s['name'] === names.primary);
  if (!primary) return undefined;
  const canary = services.find((s) => s['name'] === names.canary);
  return { primary: weightOf(primary['weight']), canary: weightOf(canary?.['weight']), mirrored: false };
}

/** Provider `traefik`: TraefikService with weighted services. */
export const traefikRouter: Router = {
  render: (input) => [traefikService(input)],
  readRoutes,
  validate: (c) => lackingFeatures(c, 'traefik', ['match', 'mirror', 'sessionAffinity']),
};
