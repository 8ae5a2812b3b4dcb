/**
 * Kubernetes resource quantities (`resource.Quantity`) as numbers: a signed decimal with an
 * optional binary suffix (Ki…Ei), decimal SI suffix (n, u, m, k, M, G, T, P, E) or exponent
 * (e3, E-2). Decimal forms are read through one decimal exponent, so the result is the double
 * nearest to the exact value; binary suffixes scale by powers of two, which is exact.
 */

const decimalSuffix: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffix: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * The quantity's value, or undefined when `text` is not a Kubernetes quantity.
 * @example parseQuantity('1500m') // 1.5
 * @example parseQuantity('2k') // 2000
 * @example parseQuantity('1Gi') // 1073741824
 * @example parseQuantity('12e-3') // 0.012
 * @example parseQuantity('1.5.3') // undefined
 */
export function parseQuantity(text: string): number | undefined {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?))$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const [, sign = '', digits = '', exponent, binary, suffix = ''] = m;
  if (binary !== undefined) return Number(`${sign}${digits}`) * 2 ** (binarySuffix[binary] ?? 0);
  const exp = exponent !== undefined ? Number(exponent.slice(1)) : (decimalSuffix[suffix] ?? 0);
  return Number(`${sign}${digits}e${exp}`);
}
