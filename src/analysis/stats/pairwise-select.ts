/**
 * The k-th smallest of the m·n pairwise differences x − y of two samples, without building them.
 *
 * With x sorted ascending and y sorted descending, the differences form an m × n matrix whose
 * rows and columns both ascend. Each row keeps a window [lo, hi] of candidate columns. A pass
 * picks as pivot the weighted median of the rows' middle candidates (weight: the window's width),
 * counts the differences below and at the pivot with one two-pointer walk over the matrix
 * (O(m + n)), and drops every candidate on the wrong side of the pivot — at least a quarter of
 * them, so there are O(log(m·n)) passes. Once few candidates remain they are sorted directly.
 * This is the weighted-median scheme of Johnson & Mizoguchi (1978) for X + Y selection.
 *
 * Cost: O((m + n) log(m + n)) for the sorts, then O(log(m·n)) passes of O(m log m + n).
 * Each value returned is the same `x − y` a sorted list of all differences would hold at that
 * rank, so results equal the quadratic method's bit for bit.
 */

/** The two samples prepared once, for several selections. */
export interface PairwiseDifferences {
  readonly x: Float64Array;
  /** y sorted descending, so that x[i] − yDesc[c] ascends in c. */
  readonly yDesc: Float64Array;
  readonly count: number;
}

export function pairwiseDifferences(x: readonly number[], y: readonly number[]): PairwiseDifferences {
  const xs = Float64Array.from(x).sort();
  const yDesc = Float64Array.from(y).sort().reverse();
  return { x: xs, yDesc, count: xs.length * yDesc.length };
}

/**
 * Per row, how many columns hold a difference ≤ v (`strict`: < v). Rows ascend in x, so the
 * count never grows from one row to the next: one walk of the columns for all rows.
 */
function countAtMost(d: PairwiseDifferences, v: number, strict: boolean, out: Int32Array): number {
  const { x, yDesc } = d;
  let p = yDesc.length;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    while (p > 0) {
      const diff = xi - (yDesc[p - 1] as number);
      if (strict ? diff < v : diff <= v) break;
      p--;
    }
    out[i] = p;
    total += p;
  }
  return total;
}

/** The weighted median of the rows' middle candidates. */
function pivot(d: PairwiseDifferences, lo: Int32Array, hi: Int32Array, width: number): number {
  const mids: { v: number; w: number }[] = [];
  for (let i = 0; i < lo.length; i++) {
    const a = lo[i] as number;
    const b = hi[i] as number;
    if (a > b) continue;
    mids.push({ v: (d.x[i] as number) - (d.yDesc[(a + b) >> 1] as number), w: b - a + 1 });
  }
  mids.sort((p, q) => p.v - q.v);
  let acc = 0;
  for (const m of mids) {
    acc += m.w;
    if (2 * acc >= width) return m.v;
  }
  return (mids[mids.length - 1] as { v: number }).v;
}

/** Below this many candidates, sorting them beats another pass. */
const direct = (d: PairwiseDifferences) => Math.max(64, d.x.length + d.yDesc.length);

/**
 * The k-th smallest difference (1-based, 1 ≤ k ≤ m·n).
 * @example selectDifference(pairwiseDifferences([2, 3, 4], [1, 2, 3]), 5) === 1
 *   // differences 1, 0, −1, 2, 1, 0, 3, 2, 1 → sorted −1 0 0 1 [1] 1 2 2 3
 */
export function selectDifference(d: PairwiseDifferences, k: number): number {
  const m = d.x.length;
  const n = d.yDesc.length;
  if (!(k >= 1 && k <= d.count)) throw new Error(`selectDifference: rank ${k} outside 1…${d.count}`);
  const lo = new Int32Array(m);
  const hi = new Int32Array(m).fill(n - 1);
  const lt = new Int32Array(m);
  const le = new Int32Array(m);
  let width = d.count;
  while (width > direct(d)) {
    const v = pivot(d, lo, hi, width);
    const below = countAtMost(d, v, true, lt);
    const atMost = countAtMost(d, v, false, le);
    if (k > below && k <= atMost) return v;
    width = 0;
    for (let i = 0; i < m; i++) {
      if (k <= below) hi[i] = Math.min(hi[i] as number, (lt[i] as number) - 1);
      else lo[i] = Math.max(lo[i] as number, le[i] as number);
      width += Math.max(0, (hi[i] as number) - (lo[i] as number) + 1);
    }
  }
  // Every difference left of a window is below the k-th, every one right of it above.
  let dropped = 0;
  const rest = new Float64Array(width);
  let r = 0;
  for (let i = 0; i < m; i++) {
    dropped += lo[i] as number;
    for (let c = lo[i] as number; c <= (hi[i] as number); c++)
      rest[r++] = (d.x[i] as number) - (d.yDesc[c] as number);
  }
  rest.sort();
  return rest[k - dropped - 1] as number;
}
