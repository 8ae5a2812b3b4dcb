/**
 * Istio series for N workloads in exact OpenMetrics: per workload `istio_requests_total` (200 and
 * 500) and the `istio_request_duration_milliseconds` histogram, as the builtin istio queries read
 * them. Workloads are built in chunks with the test generator and the chunks spliced family by
 * family (the generator renders one whole family in a single call, which overflows the stack for
 * thousands of series).
 */
import { OpenMetrics, type Window } from '../test/support/openmetrics.js';
import { appName, benchNamespace } from './repo.js';

/** Requests per 15 s step: all 200, none 500 → success rate 100%. */
const okPerStep = 200;
/** Cumulative bucket increments per step: p99 lands in the 100–250 ms bucket, under 500. */
const buckets = { '25': 100, '50': 180, '100': 198, '250': 200, '500': 200, '+Inf': 200 };
const chunk = 100;

export function istioSeries(workloads: number, window: Window): { text: string; series: number } {
  const counters: string[] = [];
  const histograms: string[] = [];
  for (let first = 0; first < workloads; first += chunk) {
    const c = new OpenMetrics(window);
    const h = new OpenMetrics(window);
    for (let i = first; i < Math.min(workloads, first + chunk); i++) {
      const labels = {
        reporter: 'destination',
        destination_workload_namespace: benchNamespace,
        destination_workload: appName(i),
      };
      c.counter('istio_requests_total', { ...labels, response_code: '200' }, okPerStep);
      c.counter('istio_requests_total', { ...labels, response_code: '500' }, 0);
      h.histogram('istio_request_duration_milliseconds', labels, { buckets, sum: okPerStep * 40 });
    }
    counters.push(body(c, first === 0));
    histograms.push(body(h, first === 0));
  }
  const series = workloads * (2 + Object.keys(buckets).length + 2);
  return { text: `${[...counters, ...histograms].join('\n')}\n# EOF\n`, series };
}

/** The chunk's lines without `# EOF`, and without its `# TYPE` line unless it is the first chunk. */
function body(om: OpenMetrics, withType: boolean): string {
  const text = om.toString().replace(/\n# EOF\n$/, '');
  return withType ? text : text.replace(/^# TYPE [^\n]*\n/, '');
}
