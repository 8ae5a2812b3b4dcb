/**
 * Whole rollouts through real git (bare remote + clones) and a real Prometheus loaded with exact
 * data: one run per interval, a human bumping the image in between, for Istio and Gateway API,
 * one succeeding and one rolling back.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runSimulate } from '../../src/cli/simulate.js';
import { parseTrailers } from '../../src/git/trailers.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps } from '../support/gitops.js';
import { BAD_START, GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
beforeAll(async () => {
  prom = await startPrometheus(podinfoMetrics());
});
afterAll(async () => {
  await prom?.stop();
});

interface Line {
  phase: string | null;
  weight: number;
  failedChecks: number;
  routes: string;
  commit: string | null;
}

/** Drives one canary run by run, one interval (60 s) apart. */
function driver(repo: GitOps, start: number, routing: (repo: GitOps) => [number, number]) {
  let now = start * 1000;
  return async (): Promise<Line> => {
    const r = await reconcile({ repoDir: repo.work, now: new Date(now), metricsServer: prom.url });
    now += 60_000;
    const c = r.canaries[0]!;
    expect(c.error).toBeUndefined();
    const [primary, canary] = routing(repo);
    expect(primary + canary).toBe(100);
    return {
      phase: c.phase,
      weight: c.canaryWeight,
      failedChecks: c.failedChecks,
      routes: `${primary}/${canary}`,
      commit: r.commit,
    };
  };
}

const vsWeights = (repo: GitOps): [number, number] => {
  const vs = parse(repo.remoteFile('apps/podinfo/rendered/virtualservice-podinfo.yaml'));
  const route = vs.spec.http[0].route as Array<{ destination: { host: string }; weight: number }>;
  return [
    route.find((r) => r.destination.host === 'podinfo-primary')!.weight,
    route.find((r) => r.destination.host === 'podinfo-canary')!.weight,
  ];
};

const routeWeights = (repo: GitOps): [number, number] => {
  const route = parse(repo.remoteFile('apps/podinfo/rendered/httproute-podinfo.yaml'));
  const refs = route.spec.rules[0].backendRefs as Array<{ name: string; weight: number }>;
  return [
    refs.find((r) => r.name === 'podinfo-primary')!.weight,
    refs.find((r) => r.name === 'podinfo-canary')!.weight,
  ];
};

/** Replaying the verdicts recorded in the status file reproduces the run's decisions. */
async function expectReplayReproduces(repo: GitOps): Promise<void> {
  const replay = await runSimulate(repo.work, 'test/podinfo', { fromStatus: true });
  expect(replay.reproduced).toBe(true);
}

const brief = (l: Line) => `${l.phase} ${l.routes} f${l.failedChecks}`;
const image = (v: string) => (s: string) => s.replace(/podinfo:[0-9.]+/, `podinfo:${v}`);
const status = (repo: GitOps) => parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
const replicas = (repo: GitOps, file: string) =>
  parse(repo.remoteFile(`apps/podinfo/rendered/${file}`)).spec.replicas;

