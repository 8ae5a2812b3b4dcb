/**
 * Exact OpenMetrics series for each built-in observer (`policies/builtin/<observer>.yaml`): the
 * metric names and label values the observer's PromQL selects for one canary, so a real
 * Prometheus answers the built-in `request-success-rate` and `request-duration` with known numbers.
 *
 * Every step (15 s) the canary serves 1000 requests; `errors(t)` of them fail with a 5xx. Latencies:
 *
 * | le (ms)    | 25  | 50  | 100 | 250  | 500  | +Inf |
 * |------------|-----|-----|-----|------|------|------|
 * | cumulative | 500 | 900 | 991 | 1000 | 1000 | 1000 |
 *
 * with a mean of 99.5 ms (the failed requests are the fast ones, so the distribution never
 * changes). Hence: success rate `100 * (1000 - e) / 1000` (100 healthy, 95 with `e = 50`); P99
 * `50 + 50 * 90/91` ≈ 99.45 ms and mean 99.5 ms, both recorded as 99 (Flagger truncates the
 * duration to whole milliseconds). Neither sits on a whole millisecond, so float noise in
 * `rate()` can never move the truncated value.
 *
 * Next to the canary's series each observer also gets a decoy: the same metric names with the
 * primary's labels (primary workload, primary Service, the user's own route …), failing half of
 * its requests, all slower than 500 ms (mean 1 s). A query that selected more than the canary would
 * read a success rate of 75 % or less and a duration of 500 ms or more, never the expected values.
 */
import type { Observer } from '../../src/metrics/builtins.js';
import type { OpenMetrics, PerStep } from './openmetrics.js';

type Labels = Record<string, string>;

/** The observers of the providers gitcanary routes (Knative has no router yet). */
export type RoutedObserver = Exclude<Observer, 'knative'>;

/** The names an observer's queries are rendered with (Flagger's MetricTemplateModel). */
export interface ObservedCanary {
  namespace: string;
  /** `spec.targetRef.name`. */
  target: string;
  /** `spec.service.name`, else the target. */
  service?: string;
  /** `spec.ingressRef.name`, else the target. */
  ingress?: string;
  /** `spec.routeRef.name`, else the target. */
  route?: string;
  /** `spec.service.port` (appears in Envoy cluster and Traefik service names). */
  port: number;
  /** Host of the user's Ingress (Skipper route ids contain it). */
  host?: string;
}

/** Requests per step. */
export const requestsPerStep = 1000;
/** What the built-in checks of the canary record. */
export const expectedValues = {
  successRate: (errorsPerStep: number): number => (100 * (requestsPerStep - errorsPerStep)) / requestsPerStep,
  /** The duration as recorded: P99 ≈ 99.45 ms (or mean 99.5 ms) truncated to whole milliseconds. */
  durationMs: 99,
} as const;

const msBuckets = ['25', '50', '100', '250', '500', '+Inf'];
const secondBuckets = ['0.025', '0.05', '0.1', '0.25', '0.5', '+Inf'];
/** Cumulative requests per bucket (per `requestsPerStep` requests) and mean latency in ms. */
const profiles = {
  fast: { cumulative: [500, 900, 991, 1000, 1000, 1000], meanMs: 99.5 },
  slow: { cumulative: [0, 0, 0, 0, 0, 1000], meanMs: 1000 },
} as const;
type Profile = keyof typeof profiles;

type Unit = 'ms' | 's';

/** A histogram an observer reads: its name, labels, unit, and the label carrying the status code. */
interface HistogramSpec {
  name: string;
  labels: Labels;
  unit: Unit;
  /** When set, the histogram is split in an ok and an error series by this label (`[label, ok, error]`). */
  byCode?: readonly [string, string, string];
}

/** A request counter split by status: `[label, ok, error]`. */
interface CounterSpec {
  name: string;
  labels: Labels;
  code: readonly [string, string, string];
}

interface Series {
  counters: CounterSpec[];
  histograms: HistogramSpec[];
}

type Side = 'canary' | 'primary';

/** Skipper's route-id encoding of a name (Flagger `encodeModelForSkipper`): every `\W` → `_`. */
const skipperName = (s: string): string => s.replace(/\W/g, '_');

/** Names of one side as the proxies spell them. */
function names(c: ObservedCanary, side: Side) {
  const service = c.service ?? c.target;
  const suffix = side === 'canary' ? 'canary' : 'primary';
  return {
    service,
    ingress: c.ingress ?? c.target,
    route: c.route ?? c.target,
    /** Canary workload `<target>`, primary workload `<target>-primary`. */
    workload: side === 'canary' ? c.target : `${c.target}-primary`,
    /** Pod of the workload (the http observer's regex wants `<target>-<hash>-<id>`). */
    pod: side === 'canary' ? `${c.target}-7d9f8b6c5d-x2x4z` : `${c.target}-primary-5c8d7f9b6d-k8s2q`,
    /** Service `<apex>-canary` / `<apex>-primary`. */
    sideService: `${service}-${suffix}`,
    suffix,
  };
}

