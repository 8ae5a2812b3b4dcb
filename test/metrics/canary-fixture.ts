/**
 * Builds a LoadedCanary for metrics tests without touching the filesystem.
 */
import type { LoadedCanary } from '../../src/inputs/model.js';
import type { Canary, CanarySpec, MetricSpec } from '../../src/inputs/schema.js';

/** A `podinfo` canary in namespace `test` with the given metrics and spec overrides. */
export function loadedCanary(
  metrics: MetricSpec[],
  spec: Partial<CanarySpec> = {},
  name = 'podinfo',
): LoadedCanary {
  const canary: Canary = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10, metrics },
      ...spec,
    },
  };
  return {
    ref: { namespace: 'test', name },
    origin: { file: `apps/${name}/canary.yaml`, line: 1 },
    dir: `apps/${name}`,
    canary,
    provider: spec.provider ?? 'istio',
    warnings: [],
  };
}
