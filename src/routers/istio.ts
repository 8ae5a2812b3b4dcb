/**
 * Istio router (Flagger `pkg/router/istio.go`): VirtualService `<apex>` splitting traffic between
 * `<apex>-primary` and `<apex>-canary` for every strategy (canary, blue/green, A/B, mirroring,
 * session affinity), and one DestinationRule per backend carrying `service.trafficPolicy`.
 * `networking.istio.io/v1beta1` unless the Canary's annotation `gitcanary.dev/istio-api-version`
 * says `v1`.
 */
import type { Routes } from '../core/types.js';
import { analysisOf } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import type { ServiceSpec } from '../inputs/schema.js';
import { list, type Raw, rec } from '../render/meta.js';
import { findObject, routeMeta, serviceNames, unsupportedYet, weightOf } from './common.js';
import { httpRoutes } from './istio-http.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

/** Canary annotation choosing the `networking.istio.io` version of the rendered objects. */
export const istioApiVersionAnnotation = 'gitcanary.dev/istio-api-version';
const istioVersions = ['v1beta1', 'v1'] as const;

/**
 * `networking.istio.io/<version>` from the Canary's annotation (default v1beta1, as Flagger);
 * undefined for a value validate() rejects.
 * @example istioApiVersion(canaryAnnotated({ 'gitcanary.dev/istio-api-version': 'v1' })) // 'networking.istio.io/v1'
 */
export function istioApiVersion(c: LoadedCanary): string | undefined {
  const v = c.canary.metadata.annotations?.[istioApiVersionAnnotation] ?? 'v1beta1';
  return (istioVersions as readonly string[]).includes(v) ? `networking.istio.io/${v}` : undefined;
}

/** `service.appProtocol: tcp` (any case) switches the VirtualService to `tcp:` routes. */
const isTcp = (svc: ServiceSpec): boolean => svc.appProtocol?.toLowerCase() === 'tcp';

/**
 * VirtualService hosts: `service.hosts` plus the apex, unless the apex or `*` is already listed.
 * @example vsHosts(['app.example.com'], 'podinfo') // ['app.example.com', 'podinfo']
 */
export function vsHosts(hosts: readonly string[] | undefined, apex: string): string[] {
  const out = [...(hosts ?? [])];
  return out.some((h) => h === apex || h === '*') ? out : [...out, apex];
}

/** `tcp[0]`: the ports of `service.match` and the split; weights always written, 0 included. */
function tcpRoute(input: RouterInput): Raw {
  const names = serviceNames(input);
  const ports = (input.canary.canary.spec.service.match ?? []).flatMap((m) =>
    m.port ? [{ port: m.port }] : [],
  );
  return {
    ...(ports.length > 0 ? { match: ports } : {}),
    route: [
      { destination: { host: names.primary }, weight: input.routes.primary },
      { destination: { host: names.canary }, weight: input.routes.canary },
    ],
  };
}

/**
 * Flagger `makeDestination`: with `portDiscovery` the Services have several ports, so a
 * VirtualService bound to a gateway other than `mesh` (first gateway) or delegated names the
 * service port on every destination.
 * @example destinationPort({ port: 80, portDiscovery: true, gateways: ['public-gateway'] }) // 80
 * @example destinationPort({ port: 80, portDiscovery: true }) // undefined (mesh)
 */
export function destinationPort(svc: ServiceSpec): number | undefined {
  if (!svc.portDiscovery) return undefined;
  const gateway = (svc.gateways?.length ?? 0) > 0 && svc.gateways?.[0] !== 'mesh';
  return gateway || svc.delegation ? svc.port : undefined;
}

/** The routes with `port.number` on every destination (see destinationPort). */
function withPort(routes: Raw[], port: number | undefined): Raw[] {
  if (port === undefined) return routes;
  return routes.map((r) => ({
    ...r,
    route: list(r['route']).map((d) => {
      const { host, ...rest } = rec(rec(d)['destination']);
      return { ...rec(d), destination: { host, port: { number: port }, ...rest } };
    }),
  }));
}

function virtualService(input: RouterInput, apiVersion: string): K8sObject {
  const svc = input.canary.canary.spec.service;
  const delegated = svc.delegation === true;
  const port = destinationPort(svc);
  return {
    apiVersion,
    kind: 'VirtualService',
    metadata: routeMeta(input),
    spec: {
      ...(delegated ? {} : { hosts: vsHosts(svc.hosts, input.apex) }),
      ...(delegated ? {} : { gateways: svc.gateways?.length ? [...svc.gateways] : ['mesh'] }),
      ...(isTcp(svc)
        ? { tcp: withPort([tcpRoute(input)], port) }
        : { http: withPort(httpRoutes(input), port) }),
    },
  };
}

