/**
 * Mermaid `xychart-beta` line charts for pull-request bodies, and the plain decimal numbers they
 * (and the PR tables) need. Pure. The syntax follows Mermaid's grammar
 * (`packages/mermaid/src/diagrams/xychart/parser/xychart.jison`):
 *
 * ```
 * xychart-beta
 *   title "Canary weight %"
 *   x-axis "time (UTC)" ["12:00", "12:01"]
 *   y-axis "weight %" 0 --> 100
 *   line [10, 20]
 * ```
 *
 * - numbers must match `[+-]?(\d+(\.\d+)?|\.\d+)`: no exponent, no NaN (see `decimal`);
 * - quoted texts end at the next `"`, so titles and labels lose `"` (and backticks, which open
 *   Mermaid's markdown strings, and `%%`, Mermaid's comment marker);
 * - band labels are the keys of a d3 band scale, where a repeated label collapses onto the first
 *   one: labels are made unique (`uniqueLabels`).
 */

export interface LineChart {
  title: string;
  xTitle: string;
  /** One label per point (made unique here). */
  labels: string[];
  yTitle: string;
  yRange: [min: number, max: number];
  /** Each line has one finite value per label. */
  lines: number[][];
}

/**
 * A fenced ```` ```mermaid ```` block drawing `chart`.
 *
 * @example lineChart({ title: 'w', xTitle: 't', labels: ['12:00'], yTitle: '%', yRange: [0, 100], lines: [[10]] })
 *   // '```mermaid\nxychart-beta\n  title "w"\n  x-axis "t" ["12:00"]\n  y-axis "%" 0 --> 100\n  line [10]\n```'
 */
export function lineChart(chart: LineChart): string {
  const labels = uniqueLabels(chart.labels.map(chartText));
  const [min, max] = chart.yRange;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${chartText(chart.title)}"`,
    `  x-axis "${chartText(chart.xTitle)}" [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "${chartText(chart.yTitle)}" ${decimal(min)} --> ${decimal(max)}`,
    ...chart.lines.map((line) => `  line [${line.map(decimal).join(', ')}]`),
    '```',
  ].join('\n');
}

/** Text safe inside a Mermaid quoted string: one line, without `"`, backticks, `<`, `>` or `%%`. */
export function chartText(s: string): string {
  return s
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/["`<>\\]/g, '')
    .replace(/%{2,}/g, '%')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Makes band labels unique, keeping the first occurrence as is: a repeat gets ` #2`, ` #3` …
 *
 * @example uniqueLabels(['12:00', '12:00', '12:01', '12:00']) // ['12:00', '12:00 #2', '12:01', '12:00 #3']
 */
export function uniqueLabels(labels: string[]): string[] {
  const used = new Set<string>();
  const counts = new Map<string, number>();
  return labels.map((label) => {
    let out = label;
    let n = counts.get(label) ?? 1;
    while (used.has(out)) {
      n += 1;
      out = `${label} #${n}`;
    }
    counts.set(label, n);
    used.add(out);
    return out;
  });
}

/**
 * A y-axis range around `values` (which must not be empty): 10% of the span added on each side,
 * rounded outwards to a tenth of the span's order of magnitude, never below zero when all values
 * are non-negative. A flat series gets ±10% of its value (±1 around zero).
 *
 * @example yRange([99.5, 99.9, 100, 99]) // [98.9, 100.1]
 * @example yRange([120, 140, 500])       // [80, 540]
 * @example yRange([0, 0])                // [0, 1]
 */
export function yRange(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo;
  const pad = span > 0 ? span * 0.1 : Math.abs(hi) * 0.1 || 1;
  const step = 10 ** (Math.floor(Math.log10(span + 2 * pad)) - 1);
  const clean = (x: number): number => Math.round(x * 1e9) / 1e9;
  let min = Math.floor(clean((lo - pad) / step)) * step;
  const max = Math.ceil(clean((hi + pad) / step)) * step;
  if (lo >= 0 && min < 0) min = 0;
  return [Number(decimal(min)), Number(decimal(max))];
}

/**
 * A finite number as a plain decimal (never an exponent): at most 4 decimals from 1 upwards,
 * 4 significant digits below 1, trailing zeros dropped. Non-finite numbers give `NaN`, `+Inf`,
 * `-Inf` (callers keep them out of charts).
 *
 * @example decimal(99.876543) // '99.8765'
 * @example decimal(0.000123456) // '0.0001235'
 * @example decimal(2e21) // '2000000000000000000000'
 * @example decimal(-0) // '0'
 */
export function decimal(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(n);
  if (abs === 0) return '0';
  if (abs >= 1e15) return BigInt(Math.round(n)).toString();
  const digits = abs >= 1 ? 4 : Math.min(100, 3 - Math.floor(Math.log10(abs)));
  const s = n
    .toFixed(digits)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
