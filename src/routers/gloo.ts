/**
 * Gloo Edge router (Flagger `pkg/router/gloo.go`): Upstreams (`gloo.solo.io/v1`) for the
 * `-primary` and `-canary` Services and a RouteTable (`gateway.solo.io/v1`) `<apex>` splitting
 * between them, meant to be delegated to from the user's VirtualService. A/B puts header/method
 * matchers on the only route; as in Flagger there is no fallback route, so requests that do not
 * match are left to the parent VirtualService.
 */
import type { Routes } from '../core/types.js';
import { SpecError } from '../errors.js';
import { analysisOf } from '../inputs/defaults.js';
import { type K8sObject, type LoadedCanary, refId } from '../inputs/model.js';
import type { HttpMatchRequest } from '../inputs/schema.js';
import { selectorLabel } from '../inputs/source.js';
import { list, objectMeta, type Raw, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, weightOf } from './common.js';
import { analysisAt, lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

/** API versions of the generated Upstreams and RouteTable. */
export const glooApiVersions = { upstream: 'gloo.solo.io/v1', routeTable: 'gateway.solo.io/v1' } as const;

/** Upstream settings copied from the Upstream named by `spec.upstreamRef` (Flagger copies these). */
export const copiedUpstreamFields = [
  'sslConfig',
  'circuitBreakers',
  'connectionConfig',
  'loadBalancerConfig',
  'useHttp2',
  'initialStreamWindowSize',
  'initialConnectionWindowSize',
  'httpProxyHostname',
] as const;

/**
 * Names of the generated Upstreams: `<ns>-<apex>-primaryupstream-<port>` and `…-canaryupstream-…`.
 * @example upstreamNames({ namespace: 'test', apex: 'podinfo', canary }) // port 9898
 * // { primary: 'test-podinfo-primaryupstream-9898', canary: 'test-podinfo-canaryupstream-9898' }
 */
export function upstreamNames(input: Omit<RouterInput, 'routes'>): { primary: string; canary: string } {
  const port = input.canary.canary.spec.service.port;
  const base = `${input.namespace}-${input.apex}`;
  return { primary: `${base}-primaryupstream-${port}`, canary: `${base}-canaryupstream-${port}` };
}

/**
 * The settings of the user's Upstream named by `spec.upstreamRef`, read from `upstreamRef.namespace`
 * or else the canary's (empty without upstreamRef).
 * Throws a SpecError when the Upstream is not in the repository.
 */
function referencedUpstreamConfig(input: Omit<RouterInput, 'routes'>): Raw {
  const c = input.canary;
  const ref = c.canary.spec.upstreamRef;
  if (!ref) return {};
  const namespace = ref.namespace ?? input.namespace;
  const upstream = input.lookup('Upstream', ref.name, namespace);
  if (!upstream || upstream.apiVersion !== glooApiVersions.upstream)
    throw new SpecError(
      `${glooApiVersions.upstream} Upstream ${namespace}/${ref.name} named by spec.upstreamRef was not found in the repository`,
      c.origin.file,
      refId(c.ref),
      'spec.upstreamRef',
    );
  const spec = rec(upstream['spec']);
  return Object.fromEntries(
    copiedUpstreamFields.filter((k) => spec[k] !== undefined).map((k) => [k, structuredClone(spec[k])]),
  );
}

/**
 * The pod selector of a generated Upstream: the Service's selector (`<label>: <value>-primary` or
 * `<label>: <value>`), derived from the target workload when it is in the repository; left out
 * otherwise (the Service already selects the same pods).
 */
function upstreamSelector(input: Omit<RouterInput, 'routes'>, canary: boolean): Raw {
  const { kind } = input.canary.canary.spec.targetRef;
  const workload = input.lookup(kind, input.target);
  if (!workload) return {};
  const label = selectorLabel(workload);
  return { selector: { [label.key]: canary ? label.value : `${label.value}-primary` } };
}

function upstream(
  input: RouterInput,
  name: string,
  service: string,
  canary: boolean,
  config: Raw,
): K8sObject {
  return {
    apiVersion: glooApiVersions.upstream,
    kind: 'Upstream',
    metadata: objectMeta(name, input.namespace),
    spec: {
      kube: {
        serviceName: service,
        serviceNamespace: input.namespace,
        servicePort: input.canary.canary.spec.service.port,
        ...upstreamSelector(input, canary),
      },
      ...structuredClone(config),
    },
  };
}

/**
 * The A/B matchers: one matcher holding every header (exact value, or regex) and method of all
 * `analysis.match` entries, so Gloo ANDs them (Flagger `getMatchers`). Empty without matches.
 * @example abMatchers([{ headers: { 'x-canary': { exact: 'insider' } } }])
 * // [{ headers: [{ name: 'x-canary', value: 'insider' }] }]
 */
export function abMatchers(match: readonly HttpMatchRequest[]): Raw[] {
  const headers = match.flatMap((m) =>
    Object.entries(m.headers ?? {}).map(([name, sm]) =>
      sm.regex !== undefined ? { name, value: sm.regex, regex: true } : { name, value: sm.exact ?? '' },
    ),
  );
  const methods = match.flatMap((m) => (m.method?.exact ? [m.method.exact] : []));
  if (headers.length === 0 && methods.length === 0) return [];
  return [{ ...(headers.length > 0 ? { headers } : {}), ...(methods.length > 0 ? { methods } : {}) }];
}

function routeTable(input: RouterInput): K8sObject {
  const ups = upstreamNames(input);
  const matchers = abMatchers(analysisOf(input.canary.canary)?.match ?? []);
  const destination = (name: string, weight: number): Raw => ({
    destination: { upstream: { name, namespace: input.namespace } },
    ...(weight > 0 ? { weight } : {}),
  });
  return {
    apiVersion: glooApiVersions.routeTable,
    kind: 'RouteTable',
    metadata: routeMeta(input),
    spec: {
      routes: [
        {
          ...(matchers.length > 0 ? { matchers } : {}),
          routeAction: {
            multi: {
              destinations: [
                destination(ups.primary, input.routes.primary),
                destination(ups.canary, input.routes.canary),
              ],
            },
          },
          inheritablePathMatchers: true,
        },
      ],
    },
  };
}

/**
 * The split written in RouteTable `<apex>`: the weights of the primary and canary upstream
 * destinations of its first route, an omitted weight reading as 0. Undefined without the
 * RouteTable or either destination.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const table = findObject(rendered, 'RouteTable', input.apex);
  if (!table) return undefined;
  const ups = upstreamNames(input);
  const first = rec(list(rec(table['spec'])['routes'])[0]);
  const dests = list(rec(rec(first['routeAction'])['multi'])['destinations']).map(rec);
  const find = (name: string) => dests.find((d) => rec(rec(d['destination'])['upstream'])['name'] === name);
  const primary = find(ups.primary);
  const canary = find(ups.canary);
  if (!primary || !canary) return undefined;
  return { primary: weightOf(primary['weight']), canary: weightOf(canary['weight']), mirrored: false };
}

/** A/B entries Gloo cannot express (anything but exact/regex headers and exact methods). */
function glooIssues(c: LoadedCanary): RouterIssue[] {
  const at = `${analysisAt(c)}.match`;
  const issues: RouterIssue[] = [];
  (analysisOf(c.canary)?.match ?? []).forEach((m, i) => {
    for (const key of Object.keys(m).filter((k) => k !== 'headers' && k !== 'method' && k !== 'name'))
      issues.push({ path: `${at}[${i}].${key}`, message: 'gloo A/B matchers use headers and method only' });
    for (const [name, sm] of Object.entries(m.headers ?? {}))
      for (const key of ['prefix', 'suffix'] as const)
        if (sm[key] !== undefined)
          issues.push({
            path: `${at}[${i}].headers.${name}.${key}`,
            message: 'gloo A/B header matchers take exact or regex values only',
          });
    if (m.method && m.method.exact === undefined)
      issues.push({ path: `${at}[${i}].method`, message: 'gloo A/B method matchers take exact values only' });
  });
  return issues;
}

/** Provider `gloo`: Upstreams plus a weighted RouteTable; A/B with header/method matchers. */
export const glooRouter: Router = {
  render: (input) => {
    const names = serviceNames(input);
    const ups = upstreamNames(input);
    const config = referencedUpstreamConfig(input);
    return [
      upstream(input, ups.primary, names.primary, false, config),
      upstream(input, ups.canary, names.canary, true, config),
      routeTable(input),
    ];
  },
  readRoutes,
  validate: (c) => [...lackingFeatures(c, 'gloo', ['mirror', 'sessionAffinity']), ...glooIssues(c)],
};
