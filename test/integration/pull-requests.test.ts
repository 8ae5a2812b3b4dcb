/**
 * Pull-request delivery end to end: real git over HTTP to a fake GitHub (REST + GraphQL on a
 * real bare repo, responses checked against GitHub's OpenAPI description) and a real
 * Prometheus. A person merges or closes each step PR; the test clock drives both `--now` and
 * the server's merge and close times.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSimulate } from '../../src/cli/simulate.js';
import { readMarker } from '../../src/forge/pr-body.js';
import { requestOperation } from '../../src/reconcile/manual.js';
import { type ReconcileResult, reconcile } from '../../src/reconcile/run.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { DROP, GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
beforeAll(async () => {
  prom = await startPrometheus(podinfoMetrics());
});
afterAll(async () => {
  await prom?.stop();
});
const open: GitHubOps[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    expect(o.fake.schemaViolations).toEqual([]);
    await o.close();
  }
});

const prMode = 'delivery:\n  mode: pull-request\n';
const vsFile = 'apps/podinfo/rendered/virtualservice-podinfo.yaml';
const statusFile = 'apps/podinfo/podinfo.status.yaml';

async function setup(start: number, config = prMode, canaryEdit?: (s: string) => string) {
  const extra: Record<string, string> = { 'gitcanary.yaml': config };
  const o = await createGitHubOps('istio-podinfo', { start: start * 1000, extraFiles: extra });
  open.push(o);
  if (canaryEdit) {
    const path = 'apps/podinfo/canary.yaml';
    o.humanPush({ [path]: canaryEdit(o.remoteFile(path)) }, 'tune the canary');
  }
  /** One run at the clock, then the clock moves one interval. */
  const tick = async (advance = 60_000): Promise<ReconcileResult> => {
    const r = await reconcile({
      repoDir: o.work,
      now: new Date(o.clock.now),
      metricsServer: prom.url,
      forge: o.forge,
    });
    o.clock.now += advance;
    expect(r.canaries[0]!.error).toBeUndefined();
    return r;
  };
  const bump = () =>
    o.humanPush(
      {
        'apps/podinfo/deployment.yaml': o
          .remoteFile('apps/podinfo/deployment.yaml')
          .replace('podinfo:6.1.5', 'podinfo:6.1.6'),
      },
      'podinfo 6.1.6',
    );
  /** Bootstrap, the image bump, and the scale-up tick: the next tick decides the first step. */
  const analysing = async () => {
    await tick();
    await tick();
    bump();
    await tick();
  };
  return { o, tick, bump, analysing };
}

const liveWeight = (o: GitHubOps, ref = 'main'): number => {
  const vs = parse(o.remoteFile(vsFile, ref));
  return vs.spec.http[0].route.find(
    (x: { destination: { host: string } }) => x.destination.host === 'podinfo-canary',
  ).weight;
};
const mainStatus = (o: GitHubOps) => parse(o.remoteFile(statusFile)).status;
const pulls = (o: GitHubOps) => o.fake.pulls(o.owner, o.repo);
const line = (r: ReconcileResult) => {
  const c = r.canaries[0]!;
  const prs = r.pullRequests.map((p) => `#${p.number} ${p.action} ${p.fromWeight}→${p.toWeight}`);
  return [`${c.phase} ${c.canaryWeight}`, ...prs].join(' ');
};