describe('Istio rollout against a real Prometheus', () => {
  it('succeeds: 20, 40, 60, promote, finalise — every step a commit with trailers', async () => {
    const repo = createGitOps('istio-podinfo');
    try {
      const tick = driver(repo, GOOD_START, vsWeights);
      expect(brief(await tick())).toBe('Initializing 100/0 f0');
      expect(brief(await tick())).toBe('Initialized 100/0 f0');
      expect(replicas(repo, 'deployment-podinfo.yaml')).toBe(0);
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.6'), 'podinfo 6.1.6');
      const lines: Line[] = [];
      for (let i = 0; i < 7; i++) lines.push(await tick());
      expect(lines.map(brief)).toEqual([
        'Progressing 100/0 f0',
        'Progressing 80/20 f0',
        'Progressing 60/40 f0',
        'Progressing 40/60 f0',
        'Promoting 40/60 f0',
        'Finalising 100/0 f0',
        'Succeeded 100/0 f0',
      ]);
      expect(lines.every((l) => l.commit)).toBe(true);

      const history = status(repo).history as Array<{
        verdict?: { metrics: Array<{ name: string; value: number }> };
      }>;
      const verdicts = history.filter((h) => h.verdict);
      expect(verdicts).toHaveLength(3);
      for (const v of verdicts) {
        expect(v.verdict!.metrics[0]!.value).toBeCloseTo(100, 6);
        expect(v.verdict!.metrics[1]!.value).toBe(100);
      }
      const primary = parseAllDocuments(
        repo.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'),
      )[0]!.toJS();
      expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');
      expect(primary.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(
        'podinfo-config-primary',
      );
      expect(replicas(repo, 'deployment-podinfo.yaml')).toBe(0);

      const trailers = parseTrailers(repo.remoteLog()[0]!);
      expect(trailers).toEqual([
        ['Canary', 'test/podinfo'],
        ['Canary-Phase', 'Succeeded'],
        ['Canary-Weight', '0'],
      ]);
      const weights = repo
        .remoteLog()
        .map((m) => parseTrailers(m).find(([k]) => k === 'Canary-Weight')?.[1])
        .filter(Boolean)
        .reverse();
      expect(weights).toEqual(['0', '0', '0', '20', '40', '60', '60', '0', '0']);

      // Nothing left to do: another run at a later time writes nothing.
      expect((await tick()).commit).toBeNull();
      await expectReplayReproduces(repo);
    } finally {
      repo.cleanup();
    }
  });

  it('rolls back after two failed checks when the success rate drops under 99%', async () => {
    const repo = createGitOps('istio-podinfo');
    try {
      const tick = driver(repo, BAD_START, vsWeights);
      await tick();
      await tick();
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.7'), 'podinfo 6.1.7');
      const lines: Line[] = [];
      for (let i = 0; i < 5; i++) lines.push(await tick());
      expect(lines.map(brief)).toEqual([
        'Progressing 100/0 f0',
        'Progressing 80/20 f0',
        'Progressing 80/20 f1',
        'Progressing 80/20 f2',
        'Failed 100/0 f0',
      ]);
      const history = status(repo).history as Array<{
        verdict?: { reason: string; metrics: Array<{ value: number }> };
      }>;
      const failed = history.filter((h) => h.verdict);
      expect(failed.map((h) => h.verdict!.reason)).toEqual([
        'request-success-rate 95 < 99',
        'request-success-rate 95 < 99',
      ]);
      expect(failed[0]!.verdict!.metrics[0]!.value).toBeCloseTo(95, 6);
      expect(replicas(repo, 'deployment-podinfo.yaml')).toBe(0);
      const primary = parse(repo.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'));
      expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.5');
      // The failed revision is not analysed again.
      expect((await tick()).commit).toBeNull();
      await expectReplayReproduces(repo);
    } finally {
      repo.cleanup();
    }
  });
});

describe('Gateway API rollout against a real Prometheus', () => {
  it('walks stepWeights 10, 40, 70 and promotes', async () => {
    const repo = createGitOps('gatewayapi-podinfo');
    try {
      const tick = driver(repo, GOOD_START, routeWeights);
      await tick();
      await tick();
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.6'), 'podinfo 6.1.6');
      const lines: Line[] = [];
      for (let i = 0; i < 7; i++) lines.push(await tick());
      expect(lines.map(brief)).toEqual([
        'Progressing 100/0 f0',
        'Progressing 90/10 f0',
        'Progressing 60/40 f0',
        'Progressing 30/70 f0',
        'Promoting 30/70 f0',
        'Finalising 100/0 f0',
        'Succeeded 100/0 f0',
      ]);
      const verdict = (
        status(repo).history as Array<{ verdict?: { metrics: Array<{ value: number }> } }>
      ).find((h) => h.verdict)!.verdict!;
      expect(verdict.metrics[0]!.value).toBeCloseTo(100, 6);
      expect(verdict.metrics[1]!.value).toBe(100); // seconds × 1000, truncated to whole ms
      await expectReplayReproduces(repo);
    } finally {
      repo.cleanup();
    }
  });

  it('rolls back when the success rate drops', async () => {
    const repo = createGitOps('gatewayapi-podinfo');
    try {
      const tick = driver(repo, BAD_START, routeWeights);
      await tick();
      await tick();
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.7'), 'podinfo 6.1.7');
      const lines: Line[] = [];
      for (let i = 0; i < 5; i++) lines.push(await tick());
      expect(lines.map(brief).at(-1)).toBe('Failed 100/0 f0');
      expect(lines.map((l) => l.failedChecks)).toEqual([0, 0, 1, 2, 0]);
      await expectReplayReproduces(repo);
    } finally {
      repo.cleanup();
    }
  });
});
