/**
 * App Mesh routers (Flagger `pkg/router/appmesh.go`, `appmesh_v1beta2.go`).
 *
 * `appmesh` writes `appmesh.k8s.aws/v1beta1`: VirtualNodes `<apex>` (resolving to the primary),
 * `<apex>-primary` and `<apex>-canary` in mesh `service.meshName`, and VirtualServices
 * `<apex>.<ns>` (virtual router `<apex>`, carrying the split) and `<apex>-canary.<ns>` (virtual
 * router `<apex>-canary`, all traffic to the canary), each holding its routes.
 *
 * `appmesh:v1beta2` writes `appmesh.k8s.aws/v1beta2`: VirtualNodes `<apex>-primary` and
 * `<apex>-canary` selecting their pods, VirtualRouters `<apex>` (the split) and `<apex>-canary`,
 * and VirtualServices `<apex>` and `<apex>-canary` provided by those routers. The mesh comes from
 * the namespace's mesh selector, so `meshName` is not written.
 *
 * A/B testing replaces the apex route by a header route and a primary fallback (appmesh-routes.ts).
 * No mirroring or session affinity.
 */
import type { Routes } from '../core/types.js';
import type { K8sObject } from '../inputs/model.js';
import { selectorLabel } from '../inputs/source.js';
import { list, objectMeta, type Raw, rec } from '../render/meta.js';
import {
  gatewayAnnotations,
  logging,
  type MeshRoute,
  meshIssues,
  meshProtocol,
  meshRoutes,
  retries,
  timeoutMs,
} from './appmesh-routes.js';
import { findObject, serviceNames, weightOf } from './common.js';
import type { Router, RouterInput } from './types.js';

const v1beta1 = 'appmesh.k8s.aws/v1beta1';
const v1beta2 = 'appmesh.k8s.aws/v1beta2';

type Input = Omit<RouterInput, 'routes'>;

/** Virtual nodes carry the labels and annotations of `service.apex` (Flagger copies them). */
const nodeMeta = (input: Input, name: string): K8sObject['metadata'] => {
  const apex = input.canary.canary.spec.service.apex;
  return objectMeta(name, input.namespace, apex?.labels, apex?.annotations);
};

/** `backends` of a virtual node from `service.backends`, when any. */
const backends = (input: Input, backend: (b: string) => Raw): Raw => {
  const names = input.canary.canary.spec.service.backends ?? [];
  return names.length > 0 ? { backends: names.map((b) => ({ virtualService: backend(b) })) } : {};
};

/** The split of the apex router and the all-canary split of the `-canary` router. */
const splits = (input: RouterInput) => {
  const names = serviceNames(input);
  return [
    { name: names.apex, split: input.routes },
    { name: names.canary, split: { primary: 0, canary: 100 } },
  ];
};

// ---- appmesh.k8s.aws/v1beta1 ----

function nodeV1beta1(input: Input, name: string, host: string): K8sObject {
  const svc = input.canary.canary.spec.service;
  return {
    apiVersion: v1beta1,
    kind: 'VirtualNode',
    metadata: nodeMeta(input, name),
    spec: {
      meshName: svc.meshName ?? '',
      listeners: [{ portMapping: { port: svc.port, protocol: meshProtocol(svc) } }],
      serviceDiscovery: { dns: { hostName: host } },
      ...backends(input, (b) => ({ virtualServiceName: b })),
      ...logging(input.canary),
    },
  };
}

function routeV1beta1(input: Input, r: MeshRoute): Raw {
  const retry = retries(input.canary);
  return {
    name: r.name,
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    http: {
      match: { prefix: r.prefix, ...(r.headers ? { headers: r.headers } : {}) },
      action: { weightedTargets: r.targets.map((t) => ({ virtualNodeName: t.node, weight: t.weight })) },
      ...(retry
        ? {
            retryPolicy: {
              perRetryTimeoutMillis: retry.perTryMs,
              maxRetries: retry.attempts,
              httpRetryEvents: retry.events,
            },
          }
        : {}),
    },
  };
}

function renderV1beta1(input: RouterInput): K8sObject[] {
  const names = serviceNames(input);
  const svc = input.canary.canary.spec.service;
  const host = (n: string) => `${n}.${input.namespace}`;
  const service = (router: string, split: { primary: number; canary: number }): K8sObject => ({
    apiVersion: v1beta1,
    kind: 'VirtualService',
    metadata: objectMeta(
      host(router),
      input.namespace,
      undefined,
      router === names.apex ? gatewayAnnotations(svc) : undefined,
    ),
    spec: {
      meshName: svc.meshName ?? '',
      virtualRouter: {
        name: router,
        listeners: [{ portMapping: { port: svc.port, protocol: meshProtocol(svc) } }],
      },
      routes: meshRoutes(input.canary, names.apex, router, split).map((r) => routeV1beta1(input, r)),
    },
  });
  return [
    nodeV1beta1(input, names.apex, host(names.primary)),
    nodeV1beta1(input, names.primary, host(names.primary)),
    nodeV1beta1(input, names.canary, host(names.canary)),
    ...splits(input).map((s) => service(s.name, s.split)),
  ];
}

// ---- appmesh.k8s.aws/v1beta2 ----

/** The listener port: a numeric `service.targetPort`, else `service.port` (Flagger `getContainerPort`). */
const containerPort = (input: Input): number => {
  const svc = input.canary.canary.spec.service;
  return typeof svc.targetPort === 'number' ? svc.targetPort : svc.port;
};

const msDuration = (value: number): Raw => ({ unit: 'ms', value });

