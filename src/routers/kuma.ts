/**
 * Kuma router (Flagger `pkg/router/kuma.go`, `kuma.io/v1alpha1`): a cluster-scoped TrafficRoute
 * `<apex>` in the mesh named by the Canary annotation `kuma.io/mesh` (default `default`), splitting
 * the traffic for `<apex>_<ns>_svc_<port>` between the primary and canary Kuma services. No
 * namespace and no owner reference. No A/B, mirroring or session affinity.
 */
import type { Routes } from '../core/types.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { list, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, weightOf } from './common.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

/** The Kuma tag naming a service. */
const serviceTag = 'kuma.io/service';

/**
 * The Kuma mesh of a canary: the annotation `kuma.io/mesh`, else `default`.
 * @example kumaMesh(podinfo) // 'default'
 */
export const kumaMesh = (c: LoadedCanary): string =>
  c.canary.metadata.annotations?.['kuma.io/mesh'] ?? 'default';

/**
 * The `kuma.io/service` tag Kuma gives a Kubernetes Service port.
 * @example kumaService('podinfo-primary', 'test', 9898) // 'podinfo-primary_test_svc_9898'
 */
export const kumaService = (service: string, namespace: string, port: number): string =>
  `${service}_${namespace}_svc_${port}`;

function trafficRoute(input: RouterInput): K8sObject {
  const names = serviceNames(input);
  const port = input.canary.canary.spec.service.port;
  const tag = (service: string) => ({ [serviceTag]: kumaService(service, input.namespace, port) });
  const { namespace: _clusterScoped, ...metadata } = routeMeta(input);
  return {
    apiVersion: 'kuma.io/v1alpha1',
    kind: 'TrafficRoute',
    mesh: kumaMesh(input.canary),
    metadata,
    spec: {
      sources: [{ match: { [serviceTag]: '*' } }],
      destinations: [{ match: tag(names.apex) }],
      conf: {
        split: [
          { weight: input.routes.primary, destination: tag(names.primary) },
          { weight: input.routes.canary, destination: tag(names.canary) },
        ],
      },
    },
  };
}

/**
 * The split written in TrafficRoute `<apex>`: the weights of the splits whose destination is the
 * primary / canary Kuma service. Undefined without the TrafficRoute or either split.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const route = findObject(rendered, 'TrafficRoute', input.apex);
  if (!route) return undefined;
  const names = serviceNames(input);
  const port = input.canary.canary.spec.service.port;
  const split = list(rec(rec(route['spec'])['conf'])['split']).map(rec);
  const find = (service: string) =>
    split.find((s) => rec(s['destination'])[serviceTag] === kumaService(service, input.namespace, port));
  const primary = find(names.primary);
  const canary = find(names.canary);
  if (!primary || !canary) return undefined;
  return { primary: weightOf(primary['weight']), canary: weightOf(canary['weight']), mirrored: false };
}

/** Provider `kuma`: cluster-scoped TrafficRoute with a weighted split. */
export const kumaRouter: Router = {
  render: (input) => [trafficRoute(input)],
  readRoutes,
  validate: (c) => lackingFeatures(c, 'kuma', ['match', 'mirror', 'sessionAffinity']),
};
