/**
 * Contour router (Flagger `pkg/router/contour.go`, `projectcontour.io/v1`): an HTTPProxy `<apex>`
 * without a virtualhost, meant to be included from the user's root HTTPProxy. Canary and
 * blue/green split one route between `<apex>-primary` and `<apex>-canary`; A/B adds header
 * conditions to that route and a fallback route to the primary.
 */
import type { Routes } from '../core/types.js';
import { analysisOf } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import type { HttpMatchRequest } from '../inputs/schema.js';
import { list, type Raw, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, weightOf } from './common.js';
import { analysisAt, lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

const apiVersion = 'projectcontour.io/v1';

/** Canary annotation setting the HTTPProxy's `spec.ingressClassName` (Flagger's `-ingress-class` flag, per canary here). */
export const ingressClassAnnotation = 'gitcanary.dev/ingress-class';

/**
 * The ingress class of a canary's HTTPProxy: its `gitcanary.dev/ingress-class` annotation, else
 * gitcanary.yaml `contour.ingressClass`, else undefined (no `ingressClassName`, as Flagger
 * without `-ingress-class`).
 * @example ingressClass(canaryAnnotated({ 'gitcanary.dev/ingress-class': 'contour-external' })) // 'contour-external'
 */
export function ingressClass(c: LoadedCanary): string | undefined {
  const v = c.canary.metadata.annotations?.[ingressClassAnnotation]?.trim();
  return v || c.ingressClass;
}

/** Values of Contour's `RetryOn` enum (HTTPProxy CRD, `routes[].retryPolicy.retryOn[]`). */
export const contourRetryOn: ReadonlySet<string> = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/** Contour's duration pattern for timeout and retry fields (Go durations, or `infinity`). */
export const contourDuration =
  /^(((\d*(\.\d*)?h)|(\d*(\.\d*)?m)|(\d*(\.\d*)?s)|(\d*(\.\d*)?ms)|(\d*(\.\d*)?us)|(\d*(\.\d*)?µs)|(\d*(\.\d*)?ns))+|infinity|infinite)$/;

/**
 * The path prefix of every route: `service.match[0].uri.prefix`, else `/` (Flagger `makePrefix`).
 * @example routePrefix(podinfo) // '/'
 */
export function routePrefix(c: LoadedCanary): string {
  return c.canary.spec.service.match?.[0]?.uri?.prefix || '/';
}

/**
 * One Contour header condition for an Istio StringMatch: `exact`, or `contains` for `prefix`
 * and `suffix` (Flagger's loosening; prefix wins over suffix). Undefined for what Contour cannot
 * express here (regex, or no value at all), which validate() rejects.
 * @example headerCondition('x-canary', { exact: 'insider' }) // { name: 'x-canary', exact: 'insider' }
 * @example headerCondition('user-agent', { prefix: 'Mozilla' }) // { name: 'user-agent', contains: 'Mozilla' }
 */
export function headerCondition(
  name: string,
  m: { exact?: string; prefix?: string; suffix?: string },
): Raw | undefined {
  const contains = m.prefix || m.suffix;
  if (contains) return { name, contains };
  if (m.exact) return { name, exact: m.exact };
  return undefined;
}

/**
 * The conditions of the A/B route: one per header of every `analysis.match` entry, all ANDed by
 * Contour (Istio ORs the entries). Only the first carries the prefix: Flagger repeats it on each
 * condition, which Contour rejects ("more than one prefix is not allowed in a condition block")
 * as soon as there are two headers; the merged condition is the same.
 * @example abConditions([{ headers: { 'x-canary': { exact: 'insider' } } }], '/')
 * // [{ prefix: '/', header: { name: 'x-canary', exact: 'insider' } }]
 */
export function abConditions(match: readonly HttpMatchRequest[], prefix: string): Raw[] {
  const headers = match.flatMap((m) =>
    Object.entries(m.headers ?? {}).flatMap(([name, sm]) => {
      const h = headerCondition(name, sm);
      return h ? [h] : [];
    }),
  );
  return headers.map((header, i) => (i === 0 ? { prefix, header } : { header }));
}

/** `timeoutPolicy` and `retryPolicy` from `service.timeout` / `service.retries`, when set. */
function policies(c: LoadedCanary): Raw {
  const svc = c.canary.spec.service;
  const r = svc.retries;
  const retryOn = (r?.retryOn ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    ...(svc.timeout ? { timeoutPolicy: { response: svc.timeout, idle: '5m' } } : {}),
    ...(r
      ? {
          retryPolicy: {
            ...(r.attempts ? { count: r.attempts } : {}),
            ...(r.perTryTimeout ? { perTryTimeout: r.perTryTimeout } : {}),
            ...(retryOn.length > 0 ? { retryOn } : {}),
          },
        }
      : {}),
  };
}

/** A backend: name, port, weight (omitted when 0, as Flagger's omitempty) and the Linkerd override header. */
function proxyService(input: Omit<RouterInput, 'routes'>, name: string, weight: number): Raw {
  const port = input.canary.canary.spec.service.port;
  return {
    name,
    port,
    ...(weight > 0 ? { weight } : {}),
    requestHeadersPolicy: {
      set: [{ name: 'l5d-dst-override', value: `${name}.${input.namespace}.svc.cluster.local:${port}` }],
    },
  };
}

function route(input: Omit<RouterInput, 'routes'>, conditions: Raw[], primary: number, canary: number): Raw {
  const names = serviceNames(input);
  return {
    conditions,
    ...policies(input.canary),
    services: [proxyService(input, names.primary, primary), proxyService(input, names.canary, canary)],
  };
}

function httpProxy(input: RouterInput): K8sObject {
  const prefix = routePrefix(input.canary);
  const match = analysisOf(input.canary.canary)?.match ?? [];
  const { primary, canary } = input.routes;
  const routes =
    match.length > 0
      ? [route(input, abConditions(match, prefix), primary, canary), route(input, [{ prefix }], 100, 0)]
      : [route(input, [{ prefix }], primary, canary)];
  const className = ingressClass(input.canary);
  const spec = { ...(className ? { ingressClassName: className } : {}), routes };
  return { apiVersion, kind: 'HTTPProxy', metadata: routeMeta(input), spec };
}

/**
 * The split written in HTTPProxy `<apex>`: the weights of `routes[0]` (the A/B route when there
 * is one), an omitted weight reading as 0. Undefined without the proxy or either backend.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const proxy = findObject(rendered, 'HTTPProxy', input.apex);
  if (!proxy) return undefined;
  const names = serviceNames(input);
  const services = list(rec(list(rec(proxy['spec'])['routes'])[0])['services']).map(rec);
  const primary = services.find((s) => s['name'] === names.primary);
  const canary = services.find((s) => s['name'] === names.canary);
  if (!primary || !canary) return undefined;
  return { primary: weightOf(primary['weight']), canary: weightOf(canary['weight']), mirrored: false };
}

/** A/B entries Contour cannot express: anything but exact/prefix/suffix headers, or a header twice. */
function abIssues(c: LoadedCanary): RouterIssue[] {
  const at = `${analysisAt(c)}.match`;
  const issues: RouterIssue[] = [];
  const seen = new Set<string>();
  (analysisOf(c.canary)?.match ?? []).forEach((m, i) => {
    for (const key of Object.keys(m).filter((k) => k !== 'headers' && k !== 'name'))
      issues.push({ path: `${at}[${i}].${key}`, message: 'contour A/B routes match on headers only' });
    const headers = Object.entries(m.headers ?? {});
    if (headers.length === 0)
      issues.push({ path: `${at}[${i}]`, message: 'contour A/B needs at least one header per match entry' });
    for (const [name, sm] of headers) {
      const path = `${at}[${i}].headers.${name}`;
      if (sm.regex !== undefined)
        issues.push({ path: `${path}.regex`, message: 'contour A/B header conditions cannot use regex' });
      else if (!headerCondition(name, sm))
        issues.push({ path, message: 'contour A/B header conditions need exact, prefix or suffix' });
      const lower = name.toLowerCase();
      if (seen.has(lower))
        issues.push({
          path,
          message: 'contour ANDs every A/B condition; a header can appear in only one match entry',
        });
      seen.add(lower);
    }
  });
  return issues;
}

/**
 * Service-level fields Contour cannot honour: any `service.match` beyond `[0].uri.prefix` (Flagger
 * reads only that), a prefix not starting with `/`, bad durations, unknown retryOn values.
 */
function serviceIssues(c: LoadedCanary): RouterIssue[] {
  const svc = c.canary.spec.service;
  const issues: RouterIssue[] = [];
  (svc.match ?? []).forEach((m, i) => {
    const at = `spec.service.match[${i}]`;
    const unused =
      i > 0
        ? [at]
        : [
            ...Object.keys(m)
              .filter((k) => k !== 'uri' && k !== 'name')
              .map((k) => `${at}.${k}`),
            ...Object.keys(m.uri ?? {})
              .filter((k) => k !== 'prefix')
              .map((k) => `${at}.uri.${k}`),
          ];
    for (const path of unused)
      issues.push({ path, message: 'contour routes on spec.service.match[0].uri.prefix only' });
  });
  if (!routePrefix(c).startsWith('/'))
    issues.push({ path: 'spec.service.match[0].uri.prefix', message: 'contour prefixes must start with /' });
  const durations: [string, string | undefined][] = [
    ['spec.service.timeout', svc.timeout],
    ['spec.service.retries.perTryTimeout', svc.retries?.perTryTimeout],
  ];
  for (const [path, d] of durations)
    if (d !== undefined && !contourDuration.test(d))
      issues.push({
        path,
        message: `contour needs a duration such as 30s or 1m30s, got ${JSON.stringify(d)}`,
      });
  for (const on of (svc.retries?.retryOn ?? '').split(',').map((s) => s.trim())) {
    if (on !== '' && !contourRetryOn.has(on))
      issues.push({
        path: 'spec.service.retries.retryOn',
        message: `contour does not retry on ${JSON.stringify(on)}; valid: ${[...contourRetryOn].join(', ')}`,
      });
  }
  return issues;
}

/** Provider `contour`: HTTPProxy with weighted services; A/B with header conditions (ANDed). */
export const contourRouter: Router = {
  render: (input) => [httpProxy(input)],
  readRoutes,
  validate: (c) => [
    ...lackingFeatures(c, 'contour', ['mirror', 'sessionAffinity']),
    ...abIssues(c),
    ...serviceIssues(c),
  ],
};
