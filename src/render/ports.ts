/**
 * Service port discovery (`spec.service.portDiscovery`, Flagger `getPorts`): every container port
 * of the target's pod template becomes an extra ServicePort on the generated Services.
 */
import type { K8sObject } from '../inputs/model.js';
import type { ServiceSpec } from '../inputs/schema.js';
import { list, rec } from './meta.js';

/** Sidecar containers whose ports are never discovered. */
const sidecars: ReadonlySet<string> = new Set(['istio-proxy', 'envoy']);

/** A discovered port: its ServicePort name and number (port = targetPort). */
export interface DiscoveredPort {
  name: string;
  port: number;
}

/**
 * The container ports of `workload`'s pod template (containers only, sidecars `istio-proxy` and
 * `envoy` skipped), minus the service's own port: the one equal to `targetPort` (by number, or by
 * name when it is a string), or to `port` when targetPort is unset. Named by the container port's
 * name, else `tcp-<container>-<index>`; a name seen twice keeps the last port, as Flagger's map.
 * Empty unless `service.portDiscovery` is set.
 * @example discoveredPorts({ port: 80, targetPort: 9898, portDiscovery: true }, podinfo)
 * // [{ name: 'http-metrics', port: 9797 }, { name: 'tcp-podinfo-2', port: 9999 }]
 */
export function discoveredPorts(svc: ServiceSpec, workload: K8sObject): DiscoveredPort[] {
  if (!svc.portDiscovery) return [];
  const podSpec = rec(rec(rec(workload['spec'])['template'])['spec']);
  const found = new Map<string, number>();
  for (const container of list(podSpec['containers']).map(rec)) {
    const containerName = typeof container['name'] === 'string' ? container['name'] : '';
    if (sidecars.has(containerName)) continue;
    list(container['ports'])
      .map(rec)
      .forEach((p, i) => {
        const port = p['containerPort'];
        if (typeof port !== 'number') return;
        const name = typeof p['name'] === 'string' && p['name'] !== '' ? p['name'] : undefined;
        const own =
          svc.targetPort === undefined
            ? port === svc.port
            : typeof svc.targetPort === 'number'
              ? port === svc.targetPort
              : name === svc.targetPort;
        if (own) return;
        found.set(name ?? `tcp-${containerName}-${i}`, port);
      });
  }
  return [...found].map(([name, port]) => ({ name, port }));
}
