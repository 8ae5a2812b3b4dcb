/**
 * The cost of one Mann-Whitney comparison (U, p and the Hodges-Lehmann interval) as the samples
 * grow: `node --import tsx bench/compare.bench.ts [m] [n]` prints the median wall time of
 * `compareVerdict` over repeated runs for m canary and n primary samples (default 200 + 300),
 * and for 10× as many. Samples are deterministic (a fixed linear congruential generator) and
 * tied like real latency data (rounded to 0.1 ms).
 */
import { compareVerdict } from '../src/core/compare.js';
import type { ComparisonObservation } from '../src/core/types.js';

function samples(count: number, seed: number, scale: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const u = (s + 1) / 2147483649;
    out.push(Math.round(scale * Math.exp(0.3 * Math.sqrt(-2 * Math.log(u)))) / 10);
  }
  return out;
}

function observation(m: number, n: number): ComparisonObservation {
  return {
    spec: {
      name: 'latency',
      method: 'mann-whitney',
      tolerance: 1.2,
      confidence: 0.95,
      minSamples: 5,
      minRequests: 100,
      maxErrorRate: 0.01,
      scale: 'log',
    },
    window: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:20:00Z' },
    samples: { method: 'mann-whitney', canary: samples(m, 7, 1100), primary: samples(n, 11, 1000) },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(m: number, n: number): number {
  const o = observation(m, n);
  for (let i = 0; i < 5; i++) compareVerdict(o);
  const runs: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t0 = process.hrtime.bigint();
    compareVerdict(o);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(runs);
}

const m = Number(process.argv[2] ?? 200);
const n = Number(process.argv[3] ?? 300);
for (const [a, b] of [
  [m, n],
  [m * 10, n * 10],
]) {
  const ms = time(a as number, b as number);
  console.log(`mann-whitney ${a}+${b} samples: ${ms.toFixed(2)} ms (median of 25)`);
}
