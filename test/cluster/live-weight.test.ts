import { describe, expect, it } from 'vitest';
import { liveWeight, requestsToTell } from '../../src/cluster/live-weight.js';

describe('live weight from request counts', () => {
  it.each([
    // k, n, old, new, verdict
    [0, 60, 0, 5, 'contradicted'],
    [3, 60, 0, 5, 'confirmed'],
    [0, 20, 0, 5, 'inconclusive'],
    [31, 300, 5, 10, 'confirmed'],
    [15, 300, 5, 10, 'contradicted'],
    [22, 300, 5, 10, 'inconclusive'],
    [600, 6000, 10, 20, 'contradicted'],
    [1200, 6000, 10, 20, 'confirmed'],
    [0, 50, 10, 0, 'confirmed'],
    [50, 50, 50, 100, 'confirmed'],
    [0, 0, 10, 20, 'inconclusive'],
  ] as const)('%d of %d with %d%% → %d%%: %s', (k, n, from, to, verdict) => {
    expect(liveWeight(k, n, from, to).verdict).toBe(verdict);
  });

  it('reports the observed share and the request count; fractional counts are rounded down', () => {
    expect(liveWeight(30.7, 300.9, 5, 10)).toMatchObject({ observed: 10, requests: 300 });
  });

  it('the same weight before and after cannot be verified by traffic', () => {
    expect(liveWeight(10, 100, 10, 10).verdict).toBe('inconclusive');
  });

  it('requests needed to tell the weights apart (the binomial table)', () => {
    // 0 → 5 %: (0.95 / 0.999)ⁿ ≤ 1/19 (a stray-request floor of 0.1 %) needs n ≥ 59.
    expect(requestsToTell(0, 5)).toBe(59);
    // Promotion and rollback are big jumps: a handful of requests.
    expect(requestsToTell(50, 100)).toBeLessThan(30);
    expect(requestsToTell(10, 0)).toBeLessThan(30);
    // Small steps at low weights need a few hundred.
    const small = requestsToTell(5, 10) ?? 0;
    expect(small).toBeGreaterThan(100);
    expect(small).toBeLessThan(400);
  });
});
