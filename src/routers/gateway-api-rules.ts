/**
 * The HTTPRoute `rules` for every strategy (Flagger `GatewayAPIRouter.SetRoutes` and
 * `getSessionAffinityRouteRules`): the weighted rule (canary, blue/green, B/G mirroring), the
 * A/B pair, and the session-affinity rules around the weighted rule.
 */

import { analysisOf } from '../inputs/defaults.js';
import type { Raw } from '../render/meta.js';
import { serviceNames } from './common.js';
import { mergeRouteMatches, routeMatches, ruleFilters } from './gateway-api-match.js';
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

export type Version = 'v1' | 'v1beta1';

/** A Service backend reference; `setCookieValue` adds a per-backend Set-Cookie response filter. */
export const backendRef = (name: string, port: number, weight?: number, setCookieValue?: string): Raw => ({
  group: '',
  kind: 'Service',
  name,
  port,
  ...(weight === undefined ? {} : { weight }),
  ...(setCookieValue ? { filters: [addSetCookie(setCookieValue)] } : {}),
});

/** A ResponseHeaderModifier filter adding `Set-Cookie: value`. */
const addSetCookie = (value: string): Raw => ({
  type: 'ResponseHeaderModifier',
  responseHeaderModifier: { add: [{ name: 'Set-Cookie', value }] },
});

/**
 * Rule filters plus `Set-Cookie: value`, merged into the service's ResponseHeaderModifier when
 * there is one (a filter type may appear only once per rule; Flagger appends a second one).
 */
function withSetCookie(filters: readonly Raw[], value: string): Raw[] {
  const out = structuredClone([...filters]);
  const existing = out.find((f) => f['type'] === 'ResponseHeaderModifier');
  if (!existing) return [...out, addSetCookie(value)];
  const modifier = existing['responseHeaderModifier'] as Raw;
  const add = Array.isArray(modifier['add']) ? modifier['add'] : [];
  existing['responseHeaderModifier'] = { ...modifier, add: [...add, { name: 'Set-Cookie', value }] };
  return out;
}

/** The parts every rule of the route shares: default matches, filters and timeouts. */
interface RuleBase {
  matches: Raw[];
  filters: Raw[];
  timeouts: Raw;
}

function ruleBase(input: RouterInput, version: Version): RuleBase {
  const svc = input.canary.canary.spec.service;
  const filters = ruleFilters(svc, version === 'v1');
  // Flagger mirrors to the canary only for blue/green (spec iterations > 0); mirrorWeight is ignored.
  if (input.routes.mirrored && (analysisOf(input.canary.canary)?.iterations ?? 0) > 0) {
    filters.push({
      type: 'RequestMirror',
      requestMirror: { backendRef: backendRef(serviceNames(input).canary, svc.port) },
    });
  }
  const timeouts = {
    ...(svc.timeout ? { request: svc.timeout } : {}),
    ...(svc.backendTimeout ? { backendRequest: svc.backendTimeout } : {}),
  };
  return {
    matches: routeMatches(svc.match, 'spec.service.match').matches,
    filters,
    timeouts: version === 'v1' ? timeouts : {},
  };
}

/** One rule in canonical key order (matches, filters, backendRefs, timeouts), empty parts left out. */
const rule = (base: RuleBase, matches: Raw[], backendRefs: Raw[], filters = base.filters): Raw => ({
  matches: structuredClone(matches),
  ...(filters.length > 0 ? { filters: structuredClone(filters) } : {}),
  backendRefs,
  ...(Object.keys(base.timeouts).length > 0 ? { timeouts: { ...base.timeouts } } : {}),
});

/** The `Cookie` header regex match for `cookie`, merged into the service matches (no default path). */
function cookieMatches(input: RouterInput, cookie: Cookie): Raw[] {
  const header = { type: 'RegularExpression', name: 'Cookie', value: cookieRegex(cookie) };
  const service = routeMatches(input.canary.canary.spec.service.match, 'spec.service.match', false).matches;
  return mergeRouteMatches([{ headers: [header] }], service);
}

/**
 * The weighted rule and the session-affinity rules before it (§5.2): while the canary has weight,
 * `[stickyCanary, (stickyPrimary,) weighted]` with per-backend Set-Cookie filters on the weighted
 * rule (the primary cookie only in v1); after a run, `[cookie deletion, weighted]`.
 */
function weightedRules(input: RouterInput, version: Version, plan: AffinityPlan): Raw[] {
  const base = ruleBase(input, version);
  const { port } = input.canary.canary.spec.service;
  const names = serviceNames(input);
  const { primary, canary } = input.routes;
  const split = (primaryCookie?: string, canaryCookie?: string) => [
    backendRef(names.primary, port, primary, primaryCookie),
    backendRef(names.canary, port, canary, canaryCookie),
  ];
  if (plan.kind === 'none') return [rule(base, base.matches, split())];
  if (plan.kind === 'cleanup') {
    const deletion = withSetCookie(base.filters, setCookie(plan.affinity, plan.canary, -1));
    return [
      rule(base, cookieMatches(input, plan.canary), split(), deletion),
      rule(base, base.matches, split()),
    ];
  }
  const primaryCookie = version === 'v1' ? plan.primary : undefined;
  const stickyCanary = rule(base, cookieMatches(input, plan.canary), [
    backendRef(names.primary, port, 0),
    backendRef(names.canary, port, 100),
  ]);
  const stickyPrimary = primaryCookie && [
    rule(base, cookieMatches(input, primaryCookie), [
      backendRef(names.primary, port, 100),
      backendRef(names.canary, port, 0),
    ]),
  ];
  const weighted = rule(
    base,
    base.matches,
    split(
      primaryCookie && setCookie(plan.affinity, primaryCookie, primaryMaxAge(input.canary.canary)),
      setCookie(plan.affinity, plan.canary, canaryMaxAge(plan.affinity)),
    ),
  );
  return [stickyCanary, ...(stickyPrimary ?? []), weighted];
}

/**
 * The rules for `input.routes`: with `analysis.match` (A/B) rule[0] = analysis matches merged
 * into the service matches → primary P / canary C, rule[1] = the service matches → primary
 * only, weight fixed at 100 (as Flagger); otherwise the weighted rules above.
 * @example rules(abInput, 'v1') // during A/B iterations (routes 0/100):
 * // [{ matches: [{ path: PathPrefix /, headers: [x-canary Exact insider] }], backendRefs: [primary 0, canary 100] },
 * //  { matches: [{ path: PathPrefix / }], backendRefs: [primary 100] }]
 */
export function rules(input: RouterInput, version: Version): Raw[] {
  const abMatch = analysisOf(input.canary.canary)?.match ?? [];
  if (abMatch.length === 0) return weightedRules(input, version, affinityPlan(input));
  const base = ruleBase(input, version);
  const { port } = input.canary.canary.spec.service;
  const names = serviceNames(input);
  const analysisMatches = routeMatches(abMatch, 'spec.analysis.match', false).matches;
  return [
    rule(base, mergeRouteMatches(analysisMatches, base.matches), [
      backendRef(names.primary, port, input.routes.primary),
      backendRef(names.canary, port, input.routes.canary),
    ]),
    rule(base, base.matches, [backendRef(names.primary, port, 100)]),
  ];
}
