/**
 * CLI durations, exactly as Go's `time.ParseDuration` reads them (`kubectl --timeout` habits):
 * a sequence of decimal numbers, each with an optional fraction and a unit (`ns`, `us`, `µs`,
 * `μs`, `ms`, `s`, `m`, `h`), with an optional sign; `0` alone needs no unit.
 * @example parseGoDuration('1h30m') === 5_400_000
 * @example parseGoDuration('.5s') === 500
 * @example parseGoDuration('1.5h') === 5_400_000
 * @example parseGoDuration('10') === undefined   // a unit is required
 */

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds (possibly fractional below 1 ms), or undefined when Go would refuse the text. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  while (s !== '') {
    const m = part.exec(s);
    // Go: at least one digit on one side of the point, and a unit after every number.
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * unitMs[m[3]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/**
 * A duration flag's value in milliseconds, or a message naming the flag.
 * @example durationFlag('--timeout', '30m') === 1_800_000
 */
export function durationFlag(flag: string, text: string): number | string {
  const ms = parseGoDuration(text);
  if (ms === undefined) return `${flag} must be a duration such as 30s, 5m or 1h30m, got ${text}`;
  if (ms < 0) return `${flag} must not be negative, got ${text}`;
  return ms;
}

/**
 * Milliseconds as Go prints a duration, for messages.
 * @example formatDuration(5_400_000) === '1h30m0s'
 * @example formatDuration(500) === '500ms'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