/**
 * The series an observer's built-in queries select, for one side of the canary (the canary's
 * own, or the primary's decoy). Label values are built to match the queries' regexes.
 */
const observerSeries: Record<RoutedObserver, (c: ObservedCanary, side: Side) => Series> = {
  istio: (c, side) => {
    const labels = {
      reporter: 'destination',
      destination_workload_namespace: c.namespace,
      destination_workload: names(c, side).workload,
    };
    return {
      counters: [{ name: 'istio_requests_total', labels, code: ['response_code', '200', '503'] }],
      histograms: [{ name: 'istio_request_duration_milliseconds', labels, unit: 'ms' }],
    };
  },
  linkerd: (c, side) => {
    const labels = { namespace: c.namespace, deployment: names(c, side).workload, direction: 'inbound' };
    return {
      counters: [{ name: 'response_total', labels, code: ['classification', 'success', 'failure'] }],
      histograms: [{ name: 'response_latency_ms', labels, unit: 'ms' }],
    };
  },
  nginx: (c, side) => {
    const n = names(c, side);
    // The controller labels canary traffic with the canary upstream; primary traffic has no `canary`.
    const labels: Labels = { namespace: c.namespace, ingress: n.ingress };
    if (side === 'canary') labels['canary'] = `${c.namespace}-${n.sideService}-${c.port}`;
    return {
      counters: [{ name: 'nginx_ingress_controller_requests', labels, code: ['status', '200', '502'] }],
      histograms: [{ name: 'nginx_ingress_controller_response_duration_seconds', labels, unit: 's' }],
    };
  },
  http: (c, side) => ({
    counters: [],
    histograms: [
      {
        name: 'http_request_duration_seconds',
        labels: { kubernetes_namespace: c.namespace, kubernetes_pod_name: names(c, side).pod },
        unit: 's',
        byCode: ['status', '200', '500'],
      },
    ],
  }),
  // The Envoy sidecar of each pod reports its upstream requests, labelled with the pod.
  appmesh: (c, side) => {
    const labels = { kubernetes_namespace: c.namespace, kubernetes_pod_name: names(c, side).pod };
    return {
      counters: [{ name: 'envoy_cluster_upstream_rq', labels, code: ['envoy_response_code', '200', '503'] }],
      histograms: [{ name: 'envoy_cluster_upstream_rq_time', labels, unit: 'ms' }],
    };
  },
  contour: (c, side) => {
    const labels = { envoy_cluster_name: `${c.namespace}_${names(c, side).sideService}_${c.port}` };
    return {
      counters: [{ name: 'envoy_cluster_upstream_rq', labels, code: ['envoy_response_code', '200', '503'] }],
      histograms: [{ name: 'envoy_cluster_upstream_rq_time', labels, unit: 'ms' }],
    };
  },
  gloo: (c, side) => {
    const n = names(c, side);
    const labels = {
      envoy_cluster_name: `${c.namespace}-${c.target}-${n.suffix}upstream-${c.port}_${c.namespace}`,
    };
    return {
      counters: [{ name: 'envoy_cluster_upstream_rq', labels, code: ['envoy_response_code', '200', '503'] }],
      histograms: [{ name: 'envoy_cluster_upstream_rq_time', labels, unit: 'ms' }],
    };
  },
  traefik: (c, side) => ({
    counters: [],
    histograms: [
      {
        name: 'traefik_service_request_duration_seconds',
        labels: {
          service: `${c.namespace}-${names(c, side).sideService}-${c.port}@kubernetescrd`,
          method: 'GET',
          protocol: 'http',
        },
        unit: 's',
        byCode: ['code', '200', '500'],
      },
    ],
  }),
  osm: (c, side) => {
    const labels = {
      destination_namespace: c.namespace,
      destination_kind: 'Deployment',
      destination_name: names(c, side).workload,
    };
    return {
      counters: [{ name: 'osm_request_total', labels, code: ['response_code', '200', '503'] }],
      histograms: [{ name: 'osm_request_duration_ms', labels, unit: 'ms' }],
    };
  },
  kuma: (c, side) => {
    const labels = { service: `${names(c, side).sideService}_${c.namespace}_svc_${c.port}` };
    return {
      counters: [{ name: 'envoy_cluster_upstream_rq', labels, code: ['envoy_response_code', '200', '503'] }],
      histograms: [{ name: 'envoy_cluster_upstream_rq_time', labels, unit: 'ms' }],
    };
  },
  apisix: (c, side) => {
    const n = names(c, side);
    // APISIX route ids are `<namespace>_<ApisixRoute name>_<http entry name>`.
    const route =
      side === 'canary'
        ? `${c.namespace}_${n.route}-${n.service}-canary_${n.service}`
        : `${c.namespace}_${n.route}_${n.service}`;
    return {
      counters: [{ name: 'apisix_http_status', labels: { route }, code: ['code', '200', '503'] }],
      histograms: [{ name: 'apisix_http_latency', labels: { type: 'request', route }, unit: 'ms' }],
    };
  },
  skipper: (c, side) => {
    const n = names(c, side);
    const host = skipperName(c.host ?? 'app.example.com');
    // Route ids of the canary Ingress `<ingress>-canary` and of the user's own Ingress.
    const route =
      side === 'canary'
        ? `kube_${skipperName(c.namespace)}__${skipperName(n.ingress)}_canary__${host}____${skipperName(n.sideService)}`
        : `kube_${skipperName(c.namespace)}__${skipperName(n.ingress)}__${host}____${skipperName(n.service)}`;
    return {
      counters: [],
      histograms: [
        {
          name: 'skipper_response_duration_seconds',
          labels: { route },
          unit: 's',
          byCode: ['code', '200', '500'],
        },
        { name: 'skipper_serve_route_duration_seconds', labels: { route }, unit: 's' },
      ],
    };
  },
};

