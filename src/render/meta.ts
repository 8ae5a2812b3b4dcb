/**
 * Metadata shared by every rendered object: the gitcanary ownership marks, the canary namespace,
 * and the Flux keys a rendered object must never carry (here Flux is the actuator).
 */
import { type K8sObject, type LoadedCanary, refId } from '../inputs/model.js';

export type Raw = Record<string, unknown>;

/** The value as a plain map, or an empty one. */
export const rec = (x: unknown): Raw =>
  typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Raw) : {};
/** The value as an array, or an empty one. */
export const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Label on every rendered object. */
export const managedByLabel = 'app.kubernetes.io/managed-by';
/** Annotation naming the owning Canary (`<namespace>/<name>`). */
export const canaryAnnotation = 'gitcanary.dev/canary';
/** Annotation with the source revision the primary was built from. */
export const revisionAnnotation = 'gitcanary.dev/revision';
/** Annotation with the repository file of the source workload. */
export const sourceAnnotation = 'gitcanary.dev/source';

/** Flagger's opt-outs from Flux: never on a rendered object, Flux must apply every change. */
const fluxOptOuts = ['kustomize.toolkit.fluxcd.io/reconcile', 'helm.toolkit.fluxcd.io/driftDetection'];

/**
 * A copy of a label or annotation map without the keys containing `toolkit.fluxcd.io`
 * (Flagger `filterMetadata` when copying target metadata to `-primary` objects).
 * @example withoutToolkitKeys({ a: '1', 'kustomize.toolkit.fluxcd.io/name': 'apps' }) // { a: '1' }
 */
export function withoutToolkitKeys(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !k.includes('toolkit.fluxcd.io')));
}

/** Cluster-scoped kinds a router renders (`<apiVersion>/<kind>`): stamped without a namespace. */
const clusterScoped: ReadonlySet<string> = new Set(['kuma.io/v1alpha1/TrafficRoute']);

/**
 * A copy of `obj` as gitcanary writes it: namespace = the canary's (none for cluster-scoped kinds),
 * label `app.kubernetes.io/managed-by: gitcanary`, annotation `gitcanary.dev/canary: <ns>/<name>`, and
 * without Flagger's Flux opt-out annotations. Idempotent: stamping a stamped object changes nothing.
 */
export function stamp(obj: K8sObject, canary: LoadedCanary): K8sObject {
  const out = structuredClone(obj);
  const annotations: Record<string, string> = {
    ...out.metadata.annotations,
    [canaryAnnotation]: refId(canary.ref),
  };
  for (const key of fluxOptOuts) delete annotations[key];
  out.metadata = {
    ...out.metadata,
    namespace: canary.ref.namespace,
    labels: { ...out.metadata.labels, [managedByLabel]: 'gitcanary' },
    annotations,
  };
  if (clusterScoped.has(`${out.apiVersion}/${out.kind}`)) delete out.metadata.namespace;
  return out;
}

/**
 * Builds `metadata` in canonical order (name, namespace, labels, annotations), leaving out empty maps.
 * @example objectMeta('podinfo', 'test', {}, { a: '1' }) // { name, namespace, annotations: { a: '1' } }
 */
export function objectMeta(
  name: string,
  namespace: string,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): K8sObject['metadata'] {
  return {
    name,
    namespace,
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}
