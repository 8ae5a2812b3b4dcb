/**
 * Gateway API routers (Flagger `gateway_api.go` and `gateway_api_v1beta1.go`): one HTTPRoute
 * `<apex>` attached to `service.gatewayRefs`, splitting traffic between the `-primary` and
 * `-canary` Services. v1beta1 has no timeouts and no CORS filter.
 */
import type { Routes } from '../core/types.js';
import { list, type Raw, rec } from '../render/meta.js';
import { analysisOf } from '../spec/defaults.js';
import type { K8sObject, LoadedCanary } from '../spec/model.js';
import { findObject, routeMeta, serviceNames, unsupportedYet, weightOf } from './common.js';
import { routeMatches, ruleFilters } from './gateway-api-match.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

type Version = 'v1' | 'v1beta1';

const backendRef = (name: string, port: number, weight?: number): Raw => ({
  group: '',
  kind: 'Service',
  name,
  port,
  ...(weight === undefined ? {} : { weight }),
});

function httpRoute(input: RouterInput, version: Version): K8sObject {
  const svc = input.canary.canary.spec.service;
  const names = serviceNames(input);
  const filters = ruleFilters(svc, version === 'v1');
  // Flagger mirrors to the canary only for blue/green (spec iterations > 0); mirrorWeight is ignored.
  if (input.routes.mirrored && (analysisOf(input.canary.canary)?.iterations ?? 0) > 0) {
    filters.push({
      type: 'RequestMirror',
      requestMirror: { backendRef: backendRef(names.canary, svc.port) },
    });
  }
  const timeouts = {
    ...(svc.timeout ? { request: svc.timeout } : {}),
    ...(svc.backendTimeout ? { backendRequest: svc.backendTimeout } : {}),
  };
  const rule: Raw = {
    matches: routeMatches(svc.match, 'spec.service.match').matches,
    ...(filters.length > 0 ? { filters } : {}),
    backendRefs: [
      backendRef(names.primary, svc.port, input.routes.primary),
      backendRef(names.canary, svc.port, input.routes.canary),
    ],
    ...(version === 'v1' && Object.keys(timeouts).length > 0 ? { timeouts } : {}),
  };
  return {
    apiVersion: `gateway.networking.k8s.io/${version}`,
    kind: 'HTTPRoute',
    metadata: routeMeta(input),
    spec: {
      parentRefs: structuredClone(svc.gatewayRefs ?? []),
      ...(svc.hosts?.length ? { hostnames: [...svc.hosts] } : {}),
      rules: [rule],
    },
  };
}

/**
 * The split written in the HTTPRoute `<apex>`: weights from the rule with two backendRefs,
 * `mirrored` when a rule filter mirrors to `<apex>-canary`. Undefined without that route or rule.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const route = findObject(rendered, 'HTTPRoute', input.apex);
  if (!route) return undefined;
  const names = serviceNames(input);
  const rules = list(rec(route['spec'])['rules']).map(rec);
  const weighted = rules.find((r) => list(r['backendRefs']).length === 2);
  if (!weighted) return undefined;
  const refs = list(weighted['backendRefs']).map(rec);
  const weightFor = (name: string) => weightOf(refs.find((b) => b['name'] === name)?.['weight']);
  const mirrored = rules.some((r) =>
    list(r['filters'])
      .map(rec)
      .some(
        (f) =>
          f['type'] === 'RequestMirror' &&
          rec(rec(f['requestMirror'])['backendRef'])['name'] === names.canary,
      ),
  );
  return { primary: weightFor(names.primary), canary: weightFor(names.canary), mirrored };
}

function validate(c: LoadedCanary, version: Version): RouterIssue[] {
  const router = `gatewayapi:${version}`;
  const svc = c.canary.spec.service;
  const issues = unsupportedYet(c, router);
  if ((svc.gatewayRefs?.length ?? 0) === 0) {
    issues.push({
      path: 'spec.service.gatewayRefs',
      message: `${router} needs at least one gateway reference`,
    });
  }
  issues.push(...routeMatches(svc.match, 'spec.service.match').problems);
  const a = analysisOf(c.canary);
  if (a?.mirror && (a.iterations ?? 0) === 0) {
    const at = c.canary.spec.analysis ? 'spec.analysis' : 'spec.canaryAnalysis';
    issues.push({
      path: `${at}.mirror`,
      message: `${router} mirrors only blue/green traffic (analysis.iterations); canary-strategy mirroring would never advance`,
    });
  }
  if (version === 'v1beta1') {
    for (const f of ['timeout', 'backendTimeout', 'corsPolicy'] as const) {
      if (svc[f] !== undefined)
        issues.push({ path: `spec.service.${f}`, message: `${f} needs gatewayapi:v1` });
    }
  } else if (svc.corsPolicy?.['allowOrigins'] !== undefined) {
    issues.push({
      path: 'spec.service.corsPolicy.allowOrigins',
      message:
        'StringMatch origins cannot be mapped to the Gateway API CORS filter; list them in allowOrigin',
    });
  }
  return issues;
}

function gatewayApiRouter(version: Version): Router {
  return {
    render: (input) => [httpRoute(input, version)],
    readRoutes,
    validate: (c) => validate(c, version),
  };
}

/** Provider `gatewayapi:v1`: HTTPRoute `gateway.networking.k8s.io/v1`. */
export const gatewayApiV1Router: Router = gatewayApiRouter('v1');
/** Provider `gatewayapi:v1beta1`: HTTPRoute `gateway.networking.k8s.io/v1beta1` (no timeouts, no CORS). */
export const gatewayApiV1beta1Router: Router = gatewayApiRouter('v1beta1');
