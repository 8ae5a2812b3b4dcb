/**
 * Recorded traffic for the podinfo fixtures (Istio and podinfo's own HTTP metrics): 200 req/s
 * for four hours; from `DROP` on, the canary answers 10 req/s with HTTP 500 (5%).
 */
import { changeAt, OpenMetrics } from './openmetrics.js';

export const END = 1_700_000_000;
/** From here on the canary answers 5% of requests with HTTP 500. */
export const DROP = END - 3600;
/** A start time whose rollout sees only healthy traffic. */
export const GOOD_START = END - 3 * 3600 + 600;
/** A start time whose rollout sees only the errors. */
export const BAD_START = DROP + 600;

export function podinfoMetrics(): string {
  const om = new OpenMetrics({ start: END - 4 * 3600, end: END });
  const errors = changeAt(DROP, 0, 10);
  const istio = {
    reporter: 'destination',
    destination_workload_namespace: 'test',
    destination_workload: 'podinfo',
  };
  om.counter('istio_requests_total', { ...istio, response_code: '200' }, (t) => 200 - errors(t));
  om.counter('istio_requests_total', { ...istio, response_code: '500' }, errors);
  const buckets = { '25': 100, '50': 180, '100': 198, '250': 200, '500': 200, '+Inf': 200 };
  om.histogram('istio_request_duration_milliseconds', istio, { buckets, sum: 200 * 40 });
  const pod = { kubernetes_namespace: 'test', kubernetes_pod_name: 'podinfo-7d9f8b6c5d-x2x4z' };
  om.counter('http_request_duration_seconds_count', { ...pod, status: '200' }, (t) => 200 - errors(t));
  om.counter('http_request_duration_seconds_count', { ...pod, status: '500' }, errors);
  const secondsBuckets = { '0.025': 100, '0.05': 180, '0.1': 198, '0.25': 200, '0.5': 200, '+Inf': 200 };
  om.histogram('http_request_duration_seconds', pod, { buckets: secondsBuckets, sum: 200 * 0.04 });
  return om.toString();
}
