/**
 * Every router of the registry rolled through a full successful and a failed rollout, in three
 * files (providers-a/b/c: a third of the sorted registry each, rollouts run concurrently): the fixture
 * repository `fixtures/repos/provider-<provider>/`, real git, one real Prometheus per file holding
 * each observer's own metric names (test/support/observer-metrics.ts). After every run the rendered
 * routing objects on the remote are read back; their weights always sum to 100.
 *
 * This file: the last third, A/B testing on Istio, and the seed walkthrough (Flagger + Traefik +
 * Prometheus, `fixtures/repos/seed-traefik/`) exactly as written.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runSimulate } from '../../src/cli/simulate.js';
import { git } from '../support/gitops.js';
import { startLoadTester } from '../support/loadtester.js';
import {
  BAD_START,
  brief,
  expectInputsUntouched,
  GOOD_START,
  type Rollout,
  routingObjects,
  seedFixture,
  startRollout,
  verdictsFrom,
  workloads,
} from '../support/provider-rollout.js';
import {
  abRollout,
  expectFailing,
  expectObserverQueries,
  expectPassing,
  fixturesFor,
  providerRollout,
  registryPart,
  rolloutTimeoutMs,
  usePrometheus,
} from '../support/provider-suites.js';

const providers = registryPart(2, 3);
const abProviders = ['istio'];
const fixtures = fixturesFor(providers, abProviders, [seedFixture]);
const prometheus = usePrometheus(fixtures);

describe('the observer series of each fixture', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s: the built-in checks read the canary only', (_, f) =>
    expectObserverQueries(prometheus(), f),
  );
});

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(
    args,
    (s) => lines.push(s),
    (s) => lines.push(s),
  );
  return { code, out: lines.join('\n') };
}

/** The weighted services of the TraefikService podinfo, as rendered. */
function traefikServices(r: Rollout): unknown {
  const ts = r.rendered().find((o) => o.kind === 'TraefikService' && o.metadata.name === 'podinfo');
  return (ts?.['spec'] as { weighted: { services: unknown } } | undefined)?.weighted.services;
}

/** The seed's load tester, reached through the host map (the spec stays as written). */
const loadTesterHost = 'flagger-loadtester.flagger-system';
const seedLoadCmd = 'hey -z 10m -q 10 -c 2 http://podinfo.demo-canary:9898/';

/** The seed's steps: stepWeight 5 up to maxWeight 50. */
const seedWeights = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50];

/** Bootstraps the seed repository, then commits the image bump to `tag`. */
async function bootstrapThenBump(r: Rollout, tag: string): Promise<void> {
  expect(brief(await r.tick())).toBe('Initializing 100/0 f0');
  expect(brief(await r.tick())).toBe('Initialized 100/0 f0');
  expect(traefikServices(r)).toEqual([
    { name: 'podinfo-primary', namespace: 'demo-canary', port: 80, weight: 100 },
  ]);
  // kubectl set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:<tag>, as a commit.
  r.bump(tag);
}

/** gitcanary renders the TraefikService only; the user's IngressRoute (and every input) is never rewritten. */
function expectIngressRouteUntouched(r: Rollout): void {
  expect(routingObjects(r.rendered()).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
    'TraefikService/podinfo',
  ]);
  expectInputsUntouched(r);
}

/**
 * Healthy Traefik metrics: 5, 10 … 50, promotion, Succeeded; `plan -o json` and `status` say the
 * load-test webhook is not called.
 */
