/**
 * Translations from Flagger's Istio-shaped `spec.service` fields to Gateway API HTTPRoute parts
 * (Flagger `mapRouteMatches` and `makeFilters`). Every untranslatable part is returned as a
 * problem with its dot path, never dropped silently.
 */

import { parseDuration } from '../inputs/defaults.js';
import type { HttpMatchRequest, ServiceSpec } from '../inputs/schema.js';
import type { Raw } from '../render/meta.js';
import type { RouterIssue } from './types.js';

type StringMatch = NonNullable<HttpMatchRequest['uri']>;

const byName = <T>(map: Record<string, T> | undefined): [string, T][] =>
  Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Istio match fields Gateway API has no equivalent for (Flagger ignores them silently). */
const untranslatable = [
  'scheme',
  'authority',
  'port',
  'sourceLabels',
  'gateways',
  'ignoreUriCase',
  'withoutHeaders',
  'sourceNamespace',
] as const;

/** Header or query parameter match: exact → Exact, regex → RegularExpression. */
function valueMatch(name: string, m: StringMatch): Raw | undefined {
  if (m.exact) return { type: 'Exact', name, value: m.exact };
  if (m.regex) return { type: 'RegularExpression', name, value: m.regex };
  return undefined;
}

/**
 * HTTPRoute matches for `service.match` (sorted headers and query params, empty entries
 * skipped) and the parts that cannot be translated. Without any match, the default
 * `path: {type: PathPrefix, value: /}` (unless `fallback` is false: then none).
 * @example routeMatches([{ uri: { prefix: '/api' } }], 'spec.service.match').matches
 * // [{ path: { type: 'PathPrefix', value: '/api' } }]
 */