function destinationRule(input: RouterInput, apiVersion: string, host: string): K8sObject {
  const policy = input.canary.canary.spec.service.trafficPolicy;
  return {
    apiVersion,
    kind: 'DestinationRule',
    metadata: { name: host, namespace: input.namespace },
    spec: { host, ...(policy ? { trafficPolicy: structuredClone(policy) } : {}) },
  };
}

/**
 * The split written in the VirtualService `<apex>` (Flagger `GetRoutes`): the weights of the
 * last route with a `-canary` destination — the A/B match route, the weighted route after the
 * session-affinity rules, or the only route — and `mirrored` when that route has a `mirror`.
 * Undefined when the VirtualService or both destinations are missing.
 * @example readRoutes([abVirtualService], input) // { primary: 0, canary: 100, mirrored: false }
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const vs = findObject(rendered, 'VirtualService', input.apex);
  if (!vs) return undefined;
  const spec = rec(vs['spec']);
  const names = serviceNames(input);
  const routes = (list(spec['http']).length > 0 ? list(spec['http']) : list(spec['tcp'])).map(rec);
  const dests = (r: Raw) => list(r['route']).map(rec);
  const to = (host: string) => (d: Raw) => rec(d['destination'])['host'] === host;
  const weightedRoute = routes.findLast((r) => dests(r).some(to(names.canary))) ?? routes[0] ?? {};
  const primary = dests(weightedRoute).find(to(names.primary));
  const canary = dests(weightedRoute).find(to(names.canary));
  if (!primary && !canary) return undefined;
  const mirror = rec(weightedRoute['mirror']);
  return {
    primary: weightOf(primary?.['weight']),
    canary: weightOf(canary?.['weight']),
    mirrored: typeof mirror['host'] === 'string' && mirror['host'] !== '',
  };
}

function validate(c: LoadedCanary): RouterIssue[] {
  const issues = unsupportedYet(c, 'istio', ['match', 'sessionAffinity', 'iterations']);
  const svc = c.canary.spec.service;
  const a = analysisOf(c.canary);
  const at = c.canary.spec.analysis ? 'spec.analysis' : 'spec.canaryAnalysis';
  if (!istioApiVersion(c)) {
    issues.push({
      path: `metadata.annotations.${istioApiVersionAnnotation}`,
      message: `must be one of ${istioVersions.join(', ')}`,
    });
  }
  if (svc.delegation && ((svc.hosts?.length ?? 0) > 0 || (svc.gateways?.length ?? 0) > 0)) {
    issues.push({
      path: 'spec.service.delegation',
      message: 'delegation cannot be combined with hosts or gateways',
    });
  }
  if (isTcp(svc)) {
    for (const f of ['mirror', 'match', 'sessionAffinity'] as const) {
      if (f === 'match' ? (a?.match?.length ?? 0) > 0 : a?.[f])
        issues.push({
          path: `${at}.${f}`,
          message: `${f} needs HTTP routes; appProtocol tcp renders tcp routes`,
        });
    }
  }
  if ((a?.match?.length ?? 0) > 0 && a?.sessionAffinity) {
    issues.push({
      path: `${at}.sessionAffinity`,
      message: 'session affinity has no effect with A/B testing (analysis.match): the A/B routes replace it',
    });
  }
  if ((svc.match?.length ?? 0) > 0) {
    (a?.match ?? []).forEach((m, i) => {
      for (const k of Object.keys(m).filter((k) => !['headers', 'sourceLabels', 'name'].includes(k))) {
        issues.push({
          path: `${at}.match[${i}].${k}`,
          message: `ignored: with spec.service.match set, only headers and sourceLabels of analysis.match are merged into each service match`,
        });
      }
    });
  }
  return issues;
}

/** Istio: VirtualService + DestinationRules for every strategy. */
export const istioRouter: Router = {
  render: (input) => {
    const names = serviceNames(input);
    const apiVersion = istioApiVersion(input.canary) ?? 'networking.istio.io/v1beta1';
    return [
      virtualService(input, apiVersion),
      destinationRule(input, apiVersion, names.primary),
      destinationRule(input, apiVersion, names.canary),
    ];
  },
  readRoutes,
  validate,
};