async function seedSucceeds(url: string): Promise<void> {
  const lt = await startLoadTester();
  const r = await startRollout(seedFixture, {
    metricsServer: url,
    startSeconds: GOOD_START,
    intervalSeconds: 10,
    hookHosts: { [loadTesterHost]: new URL(lt.url).host },
  });
  try {
    await bootstrapThenBump(r, '6.1.6');
    git(r.repo.work, 'pull', '-q', '--ff-only');
    const plan = await cli(
      'plan',
      '--repo',
      r.repo.work,
      '--now',
      r.now().toISOString(),
      '--metrics-server',
      url,
      '-o',
      'json',
    );
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.out)).toMatchObject({
      canaries: [{ namespace: 'demo-canary', name: 'podinfo', phase: 'Progressing' }],
      commit: null,
    });
    expect(JSON.parse(plan.out).canaries[0].notes).toBeUndefined();

    const before = r.status().history.length;
    const ticks = [await r.tick(), await r.tick()];
    expect(traefikServices(r)).toEqual([
      { name: 'podinfo-primary', namespace: 'demo-canary', port: 80, weight: 95 },
      { name: 'podinfo-canary', namespace: 'demo-canary', port: 80, weight: 5 },
    ]);
    ticks.push(...(await r.until('Succeeded', 14)));
    expect(ticks.map((t) => brief(t))).toEqual([
      'Progressing 100/0 f0',
      ...seedWeights.map((w) => `Progressing ${100 - w}/${w} f0`),
      'Promoting 50/50 f0',
      'Finalising 100/0 f0',
      'Succeeded 100/0 f0',
    ]);
    // `kubectl get canaries -w`: the WEIGHT column goes 5, 10, 15 … 50.
    expect(ticks.map((t) => t.canaryWeight)).toEqual([0, ...seedWeights, 50, 0, 0]);
    expectPassing(seedFixture, verdictsFrom(r.status().history, before), seedWeights.length);
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.6', canaryReplicas: 0 });
    expectIngressRouteUntouched(r);

    const status = await cli('status', '--repo', r.repo.work);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/demo-canary +podinfo +Succeeded +0 +0 /);
    expect(status.out).not.toContain('not called');
    expect((await runSimulate(r.repo.work, 'demo-canary/podinfo', { fromStatus: true })).reproduced).toBe(
      true,
    );
    // The load-test hook ran on every analysis (10 weights + the promoting one), with Flagger's payload.
    expect(lt.violations).toEqual([]);
    expect(lt.commands).toEqual(Array.from({ length: seedWeights.length }, () => seedLoadCmd));
    expect(lt.requests.every((q) => q.path === '/' && q.body.namespace === 'demo-canary')).toBe(true);
    const hooked = r.status().history.filter((h) => (h as { hooks?: unknown[] }).hooks);
    expect(hooked.length).toBe(seedWeights.length);
    expect(r.repo.remoteLog().some((m) => m.includes('webhook load-test (rollout): 202 ok'))).toBe(true);
  } finally {
    r.cleanup();
    await lt.close();
  }
}

/** A success rate of 95% (under 99%): the first step to 5%, 10 failed checks there, rolled back. */
async function seedRollsBack(url: string): Promise<void> {
  const lt = await startLoadTester();
  const r = await startRollout(seedFixture, {
    metricsServer: url,
    startSeconds: BAD_START,
    intervalSeconds: 10,
    hookHosts: { [loadTesterHost]: new URL(lt.url).host },
  });
  try {
    await bootstrapThenBump(r, '6.1.6');
    const failedFrom = r.status().history.length;
    const ticks = await r.until('Failed', 16);
    expect(ticks.map((t) => brief(t))).toEqual([
      'Progressing 100/0 f0',
      'Progressing 95/5 f0',
      ...Array.from({ length: 10 }, (_, i) => `Progressing 95/5 f${i + 1}`),
      'Failed 100/0 f0',
    ]);
    expectFailing(seedFixture, verdictsFrom(r.status().history, failedFrom), 10);
    expect(workloads(r)).toEqual({ primaryImage: 'ghcr.io/stefanprodan/podinfo:6.1.5', canaryReplicas: 0 });
    expectIngressRouteUntouched(r);
    // The failed revision is not analysed again.
    expect((await r.tick()).commit).toBeNull();
    expect((await runSimulate(r.repo.work, 'demo-canary/podinfo', { fromStatus: true })).reproduced).toBe(
      true,
    );
  } finally {
    r.cleanup();
    await lt.close();
  }
}

describe.concurrent('rollouts', () => {
  it(
    'seed walkthrough (Traefik, demo-canary/podinfo), healthy metrics: 5, 10 … 50, promoted, Succeeded',
    () => seedSucceeds(prometheus()),
    rolloutTimeoutMs,
  );
  it(
    'seed walkthrough, success rate under 99%: rolled back after 10 failed checks',
    () => seedRollsBack(prometheus()),
    rolloutTimeoutMs,
  );
  it.each(providers)(
    '%s: a new revision succeeds, a bad one is rolled back',
    (provider) => providerRollout(provider, prometheus()),
    rolloutTimeoutMs,
  );
  it.each(abProviders)(
    '%s: A/B testing sends matched requests to the canary for 2 iterations, then promotes',
    (provider) => abRollout(provider, prometheus()),
    rolloutTimeoutMs,
  );
});
