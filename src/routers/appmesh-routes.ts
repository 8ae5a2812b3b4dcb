/**
 * What the two App Mesh routers (`appmesh` → `appmesh.k8s.aws/v1beta1`, `appmesh:v1beta2`) share,
 * as Flagger's `appmesh.go` and `appmesh_v1beta2.go` build it: the routes of a virtual router
 * (the weighted route, or the A/B pair `<apex>-a` / `<apex>-b`), listener protocol and port, retry
 * policy, gateway annotations, and the spec combinations App Mesh cannot honour.
 */
import { analysisOf, parseDuration } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { HttpMatchRequest } from '../inputs/schema.js';
import type { Raw } from '../render/meta.js';
import { analysisAt, lackingFeatures } from './provider-limits.js';
import type { RouterIssue } from './types.js';

/** One route of a virtual router before it is spelt in a CRD version. */
export interface MeshRoute {
  name: string;
  /** Set on the A/B pair only: 10 for the header route, 20 for the fallback. */
  priority?: number;
  prefix: string;
  /** Header matches (`[{ name, match: { exact | prefix | suffix | regex } }]`), A/B route only. */
  headers?: Raw[];
  /** Virtual node names and weights, in Flagger's order (canary first). */
  targets: { node: string; weight: number }[];
}

/** The HTTP retry events App Mesh accepts (`httpRetryEvents` enum of the CRDs). */
export const httpRetryEvents = ['server-error', 'gateway-error', 'client-error', 'stream-error'] as const;

/**
 * The route prefix: `service.match[0].uri.prefix`, else `/` (App Mesh matches URI prefixes only).
 * @example routePrefix({ match: [{ uri: { prefix: '/api' } }] }) // '/api'
 */
export const routePrefix = (svc: LoadedCanary['canary']['spec']['service']): string =>
  svc.match?.[0]?.uri?.prefix || '/';

/**
 * The listener protocol: `grpc` when `service.portName` contains "grpc", else `http`.
 * @example meshProtocol({ portName: 'grpc-api' }) // 'grpc'
 */
export const meshProtocol = (svc: LoadedCanary['canary']['spec']['service']): 'grpc' | 'http' =>
  svc.portName?.includes('grpc') ? 'grpc' : 'http';

/**
 * The header matches of the A/B route: every header of every `analysis.match` entry, in order,
 * so App Mesh ANDs them (Flagger `makeHeaders`).
 * @example abHeaders([{ headers: { 'x-canary': { exact: 'insider' } } }])
 * // [{ name: 'x-canary', match: { exact: 'insider' } }]
 */
export function abHeaders(match: readonly HttpMatchRequest[]): Raw[] {
  return match.flatMap((m) =>
    Object.entries(m.headers ?? {}).map(([name, sm]) => {
      const methods = (['exact', 'prefix', 'regex', 'suffix'] as const).filter((k) => sm[k]);
      return { name, match: Object.fromEntries(methods.map((k) => [k, sm[k]])) };
    }),
  );
}

/**
 * The routes of virtual router `name` (Flagger `reconcileVirtualRouter` + `SetRoutes`). The apex
 * router carries the split; with `analysis.match` it is the A/B pair instead: `<apex>-a` (priority
 * 10, the headers, the split) and `<apex>-b` (priority 20, all traffic to the primary). The
 * `<apex>-canary` router always sends everything to the canary.
 * @example meshRoutes(canary, 'podinfo', 'podinfo', { primary: 90, canary: 10 })
 * // [{ name: 'podinfo', prefix: '/', targets: [{ node: 'podinfo-canary', weight: 10 }, { node: 'podinfo-primary', weight: 90 }] }]
 */
export function meshRoutes(
  c: LoadedCanary,
  apex: string,
  name: string,
  split: { primary: number; canary: number },
): MeshRoute[] {
  const prefix = routePrefix(c.canary.spec.service);
  const targets = [
    { node: `${apex}-canary`, weight: split.canary },
    { node: `${apex}-primary`, weight: split.primary },
  ];
  const match = analysisOf(c.canary)?.match ?? [];
  if (name !== apex || match.length === 0) return [{ name, prefix, targets }];
  return [
    { name: `${apex}-a`, priority: 10, prefix, headers: abHeaders(match), targets },
    { name: `${apex}-b`, priority: 20, prefix, targets: [{ node: `${apex}-primary`, weight: 100 }] },
  ];
}

/** Whole milliseconds of a Go duration (Go `Milliseconds()` truncates). */
const ms = (s: string | undefined): number | undefined => {
  const d = parseDuration(s);
  return d === undefined ? undefined : Math.trunc(d);
};

/** `service.timeout` in whole milliseconds, when set. */
export const timeoutMs = (c: LoadedCanary): number | undefined => ms(c.canary.spec.service.timeout);

/**
 * `service.retries` as App Mesh sees it: per-try timeout (default 250 ms), attempts (default 1) and
 * the events (`retryOn` split on commas, default `gateway-error`). Undefined without retries.
 * @example retries({ attempts: 3, perTryTimeout: '1s' })
 * // { perTryMs: 1000, attempts: 3, events: ['gateway-error'] }
 */
