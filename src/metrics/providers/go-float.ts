/**
 * Numbers as Go's `strconv.ParseFloat(s, 64)` reads them, since Flagger's providers read
 * sample values that way: a decimal with optional exponent (`1.5`, `.5`, `5.`, `1e-3`), a
 * hexadecimal float with its required `p` exponent (`0x1p-2`, underscores allowed after the
 * prefix), `inf`/`infinity` with an optional sign and `nan`, all case-insensitive. Out of range
 * (`1e309`) is an error in Go, so it is not a number here; `0x64` (no exponent), `1_000`, spaces
 * and the empty string are not numbers either.
 *
 * @example parseGoFloat('0x1p-2') === 0.25
 * @example parseGoFloat('1e309') === undefined
 */
export function parseGoFloat(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special) return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  const hex = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F]_?)*))?[pP]([+-]?\d+(?:_?\d)*)$/.exec(s);
  if (hex) {
    const [, sign, intPart = '', frac = '', exp = '0'] = hex;
    const digits = `${intPart}${frac}`.replace(/_/g, '');
    if (digits === '') return undefined;
    let mantissa = 0;
    for (const d of digits) mantissa = mantissa * 16 + Number.parseInt(d, 16);
    const v = mantissa * 2 ** (Number(exp.replace(/_/g, '')) - 4 * frac.replace(/_/g, '').length);
    if (!Number.isFinite(v)) return undefined;
    return sign === '-' ? -v : v;
  }
  return undefined;
}
