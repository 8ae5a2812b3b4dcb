/**
 * The three ClusterIP Services every router needs (Flagger `KubernetesDefaultRouter`):
 * `<apex>` and `<apex>-primary` select the primary pods, `<apex>-canary` the canary pods.
 */
import { apexName, defaults } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import type { ServiceSpec } from '../inputs/schema.js';
import { objectMeta, type Raw } from './meta.js';
import type { DiscoveredPort } from './ports.js';

/** The selector label of the source workload, e.g. `{ key: 'app', value: 'podinfo' }`. */
export interface SelectorLabel {
  key: string;
  value: string;
}

/** The single service port: `portName` (default http), `port`, `targetPort` (default port), TCP. */
function servicePort(svc: ServiceSpec): Raw {
  return {
    name: svc.portName ?? defaults.portName,
    port: svc.port,
    targetPort: svc.targetPort ?? svc.port,
    protocol: 'TCP',
    ...(svc.appProtocol ? { appProtocol: svc.appProtocol } : {}),
  };
}

function service(
  canary: LoadedCanary,
  name: string,
  selector: Record<string, string>,
  meta: ServiceSpec['apex'],
  label: SelectorLabel,
  extra: readonly DiscoveredPort[],
): K8sObject {
  const svc = canary.canary.spec.service;
  const discovered = extra.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(
      name,
      canary.ref.namespace,
      { ...meta?.labels, [label.key]: name },
      meta?.annotations,
    ),
    spec: {
      type: 'ClusterIP',
      ...(svc.headless ? { clusterIP: 'None' } : {}),
      selector,
      ports: [servicePort(svc), ...discovered],
      ...(svc.trafficDistribution ? { trafficDistribution: svc.trafficDistribution } : {}),
    },
  };
}

/**
 * Services `<apex>`, `<apex>-primary` (selector `<label>: <value>-primary`) and `<apex>-canary`
 * (selector `<label>: <value>`), with the labels/annotations of `service.apex|primary|canary`
 * and the label `<label>: <service name>`; `extra` are the discovered ports (`service.portDiscovery`),
 * added after the service port.
 * @example services(podinfo, { key: 'app', value: 'podinfo' }).map((s) => s.metadata.name)
 * // ['podinfo', 'podinfo-primary', 'podinfo-canary']
 */
export function services(
  canary: LoadedCanary,
  label: SelectorLabel,
  extra: readonly DiscoveredPort[] = [],
): K8sObject[] {
  const apex = apexName(canary.canary);
  const svc = canary.canary.spec.service;
  const primarySelector = { [label.key]: `${label.value}-primary` };
  return [
    service(canary, apex, primarySelector, svc.apex, label, extra),
    service(canary, `${apex}-primary`, primarySelector, svc.primary, label, extra),
    service(canary, `${apex}-canary`, { [label.key]: label.value }, svc.canary, label, extra),
  ];
}
