/**
 * APISIX router (Flagger `pkg/router/apisix.go`, `apisix.apache.org/v2`). The user's ApisixRoute
 * named by `spec.routeRef` is read, never rewritten: gitcanary renders a copy
 * `<routeRef.name>-<apex>-canary` holding only the `spec.http` entry whose backend is `<apex>`,
 * with priority 10000 and the backends `<apex>-primary` / `<apex>-canary` weighted; the rest of
 * the user's spec (e.g. `ingressClassName`) is copied as Flagger does. No A/B, mirroring or
 * session affinity.
 */
import type { Routes } from '../core/types.js';
import { SpecError } from '../errors.js';
import { type K8sObject, type LoadedCanary, refId } from '../inputs/model.js';
import { list, objectMeta, type Raw, rec, withoutToolkitKeys } from '../render/meta.js';
import { findObject, serviceNames, weightOf } from './common.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

const apiVersion = 'apisix.apache.org/v2';

/** Priority of the canary route, above the user's route for the same paths (Flagger `maxPriority`). */
export const canaryRoutePriority = 10000;

/** Client-side apply bookkeeping of the user's route; meaningless on a copy. */
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Name of the rendered route.
 * @example canaryRouteName('podinfo', 'podinfo') // 'podinfo-podinfo-canary'
 */
export const canaryRouteName = (routeRef: string, apex: string): string => `${routeRef}-${apex}-canary`;

const specError = (c: LoadedCanary, message: string) =>
  new SpecError(message, c.origin.file, refId(c.ref), 'spec.routeRef');

/** The user's ApisixRoute, or a SpecError naming what is missing. */
function userRoute(input: Omit<RouterInput, 'routes'>): K8sObject {
  const c = input.canary;
  const ref = c.canary.spec.routeRef;
  if (!ref) throw specError(c, 'the apisix router needs spec.routeRef');
  const route = input.lookup('ApisixRoute', ref.name);
  const id = `ApisixRoute ${input.namespace}/${ref.name}`;
  if (!route) throw specError(c, `${id} named by spec.routeRef was not found in the repository`);
  if (route.apiVersion !== apiVersion)
    throw specError(c, `${id} is ${route.apiVersion}; the apisix router reads ${apiVersion} routes only`);
  return route;
}

/** The user's `spec.http` entry with a backend `<apex>`; it must have exactly one backend. */
function apexEntry(input: Omit<RouterInput, 'routes'>, route: K8sObject): Raw {
  const entry = list(rec(route['spec'])['http'])
    .map(rec)
    .find((h) => list(h['backends']).some((b) => rec(b)['serviceName'] === input.apex));
  const id = `ApisixRoute ${input.namespace}/${route.metadata.name}`;
  if (!entry) throw specError(input.canary, `${id} has no spec.http entry with backend ${input.apex}`);
  if (list(entry['backends']).length !== 1)
    throw specError(
      input.canary,
      `${id}: spec.http entry ${String(entry['name'])} must have exactly one backend (${input.apex})`,
    );
  return entry;
}

function canaryRoute(input: RouterInput): K8sObject {
  const route = userRoute(input);
  const entry = structuredClone(apexEntry(input, route));
  const names = serviceNames(input);
  const original = rec(list(entry['backends'])[0]);
  const backends = [
    { ...original, serviceName: names.primary, weight: input.routes.primary },
    {
      serviceName: names.canary,
      servicePort: original['servicePort'],
      ...(original['resolveGranularity'] !== undefined
        ? { resolveGranularity: original['resolveGranularity'] }
        : {}),
      weight: input.routes.canary,
      ...(original['subset'] !== undefined ? { subset: original['subset'] } : {}),
    },
  ];
  const annotations = Object.fromEntries(
    Object.entries(withoutToolkitKeys(route.metadata.annotations)).filter(([k]) => k !== lastApplied),
  );
  const { name, priority: _replaced, backends: _weighted, ...rest } = entry;
  return {
    apiVersion,
    kind: 'ApisixRoute',
    metadata: objectMeta(
      canaryRouteName(route.metadata.name, input.apex),
      input.namespace,
      withoutToolkitKeys(route.metadata.labels),
      annotations,
    ),
    spec: {
      ...structuredClone(rec(route['spec'])),
      http: [{ name, priority: canaryRoutePriority, ...rest, backends }],
    },
  };
}

/**
 * The split written in ApisixRoute `<routeRef>-<apex>-canary`: the weights of its `-primary` and
 * `-canary` backends. Undefined without routeRef, that route, or either backend.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const ref = input.canary.canary.spec.routeRef;
  if (!ref) return undefined;
  const route = findObject(rendered, 'ApisixRoute', canaryRouteName(ref.name, input.apex));
  if (!route) return undefined;
  const names = serviceNames(input);
  const backends = list(rec(route['spec'])['http']).flatMap((h) => list(rec(h)['backends']).map(rec));
  const primary = backends.find((b) => b['serviceName'] === names.primary);
  const canary = backends.find((b) => b['serviceName'] === names.canary);
  if (!primary || !canary) return undefined;
  return { primary: weightOf(primary['weight']), canary: weightOf(canary['weight']), mirrored: false };
}

function validate(c: LoadedCanary): RouterIssue[] {
  const issues = lackingFeatures(c, 'apisix', ['match', 'mirror', 'sessionAffinity']);
  if (!c.canary.spec.routeRef)
    issues.push({
      path: 'spec.routeRef',
      message: 'the apisix router needs spec.routeRef naming the ApisixRoute that routes to the apex Service',
    });
  return issues;
}

/** Provider `apisix`: a weighted copy of the user's ApisixRoute entry for the apex Service. */
export const apisixRouter: Router = {
  render: (input) => [canaryRoute(input)],
  readRoutes,
  validate,
};
