/**
 * Istio router (Flagger `pkg/router/istio.go`, `networking.istio.io/v1beta1`): VirtualService
 * `<apex>` splitting traffic between `<apex>-primary` and `<apex>-canary`, and one
 * DestinationRule per backend carrying `service.trafficPolicy`.
 */
import type { Routes } from '../core/types.js';
import { list, type Raw, rec } from '../render/meta.js';
import { analysisOf } from '../spec/defaults.js';
import type { K8sObject } from '../spec/model.js';
import type { ServiceSpec } from '../spec/schema.js';
import { findObject, routeMeta, serviceNames, unsupportedYet, weightOf } from './common.js';
import type { Router, RouterInput } from './types.js';

const apiVersion = 'networking.istio.io/v1beta1';

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

/** The weighted destinations; weights are always written, 0 included. */
function weighted(input: RouterInput): Raw[] {
  const names = serviceNames(input);
  return [
    { destination: { host: names.primary }, weight: input.routes.primary },
    { destination: { host: names.canary }, weight: input.routes.canary },
  ];
}

/** `http[0]`: service-level match, rewrite, timeout, retries, CORS, headers, the split and the mirror. */
function httpRoute(input: RouterInput): Raw {
  const svc = input.canary.canary.spec.service;
  const mirrorWeight = analysisOf(input.canary.canary)?.mirrorWeight ?? 0;
  const rewrite = svc.rewrite && {
    ...(svc.rewrite.uri ? { uri: svc.rewrite.uri } : {}),
    ...(svc.rewrite.authority ? { authority: svc.rewrite.authority } : {}),
  };
  return {
    ...(svc.match?.length ? { match: structuredClone(svc.match) } : {}),
    ...(rewrite && Object.keys(rewrite).length > 0 ? { rewrite } : {}),
    ...(svc.timeout ? { timeout: svc.timeout } : {}),
    ...(svc.retries ? { retries: structuredClone(svc.retries) } : {}),
    ...(svc.corsPolicy ? { corsPolicy: structuredClone(svc.corsPolicy) } : {}),
    ...(svc.headers ? { headers: structuredClone(svc.headers) } : {}),
    route: weighted(input),
    ...(input.routes.mirrored ? { mirror: { host: serviceNames(input).canary } } : {}),
    ...(input.routes.mirrored && mirrorWeight > 0 ? { mirrorPercentage: { value: mirrorWeight } } : {}),
  };
}

/** `tcp[0]`: the ports of `service.match` and the split. */
function tcpRoute(input: RouterInput): Raw {
  const ports = (input.canary.canary.spec.service.match ?? []).flatMap((m) =>
    m.port ? [{ port: m.port }] : [],
  );
  return { ...(ports.length > 0 ? { match: ports } : {}), route: weighted(input) };
}

function virtualService(input: RouterInput): K8sObject {
  const svc = input.canary.canary.spec.service;
  const delegated = svc.delegation === true;
  return {
    apiVersion,
    kind: 'VirtualService',
    metadata: routeMeta(input),
    spec: {
      ...(delegated ? {} : { hosts: vsHosts(svc.hosts, input.apex) }),
      ...(delegated ? {} : { gateways: svc.gateways?.length ? [...svc.gateways] : ['mesh'] }),
      ...(isTcp(svc) ? { tcp: [tcpRoute(input)] } : { http: [httpRoute(input)] }),
    },
  };
}

function destinationRule(input: RouterInput, host: string): K8sObject {
  const policy = input.canary.canary.spec.service.trafficPolicy;
  return {
    apiVersion,
    kind: 'DestinationRule',
    metadata: { name: host, namespace: input.namespace },
    spec: { host, ...(policy ? { trafficPolicy: structuredClone(policy) } : {}) },
  };
}

/**
 * The split written in the VirtualService `<apex>`: weights of the `-primary` / `-canary`
 * destinations of `http[0]` (`tcp[0]` for TCP), `mirrored` when `http[0].mirror` is set.
 * Undefined when the VirtualService or both destinations are missing.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const vs = findObject(rendered, 'VirtualService', input.apex);
  if (!vs) return undefined;
  const spec = rec(vs['spec']);
  const first = rec(list(spec['http'])[0] ?? list(spec['tcp'])[0]);
  const names = serviceNames(input);
  const dests = list(first['route']).map(rec);
  const weightFor = (host: string) => dests.find((d) => rec(d['destination'])['host'] === host);
  const primary = weightFor(names.primary);
  const canary = weightFor(names.canary);
  if (!primary && !canary) return undefined;
  const mirror = rec(first['mirror']);
  return {
    primary: weightOf(primary?.['weight']),
    canary: weightOf(canary?.['weight']),
    mirrored: typeof mirror['host'] === 'string' && mirror['host'] !== '',
  };
}

/** Istio: VirtualService + DestinationRules; canary weights and canary-strategy mirroring. */
export const istioRouter: Router = {
  render: (input) => {
    const names = serviceNames(input);
    return [
      virtualService(input),
      destinationRule(input, names.primary),
      destinationRule(input, names.canary),
    ];
  },
  readRoutes,
  validate: (c) => {
    const issues = unsupportedYet(c, 'istio');
    const svc = c.canary.spec.service;
    if (svc.delegation && ((svc.hosts?.length ?? 0) > 0 || (svc.gateways?.length ?? 0) > 0)) {
      issues.push({
        path: 'spec.service.delegation',
        message: 'delegation cannot be combined with hosts or gateways',
      });
    }
    const a = analysisOf(c.canary);
    if (a?.mirror && isTcp(svc)) {
      const at = c.canary.spec.analysis ? 'spec.analysis' : 'spec.canaryAnalysis';
      issues.push({
        path: `${at}.mirror`,
        message: 'mirroring needs HTTP routes; appProtocol tcp renders tcp routes',
      });
    }
    return issues;
  },
};
