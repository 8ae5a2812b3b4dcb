/**
 * Flagger's `externalmetrics` provider: a metric of the Kubernetes external metrics API
 * (`external.metrics.k8s.io/v1beta1`), read through the cluster reader with the access
 * `cluster.access` configures (kubeconfig or the pod's ServiceAccount), never over another client.
 * The query names `<namespace>/<metricName>`, optionally followed by `?labelSelector=<url-encoded
 * selector>`, as Flagger's does; the value is the first item's quantity, and an empty list is no data.
 */
import { ClusterError, type ClusterReader } from '../../cluster/port.js';
import { parseQuantity } from '../../cluster/quantity.js';
import type { QueryResult } from '../../core/types.js';
import type { MetricsProvider } from '../provider.js';

/** What an externalmetrics query names. */
export interface ExternalMetricQuery {
  namespace: string;
  metricName: string;
  labelSelector: string;
}

/**
 * The query's parts, or why it is not one.
 * @example parseExternalQuery('test/queue-depth?labelSelector=app%3Dpodinfo')
 *   // { namespace: 'test', metricName: 'queue-depth', labelSelector: 'app=podinfo' }
 * @example parseExternalQuery('queue-depth') // 'invalid query … expected <namespace>/<metricName>[?labelSelector=…]'
 */
export function parseExternalQuery(query: string): ExternalMetricQuery | string {
  const q = query.trim();
  const bad = `invalid query "${q}": expected <namespace>/<metricName>[?labelSelector=<url-encoded selector>]`;
  const [path = '', search, ...rest] = q.split('?');
  if (rest.length > 0) return bad;
  const parts = path.split('/');
  const [namespace = '', metricName = ''] = parts;
  if (parts.length !== 2 || !namespace || !metricName) return bad;
  let labelSelector = '';
  if (search !== undefined) {
    const params = new URLSearchParams(search);
    const keys = [...params.keys()];
    if (keys.length !== 1 || keys[0] !== 'labelSelector') return bad;
    labelSelector = params.get('labelSelector') ?? '';
  }
  return { namespace, metricName, labelSelector };
}

/** The provider of externalmetrics checks over `reader`; without a reader every query says why. */
export function externalMetricsProvider(reader: ClusterReader | undefined): MetricsProvider {
  return {
    async query(query: string): Promise<QueryResult> {
      if (!reader?.externalMetric)
        return {
          kind: 'error',
          message:
            'externalmetrics reads the Kubernetes external metrics API: set cluster.access (kubeconfig or in-cluster) in gitcanary.yaml',
        };
      const q = parseExternalQuery(query);
      if (typeof q === 'string') return { kind: 'error', message: `externalmetrics: ${q}` };
      try {
        const list = await reader.externalMetric(q.namespace, q.metricName, q.labelSelector);
        const items = list?.items;
        if (list === undefined || (Array.isArray(items) && items.length === 0)) return { kind: 'no-data' };
        if (!Array.isArray(items))
          return { kind: 'error', message: 'externalmetrics: the answer is not an ExternalMetricValueList' };
        const raw = (items[0] as { value?: unknown }).value;
        const value = typeof raw === 'string' ? parseQuantity(raw) : undefined;
        if (value === undefined)
          return {
            kind: 'error',
            message: `externalmetrics: the first item's value ${JSON.stringify(raw)} is not a quantity`,
          };
        return Number.isNaN(value) ? { kind: 'no-data' } : { kind: 'value', value };
      } catch (e) {
        const m = e instanceof ClusterError ? e.message : String(e);
        return { kind: 'error', message: `externalmetrics: ${m}` };
      }
    },
  };
}