describe('pull request per step', () => {
  it('a whole rollout: one PR per weight and for the promotion, each step live only once merged', async () => {
    const { o, tick, bump } = await setup(GOOD_START);
    expect(line(await tick())).toBe('Initializing 0');
    expect(line(await tick())).toBe('Initialized 0');
    bump();
    expect(line(await tick())).toBe('Progressing 0');

    // The first weight is proposed, not committed.
    const first = await tick();
    expect(line(first)).toBe('Progressing 20 #1 created 0→20');
    expect(liveWeight(o)).toBe(0);
    expect(liveWeight(o, 'gitcanary/test/podinfo')).toBe(20);
    const [pr1] = pulls(o);
    expect(pr1).toMatchObject({ number: 1, state: 'open', head: 'gitcanary/test/podinfo', base: 'main' });
    expect(readMarker(pr1!.body)).toMatchObject({ canary: 'test/podinfo', fromWeight: 0, toWeight: 20 });
    expect(pr1!.body).toContain('Merging this pull request makes the step live');
    expect(o.fake.statuses(o.owner, o.repo, pr1!.headSha)).toMatchObject([
      { context: 'gitcanary/test/podinfo', state: 'pending' },
    ]);

    // Nobody merged yet: the same proposal, no write at all (one listing per run, and one of
    // the open PR's comments for `/gitcanary …` commands).
    const before = o.fake.requests.length;
    expect(line(await tick())).toBe('Progressing 20 #1 unchanged 0→20');
    expect(o.fake.requests.slice(before).map((q) => `${q.method} ${q.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);

    const trace: string[] = [];
    for (let i = 0; i < 20 && mainStatus(o).phase !== 'Succeeded'; i++) {
      const openPr = pulls(o).find((p) => p.state === 'open');
      if (openPr) {
        o.clock.now += 10_000;
        o.fake.mergePull(o.owner, o.repo, openPr.number);
        trace.push(`merge #${openPr.number}`);
      }
      trace.push(line(await tick()));
    }
    expect(trace).toEqual([
      'merge #1',
      'Progressing 20', // one interval after the merge is not over yet
      'Progressing 40 #2 created 20→40',
      'merge #2',
      'Progressing 40',
      'Progressing 60 #3 created 40→60',
      'merge #3',
      'Progressing 60',
      'Promoting 60 #4 created 60→60',
      'merge #4',
      'Promoting 60',
      'Finalising 0',
      'Succeeded 0',
    ]);
    expect(pulls(o).map((p) => [p.number, p.state, p.merged])).toEqual([
      [1, 'closed', true],
      [2, 'closed', true],
      [3, 'closed', true],
      [4, 'closed', true],
    ]);
    const primary = parse(o.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'));
    expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');
    // The evidence: PR #2 carries the analysis that justified 20 → 40.
    const pr2 = pulls(o)[1]!;
    expect(pr2.body).toMatch(/\| request-success-rate \|.*\| 100 \|/);
    expect(pr2.body).toContain('xychart-beta');
    const states = o.fake.statuses(o.owner, o.repo).map((s) => s.state);
    expect(states.filter((s) => s === 'pending').length).toBeGreaterThanOrEqual(4);
    expect(states.at(-1)).toBe('success');
    // Replaying the verdicts the status file recorded reproduces the run's decisions; a recorded
    // value that would have failed does not.
    expect((await runSimulate(o.work, 'test/podinfo', { fromStatus: true })).reproduced).toBe(true);
    const path = join(o.work, statusFile);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/value: 100\b/, 'value: 42'));
    expect((await runSimulate(o.work, 'test/podinfo', { fromStatus: true })).reproduced).toBe(false);
  });

  it('a tick with no step due lists no PRs; a revert then still closes the open one', async () => {
    const { o, tick, analysing } = await setup(GOOD_START);
    await analysing();
    await tick();
    o.clock.now += 10_000;
    o.fake.mergePull(o.owner, o.repo, 1);
    expect(line(await tick())).toBe('Progressing 20');
    expect(line(await tick())).toBe('Progressing 40 #2 created 20→40');
    // A person lengthens the interval while PR #2 is open: no step is due, whatever the PRs say,
    // so the run asks GitHub nothing.
    const canaryPath = 'apps/podinfo/canary.yaml';
    const canary = o.remoteFile(canaryPath);
    o.humanPush(
      { [canaryPath]: `${canary.replace(/^ {4}interval: 1m$/m, '    interval: 10m')}\n` },
      'slower',
    );
    const quiet = o.fake.requests.length;
    const waiting = await tick();
    expect(waiting).toMatchObject({ commit: null, pullRequests: [] });
    expect(waiting.canaries[0]!.message).toMatch(/^waiting: next step due at /);
    expect(o.fake.requests.slice(quiet).map((q) => `${q.method} ${q.route}`)).toEqual([]);

    // The person reverts the merged step 0 → 20: obeyed at once, which lists the PRs to close #2.
    const step = pulls(o).find((p) => p.number === 1)!.headSha;
    const restore = (path: string) => `${o.remoteFile(path, `${step}~1`)}\n`;
    o.humanPush(
      { [vsFile]: restore(vsFile), [statusFile]: restore(statusFile) },
      `Revert "20%"\n\nThis reverts commit ${step}.`,
    );
    const before = o.fake.requests.length;
    const r = await tick();
    expect(line(r)).toBe('Failed 0 #2 closed 20→40');
    expect(r.canaries[0]!.message).toMatch(/manual rollback/);
    const calls = o.fake.requests.slice(before).map((q) => `${q.method} ${q.route}`);
    expect(calls.filter((c) => c === 'GET /repos/{owner}/{repo}/pulls')).toHaveLength(1);
    expect(pulls(o).find((p) => p.number === 2)).toMatchObject({ state: 'closed', merged: false });
    expect(liveWeight(o)).toBe(0);
  });

  it('squash merges under any default-message setting are steps, not drift', async () => {
    const { o, tick, analysing } = await setup(GOOD_START);
    await analysing();
    // GitHub's default squash message settings, one per PR in turn.
    const squash = [
      () => ({}), // "Default message": the commit's own (trailers kept)
      () => ({ message: '' }), // "Pull request title": `gitcanary: … (#N)` alone
      (body: string | null) => ({ message: body ?? '' }), // "title and description": the marker kept
    ];
    const trace: string[] = [];
    for (let i = 0; i < 12 && mainStatus(o).phase !== 'Succeeded'; i++) {
      const r = await tick();
      trace.push(line(r), ...(r.canaries[0]!.notes ?? []));
      const openPr = pulls(o).find((p) => p.state === 'open');
      if (!openPr) continue;
      o.clock.now += 10_000;
      const commit = squash[(openPr.number - 1) % squash.length]!(openPr.body);
      o.fake.mergePull(o.owner, o.repo, openPr.number, 'squash', commit);
    }
    expect(trace.filter((t) => t.startsWith('drift'))).toEqual([]);
    expect(trace.at(-1)).toBe('Succeeded 0');
    expect(o.remoteLog().filter((m) => /^gitcanary: .* \(#\d+\)$/m.test(m.split('\n')[0]!))).toHaveLength(4);
    // A person's edit of a rendered file is still drift.
    const edited = o
      .remoteFile(vsFile)
      .replace('# Generated by gitcanary', '# Generated by gitcanary (tuned)');
    o.humanPush({ [vsFile]: `${edited}\n` }, 'tune the route');
    expect((await tick()).canaries[0]!.notes?.[0]).toMatch(
      /^drift: apps\/podinfo\/rendered\/virtualservice-podinfo.yaml edited by /,
    );
  });

  it('a PR closed unmerged halts the canary until resume, which is itself a PR', async () => {
    const { o, tick, analysing } = await setup(GOOD_START);
    await analysing();
    expect(line(await tick())).toBe('Progressing 20 #1 created 0→20');
    o.fake.mergePull(o.owner, o.repo, 1);
    await tick();
    expect(line(await tick())).toBe('Progressing 40 #2 created 20→40');
    o.clock.now += 5_000;
    o.fake.closePull(o.owner, o.repo, 2);

    const halted = await tick();
    expect(halted.canaries[0]!.message).toBe(
      'step pull request #2 was closed unmerged by a reviewer; halting at canary weight 20',
    );
    expect(mainStatus(o).halted).toBe('step pull request #2 was closed unmerged by a reviewer');
    expect(liveWeight(o)).toBe(20);
    for (let i = 0; i < 3; i++) {
      const r = await tick();
      expect(r).toMatchObject({ commit: null, pullRequests: [] });
      expect(r.canaries[0]!.message).toMatch(/^halted: step pull request #2/);
    }

    const asked = await requestOperation({
      repoDir: o.work,
      id: 'test/podinfo',
      action: 'resume',
      author: { name: 'Ann', email: 'ann@example.com' },
      message: 'reviewed the dashboards',
      forge: o.forge,
    });
    expect(asked.pullRequest).toMatch(/\/pull\/3$/);
    const request = pulls(o).find((p) => p.number === 3)!;
    expect(request).toMatchObject({ head: 'gitcanary-request/test/podinfo/resume', state: 'open' });
    expect(mainStatus(o).halted).toBeDefined();
    o.fake.mergePull(o.owner, o.repo, 3);
    const lifted = await tick();
    expect(lifted.canaries[0]!.message).toMatch(
      /^resume requested by Ann <ann@example.com> \(unverified, commit [0-9a-f]{7}\): reviewed the dashboards; halt lifted/,
    );
    expect(line(await tick())).toBe('Progressing 40 #4 created 20→40');
  });

  it('with onClosed: rollback, closing the PR rolls back', async () => {
    const { o, tick, analysing } = await setup(GOOD_START, `${prMode}  onClosed: rollback\n`);
    await analysing();
    await tick();
    o.clock.now += 5_000;
    o.fake.closePull(o.owner, o.repo, 1);
    const r = await tick();
    expect(r.canaries[0]).toMatchObject({ phase: 'Failed' });
    expect(r.canaries[0]!.message).toMatch(/closed unmerged by a reviewer; rolling back/);
    expect(liveWeight(o)).toBe(0);
  });

  it('a failing analysis while a step PR is open closes it, and the rollback goes straight to the branch', async () => {
    // Errors start at DROP, while PR #2 is open. The failed check closes it at once (it no longer
    // has a passing analysis behind it); with threshold 1 the next run rolls back.
    const { o, tick, analysing } = await setup(DROP - 7 * 60, prMode, (s) =>
      s.replace('threshold: 2', 'threshold: 1'),
    );
    await analysing();
    expect(line(await tick())).toBe('Progressing 20 #1 created 0→20');
    o.clock.now += 10_000;
    o.fake.mergePull(o.owner, o.repo, 1);
    const trace: string[] = [];
    for (let i = 0; i < 6; i++) trace.push(line(await tick()));
    expect(trace).toEqual([
      'Progressing 20',
      'Progressing 40 #2 created 20→40',
      'Progressing 40 #2 unchanged 20→40',
      'Progressing 40 #2 unchanged 20→40',
      'Progressing 20 #2 closed 20→40',
      'Failed 0',
    ]);
    expect(mainStatus(o).phase).toBe('Failed');
    expect(liveWeight(o)).toBe(0);
    const pr2 = pulls(o).find((p) => p.number === 2)!;
    expect(pr2).toMatchObject({ state: 'closed', merged: false });
    expect(readMarker(pr2.body)?.closedBy).toBe('gitcanary');
    const [comment] = o.fake.comments(o.owner, o.repo, 2);
    expect(comment?.body).toMatch(
      /^Closed by gitcanary: superseded by a direct change in [0-9a-f]{7}: Halt test\/podinfo advancement/,
    );
    expect(comment?.body).toContain('analysis fails now');
    expect(o.fake.statuses(o.owner, o.repo).at(-1)).toMatchObject({ state: 'failure' });
    expect((await runSimulate(o.work, 'test/podinfo', { fromStatus: true })).reproduced).toBe(true);
  });

  it('no duplicate PR when the reply to its creation is lost, and rate limits are waited out', async () => {
    const { o, tick, analysing } = await setup(GOOD_START);
    await analysing();
    // The PR is created, then the reply is lost (502): the retry finds it (422 already exists).
    o.fake.inject({ method: 'POST', route: /\/pulls$/, status: 502, afterHandling: true });
    // The listing first hits a secondary rate limit.
    o.fake.inject({
      method: 'GET',
      route: /\/pulls$/,
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    expect(line(await tick())).toBe('Progressing 20 #1 created 0→20');
    expect(pulls(o)).toHaveLength(1);
    const calls = o.fake.requests.map((q) => `${q.method} ${q.route} ${q.status}`);
    expect(calls.filter((c) => c === 'GET /repos/{owner}/{repo}/pulls 403')).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('POST /repos/{owner}/{repo}/pulls '))).toEqual([
      'POST /repos/{owner}/{repo}/pulls 502',
      'POST /repos/{owner}/{repo}/pulls 422',
    ]);
    // A second run with the PR open changes nothing.
    expect(line(await tick())).toBe('Progressing 20 #1 unchanged 0→20');
    expect(pulls(o)).toHaveLength(1);
  });

  it('with rollback: pull-request, the rollback is a PR that merges itself', async () => {
    const config = `${prMode}  rollback: pull-request\n`;
    const { o, tick, analysing } = await setup(DROP - 7 * 60, config, (s) =>
      s.replace('threshold: 2', 'threshold: 1'),
    );
    await analysing();
    await tick();
    o.clock.now += 10_000;
    o.fake.mergePull(o.owner, o.repo, 1);
    const trace: string[] = [];
    for (let i = 0; i < 6; i++) trace.push(line(await tick()));
    expect(trace.slice(-2)).toEqual(['Progressing 20 #2 closed 20→40', 'Failed 0 #3 created 20→0']);
    const pr3 = pulls(o).find((p) => p.number === 3)!;
    expect(pr3).toMatchObject({ state: 'closed', merged: true, head: 'gitcanary/test/podinfo' });
    expect(pr3.title).toMatch(/roll back test\/podinfo/);
    expect(mainStatus(o).phase).toBe('Failed');
    expect(liveWeight(o)).toBe(0);
    const calls = o.fake.requests.map((q) => q.graphql ?? `${q.method} ${q.route}`);
    expect(calls).toContain('enablePullRequestAutoMerge');
    expect(calls).toContain('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge');
  });

  it('a protected branch: every change is a PR; those that need no review merge themselves once CI passes', async () => {
    const { o, tick, bump } = await setup(GOOD_START, `${prMode}  direct: pull-request\n`);
    o.fake.protectBranch(o.owner, o.repo, 'main', { requiredContexts: ['ci'] });
    /** The repository's CI passes on every open PR (auto-merge then merges those armed). */
    const ciPasses = async () => {
      for (const p of pulls(o).filter((x) => x.state === 'open')) {
        await o.forge.setStatus(p.headSha, { context: 'ci', state: 'success', description: 'ok' });
      }
    };
    const trace: string[] = [];
    /** A run, CI passing 5 s later (a merge starts the next interval), then the rest of the interval. */
    const step = async () => {
      trace.push(line(await tick(5_000)));
      await ciPasses();
      o.clock.now += 55_000;
    };
    await step();
    await step();
    bump();
    await step();
    await step();
    expect(trace).toEqual([
      'Initializing 0 #1 created 0→0',
      'Initialized 0 #2 created 0→0',
      'Progressing 0 #3 created 0→0',
      'Progressing 20 #4 created 0→20',
    ]);
    // Bookkeeping merged itself (auto-merge armed, CI passed); the weight step waits for a person.
    expect(pulls(o).map((p) => [p.number, p.state, p.merged])).toEqual([
      [1, 'closed', true],
      [2, 'closed', true],
      [3, 'closed', true],
      [4, 'open', false],
    ]);
    expect(o.fake.requests.filter((q) => q.graphql === 'enablePullRequestAutoMerge')).toHaveLength(3);
    expect(liveWeight(o)).toBe(0);
    // gitcanary pushed nothing to main itself: its only commits there came with the 3 merges.
    const log = o.remoteLog();
    expect(log.filter((m) => m.startsWith('gitcanary:'))).toHaveLength(3);
    expect(log.filter((m) => m.startsWith('Merge pull request #'))).toHaveLength(3);
    o.clock.now += 10_000;
    o.fake.mergePull(o.owner, o.repo, 4);
    expect(liveWeight(o)).toBe(20);
  });
});
