/**
 * The read-only cluster port. gitcanary reads the cluster, never writes it: it gets the few
 * objects a decision needs by name (never lists the world): the Flux Kustomization or Argo CD
 * Application that applies a canary's folder, and the canary's and primary's workloads.
 */

/** One object by name. `group` is '' for the core API group. */
export interface ObjectRef {
  group: string;
  version: string;
  /** Lower-case plural resource name: `kustomizations`, `applications`, `deployments`. */
  resource: string;
  namespace: string;
  name: string;
}

export type K8sJson = Record<string, unknown>;

export interface ClusterReader {
  /**
   * The object, or undefined when it does not exist (404). Throws ClusterError when the API
   * refuses (401/403: missing RBAC, named in the message), is gone (410) or unreachable, or when
   * the answer is over the size cap or late.
   */
  get(ref: ObjectRef): Promise<K8sJson | undefined>;
  /**
   * Optional (the Kubernetes adapter): the `ExternalMetricValueList` of `metricName` in
   * `namespace` from the external metrics API (`external.metrics.k8s.io/v1beta1`), filtered by
   * `labelSelector` ('' for all); undefined on 404. Throws ClusterError as `get` does.
   */
  externalMetric?(namespace: string, metricName: string, labelSelector: string): Promise<K8sJson | undefined>;
}

/** Why the cluster could not answer. `retriable`: a later run may succeed without a change. */
export class ClusterError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ClusterError';
  }
}

/** The objects gitcanary reads, by kind. */
export const refs = {
  kustomization: (namespace: string, name: string): ObjectRef => ({
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    resource: 'kustomizations',
    namespace,
    name,
  }),
  application: (namespace: string, name: string): ObjectRef => ({
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'applications',
    namespace,
    name,
  }),
  deployment: (namespace: string, name: string): ObjectRef => ({
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    namespace,
    name,
  }),
  daemonSet: (namespace: string, name: string): ObjectRef => ({
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    namespace,
    name,
  }),
};

/**
 * The external metrics API path of a metric, with its label selector as the query parameter.
 * @example externalMetricPath('test', 'queue-depth', 'app=podinfo')
 *   // '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/queue-depth?labelSelector=app%3Dpodinfo'
 */
export function externalMetricPath(namespace: string, metricName: string, labelSelector: string): string {
  const base = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(metricName)}`;
  return labelSelector ? `${base}?labelSelector=${encodeURIComponent(labelSelector)}` : base;
}

/** The API path of an object, as the Kubernetes API names it. */
export function apiPath(r: ObjectRef): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${base}/namespaces/${encodeURIComponent(r.namespace)}/${r.resource}/${encodeURIComponent(r.name)}`;
}