/**
 * The pod selector of a virtual node: the workload's selector label with the value of the
 * primary (`<value>-primary`) or canary pods; Flagger writes the target name as the value, which
 * is the same whenever the label value is the workload's name.
 */
function podSelector(input: Input, primary: boolean): Raw {
  const workload = input.lookup(input.canary.canary.spec.targetRef.kind, input.target);
  const label = workload ? selectorLabel(workload) : { key: 'app', value: input.target };
  return { matchLabels: { [label.key]: primary ? `${label.value}-primary` : label.value } };
}

function nodeV1beta2(input: Input, name: string, primary: boolean): K8sObject {
  const svc = input.canary.canary.spec.service;
  const timeout = timeoutMs(input.canary);
  return {
    apiVersion: v1beta2,
    kind: 'VirtualNode',
    metadata: nodeMeta(input, name),
    spec: {
      podSelector: podSelector(input, primary),
      listeners: [
        {
          portMapping: { port: containerPort(input), protocol: meshProtocol(svc) },
          ...(timeout !== undefined ? { timeout: { http: { perRequest: msDuration(timeout) } } } : {}),
        },
      ],
      serviceDiscovery: { dns: { hostname: `${name}.${input.namespace}.svc.cluster.local.` } },
      ...backends(input, (b) =>
        b.startsWith('arn:aws') ? { virtualServiceARN: b } : { virtualServiceRef: { name: b } },
      ),
      ...logging(input.canary),
    },
  };
}

function routeV1beta2(input: Input, r: MeshRoute): Raw {
  const retry = retries(input.canary);
  const timeout = timeoutMs(input.canary);
  return {
    name: r.name,
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    httpRoute: {
      match: { prefix: r.prefix, ...(r.headers ? { headers: r.headers } : {}) },
      action: {
        weightedTargets: r.targets.map((t) => ({ virtualNodeRef: { name: t.node }, weight: t.weight })),
      },
      ...(retry
        ? {
            retryPolicy: {
              httpRetryEvents: retry.events,
              maxRetries: retry.attempts,
              perRetryTimeout: msDuration(retry.perTryMs),
            },
          }
        : {}),
      ...(timeout !== undefined ? { timeout: { perRequest: msDuration(timeout) } } : {}),
    },
  };
}

function renderV1beta2(input: RouterInput): K8sObject[] {
  const names = serviceNames(input);
  const svc = input.canary.canary.spec.service;
  const router = (name: string, split: { primary: number; canary: number }): K8sObject => ({
    apiVersion: v1beta2,
    kind: 'VirtualRouter',
    metadata: objectMeta(name, input.namespace),
    spec: {
      listeners: [{ portMapping: { port: containerPort(input), protocol: meshProtocol(svc) } }],
      routes: meshRoutes(input.canary, names.apex, name, split).map((r) => routeV1beta2(input, r)),
    },
  });
  const service = (name: string): K8sObject => ({
    apiVersion: v1beta2,
    kind: 'VirtualService',
    metadata: objectMeta(
      name,
      input.namespace,
      undefined,
      name === names.apex ? gatewayAnnotations(svc) : undefined,
    ),
    spec: { provider: { virtualRouter: { virtualRouterRef: { name } } } },
  });
  return [
    nodeV1beta2(input, names.primary, true),
    nodeV1beta2(input, names.canary, false),
    ...splits(input).flatMap((s) => [router(s.name, s.split), service(s.name)]),
  ];
}

/**
 * The split of the first route of `routes` (Flagger `GetRoutes`): the weights of the `-primary`
 * and `-canary` targets, when the route has exactly those two targets; undefined otherwise.
 */
function firstRouteSplit(
  input: Input,
  routes: unknown,
  targetsOf: (route: Raw) => Raw[],
  node: (t: Raw) => unknown,
): Routes | undefined {
  const names = serviceNames(input);
  const targets = targetsOf(rec(list(routes)[0]));
  const primary = targets.find((t) => node(t) === names.primary);
  const canary = targets.find((t) => node(t) === names.canary);
  if (targets.length !== 2 || !primary || !canary) return undefined;
  return { primary: weightOf(primary['weight']), canary: weightOf(canary['weight']), mirrored: false };
}

/** Provider `appmesh`: App Mesh `v1beta1` VirtualNodes and VirtualServices with their routes. */
export const appMeshRouter: Router = {
  render: renderV1beta1,
  readRoutes: (rendered, input) => {
    const vs = findObject(rendered, 'VirtualService', `${input.apex}.${input.namespace}`);
    if (!vs || vs.apiVersion !== v1beta1) return undefined;
    return firstRouteSplit(
      input,
      rec(vs['spec'])['routes'],
      (r) => list(rec(rec(r['http'])['action'])['weightedTargets']).map(rec),
      (t) => t['virtualNodeName'],
    );
  },
  validate: (c) => meshIssues(c, 'appmesh', true),
};

/** Provider `appmesh:v1beta2`: App Mesh `v1beta2` VirtualNodes, VirtualRouters and VirtualServices. */
export const appMeshV1beta2Router: Router = {
  render: renderV1beta2,
  readRoutes: (rendered, input) => {
    const vr = findObject(rendered, 'VirtualRouter', input.apex);
    if (!vr || vr.apiVersion !== v1beta2) return undefined;
    return firstRouteSplit(
      input,
      rec(vr['spec'])['routes'],
      (r) => list(rec(rec(r['httpRoute'])['action'])['weightedTargets']).map(rec),
      (t) => rec(t['virtualNodeRef'])['name'],
    );
  },
  validate: (c) => meshIssues(c, 'appmesh:v1beta2', false),
};