/**
 * Cumulative bucket increments of one step for `total` requests of which `errors` fail, split in
 * the ok and error parts (errors are the fastest requests).
 */
function buckets(profile: Profile, total: number, errors: number, part: 'all' | 'ok' | 'error'): number[] {
  const scaled = profiles[profile].cumulative.map((n) => (n * total) / requestsPerStep);
  if (part === 'all') return scaled;
  const failed = scaled.map((n) => Math.min(n, errors));
  return part === 'error' ? failed : scaled.map((n, i) => n - (failed[i] ?? 0));
}

const at = (p: PerStep) => (typeof p === 'number' ? () => p : p);

function emit(om: OpenMetrics, series: Series, profile: Profile, errorsPerStep: PerStep): void {
  const errors = at(errorsPerStep);
  const meanMs = profiles[profile].meanMs;
  for (const s of series.counters) {
    const [label, ok, error] = s.code;
    om.counter(s.name, { ...s.labels, [label]: ok }, (t) => requestsPerStep - errors(t));
    om.counter(s.name, { ...s.labels, [label]: error }, errors);
  }
  for (const h of series.histograms) {
    const les = h.unit === 'ms' ? msBuckets : secondBuckets;
    const toUnit = (ms: number) => (h.unit === 'ms' ? ms : ms / 1000);
    const step = (part: 'all' | 'ok' | 'error') => (t: number) => {
      const e = errors(t);
      const counts = buckets(profile, requestsPerStep, e, part);
      const n = counts.at(-1) ?? 0;
      return {
        buckets: Object.fromEntries(les.map((le, i) => [le, counts[i] ?? 0])),
        sum: toUnit(n * meanMs),
      };
    };
    if (!h.byCode) {
      om.histogram(h.name, h.labels, step('all'));
      continue;
    }
    const [label, ok, error] = h.byCode;
    om.histogram(h.name, { ...h.labels, [label]: ok }, step('ok'));
    om.histogram(h.name, { ...h.labels, [label]: error }, step('error'));
  }
}

/**
 * Adds the series `observer`'s built-in queries read for `canary`: the canary's own (1000 requests
 * per step, `errors(t)` of them failing, P99 ≈ 99.45 ms, mean 99.5 ms) and the primary's decoy
 * (half failing, all slower than 500 ms), which the queries must not select.
 * @example observerMetrics(om, 'traefik', { namespace: 'demo', target: 'podinfo', port: 80 }, 0)
 * // traefik_service_request_duration_seconds_bucket{service="demo-podinfo-canary-80@kubernetescrd",…}
 */
export function observerMetrics(
  om: OpenMetrics,
  observer: RoutedObserver,
  canary: ObservedCanary,
  errorsPerStep: PerStep,
): OpenMetrics {
  emit(om, observerSeries[observer](canary, 'canary'), 'fast', errorsPerStep);
  emit(om, observerSeries[observer](canary, 'primary'), 'slow', requestsPerStep / 2);
  return om;
}

/** The metric names an observer's success-rate and duration queries read (for asserting verdicts). */
export function observerMetricNames(observer: RoutedObserver): { successRate: string; duration: string } {
  const s = observerSeries[observer]({ namespace: 'ns', target: 't', port: 80 }, 'canary');
  const counter = s.counters[0]?.name;
  const first = s.histograms[0]!;
  const last = s.histograms.at(-1)!;
  const histogramSample = (h: HistogramSpec) =>
    observer === 'nginx' || observer === 'skipper' ? `${h.name}_sum` : `${h.name}_bucket`;
  return {
    successRate: counter ?? (observer === 'http' ? `${first.name}_count` : `${first.name}_bucket`),
    duration: histogramSample(last),
  };
}
