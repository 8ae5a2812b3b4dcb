/**
 * Durations as Flagger reads them: the CRD admits a string matching `^[0-9]+(m|s)` (digits, then
 * `m` or `s`, anything after), and the controller parses it with Go's `time.ParseDuration`.
 */

/** Flagger's CRD pattern for `analysis.interval`, `metrics[].interval` and `webhooks[].timeout`. */
export const durationPattern = /^[0-9]+(m|s)/;

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's largest Duration (int64 nanoseconds). */
const maxNs = 2 ** 63 - 1;

/**
 * Parses a duration exactly as Go's `time.ParseDuration` accepts it — an optional sign, then one
 * or more `<number><unit>` (number: digits with an optional fraction, or a fraction alone; units
 * ns, us, µs, μs, ms, s, m, h), or a bare `0` — into milliseconds; undefined when Go would fail.
 * @example parseGoDuration('1m30s') === 90_000
 * @example parseGoDuration('500ms') === 500
 * @example parseGoDuration('.5s') === 500
 * @example parseGoDuration('10') === undefined // missing unit
 */
export function parseGoDuration(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let ns = 0;
  const term = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (rest !== '') {
    const m = term.exec(rest);
    if (!m) return undefined;
    const [all, whole = '', frac, unit = ''] = m;
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    const scale = unitNs[unit];
    if (scale === undefined) return undefined;
    ns += Number(whole || '0') * scale + (frac ? Number(`0.${frac}`) * scale : 0);
    if (ns > maxNs) return undefined;
    rest = rest.slice(all.length);
  }
  return (sign * ns) / 1e6;
}

/**
 * Why a spec duration is refused, or undefined when Flagger admits and parses it.
 * @example durationProblem('1h') // 'must start with digits followed by m or s (Flagger's pattern ^[0-9]+(m|s)), e.g. 30s, 1m or 1m30s'
 * @example durationProblem('1m30s') // undefined
 */
export function durationProblem(s: string): string | undefined {
  if (!durationPattern.test(s))
    return `must start with digits followed by m or s (Flagger's pattern ^[0-9]+(m|s)), e.g. 30s, 1m or 1m30s; got ${JSON.stringify(s)}`;
  if (parseGoDuration(s) === undefined)
    return `is not a Go duration (units ns, us, ms, s, m, h, e.g. 1m30s); got ${JSON.stringify(s)}`;
  return undefined;
}
