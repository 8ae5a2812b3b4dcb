/**
 * Prometheus sample values as Flagger reads them. Prometheus' JSON API sends every sample as a
 * string (`"value": [1700000000, "98.5"]`); Flagger's Prometheus client passes that string to Go's
 * `strconv.ParseFloat(s, 64)` and fails the check on any error. This is ParseFloat, to the letter
 * of Go's `readFloat`, `special` and `underscoreOK` (src/strconv/atof.go, atoi.go):
 *
 * - an optional sign, then decimal digits with at most one `.`, at least one digit, and an
 *   optional exponent `e`/`E`, optional sign, digits: `1`, `+1.5`, `.5`, `1.`, `-1e-3`;
 * - hexadecimal `0x`/`0X` mantissa (at least one hex digit, at most one `.`) with a REQUIRED
 *   binary exponent `p`/`P`: `0x1p-2` is 0.25, `0x1.8p1` is 3; `0x64` has no exponent: not a number;
 * - underscores between digits, in either form, where Go's literal syntax allows them: each `_`
 *   follows a digit (or the `0x` prefix) and precedes a digit: `1_000` and `0x_1p0` are numbers,
 *   `_1`, `1__0`, `1_`, `1_.5` are not (Go's decimal readFloat accepts them too; only their placement
 *   is checked);
 * - `NaN` (any case, no sign), `Inf` and `Infinity` (any case, optional sign); nothing else
 *   alphabetic, no spaces anywhere;
 * - a value beyond float64 (`1e309`, `0x1p1024`) is ParseFloat's range error: not a number;
 *   one too small underflows to 0 (or a subnormal) without error, as in Go.
 */

/**
 * The float64 ParseFloat returns for `s`, or undefined where it returns an error.
 * @example parseGoFloat('0x1p-2') === 0.25
 * @example parseGoFloat('0x64') === undefined
 * @example parseGoFloat('1e309') === undefined
 * @example parseGoFloat('-Infinity') === -Infinity
 */
export function parseGoFloat(s: string): number | undefined {
  const sp = special(s);
  if (sp !== undefined) return sp;
  const dec = /^[+-]?[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?$/;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9][0-9_]*)$/;
  let value: number;
  const h = hex.exec(s);
  if (h) {
    const [, sign, int = '', frac = '', exp = '0'] = h;
    if (!/[0-9a-fA-F]/.test(int + frac)) return undefined;
    if (s.includes('_') && !underscoreOK(s)) return undefined;
    value = hexValue(int.replace(/_/g, ''), frac.replace(/_/g, ''), Number(exp.replace(/_/g, '')));
    if (sign === '-') value = -value;
  } else if (dec.test(s) && !/^0[xX]/.test(s.replace(/^[+-]/, ''))) {
    const mantissa = s.replace(/[eE].*$/, '');
    if (!/[0-9]/.test(mantissa)) return undefined;
    if (s.includes('_') && !underscoreOK(s)) return undefined;
    value = Number(s.replace(/_/g, ''));
  } else {
    return undefined;
  }
  return Number.isFinite(value) ? value : undefined;
}

/** Go's `special`: NaN (unsigned), ±Inf, ±Infinity, any case. */
function special(s: string): number | undefined {
  if (/^nan$/i.test(s)) return Number.NaN;
  const m = /^([+-]?)inf(inity)?$/i.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** Go's `underscoreOK`: every `_` between digits (the base prefix counts as a digit). */
function underscoreOK(str: string): boolean {
  let s = str;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[box]/i.test(s[1] ?? '')) {
    i = 2;
    saw = '0';
    hex = /x/i.test(s[1] ?? '');
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if (/[0-9]/.test(c) || (hex && /[a-f]/i.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** int.frac (hex digits) × 2^exp, rounded once to float64 (scaled in steps so no step overflows early). */
function hexValue(int: string, frac: string, exp: number): number {
  const digits = `${int}${frac}`.replace(/^0+/, '') || '0';
  if (digits === '0') return 0;
  // Keep 64 significant bits (16 hex digits) plus a sticky bit, as Go does before rounding.
  const kept = digits.slice(0, 16);
  const sticky = /[1-9a-f]/i.test(digits.slice(16)) ? 1n : 0n;
  let e = exp - 4 * frac.length + 4 * (digits.length - kept.length);
  let m = (BigInt(`0x${kept}`) << 1n) | sticky;
  e -= 1;
  let v = Number(m);
  m = 0n;
  while (e > 0 && Number.isFinite(v)) {
    const step = Math.min(e, 1000);
    v *= 2 ** step;
    e -= step;
  }
  while (e < 0 && v !== 0) {
    const step = Math.min(-e, 1000);
    v /= 2 ** step;
    e += step;
  }
  return v;
}
