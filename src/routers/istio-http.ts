/**
 * The `http:` routes of the Istio VirtualService for every strategy (Flagger `IstioRouter.SetRoutes`):
 * the weighted route (canary, blue/green, mirroring), the A/B pair, and the session-affinity
 * rules around the weighted route.
 */

import { analysisOf } from '../inputs/defaults.js';
import type { HttpMatchRequest } from '../inputs/schema.js';
import { type Raw, rec } from '../render/meta.js';
import { serviceNames } from './common.js';
import {
  type AffinityPlan,
  affinityPlan,
  type Cookie,
  canaryMaxAge,
  cookieRegex,
  primaryMaxAge,
  setCookie,
} from './session-affinity.js';
import type { RouterInput } from './types.js';

/**
 * Flagger `mergeMatchConditions`: the cross product of `conditions` × `service`, each entry a
 * copy of the service match whose `headers` / `sourceLabels` are replaced by the condition's;
 * the conditions as they are when the service has no match.
 * @example mergeMatches([{ headers: { x: { exact: 'y' } } }], [{ uri: { prefix: '/api' } }])
 * // [{ uri: { prefix: '/api' }, headers: { x: { exact: 'y' } } }]
 */
export function mergeMatches(
  conditions: readonly HttpMatchRequest[],
  service: readonly HttpMatchRequest[] | undefined,
): HttpMatchRequest[] {
  if (!service?.length) return structuredClone([...conditions]);
  return conditions.flatMap((c) =>
    service.map((s) => ({
      ...structuredClone(s),
      ...(c.headers ? { headers: structuredClone(c.headers) } : {}),
      ...(c.sourceLabels ? { sourceLabels: { ...c.sourceLabels } } : {}),
    })),
  );
}

/** Route fields copied from `spec.service` onto every http route: rewrite, timeout, retries, CORS, headers. */
function serviceFields(input: RouterInput): Raw {
  const svc = input.canary.canary.spec.service;
  const rewrite = svc.rewrite && {
    ...(svc.rewrite.uri ? { uri: svc.rewrite.uri } : {}),
    ...(svc.rewrite.authority ? { authority: svc.rewrite.authority } : {}),
  };
  return {
    ...(rewrite && Object.keys(rewrite).length > 0 ? { rewrite } : {}),
    ...(svc.timeout ? { timeout: svc.timeout } : {}),
    ...(svc.retries ? { retries: structuredClone(svc.retries) } : {}),
    ...(svc.corsPolicy ? { corsPolicy: structuredClone(svc.corsPolicy) } : {}),
    ...(svc.headers ? { headers: structuredClone(svc.headers) } : {}),
  };
}

/** A destination; the weight is always written, 0 included. */
const dest = (host: string, weight: number, setCookieValue?: string): Raw => ({
  destination: { host },
  weight,
  ...(setCookieValue ? { headers: { response: { add: { 'Set-Cookie': setCookieValue } } } } : {}),
});

/** An http route: `match` (when any), the service fields, then `route`. */
const route = (match: readonly HttpMatchRequest[] | undefined, fields: Raw, destinations: Raw[]): Raw => ({
  ...(match?.length ? { match: structuredClone([...match]) } : {}),
  ...structuredClone(fields),
  route: destinations,
});

/** `{headers: {Cookie: {regex}}}` for `cookie`, crossed with the service match. */
const cookieMatch = (input: RouterInput, cookie: Cookie): HttpMatchRequest[] =>
  mergeMatches(
    [{ headers: { Cookie: { regex: cookieRegex(cookie) } } }],
    input.canary.canary.spec.service.match,
  );

/** Route-level headers with `Set-Cookie` added to the response (service headers kept). */
function withResponseCookie(fields: Raw, value: string): Raw {
  const headers = rec(fields['headers']);
  const response = rec(headers['response']);
  return {
    ...fields,
    headers: { ...headers, response: { ...response, add: { ...rec(response['add']), 'Set-Cookie': value } } },
  };
}

/**
 * The weighted route `primary P / canary C` with `mirror` (and `mirrorPercentage` when
 * `mirrorWeight > 0`) while `routes.mirrored`; `cookies` are Set-Cookie values for the destinations.
 */
function weightedRoute(input: RouterInput, fields: Raw, cookies: { primary?: string; canary?: string }): Raw {
  const names = serviceNames(input);
  const { primary, canary, mirrored } = input.routes;
  const mirrorWeight = analysisOf(input.canary.canary)?.mirrorWeight ?? 0;
  return {
    ...route(input.canary.canary.spec.service.match, fields, [
      dest(names.primary, primary, cookies.primary),
      dest(names.canary, canary, cookies.canary),
    ]),
    ...(mirrored ? { mirror: { host: names.canary } } : {}),
    ...(mirrored && mirrorWeight > 0 ? { mirrorPercentage: { value: mirrorWeight } } : {}),
  };
}

/**
 * The weighted route and the session-affinity rules before it (§5.1):
 * `[stickyCanary, (stickyPrimary,) weighted]` with Set-Cookie on the weighted destinations while
 * the canary has weight; `[cookie deletion, weighted]` after a run; `[weighted]` otherwise.
 */
function weightedRoutes(input: RouterInput, plan: AffinityPlan, fields: Raw): Raw[] {
  const names = serviceNames(input);
  const { primary, canary } = input.routes;
  if (plan.kind === 'none') return [weightedRoute(input, fields, {})];
  if (plan.kind === 'cleanup') {
    const deletion = withResponseCookie(fields, setCookie(plan.affinity, plan.canary, -1));
    return [
      route(cookieMatch(input, plan.canary), deletion, [
        dest(names.primary, primary),
        dest(names.canary, canary),
      ]),
      weightedRoute(input, fields, {}),
    ];
  }
  const stickyCanary = route(cookieMatch(input, plan.canary), fields, [
    dest(names.primary, 0),
    dest(names.canary, 100),
  ]);
  const stickyPrimary = plan.primary && [
    route(cookieMatch(input, plan.primary), fields, [dest(names.primary, 100), dest(names.canary, 0)]),
  ];
  const cookies = {
    canary: setCookie(plan.affinity, plan.canary, canaryMaxAge(plan.affinity)),
    ...(plan.primary
      ? { primary: setCookie(plan.affinity, plan.primary, primaryMaxAge(input.canary.canary)) }
      : {}),
  };
  return [stickyCanary, ...(stickyPrimary ?? []), weightedRoute(input, fields, cookies)];
}

/**
 * The http routes for `input.routes`: with `analysis.match` (A/B) the pair
 * `[match × service.match → primary P / canary C, service.match → primary P]` (it replaces any
 * mirror or affinity rule, as in Flagger); otherwise the weighted routes above.
 * @example httpRoutes(abInput) // during A/B iterations (routes 0/100):
 * // [{ match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: [primary 0, canary 100] },
 * //  { route: [primary 0] }]
 */
export function httpRoutes(input: RouterInput): Raw[] {
  const svc = input.canary.canary.spec.service;
  const names = serviceNames(input);
  const { primary, canary } = input.routes;
  const fields = serviceFields(input);
  const abMatch = analysisOf(input.canary.canary)?.match ?? [];
  if (abMatch.length === 0) return weightedRoutes(input, affinityPlan(input), fields);
  return [
    route(mergeMatches(abMatch, svc.match), fields, [
      dest(names.primary, primary),
      dest(names.canary, canary),
    ]),
    route(svc.match, fields, [dest(names.primary, primary)]),
  ];
}
