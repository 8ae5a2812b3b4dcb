/** The `gitcanary.dev/compare` annotation: defaults, rendering per arm, and errors naming file, object and key. */
import { describe, expect, it } from 'vitest';
import { compareIssues, plannedComparisons, renderArm } from '../../src/inputs/compare-spec.js';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { canaryWith } from '../support/sim.js';

const loaded = (annotation?: string): LoadedCanary => {
  const canary = canaryWith({});
  if (annotation !== undefined) canary.metadata.annotations = { 'gitcanary.dev/compare': annotation };
  return {
    ref: { namespace: 'test', name: 'podinfo' },
    origin: { file: 'apps/podinfo/canary.yaml', line: 2 },
    dir: 'apps/podinfo',
    canary,
    provider: 'istio',
    warnings: [],
  };
};

describe('gitcanary.dev/compare', () => {
  it('no annotation: no comparison', () => {
    expect(plannedComparisons(loaded())).toEqual([]);
  });

  it('fills the defaults of each method', () => {
    const planned = plannedComparisons(
      loaded(`errors: { method: rate-ratio, requests: r, errors: e, tolerance: 1.5 }
latency: { method: mann-whitney, query: q, tolerance: 1.2 }`),
    );
    expect(planned).toMatchObject([
      {
        windowMs: 300_000,
        spec: {
          name: 'errors',
          method: 'rate-ratio',
          minRequests: 100,
          confidence: 0.95,
          maxErrorRate: 0.01,
        },
      },
      { windowMs: 300_000, stepMs: 60_000, spec: { name: 'latency', minSamples: 5, scale: 'log' } },
    ]);
  });

  it('every problem names the file, the object and the key', () => {
    const c = loaded(`latency: { method: mann-whitney, query: q, window: soon }
errors: { method: rate-ratio, requests: r, errors: e, tolerance: 1.5, extra: 1 }`);
    const issues = compareIssues(c).map((i) => `${i.file}:${i.line}: ${i.object}: ${i.path}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(
        /^apps\/podinfo\/canary.yaml:2: test\/podinfo: metadata.annotations.gitcanary.dev\/compare.latency.tolerance: /,
      ),
      'apps/podinfo/canary.yaml:2: test/podinfo: metadata.annotations.gitcanary.dev/compare.latency.window: must be a duration such as 5m',
      expect.stringMatching(/compare.errors: .*extra/),
    ]);
    expect(plannedComparisons(c)).toHaveLength(3);
    expect(compareIssues(loaded('a: [unclosed'))[0]?.message).toMatch(/^not YAML/);
  });

  it('renders the same query for the canary and the primary', () => {
    const q = 'sum(increase(x{deployment="{{ workload }}",ns="{{namespace}}"}[{{ window }}]))';
    expect(renderArm(q, { workload: 'podinfo-primary', namespace: 'test', window: '5m' })).toBe(
      'sum(increase(x{deployment="podinfo-primary",ns="test"}[5m]))',
    );
  });
});
