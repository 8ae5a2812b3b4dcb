/**
 * `analysis.match` → NGINX canary annotations (Flagger `IngressRouter.SetRoutes`, A/B branch).
 *
 * NGINX can route a canary Ingress by ONE header and/or ONE cookie, so Flagger keeps only the
 * **last** header condition and the **last** cookie condition across all match entries, in order;
 * every earlier one is dropped without notice (docs/flagger-behaviour.md §10.15). gitcanary does the same,
 * reading headers in the order they are written (Flagger iterates a Go map, so its choice among
 * several headers of one entry is random). What NGINX cannot express at all (URI, query, method,
 * prefix/suffix matches, a cookie regex) is a validation error here, where Flagger ignores it.
 */
import type { HttpMatchRequest } from '../inputs/schema.js';
import type { RouterIssue } from './types.js';

type StringMatch = NonNullable<HttpMatchRequest['headers']>[string];

/** The header/cookie condition NGINX will route on. */
export interface NginxAbRule {
  /** `canary-by-header`: the header name. */
  header?: string;
  /** `canary-by-header-value`: exact value of `header`. */
  headerValue?: string;
  /** `canary-by-header-pattern`: regex for `header`. */
  headerPattern?: string;
  /**
   * `canary-by-cookie`: the `exact` value of a `cookie` header condition, which NGINX takes as a
   * cookie NAME: requests whose cookie of that name is `always` go to the canary.
   */
  cookie?: string;
}

/**
 * Flagger's translation: header key `cookie` → `cookie` (its exact value); any other header →
 * `header` plus its exact value and regex. A later header overwrites the name, value AND pattern
 * of an earlier one; a later cookie overwrites an earlier cookie.
 * @example abRule([{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { exact: 'canary' } } }])
 * // { header: 'x-canary', headerValue: 'insider', cookie: 'canary' }
 * @example abRule([{ headers: { 'x-a': { exact: '1' } } }, { headers: { 'x-b': { regex: '^b' } } }])
 * // { header: 'x-b', headerPattern: '^b' }   (x-a is dropped, as in Flagger)
 */
export function abRule(match: readonly HttpMatchRequest[]): NginxAbRule {
  let rule: NginxAbRule = {};
  for (const m of match) {
    for (const [name, v] of Object.entries(m.headers ?? {})) {
      if (name === 'cookie') {
        const { cookie: _old, ...rest } = rule;
        rule = { ...rest, ...(v.exact ? { cookie: v.exact } : {}) };
      } else {
        const { cookie } = rule;
        rule = {
          header: name,
          ...(v.exact ? { headerValue: v.exact } : {}),
          ...(v.regex ? { headerPattern: v.regex } : {}),
          ...(cookie ? { cookie } : {}),
        };
      }
    }
  }
  return rule;
}

/**
 * Why NGINX cannot route on header `name` matched by `v`, if it cannot.
 * @example headerProblem('x-canary', { prefix: 'in' }) // 'NGINX matches a header by exact value or regex only (no prefix/suffix)'
 */
function headerProblem(name: string, v: StringMatch): string | undefined {
  if (name === 'cookie')
    return v.exact && v.regex === undefined && v.prefix === undefined && v.suffix === undefined
      ? undefined
      : 'NGINX canary-by-cookie takes a cookie name in exact (requests whose cookie of that name is "always" go to the canary); regex, prefix and suffix are not supported';
  if (v.prefix !== undefined || v.suffix !== undefined)
    return 'NGINX matches a header by exact value or regex only (no prefix/suffix)';
  return v.exact || v.regex ? undefined : 'needs an exact value or a regex';
}

/** Keys of an Istio HTTPMatchRequest that NGINX canary annotations cannot express (`name` is a label). */
const untranslatable = [
  'uri',
  'scheme',
  'method',
  'authority',
  'port',
  'sourceLabels',
  'gateways',
  'queryParams',
  'ignoreUriCase',
  'withoutHeaders',
  'sourceNamespace',
] as const satisfies readonly (keyof HttpMatchRequest)[];

/**
 * What NGINX cannot route on in `match` (paths relative to `at`, e.g. `spec.analysis`), and
 * a `match` without `iterations`: Flagger's NGINX router switches to header routing whenever
 * `match` is set, while the scheduler runs the weighted strategy unless iterations > 0.
 * @example abIssues([{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'a' } } }], 'spec.analysis', 5)
 * // [{ path: 'spec.analysis.match[0].uri', message: 'NGINX canary annotations match one header or cookie only; uri cannot be translated' }]
 */
export function abIssues(
  match: readonly HttpMatchRequest[],
  at: string,
  iterations: number | undefined,
): RouterIssue[] {
  const issues: RouterIssue[] = [];
  if (match.length > 0 && (iterations ?? 0) === 0)
    issues.push({
      path: `${at}.match`,
      message:
        'A/B testing on nginx needs analysis.iterations; with stepWeight(s) NGINX would route by header while the weights advance',
    });
  match.forEach((m, i) => {
    const base = `${at}.match[${i}]`;
    for (const key of untranslatable) {
      if (m[key] !== undefined)
        issues.push({
          path: `${base}.${key}`,
          message: `NGINX canary annotations match one header or cookie only; ${key} cannot be translated`,
        });
    }
    const headers = Object.entries(m.headers ?? {});
    if (headers.length === 0)
      issues.push({ path: `${base}.headers`, message: 'needs a header or cookie condition for NGINX' });
    for (const [name, v] of headers) {
      const message = headerProblem(name, v);
      if (message) issues.push({ path: `${base}.headers.${name}`, message });
    }
  });
  return issues;
}
