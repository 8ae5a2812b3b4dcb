/**
 * Concurrency: 8 reconcilers run at once against one remote, round after round, while a person
 * keeps pushing unrelated commits and image bumps. After every round: no step taken twice, no
 * human commit lost, status and rendered weights consistent in every commit.
 *
 * RELIABILITY_RUNS sets the rounds (default 3 in `npm test`; `npm run reliability` runs 50).
 */

import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { QueryResult } from '../../src/core/types.js';
import { parseTrailers } from '../../src/git/trailers.js';
import type { MetricsFactory } from '../../src/reconcile/context.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, git } from '../support/gitops.js';

const runs = Number(process.env.RELIABILITY_RUNS ?? 3);
const reconcilers = 8;
const repo = createGitOps('istio-podinfo');
afterAll(() => repo.cleanup());

/** Healthy metrics: this suite is about Git races, not analysis. */
const healthy: MetricsFactory = () => ({
  async query(q: string): Promise<QueryResult> {
    return { kind: 'value', value: q.includes('duration') ? 100 : 100 };
  },
});

describe(`${reconcilers} reconcilers × ${runs} runs against one remote`, () => {
  it('never double-steps, never loses a human commit, keeps status and routes consistent', {
    timeout: 900_000,
  }, async () => {
    const clones = Array.from({ length: reconcilers }, (_, i) => {
      const dir = `${repo.base}/r${i}`;
      git(repo.base, 'clone', '-q', repo.remote, dir);
      return dir;
    });
    const humanCommits: string[] = [];
    let attempts = 0;
    let image = 0;
    const started = Date.now();
    for (let round = 0; round < runs; round++) {
      const now = new Date(Date.parse('2026-01-01T00:00:00Z') + round * 60_000);
      const human = (async () => {
        const edit =
          round % 4 === 1
            ? repo.humanEdit(
                'apps/podinfo/deployment.yaml',
                (s) => s.replace(/podinfo:[0-9.]+/, `podinfo:7.0.${++image}`),
                'bump',
              )
            : repo.humanEdit('notes.md', (s) => `${s}round ${round}\n`, `notes ${round}`);
        humanCommits.push(edit);
      })();
      const results = await Promise.allSettled(
        clones.map((dir) => reconcile({ repoDir: dir, now, metrics: healthy, maxAttempts: 20 })),
      );
      await human;
      for (const r of results) {
        if (r.status === 'rejected') throw r.reason;
        attempts += r.value.attempts;
      }
      for (const sha of humanCommits) {
        expect(
          () => git(repo.remote, 'merge-base', '--is-ancestor', sha, 'main'),
          `human commit ${sha} lost`,
        ).not.toThrow();
      }
    }
    const elapsed = Date.now() - started;

    // Every gitcanary commit: one per round at most, status consistent with the VirtualService.
    const shas = git(repo.remote, 'rev-list', '--reverse', 'main').split('\n');
    const stepTimes = new Set<string>();
    let steps = 0;
    for (const sha of shas) {
      const message = git(repo.remote, 'log', '-1', '--format=%B', sha);
      if (!parseTrailers(message).some(([k, v]) => k === 'Canary' && v === 'test/podinfo')) continue;
      if (parseTrailers(message).some(([k]) => k === 'Canary-Request')) continue;
      steps++;
      const status = parse(git(repo.remote, 'show', `${sha}:apps/podinfo/podinfo.status.yaml`)).status;
      expect(stepTimes.has(status.lastStepTime), `two steps at ${status.lastStepTime}`).toBe(false);
      stepTimes.add(status.lastStepTime);
      const vs = parse(git(repo.remote, 'show', `${sha}:apps/podinfo/rendered/virtualservice-podinfo.yaml`));
      const [primary, canary] = vs.spec.http[0].route.map((r: { weight: number }) => r.weight);
      expect(primary + canary).toBe(100);
      if (status.phase === 'Progressing') expect(canary, `${sha} ${status.phase}`).toBe(status.canaryWeight);
      if (['Initializing', 'Initialized', 'Succeeded', 'Failed', 'Finalising'].includes(status.phase)) {
        expect(canary, `${sha} ${status.phase}`).toBe(0);
      }
    }
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(runs);
    process.stdout.write(
      `reliability: ${reconcilers} reconcilers × ${runs} runs: ${steps} steps, 0 double steps, ` +
        `${humanCommits.length} human commits kept, ${attempts - reconcilers * runs} push retries, ${elapsed} ms\n`,
    );
  });
});
