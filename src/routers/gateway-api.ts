/**
 * Gateway API routers (Flagger `gateway_api.go` and `gateway_api_v1beta1.go`): one HTTPRoute
 * `<apex>` attached to `service.gatewayRefs`, splitting traffic between the `-primary` and
 * `-canary` Services for every strategy (rules in `gateway-api-rules.ts`). v1beta1 has no
 * timeouts, no CORS filter and no primary session-affinity cookie.
 */
import type { Routes } from '../core/types.js';
import { analysisOf } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { list, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, unsupportedYet, weightOf } from './common.js';
import { routeMatches } from './gateway-api-match.js';
import { rules, type Version } from './gateway-api-rules.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

function httpRoute(input: RouterInput, version: Version): K8sObject {
  const svc = input.canary.canary.spec.service;
  return {
    apiVersion: `gateway.networking.k8s.io/${version}`,
    kind: 'HTTPRoute',
    metadata: routeMeta(input),
    spec: {
      parentRefs: structuredClone(svc.gatewayRefs ?? []),
      ...(svc.hosts?.length ? { hostnames: [...svc.hosts] } : {}),
      rules: rules(input, version),
    },
  };
}

/**
 * The split written in the HTTPRoute `<apex>` (Flagger `GetRoutes`): weights from the last rule
 * with two backendRefs — the A/B match rule, the weighted rule after the session-affinity
 * rules, or the only rule — and `mirrored` when a rule filter mirrors to `<apex>-canary`.
 * Undefined without that route or rule.
 * @example readRoutes([abHttpRoute], input) // { primary: 0, canary: 100, mirrored: false }
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const route = findObject(rendered, 'HTTPRoute', input.apex);
  if (!route) return undefined;
  const names = serviceNames(input);
  const all = list(rec(route['spec'])['rules']).map(rec);
  const weighted = all.findLast((r) => list(r['backendRefs']).length === 2);
  if (!weighted) return undefined;
  const refs = list(weighted['backendRefs']).map(rec);
  const weightFor = (name: string) => weightOf(refs.find((b) => b['name'] === name)?.['weight']);
  const mirrored = all.some((r) =>
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
  const issues = unsupportedYet(c, router, ['match', 'sessionAffinity', 'iterations']);
  if ((svc.gatewayRefs?.length ?? 0) === 0) {
    issues.push({
      path: 'spec.service.gatewayRefs',
      message: `${router} needs at least one gateway reference`,
    });
  }
  issues.push(...routeMatches(svc.match, 'spec.service.match').problems);
  const a = analysisOf(c.canary);
  const at = c.canary.spec.analysis ? 'spec.analysis' : 'spec.canaryAnalysis';
  issues.push(...routeMatches(a?.match, `${at}.match`).problems);
  (a?.match ?? []).forEach((m, i) => {
    for (const k of ['uri', 'method'] as const) {
      if (m[k] !== undefined)
        issues.push({
          path: `${at}.match[${i}].${k}`,
          message: `ignored: only headers and queryParams of analysis.match are merged into each service match`,
        });
    }
  });
  if (a?.mirror && (a.iterations ?? 0) === 0) {
    issues.push({
      path: `${at}.mirror`,
      message: `${router} mirrors only blue/green traffic (analysis.iterations); canary-strategy mirroring would never advance`,
    });
  }
  if ((a?.match?.length ?? 0) > 0 && a?.sessionAffinity) {
    issues.push({
      path: `${at}.sessionAffinity`,
      message: 'session affinity has no effect with A/B testing (analysis.match): the A/B rules replace it',
    });
  }
  if (version === 'v1beta1') {
    for (const f of ['timeout', 'backendTimeout', 'corsPolicy'] as const) {
      if (svc[f] !== undefined)
        issues.push({ path: `spec.service.${f}`, message: `${f} needs gatewayapi:v1` });
    }
    if (a?.sessionAffinity?.primaryCookieName)
      issues.push({
        path: `${at}.sessionAffinity.primaryCookieName`,
        message: 'primaryCookieName needs gatewayapi:v1 (v1beta1 sets only the canary cookie)',
      });
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