export function routeMatches(
  requests: readonly HttpMatchRequest[] | undefined,
  at: string,
  fallback = true,
): { matches: Raw[]; problems: RouterIssue[] } {
  const matches: Raw[] = [];
  const problems: RouterIssue[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  (requests ?? []).forEach((r, i) => {
    const here = `${at}[${i}]`;
    const match: Raw = {};
    if (r.uri) {
      const u = r.uri;
      if (u.regex) match['path'] = { type: 'RegularExpression', value: u.regex };
      else if (u.exact) match['path'] = { type: 'Exact', value: u.exact };
      else if (u.prefix) match['path'] = { type: 'PathPrefix', value: u.prefix };
      else problem(`${here}.uri`, 'Gateway API supports only exact, prefix and regex path matches');
    }
    const kinds = [
      ['headers', r.headers],
      ['queryParams', r.queryParams],
    ] as const;
    for (const [field, map] of kinds) {
      const out: Raw[] = [];
      for (const [name, m] of byName(map)) {
        const v = valueMatch(name, m);
        if (v) out.push(v);
        else
          problem(`${here}.${field}.${name}`, `Gateway API supports only exact and regex ${field} matches`);
      }
      if (out.length > 0) match[field] = out;
    }
    if (r.method) {
      if (r.method.exact) match['method'] = r.method.exact;
      else problem(`${here}.method`, 'Gateway API supports only exact method matches');
    }
    for (const f of untranslatable) {
      if (r[f] !== undefined) problem(`${here}.${f}`, `${f} has no Gateway API HTTPRoute equivalent`);
    }
    if (Object.keys(match).length > 0) matches.push(match);
  });
  if (matches.length === 0 && fallback) matches.push({ path: { type: 'PathPrefix', value: '/' } });
  return { matches, problems };
}

/**
 * Flagger `mergeMatchConditions` (Gateway API): the cross product of `conditions` × `service`,
 * each entry a copy of the service match whose `headers` / `queryParams` are replaced by the
 * condition's when it has any; either list alone when the other is empty.
 * @example mergeRouteMatches([{ headers: [{ type: 'Exact', name: 'x', value: 'y' }] }], [{ path: { type: 'PathPrefix', value: '/' } }])
 * // [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x', value: 'y' }] }]
 */
export function mergeRouteMatches(conditions: readonly Raw[], service: readonly Raw[]): Raw[] {
  if (conditions.length === 0) return structuredClone([...service]);
  if (service.length === 0) return structuredClone([...conditions]);
  return conditions.flatMap((c) =>
    service.map((s) => {
      const pick = (k: string) => (Array.isArray(c[k]) && c[k].length > 0 ? c[k] : s[k]);
      const merged: Raw = {};
      for (const k of ['path', 'headers', 'queryParams', 'method']) {
        const v = k === 'headers' || k === 'queryParams' ? pick(k) : s[k];
        if (v !== undefined) merged[k] = structuredClone(v);
      }
      return merged;
    }),
  );
}

/** `{add, set, remove}` as a Gateway API HTTPHeaderFilter, headers sorted by name then value. */
function headerFilter(ops: NonNullable<NonNullable<ServiceSpec['headers']>['request']>): Raw | undefined {
  const pairs = (m: Record<string, string> | undefined) =>
    byName(m).map(([name, value]) => ({ name, value }));
  const out: Raw = {};
  if (ops.add && Object.keys(ops.add).length > 0) out['add'] = pairs(ops.add);
  if (ops.set && Object.keys(ops.set).length > 0) out['set'] = pairs(ops.set);
  if (ops.remove && ops.remove.length > 0) out['remove'] = [...ops.remove];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * HTTPRoute CORS filter body from an Istio CorsPolicy: `allowOrigin` strings (the StringMatch
 * `allowOrigins` cannot be mapped), methods, headers, credentials, and `maxAge` in seconds.
 * @example corsFilter({ allowOrigin: ['https://a.example'], maxAge: '24h' })
 * // { allowOrigins: ['https://a.example'], maxAge: 86400 }
 */
export function corsFilter(policy: Record<string, unknown>): Raw {
  const out: Raw = {};
  if (Array.isArray(policy['allowOrigin'])) out['allowOrigins'] = [...policy['allowOrigin']];
  for (const k of ['allowMethods', 'allowHeaders', 'exposeHeaders']) {
    if (Array.isArray(policy[k])) out[k] = [...policy[k]];
  }
  if (typeof policy['allowCredentials'] === 'boolean') out['allowCredentials'] = policy['allowCredentials'];
  const maxAge = typeof policy['maxAge'] === 'string' ? parseDuration(policy['maxAge']) : undefined;
  if (maxAge !== undefined) out['maxAge'] = Math.floor(maxAge / 1000);
  return out;
}

/**
 * Rule filters from `spec.service`: request/response header modifiers, URLRewrite (hostname;
 * ReplacePrefixMatch when `rewrite.type` says so, else ReplaceFullPath), one RequestMirror per
 * `service.mirror`, and CORS when `cors` is true (v1 only).
 */
export function ruleFilters(svc: ServiceSpec, cors: boolean): Raw[] {
  const filters: Raw[] = [];
  const request = svc.headers?.request && headerFilter(svc.headers.request);
  if (request) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: request });
  const response = svc.headers?.response && headerFilter(svc.headers.response);
  if (response) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: response });
  if (svc.rewrite && (svc.rewrite.authority || svc.rewrite.uri)) {
    const rw: Raw = {};
    if (svc.rewrite.authority) rw['hostname'] = svc.rewrite.authority;
    if (svc.rewrite.uri) {
      rw['path'] =
        svc.rewrite.type === 'ReplacePrefixMatch'
          ? { type: 'ReplacePrefixMatch', replacePrefixMatch: svc.rewrite.uri }
          : { type: 'ReplaceFullPath', replaceFullPath: svc.rewrite.uri };
    }
    filters.push({ type: 'URLRewrite', urlRewrite: rw });
  }
  for (const m of svc.mirror ?? [])
    filters.push({ type: 'RequestMirror', requestMirror: structuredClone(m) });
  if (cors && svc.corsPolicy) filters.push({ type: 'CORS', cors: corsFilter(svc.corsPolicy) });
  return filters;
}
