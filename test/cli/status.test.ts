/**
 * `gitcanary status` on real clones: -o wide, -n, one canary in detail (planned weights, step n
 * of N, the last verdict's metrics, what it waits for), the commit it read and --fetch.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { run } from './cli-support.js';

const repos: GitOps[] = [];
const hosted: GitHubOps[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const o of hosted.splice(0)) {
    expect(o.fake.schemaViolations).toEqual([]);
    await o.close();
  }
});

/** Async: the fake GitHub serves the fetch from this process. */
const pull = (dir: string) => promisify(execFile)('git', ['pull', '-q', '--ff-only'], { cwd: dir });

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** istio-podinfo, plus the same app in namespace prod; a new image after the first rollout. */
async function twoCanaries(): Promise<GitOps> {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  cpSync(join(r.human, 'apps/podinfo'), join(r.human, 'apps/prod'), { recursive: true });
  for (const f of ['canary.yaml', 'deployment.yaml']) {
    const p = join(r.human, 'apps/prod', f);
    writeFileSync(p, readFileSync(p, 'utf8').replaceAll('namespace: test', 'namespace: prod'));
  }
  git(r.human, 'add', '-A');
  git(r.human, 'commit', '-qm', 'prod copy');
  git(r.human, 'push', '-q');
  for (const m of [0, 1]) expect((await run('reconcile', '--repo', r.work, '--now', at(m))).code).toBe(0);
  r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
  // New revision detected, weight 20, then one analysis against a Prometheus that refuses connections.
  for (const m of [2, 3, 4])
    await run('reconcile', '--repo', r.work, '--now', at(m), '--metrics-server', 'http://127.0.0.1:9');
  return r;
}

