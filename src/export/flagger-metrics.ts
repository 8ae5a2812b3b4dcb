/**
 * Flagger's own Prometheus metrics, rebuilt from Git, with Flagger's names and labels, so the
 * dashboards and alerts people have keep working after a migration:
 * - gauges from the status files: `flagger_canary_status` (0 Progressing, 2 Failed, 1 any other
 *   phase), `flagger_canary_weight` (`<target>-primary` and `<target>`), `flagger_canary_total`
 *   per namespace, `flagger_canary_metric_analysis` (the last analysis' value per metric);
 * - counters from the Succeeded and Failed transitions recorded in Git history (so they never go
 *   backwards, whichever runner counts them): `flagger_canary_successes_total`,
 *   `flagger_canary_failures_total`;
 * - `flagger_canary_duration_seconds`, a histogram of the ticks the runs measured (tick-durations.ts).
 * As in Flagger, the label `name` is the canary's target name. Pure: text exposition format 0.0.4.
 */
import type { CanaryStatus } from '../core/types.js';

export type DeploymentStrategy = 'canary' | 'blue-green' | 'ab-testing';

export interface ExportedCanary {
  namespace: string;
  /** `spec.targetRef.name`: Flagger labels its metrics with the target, not the Canary's name. */
  target: string;
  status: CanaryStatus | undefined;
}

/** One Succeeded or Failed transition found in Git. */
export interface Transition {
  namespace: string;
  target: string;
  strategy: DeploymentStrategy;
  outcome: 'success' | 'failure';
  /** `skipped` for a promotion without analysis (skipAnalysis, `gitcanary promote`). */
  analysisStatus: 'completed' | 'skipped';
}

export interface FlaggerMetricsInput {
  version: string;
  meshProvider: string;
  canaries: ExportedCanary[];
  transitions: Transition[];
  /** The ticks measured by the runs (tick-durations.ts), by `<namespace>/<target>`. */
  durations?: Map<string, DurationHistogram>;
}

/** A cumulative histogram of tick seconds: counts per bucket of `defaultBuckets` (`le`), count, sum. */
export interface DurationHistogram {
  buckets: number[];
  count: number;
  sum: number;
}

/** Prometheus client_golang's default histogram buckets, as Flagger uses them. */
export const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
const num = (v: number) =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

class Exposition {
  private lines: string[] = [];
  family(
    name: string,
    type: 'gauge' | 'counter' | 'histogram',
    help: string,
    samples: [string, Record<string, string>, number][],
  ) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [suffix, l, v] of samples) this.lines.push(`${name}${suffix}${labels(l)} ${num(v)}`);
  }
  toString() {
    return `${this.lines.join('\n')}\n`;
  }
}

const statusValue = (phase: string) => (phase === 'Progressing' ? 0 : phase === 'Failed' ? 2 : 1);

const byKey = <T>(items: T[], key: (t: T) => string): [string, T][] =>
  items.map((t) => [key(t), t] as [string, T]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The whole exposition for one repository. */
export function flaggerMetrics(input: FlaggerMetricsInput): string {
  const out = new Exposition();
  const canaries = byKey(input.canaries, (c) => `${c.namespace}/${c.target}`).map(([, c]) => c);
  const withStatus = canaries.filter(
    (c): c is ExportedCanary & { status: CanaryStatus } => c.status !== undefined,
  );

  out.family('flagger_info', 'gauge', 'Flagger version and mesh provider information', [
    ['', { version: input.version, mesh_provider: input.meshProvider }, 1],
  ]);
  const perNamespace = new Map<string, number>();
  for (const c of canaries) perNamespace.set(c.namespace, (perNamespace.get(c.namespace) ?? 0) + 1);
  out.family(
    'flagger_canary_total',
    'gauge',
    'Total number of canary object',
    [...perNamespace].sort().map(([namespace, n]) => ['', { namespace }, n]),
  );
  out.family(
    'flagger_canary_status',
    'gauge',
    'Last canary analysis result',
    withStatus.map((c) => ['', { name: c.target, namespace: c.namespace }, statusValue(c.status.phase)]),
  );
  out.family(
    'flagger_canary_weight',
    'gauge',
    'The virtual service destination weight current value',
    withStatus.flatMap((c) => [
      ['', { workload: `${c.target}-primary`, namespace: c.namespace }, 100 - c.status.canaryWeight] as [
        string,
        Record<string, string>,
        number,
      ],
      ['', { workload: c.target, namespace: c.namespace }, c.status.canaryWeight] as [
        string,
        Record<string, string>,
        number,
      ],
    ]),
  );
  out.family(
    'flagger_canary_metric_analysis',
    'gauge',
    'Last canary analysis result per metric',
    withStatus.flatMap((c) => {
      const last = [...c.status.history].reverse().find((h) => h.verdict);
      return (last?.verdict?.metrics ?? [])
        .filter((m) => m.value !== undefined)
        .map(
          (m) =>
            ['', { name: c.target, namespace: c.namespace, metric: m.name }, m.value as number] as [
              string,
              Record<string, string>,
              number,
            ],
        );
    }),
  );
  for (const outcome of ['success', 'failure'] as const) {
    const counts = new Map<string, { l: Record<string, string>; n: number }>();
    for (const t of input.transitions.filter((t) => t.outcome === outcome)) {
      const l = {
        name: t.target,
        namespace: t.namespace,
        deployment_strategy: t.strategy,
        analysis_status: t.analysisStatus,
      };
      const k = JSON.stringify(l);
      counts.set(k, { l, n: (counts.get(k)?.n ?? 0) + 1 });
    }
    const name = outcome === 'success' ? 'flagger_canary_successes_total' : 'flagger_canary_failures_total';
    out.family(
      name,
      'counter',
      outcome === 'success' ? 'Total number of canary successes' : 'Total number of canary failures',
      byKey([...counts.values()], (c) => JSON.stringify(c.l)).map(([, c]) => ['', c.l, c.n]),
    );
  }
  const samples: [string, Record<string, string>, number][] = [];
  for (const [key, h] of [...(input.durations ?? new Map<string, DurationHistogram>())].sort()) {
    const [namespace = '', name = ''] = key.split('/');
    defaultBuckets.forEach((le, i) => {
      samples.push(['_bucket', { name, namespace, le: String(le) }, h.buckets[i] ?? 0]);
    });
    samples.push(['_bucket', { name, namespace, le: '+Inf' }, h.count]);
    samples.push(['_sum', { name, namespace }, h.sum]);
    samples.push(['_count', { name, namespace }, h.count]);
  }
  out.family(
    'flagger_canary_duration_seconds',
    'histogram',
    'Seconds spent performing canary analysis.',
    samples,
  );
  return out.toString();
}
