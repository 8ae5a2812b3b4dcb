/**
 * The test bodies shared by the provider integration files (test/integration/providers-*.test.ts):
 * one real Prometheus per file holding its fixtures' observer series, a check that each
 * observer's built-in queries read exactly the canary's series, and the rollouts.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/inputs/config.js';
import { loadRepo } from '../../src/inputs/load.js';
import { observerFor } from '../../src/metrics/builtins.js';
import { planChecks } from '../../src/metrics/checks.js';
import { builtinTemplates } from '../../src/reconcile/observe.js';
import { routers } from '../../src/routers/registry.js';
import { expectedValues, observerMetricNames } from './observer-metrics.js';
import { type PromHandle, startPrometheus } from './prometheus.js';
import {
  abFixture,
  BAD_START,
  brief,
  ERRORS_AFTER_DROP,
  expectedObserver,
  expectInputsUntouched,
  fixtureDir,
  fixtureMetrics,
  GOOD_START,
  providerFixture,
  type RolloutFixture,
  startRollout,
  verdictsFrom,
  workloads,
} from './provider-rollout.js';

/** A rollout takes a dozen runs of ~35 git processes each, several at once on 2 cores. */
export const rolloutTimeoutMs = 300_000;

/** Starts one Prometheus for the file with every fixture's series; returns its URL (after beforeAll). */
export function usePrometheus(fixtures: readonly RolloutFixture[]): () => string {
  let prom: PromHandle | undefined;
  beforeAll(async () => {
    prom = await startPrometheus(fixtureMetrics(fixtures));
  });
  afterAll(async () => {
    await prom?.stop();
  });
  return () => {
    if (!prom) throw new Error('Prometheus is not started');
    return prom.url;
  };
}

/** An instant query at `seconds`: the last series' value, or undefined without data. */
async function instant(url: string, query: string, seconds: number): Promise<number | undefined> {
  const u = new URL('/api/v1/query', url);
  u.searchParams.set('query', query);
  u.searchParams.set('time', String(seconds));
  const body = (await (await fetch(u)).json()) as {
    status: string;
    data: { result: Array<{ value: [number, string] }> };
  };
  expect(body.status).toBe('success');
  const v = body.data.result.at(-1)?.value[1];
  return v === undefined ? undefined : Number(v);
}

/**
 * The fixture's built-in checks, as gitcanary plans them, answer exactly the designed values from
 * the canary's own series (100 % then 95 %, 100 ms), never the primary's decoy.
 */
export async function expectObserverQueries(url: string, f: RolloutFixture): Promise<void> {
  const inv = await loadRepo(fixtureDir(f.name), await loadConfig(fixtureDir(f.name), {}));
  const canary = inv.canaries[0]!;
  expect(observerFor('istio', canary.canary.spec.provider, 'Deployment')).toBe(f.observer);
  const checks = planChecks(canary, inv.templates, builtinTemplates(), 'istio');
  expect(checks.map((c) => c.name)).toEqual(['request-success-rate', 'request-duration']);
  const [rate, duration] = checks.map((c) => c.query ?? '');
  const names = observerMetricNames(f.observer);
  expect(rate).toContain(names.successRate);
  expect(duration).toContain(names.duration);
  const healthy = GOOD_START + 600;
  const failing = BAD_START + 600;
  expect(await instant(url, rate!, healthy)).toBeCloseTo(expectedValues.successRate(0), 9);
  expect(await instant(url, rate!, failing)).toBeCloseTo(expectedValues.successRate(ERRORS_AFTER_DROP), 9);
  for (const at of [healthy, failing]) {
    const ms = (await instant(url, duration!, at)) ?? Number.NaN;
    // P99 ≈ 99.45 ms or mean 99.5 ms: well inside the millisecond that truncates to the expected value.
    expect(ms).toBeGreaterThan(expectedValues.durationMs + 0.4);
    expect(ms).toBeLessThan(expectedValues.durationMs + 0.6);
  }
}

type Verdicts = ReturnType<typeof verdictsFrom>;

/** `count` passing verdicts whose queries read the observer's own metrics: 100 % and 99 ms. */
export function expectPassing(f: RolloutFixture, verdicts: Verdicts, count: number): void {
  const names = observerMetricNames(f.observer);
  expect(verdicts.map((v) => v.result)).toEqual(Array(count).fill('pass'));
  for (const v of verdicts) {
    const [rate, duration] = v.metrics;
    expect(rate?.name).toBe('request-success-rate');
    expect(rate?.query).toContain(names.successRate);
    expect(rate?.value).toBeCloseTo(expectedValues.successRate(0), 6);
    expect(duration?.name).toBe('request-duration');
    expect(duration?.query).toContain(names.duration);
    expect(duration?.value).toBe(expectedValues.durationMs);
  }
}

/** `count` failing verdicts: the observer's success rate at 95 %, under the minimum 99. */
export function expectFailing(f: RolloutFixture, verdicts: Verdicts, count: number): void {
  const names = observerMetricNames(f.observer);
  expect(verdicts.map((v) => v.reason)).toEqual(Array(count).fill('request-success-rate 95 < 99'));
  for (const v of verdicts) {
    expect(v.metrics[0]?.query).toContain(names.successRate);
    expect(v.metrics[0]?.value).toBeCloseTo(expectedValues.successRate(ERRORS_AFTER_DROP), 6);
  }
}

