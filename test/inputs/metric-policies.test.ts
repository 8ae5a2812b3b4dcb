/** The `gitcanary.dev/metric-policies` annotation: defaults, the rendered samples query, errors naming file, object and key. */
import { describe, expect, it } from 'vitest';
import type { MetricCheck } from '../../src/core/types.js';
import { metricPolicies, metricPolicyIssues } from '../../src/inputs/metric-policies.js';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { applyPolicies } from '../../src/metrics/policy-checks.js';
import { canaryWith } from '../support/sim.js';

const loaded = (annotation?: string): LoadedCanary => {
  const canary = canaryWith({
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '2m' },
      { name: 'errors', query: 'sum(x)', thresholdRange: { max: 1 } },
    ],
  });
  if (annotation !== undefined) canary.metadata.annotations = { 'gitcanary.dev/metric-policies': annotation };
  return {
    ref: { namespace: 'test', name: 'podinfo' },
    origin: { file: 'apps/podinfo/canary.yaml', line: 2 },
    dir: 'apps/podinfo',
    canary,
    provider: 'istio',
    warnings: [],
  };
};

const key = 'metadata.annotations.gitcanary.dev/metric-policies';

describe('gitcanary.dev/metric-policies', () => {
  it('no annotation: no policy (every metric as Flagger)', () => {
    expect(metricPolicies(loaded())).toEqual({});
  });

  it('noData defaults to fail; the other fields are optional', () => {
    expect(metricPolicies(loaded('errors: { maxInconclusive: 3 }'))).toEqual({
      errors: { noData: 'fail', maxInconclusive: 3 },
    });
  });

  it('renders the samples query like the metric (target, namespace, the metric interval)', () => {
    const c = loaded(`request-success-rate:
  noData: hold
  minSamples: 50
  samplesQuery: sum(increase(http_requests_total{namespace="{{ namespace }}",deployment="{{ target }}"}[{{ interval }}]))`);
    const [checked] = applyPolicies(c, [
      { name: 'request-success-rate', kind: 'success-rate' } as MetricCheck,
    ]);
    expect(checked?.policy).toEqual({
      noData: 'hold',
      minSamples: 50,
      samplesQuery: 'sum(increase(http_requests_total{namespace="test",deployment="podinfo"}[2m]))',
    });
    expect(checked?.error).toBeUndefined();
  });

  it.each<[string, string, string]>([
    ['not YAML', 'errors: [', `${key}: not YAML`],
    ['unknown noData', 'errors: { noData: maybe }', `${key}.errors.noData: Invalid option`],
    ['unknown key', 'errors: { onNoData: hold }', `${key}.errors: Unrecognized key: "onNoData"`],
    [
      'minSamples without a query',
      'errors: { minSamples: 10 }',
      `${key}.errors: minSamples and samplesQuery go together`,
    ],
    ['negative maxInconclusive', 'errors: { maxInconclusive: -1 }', `${key}.errors.maxInconclusive:`],
    [
      'a metric the Canary lacks',
      'latency: { noData: hold }',
      `${key}.latency: no metric latency in spec.analysis.metrics (metrics: request-success-rate, errors)`,
    ],
  ])('%s: an error naming file, object and key', (_, annotation, expected) => {
    const issues = metricPolicyIssues(loaded(annotation));
    expect(issues.length).toBeGreaterThan(0);
    const line = `${issues[0]!.file}:${issues[0]!.line}: ${issues[0]!.object}: ${issues[0]!.path}: ${issues[0]!.message}`;
    expect(line).toContain(`apps/podinfo/canary.yaml:2: test/podinfo: ${expected}`);
  });

  it('a bad annotation fails every check of that canary with its problem', () => {
    const checks = applyPolicies(loaded('errors: { noData: maybe }'), [
      { name: 'errors', kind: 'custom', query: 'q' } as MetricCheck,
    ]);
    expect(checks[0]?.error).toContain(`${key}.errors.noData`);
  });
});