export function retries(
  c: LoadedCanary,
): { perTryMs: number; attempts: number; events: string[] } | undefined {
  const r = c.canary.spec.service.retries;
  if (!r) return undefined;
  return {
    perTryMs: ms(r.perTryTimeout) ?? 250,
    attempts: (r.attempts ?? 0) > 0 ? (r.attempts as number) : 1,
    events: r.retryOn ? r.retryOn.split(',') : ['gateway-error'],
  };
}

/**
 * Annotations of the apex virtual service for the App Mesh gateway, when `service.hosts` is set:
 * expose, the domains (each followed by a comma, as Flagger writes them), timeout and retries.
 * @example gatewayAnnotations({ hosts: ['app.example.com'] })
 * // { 'gateway.appmesh.k8s.aws/expose': 'true', 'gateway.appmesh.k8s.aws/domain': 'app.example.com,' }
 */
export function gatewayAnnotations(svc: LoadedCanary['canary']['spec']['service']): Record<string, string> {
  const hosts = svc.hosts ?? [];
  if (hosts.length === 0) return {};
  return {
    'gateway.appmesh.k8s.aws/expose': 'true',
    'gateway.appmesh.k8s.aws/domain': hosts.map((h) => `${h},`).join(''),
    ...(svc.timeout ? { 'gateway.appmesh.k8s.aws/timeout': svc.timeout } : {}),
    ...((svc.retries?.attempts ?? 0) > 0
      ? { 'gateway.appmesh.k8s.aws/retries': String(svc.retries?.attempts) }
      : {}),
  };
}

/** Annotation that turns on the virtual nodes' access log (`enabled`). */
export const accessLogAnnotation = 'appmesh.flagger.app/accesslog';

/** The access-log setting of the virtual nodes, when the Canary asks for it. */
export const logging = (c: LoadedCanary): Raw =>
  c.canary.metadata.annotations?.[accessLogAnnotation] === 'enabled'
    ? { logging: { accessLog: { file: { path: '/dev/stdout' } } } }
    : {};

/**
 * What App Mesh cannot honour, where Flagger silently drops it: mirroring and session affinity;
 * A/B entries with anything but headers; `service.match` beyond the first entry's URI prefix;
 * durations that do not parse; retry events App Mesh does not know. `appmesh` (v1beta1) also
 * needs `service.meshName`.
 */
export function meshIssues(c: LoadedCanary, provider: string, needsMeshName: boolean): RouterIssue[] {
  const svc = c.canary.spec.service;
  const issues = lackingFeatures(c, provider, ['mirror', 'sessionAffinity']);
  const at = `${analysisAt(c)}.match`;
  (analysisOf(c.canary)?.match ?? []).forEach((m, i) => {
    for (const key of Object.keys(m).filter((k) => k !== 'headers' && k !== 'name'))
      issues.push({ path: `${at}[${i}].${key}`, message: `${provider} A/B routes match on headers only` });
    if (Object.keys(m.headers ?? {}).length === 0)
      issues.push({
        path: `${at}[${i}].headers`,
        message: `${provider} A/B routes need at least one header`,
      });
    for (const name of Object.keys(m.headers ?? {}).filter((n) => n.length > 50))
      issues.push({
        path: `${at}[${i}].headers`,
        message: `App Mesh header names have at most 50 characters: ${name}`,
      });
  });
  const headers = abHeaders(analysisOf(c.canary)?.match ?? []).length;
  if (headers > 10)
    issues.push({ path: at, message: `an App Mesh route matches at most 10 headers, not ${headers}` });
  (svc.match ?? []).forEach((m, i) => {
    const extra = Object.keys(m).filter((k) => i > 0 || k !== 'uri');
    for (const key of extra)
      issues.push({
        path: `spec.service.match[${i}].${key}`,
        message: `${provider} routes match the URI prefix of service.match[0] only`,
      });
    for (const key of Object.keys(m.uri ?? {}).filter((k) => k !== 'prefix'))
      issues.push({
        path: `spec.service.match[${i}].uri.${key}`,
        message: `${provider} routes match URI prefixes only`,
      });
  });
  if (needsMeshName && !svc.meshName)
    issues.push({
      path: 'spec.service.meshName',
      message: `${provider} needs the App Mesh name (service.meshName)`,
    });
  for (const [path, value] of [
    ['spec.service.timeout', svc.timeout],
    ['spec.service.retries.perTryTimeout', svc.retries?.perTryTimeout],
  ] as const)
    if (value !== undefined && parseDuration(value) === undefined)
      issues.push({ path, message: `${JSON.stringify(value)} is not a duration such as 500ms or 15s` });
  for (const e of svc.retries?.retryOn?.split(',') ?? [])
    if (!(httpRetryEvents as readonly string[]).includes(e))
      issues.push({
        path: 'spec.service.retries.retryOn',
        message: `App Mesh retries on ${httpRetryEvents.join(', ')} (comma-separated, no spaces), not ${JSON.stringify(e)}`,
      });
  return issues;
}
