/**
 * Builds exact OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one sample per
 * step (default 15 s) from `start` to `end` (SECONDS, both inclusive), every series in ascending
 * time, each family's lines together, no blank lines, `# EOF` last.
 *
 * Counters and histograms take per-step increments; a number is constant, a function of the step's
 * time lets a test change the rate mid-window (see `changeAt`). Counters start at 0 at `start`, so
 * `rate(x[1m])` = increment / step once a full window of samples exists.
 */

/** Increment per step, constant or by the step's end time (seconds). */
export type PerStep = number | ((t: number) => number);

/** One step of a histogram: cumulative bucket increments by `le` (must include '+Inf') and the sum. */
export interface HistogramStep {
  buckets: Record<string, number>;
  sum: number;
}

export interface Window {
  /** First sample time, seconds since the epoch. */
  start: number;
  /** Last sample time (inclusive when on the step grid), seconds. */
  end: number;
  /** Seconds between samples (default 15). */
  step?: number;
}

/**
 * A per-step value that switches from `before` to `after` for steps ending after `at` (seconds).
 * @example changeAt(1_700_000_000, 147, 100)(1_699_999_985) === 147
 */
export const changeAt =
  <T>(at: number, before: T, after: T): ((t: number) => T) =>
  (t) =>
    t > at ? after : before;

type Labels = Record<string, string>;

interface Family {
  type: 'counter' | 'gauge' | 'histogram';
  lines: string[];
}

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmtLabels = (labels: Labels): string => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};
const fmtValue = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

export class OpenMetrics {
  readonly times: readonly number[];
  private readonly families = new Map<string, Family>();

  constructor(window: Window) {
    const step = window.step ?? 15;
    if (window.start > 1e11 || window.end > 1e11)
      throw new Error('timestamps must be in SECONDS, not milliseconds');
    if (!(step > 0) || window.end < window.start) throw new Error('bad window');
    const times: number[] = [];
    for (let t = window.start; t <= window.end; t += step) times.push(t);
    this.times = times;
  }

  /** A counter series `name` (conventionally ending in `_total`) growing by `perStep` each step. */
  counter(name: string, labels: Labels, perStep: PerStep): this {
    const inc = typeof perStep === 'number' ? () => perStep : perStep;
    let total = 0;
    const lines = this.times.map((t, i) => {
      if (i > 0) total += inc(t);
      return `${name}${fmtLabels(labels)} ${fmtValue(total)} ${t}`;
    });
    this.family(name.replace(/_total$/, ''), 'counter').push(...lines);
    return this;
  }

  /** A gauge series with the value `value(t)` (or a constant) at every step. */
  gauge(name: string, labels: Labels, value: PerStep): this {
    const at = typeof value === 'number' ? () => value : value;
    this.family(name, 'gauge').push(
      ...this.times.map((t) => `${name}${fmtLabels(labels)} ${fmtValue(at(t))} ${t}`),
    );
    return this;
  }

  /** A histogram `name` (`_bucket`, `_count`, `_sum`); count increments equal the '+Inf' bucket's. */
  histogram(name: string, labels: Labels, perStep: HistogramStep | ((t: number) => HistogramStep)): this {
    const stepAt = typeof perStep === 'function' ? perStep : () => perStep;
    const les = Object.keys(stepAt(this.times[0] ?? 0).buckets);
    if (!les.includes('+Inf')) throw new Error(`histogram ${name} needs a '+Inf' bucket`);
    const lines = this.family(name, 'histogram');
    const cumulative = (pick: (s: HistogramStep) => number): number[] => {
      let total = 0;
      return this.times.map((t, i) => {
        if (i > 0) total += pick(stepAt(t));
        return total;
      });
    };
    for (const le of les) {
      const values = cumulative((s) => s.buckets[le] ?? 0);
      lines.push(
        ...values.map((v, i) => `${name}_bucket${fmtLabels({ ...labels, le })} ${v} ${this.times[i]}`),
      );
    }
    const counts = cumulative((s) => s.buckets['+Inf'] ?? 0);
    lines.push(...counts.map((v, i) => `${name}_count${fmtLabels(labels)} ${v} ${this.times[i]}`));
    const sums = cumulative((s) => s.sum);
    lines.push(...sums.map((v, i) => `${name}_sum${fmtLabels(labels)} ${v} ${this.times[i]}`));
    return this;
  }

  /** The OpenMetrics text, ending with `# EOF\n`. */
  toString(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) out.push(`# TYPE ${name} ${f.type}`, ...f.lines);
    out.push('# EOF');
    return `${out.join('\n')}\n`;
  }

  private family(name: string, type: Family['type']): string[] {
    const existing = this.families.get(name);
    if (existing && existing.type !== type) throw new Error(`${name} is already a ${existing.type}`);
    const f = existing ?? { type, lines: [] };
    this.families.set(name, f);
    return f.lines;
  }
}