describe('gitcanary status', () => {
  it('-o wide adds the printer columns; -n keeps one namespace; the commit read goes to stderr', async () => {
    const r = await twoCanaries();
    const head = git(r.work, 'rev-parse', 'HEAD');
    const wide = await run('status', '--repo', r.work, '-o', 'wide');
    expect(wide.code).toBe(0);
    expect(wide.err).toBe(
      `status at commit ${head.slice(0, 12)} (local checkout; --fetch reads the remote first)`,
    );
    const [header, ...rows] = wide.out.split('\n');
    expect(header!.split(/\s+/)).toEqual([
      'NAMESPACE',
      'NAME',
      'STATUS',
      'WEIGHT',
      'FAILEDCHECKS',
      'SUSPENDED',
      'INTERVAL',
      'MIRROR',
      'STEPWEIGHT',
      'STEPWEIGHTS',
      'MAXWEIGHT',
      'NEXTSTEP',
      'LASTTRANSITIONTIME',
    ]);
    expect(rows.map((l) => l.split(/\s+/).slice(0, 12))).toEqual([
      [
        'prod',
        'podinfo',
        'Initialized',
        '0',
        '0',
        'false',
        '1m',
        'false',
        '20',
        '-',
        '60',
        expect.stringMatching(/^2026-01-01T00:01:5\d/),
      ],
      [
        'test',
        'podinfo',
        'Progressing',
        '20',
        '1',
        'false',
        '1m',
        'false',
        '20',
        '-',
        '60',
        expect.stringMatching(/^2026-01-01T00:04:5\d/),
      ],
    ]);
    const prod = await run('status', '--repo', r.work, '-n', 'prod');
    expect(
      prod.out
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/).slice(0, 3)),
    ).toEqual([['prod', 'podinfo', 'Initialized']]);
    expect((await run('status', '--repo', r.work, '-n', 'prod', '-A')).code).toBe(2);
    const json = JSON.parse((await run('status', '--repo', r.work, '-o', 'json')).out);
    expect(json).toMatchObject({ commit: head, fetched: false });
    expect(json.canaries.map((c: { namespace: string }) => c.namespace)).toEqual(['prod', 'test']);
    const yaml = parse((await run('status', '--repo', r.work, '-o', 'yaml', '-n', 'test')).out);
    expect(yaml).toMatchObject({
      commit: head,
      canaries: [{ namespace: 'test', status: 'Progressing', maxWeight: 60 }],
    });
  }, 120_000);

  it('NAMESPACE/NAME shows the planned weights, the step, the last verdict and what it waits for', async () => {
    const r = await twoCanaries();
    const text = await run('status', 'test/podinfo', '--repo', r.work);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Step: +1 of 3$/m);
    expect(text.out).toMatch(/^Weights: +20 → 40 → 60$/m);
    expect(text.out).toMatch(
      /^WaitingFor: +the next step, due at 2026-01-01T00:04:5\d\.\d{3}Z \(interval 1m\)$/m,
    );
    expect(text.out).toMatch(/^LastVerdict: +fail at 2026-01-01T00:04:00\.000Z: /m);
    expect(text.out).toMatch(/^ {2}request-success-rate = n\/a fail \(.+\)$/m);
    const { canary, commit } = JSON.parse(
      (await run('status', 'test/podinfo', '--repo', r.work, '-o', 'json')).out,
    );
    expect(commit).toBe(git(r.work, 'rev-parse', 'HEAD'));
    expect(canary).toMatchObject({
      strategy: 'canary',
      plannedWeights: [20, 40, 60],
      step: { n: 1, of: 3 },
      failedChecks: 1,
      lastVerdict: {
        result: 'fail',
        metrics: [{ name: 'request-success-rate' }, { name: 'request-duration' }],
      },
    });
    expect(canary.revision.source).toBe(canary.revision.applied);
    expect(canary.revision.source).not.toBe(canary.revision.promoted);
    const prod = JSON.parse((await run('status', 'prod/podinfo', '--repo', r.work, '-o', 'json')).out).canary;
    expect(prod.waitingFor).toBe(`a new revision (${prod.revision.promoted} is promoted)`);
    const missing = await run('status', 'test/nope', '--repo', r.work);
    expect(missing).toMatchObject({ code: 2, out: '', err: 'error: canary test/nope not found' });
  }, 120_000);

  it('--fetch fast-forwards a clone that is behind, and refuses to touch local work', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const reader = join(r.base, 'reader');
    git(r.base, 'clone', '-q', r.remote, reader);
    await run('reconcile', '--repo', r.work, '--now', at(0));
    const remoteHead = git(r.remote, 'rev-parse', 'main');
    const stale = await run('status', '--repo', reader, '-o', 'json');
    expect(JSON.parse(stale.out)).toMatchObject({ fetched: false, canaries: [{ status: 'New' }] });
    expect(JSON.parse(stale.out).commit).not.toBe(remoteHead);
    const fresh = await run('status', '--repo', reader, '--fetch');
    expect(fresh.err).toBe(`status at commit ${remoteHead.slice(0, 12)} (fetched just now)`);
    expect(fresh.out).toMatch(/test +podinfo +Initializing/);
    expect(git(reader, 'rev-parse', 'HEAD')).toBe(remoteHead);

    await run('reconcile', '--repo', r.work, '--now', at(1));
    const canary = join(reader, 'apps/podinfo/canary.yaml');
    writeFileSync(canary, `${readFileSync(canary, 'utf8')}# my unsaved note\n`);
    const refused = await run('status', '--repo', reader, '--fetch');
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/^error: .*uncommitted/);
    expect(readFileSync(canary, 'utf8')).toContain('# my unsaved note');
    expect(git(reader, 'rev-parse', 'HEAD')).toBe(remoteHead);
  }, 120_000);

  it('says when a canary waits for its step pull request to be merged (only when GitHub is reachable)', async () => {
    const o = await createGitHubOps('istio-podinfo', {
      start: t0,
      extraFiles: { 'gitcanary.yaml': 'delivery:\n  mode: pull-request\n' },
    });
    hosted.push(o);
    const tick = async () => {
      await reconcile({
        repoDir: o.work,
        now: new Date(o.clock.now),
        metricsServer: 'http://127.0.0.1:9',
        forge: o.forge,
      });
      o.clock.now += 60_000;
    };
    await tick();
    await tick();
    o.humanPush(
      {
        'apps/podinfo/deployment.yaml': o
          .remoteFile('apps/podinfo/deployment.yaml')
          .replace('podinfo:6.1.5', 'podinfo:6.1.6'),
      },
      'podinfo 6.1.6',
    );
    await tick();
    await tick(); // proposes 0 → 20 as PR #1; main stays at weight 0
    expect(o.fake.pulls(o.owner, o.repo).map((p) => [p.number, p.state])).toEqual([[1, 'open']]);
    await pull(o.work);
    const gh = ['--github-repository', `${o.owner}/${o.repo}`, '--github-api-url', o.fake.apiUrl];
    const saved = process.env.GITHUB_TOKEN;
    try {
      delete process.env.GITHUB_TOKEN;
      const blind = JSON.parse(
        (await run('status', 'test/podinfo', '--repo', o.work, '-o', 'json', ...gh)).out,
      );
      expect(blind.canary.stepPullRequest).toBeUndefined();
      expect(blind.canary.waitingFor).toMatch(/^the next step, due at /);

      process.env.GITHUB_TOKEN = o.fake.token;
      const text = await run('status', 'test/podinfo', '--repo', o.work, ...gh);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/^WaitingFor: +step pull request #1 to be merged \(weight 0 → 20\)$/m);
      expect(text.out).toMatch(/^Weight: +0$/m);
      const json = JSON.parse(
        (await run('status', 'test/podinfo', '--repo', o.work, '-o', 'json', ...gh)).out,
      );
      expect(json.canary).toMatchObject({
        waitingFor: 'step pull request #1 to be merged (weight 0 → 20)',
        stepPullRequest: { number: 1, fromWeight: 0, toWeight: 20, url: expect.stringMatching(/\/pull\/1$/) },
      });
      const list = await run('status', '--repo', o.work, ...gh);
      expect(list.out).toMatch(/^test +podinfo +Progressing +0 /m);
      expect(list.out).toContain(
        'note: test/podinfo: waiting for step pull request #1 to be merged (weight 0 → 20)',
      );
      const yaml = parse((await run('status', '--repo', o.work, '-o', 'yaml', ...gh)).out);
      expect(yaml.canaries[0].stepPullRequest).toMatchObject({ number: 1 });

      // Merged: the step is live, nothing waits for a person any more.
      o.fake.mergePull(o.owner, o.repo, 1);
      await pull(o.work);
      const merged = JSON.parse(
        (await run('status', 'test/podinfo', '--repo', o.work, '-o', 'json', ...gh)).out,
      );
      expect(merged.canary.stepPullRequest).toBeUndefined();
      expect(merged.canary.waitingFor).not.toMatch(/pull request/);

      // An unreachable API: one warning line on stderr, the status from the files, exit 0.
      const down = await run(
        'status',
        'test/podinfo',
        '--repo',
        o.work,
        '-o',
        'json',
        '--github-repository',
        'acme/gitops',
        '--github-api-url',
        'http://127.0.0.1:9',
      );
      expect(down.code).toBe(0);
      expect(down.err).toMatch(/^warning: step pull requests not read: /);
      expect(down.err.split('\n')).toHaveLength(1);
      expect(JSON.parse(down.out).canary.waitingFor).not.toMatch(/pull request/);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  }, 120_000);
});
