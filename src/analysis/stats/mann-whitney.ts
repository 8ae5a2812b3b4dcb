/**
 * The Mann-Whitney U (Wilcoxon rank-sum) test of a canary sample against a baseline, with the
 * normal approximation (tie-corrected variance, continuity correction: R's `wilcox.test(correct =
 * TRUE)`, SciPy's `method="asymptotic"`) and the exact distribution for small samples without ties.
 * Pure, deterministic.
 */
import { normCdf, normQuantile } from './normal.js';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitney {
  /** U of the canary: pairs with canary > baseline, plus ½ per tie. */
  u: number;
  /** Common-language effect size U / (m·n): P(canary > baseline) + ½ P(tie). */
  cles: number;
  p: number;
  method: 'exact' | 'asymptotic';
  /** Standard deviation of U under H0 (tie-corrected); 0 when every value is tied. */
  sd: number;
}

/**
 * Midranks of values (1-based; ties share the mean of their ranks) and the tie groups' sizes.
 *
 * @example midranks([10, 20, 20, 30]).ranks // [1, 2.5, 2.5, 4]
 */
export function midranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]?.[1] ?? 0] = rank;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Variance of U under H0 with the tie correction. */
export function uVariance(m: number, n: number, ties: readonly number[]): number {
  const N = m + n;
  const t = ties.reduce((s, g) => s + (g ** 3 - g), 0);
  return ((m * n) / 12) * (N + 1 - t / (N * (N - 1)));
}

/** P-value of U by the normal approximation with continuity correction. */
export function asymptoticP(u: number, m: number, n: number, sd: number, alternative: Alternative): number {
  if (sd === 0) return 1;
  const mean = (m * n) / 2;
  if (alternative === 'greater') return 1 - normCdf((u - mean - 0.5) / sd);
  if (alternative === 'less') return normCdf((u - mean + 0.5) / sd);
  const z = (Math.abs(u - mean) - 0.5) / sd;
  return Math.min(1, 2 * (1 - normCdf(Math.max(z, 0))));
}

/**
 * The exact null distribution of U for sizes m, n without ties: P(U = u) for u = 0 … m·n, by the
 * recurrence p(u; m, n) = m/N · p(u − n; m − 1, n) + n/N · p(u; m, n − 1).
 */
export function exactDistribution(m: number, n: number): Float64Array {
  // rows[j] holds p(·; i, j) for the current i.
  let rows: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const cur = new Float64Array(i * j + 1);
      const a = rows[j] as Float64Array; // (i − 1, j)
      const b = next[j - 1] as Float64Array; // (i, j − 1)
      const N = i + j;
      for (let u = 0; u <= i * j; u++) {
        const fromA = u - j >= 0 && u - j < a.length ? (a[u - j] as number) : 0;
        const fromB = u < b.length ? (b[u] as number) : 0;
        cur[u] = (i / N) * fromA + (j / N) * fromB;
      }
      next.push(cur);
    }
    rows = next;
  }
  return rows[n] as Float64Array;
}

function exactP(u: number, m: number, n: number, alternative: Alternative): number {
  const d = exactDistribution(m, n);
  const upper = (k: number) => d.slice(Math.ceil(k)).reduce((s, x) => s + x, 0); // P(U ≥ k)
  const lower = (k: number) => d.slice(0, Math.floor(k) + 1).reduce((s, x) => s + x, 0); // P(U ≤ k)
  if (alternative === 'greater') return upper(u);
  if (alternative === 'less') return lower(u);
  const mean = (m * n) / 2;
  return Math.min(1, 2 * (u >= mean ? upper(u) : lower(u)));
}

/**
 * Mann-Whitney U of `canary` against `baseline`. `method` as SciPy's: `auto` is exact when both
 * samples are at most 50 and there are no ties, else asymptotic.
 *
 * @example mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12], 'two-sided', 'exact')
 *   // { u: 17, p: 0.1111…, … } (SciPy's documented example)
 */
export function mannWhitney(
  canary: readonly number[],
  baseline: readonly number[],
  alternative: Alternative = 'two-sided',
  method: 'auto' | 'exact' | 'asymptotic' = 'auto',
): MannWhitney {
  const m = canary.length;
  const n = baseline.length;
  if (m === 0 || n === 0) throw new Error('mannWhitney: both samples need at least one value');
  const { ranks, ties } = midranks([...canary, ...baseline]);
  const r = ranks.slice(0, m).reduce((s, x) => s + x, 0);
  const u = r - (m * (m + 1)) / 2;
  const sd = Math.sqrt(uVariance(m, n, ties));
  const tied = ties.some((g) => g > 1);
  const exact = method === 'exact' || (method === 'auto' && !tied && m <= 50 && n <= 50);
  return {
    u,
    cles: u / (m * n),
    sd,
    method: exact ? 'exact' : 'asymptotic',
    p: exact ? exactP(u, m, n, alternative) : asymptoticP(u, m, n, sd, alternative),
  };
}

/**
 * U from grouped data: counts per ordered bucket for each arm (e.g. latency histogram buckets),
 * ties within a bucket. O(buckets).
 *
 * @example groupedU([0, 1], [1, 0]) // { u: 1, m: 1, n: 1, ties: [1, 1] }
 */
export function groupedU(canary: readonly number[], baseline: readonly number[]) {
  let below = 0;
  let u = 0;
  const ties: number[] = [];
  for (let k = 0; k < canary.length; k++) {
    const a = canary[k] ?? 0;
    const b = baseline[k] ?? 0;
    u += a * (below + b / 2);
    below += b;
    if (a + b > 0) ties.push(a + b);
  }
  const m = canary.reduce((s, x) => s + x, 0);
  const n = baseline.reduce((s, x) => s + x, 0);
  return { u, m, n, ties };
}

/**
 * The Hanley–McNeil confidence interval of a CLES (an AUC) A from m canary and n baseline values.
 *
 * @example hanleyMcNeil(0.5, 100, 100, 0.95) // ≈ [0.419, 0.581]
 */
export function hanleyMcNeil(a: number, m: number, n: number, confidence = 0.95): [number, number] {
  const z = normQuantile(1 - (1 - confidence) / 2);
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const se = Math.sqrt((a * (1 - a) + (m - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (m * n));
  return [Math.max(0, a - z * se), Math.min(1, a + z * se)];
}