/** Canary strategy, stepWeight 30 up to maxWeight 60 (§3.3b): two analyses, the second promotes. */
const canarySuccess = [
  'Progressing 100/0 f0',
  'Progressing 70/30 f0',
  'Progressing 40/60 f0',
  'Promoting 40/60 f0',
  'Finalising 100/0 f0',
  'Succeeded 100/0 f0',
];
/** Threshold 2: the pre-rollout step, two failed analyses, rollback on the next run (§3.7). */
const canaryFailure = [
  'Progressing 100/0 f0',
  'Progressing 70/30 f0',
  'Progressing 70/30 f1',
  'Progressing 70/30 f2',
  'Failed 100/0 f0',
];
/**
 * Kubernetes: blue/green over 2 iterations (§3.5). No routing object: the split is what Flagger's
 * NopRouter makes up from status.iterations (0/100 once it is above 0). Three analyses: i2, i3
 * (the switch, which for kubernetes changes no route), then promotion.
 */
const blueGreenSuccess = [
  'Progressing 100/0 f0 i0',
  'Progressing 0/100 f0 i1',
  'Progressing 0/100 f0 i2',
  'Progressing 0/100 f0 i3',
  'Promoting 0/100 f0',
  'Finalising 100/0 f0',
  'Succeeded 100/0 f0',
];
const blueGreenFailure = [
  'Progressing 100/0 f0 i0',
  'Progressing 0/100 f0 i1',
  'Progressing 0/100 f1 i1',
  'Progressing 0/100 f2 i1',
  'Failed 100/0 f0',
];

/**
 * A provider's fixture from bootstrap through a healthy rollout to Succeeded, then a bad revision
 * (in the failing window) rolled back to Failed, checking phases, splits, verdicts and workloads.
 */
export async function providerRollout(provider: string, url: string): Promise<void> {
  expect(expectedObserver[provider], `${provider}: add it to expectedObserver`).toBeDefined();
  const f = providerFixture(provider);
  expect(existsSync(fixtureDir(f.name)), `${provider}: fixtures/repos/${f.name} is missing`).toBe(true);
  const blueGreen = provider === 'kubernetes';
  const line = (t: Parameters<typeof brief>[0]) => brief(t, blueGreen);
  const r = await startRollout(f, { metricsServer: url, startSeconds: GOOD_START, intervalSeconds: 60 });
  try {
    expect(brief(await r.tick())).toBe('Initializing 100/0 f0');
    expect(brief(await r.tick())).toBe('Initialized 100/0 f0');
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.5', canaryReplicas: 0 });

    r.bump('6.1.6');
    const before = r.status().history.length;
    const good = await r.until('Succeeded', 10);
    expect(good.map(line)).toEqual(blueGreen ? blueGreenSuccess : canarySuccess);
    expect(good.every((t) => t.commit)).toBe(true);
    expectPassing(f, verdictsFrom(r.status().history, before), blueGreen ? 3 : 2);
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.6', canaryReplicas: 0 });

    r.jumpTo(BAD_START);
    r.bump('6.1.7');
    const failedFrom = r.status().history.length;
    const bad = await r.until('Failed', 8);
    expect(bad.map(line)).toEqual(blueGreen ? blueGreenFailure : canaryFailure);
    expectFailing(f, verdictsFrom(r.status().history, failedFrom), 2);
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.6', canaryReplicas: 0 });
    expectInputsUntouched(r);
  } finally {
    r.cleanup();
  }
}

/**
 * A/B testing over 2 iterations (§3.3b): matched requests go to the canary (0/100 on the match
 * route) from the pre-rollout step on, two analyses, the second promotes; then back to 100/0.
 */
export async function abRollout(provider: string, url: string): Promise<void> {
  const f = abFixture(provider);
  const r = await startRollout(f, { metricsServer: url, startSeconds: GOOD_START, intervalSeconds: 60 });
  try {
    await r.tick();
    await r.tick();
    r.bump('6.1.6');
    const before = r.status().history.length;
    const ticks = await r.until('Succeeded', 8);
    expect(ticks.map((t) => brief(t, true))).toEqual([
      'Progressing 100/0 f0 i0',
      'Progressing 0/100 f0 i1',
      'Progressing 0/100 f0 i2',
      'Promoting 0/100 f0',
      'Finalising 100/0 f0',
      'Succeeded 100/0 f0',
    ]);
    expectPassing(f, verdictsFrom(r.status().history, before), 2);
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.6', canaryReplicas: 0 });
    expectInputsUntouched(r);
  } finally {
    r.cleanup();
  }
}

/** Every fixture a file needs: its providers' and A/B providers' repositories plus `extra`. */
export const fixturesFor = (
  providers: readonly string[],
  abProviders: readonly string[],
  extra: readonly RolloutFixture[] = [],
): RolloutFixture[] => [...providers.map(providerFixture), ...abProviders.map(abFixture), ...extra];

/**
 * Part `part` (0-based) of `parts` of the registry's providers, sorted, so the provider files
 * together roll out every router: a router added to the registry without a fixture fails one of them.
 * @example registryPart(0, 3) // ['apisix', 'appmesh', 'appmesh:v1beta2', 'contour', 'gatewayapi:v1', 'gatewayapi:v1beta1']
 */
export function registryPart(part: number, parts: number): string[] {
  // knative has no fixture repository here yet (its observer selects revision names, which the
  // series in observer-metrics.ts do not carry); its rollout through the rendered Knative Service
  // runs in test/render/capabilities.test.ts.
  const all = Object.keys(routers)
    .filter((p) => p !== 'knative')
    .sort();
  const size = Math.ceil(all.length / parts);
  return all.slice(part * size, (part + 1) * size);
}
