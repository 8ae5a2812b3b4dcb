/**
 * gitcanary without a clone: each run materialises the branch through the GitHub API into an
 * empty folder (kept across runs, as actions/cache would) and writes its step as one GraphQL
 * `createCommitOnBranch`, against the fake GitHub on a real bare repo. The first ticks of a new
 * canary need no metrics (initialize, then scale up and the first weight step after a bump).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { openGitHubRepo } from '../../src/git/github-repo.js';
import type { Logger } from '../../src/reconcile/logger.js';
import { type ReconcileResult, reconcile } from '../../src/reconcile/run.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { GOOD_START } from '../support/podinfo-metrics.js';

const open: GitHubOps[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    expect(o.fake.schemaViolations).toEqual([]);
    await o.close();
  }
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const statusFile = 'apps/podinfo/podinfo.status.yaml';

async function setup() {
  const o = await createGitHubOps('istio-podinfo', { start: GOOD_START * 1000 });
  open.push(o);
  const dir = join(mkdtempSync(join(tmpdir(), 'gitcanary-api-run-')), 'repo');
  temps.push(dir);
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
  /** One run, as a fresh process would make it (new adapter, same folder), then a minute passes. */
  const tick = async (): Promise<{ r: ReconcileResult; writes: string[]; reads: number }> => {
    const from = o.fake.requests.length;
    const git = await openGitHubRepo({ forge: o.forge, dir });
    const r = await reconcile({ repoDir: dir, git, now: new Date(o.clock.now), logger });
    o.clock.now += 60_000;
    expect(r.canaries[0]!.error).toBeUndefined();
    const requests = o.fake.requests.slice(from);
    const writes = requests
      .filter((q) => q.method !== 'GET')
      .map((q) => `${q.method} ${q.graphql ?? q.route} ${q.status}`);
    return { r, writes, reads: requests.length - writes.length };
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
  const line = (r: ReconcileResult) => `${r.canaries[0]!.phase} ${r.canaries[0]!.canaryWeight}`;
  return { o, dir, tick, bump, line, warnings };
}

const steps = (o: GitHubOps): string[] => o.remoteLog().filter((m) => /^Canary-Phase: /m.test(m));

describe('commits through the GitHub API', () => {
  it('each tick is one createCommitOnBranch, landing on the branch', async () => {
    const { o, tick, bump, line } = await setup();
    const trace: string[] = [];
    const commits: (string | null)[] = [];
    const run = async () => {
      const { r, writes } = await tick();
      trace.push(`${line(r)}: ${writes.join(', ')}`);
      commits.push(r.commit);
      expect(r.attempts).toBe(1);
      if (r.commit) expect(o.remoteLog()[0]).toContain(`Canary-Phase: ${r.canaries[0]!.phase}`);
    };
    await run();
    await run();
    bump();
    await run();
    await run();
    expect(trace).toEqual([
      'Initializing 0: POST createCommitOnBranch 200',
      'Initialized 0: POST createCommitOnBranch 200',
      'Progressing 0: POST createCommitOnBranch 200',
      'Progressing 20: POST createCommitOnBranch 200',
    ]);
    const remoteHead = o.remoteLog().length;
    expect(remoteHead).toBe(6); // seed, 2 steps, the bump, 2 steps
    expect(steps(o)).toHaveLength(4);
    expect(parse(o.remoteFile(statusFile)).status).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const vs = parse(o.remoteFile('apps/podinfo/rendered/virtualservice-podinfo.yaml'));
    expect(vs.spec.http[0].route.map((x: { weight: number }) => x.weight)).toEqual([80, 20]);
    for (const sha of commits) expect(sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a person pushing between the read and the commit: re-read, decide again, one step', async () => {
    const { o, tick, bump, line, warnings } = await setup();
    await tick();
    await tick();
    bump();
    const before = steps(o).length;
    o.fake.beforeNext(/graphql/, () => {
      o.humanPush({ 'docs/notes.md': 'release notes\n' }, 'notes');
    });
    const { r, writes } = await tick();
    expect(line(r)).toBe('Progressing 0');
    expect(r.attempts).toBe(2);
    expect(writes).toEqual(['POST createCommitOnBranch 200', 'POST createCommitOnBranch 200']);
    expect(warnings).toEqual(['push rejected (the remote moved); re-reading and deciding again (attempt 2)']);
    const log = o.remoteLog();
    expect(log[0]).toContain('Canary-Phase: Progressing');
    expect(log[1]).toBe('notes');
    expect(o.remoteFile('docs/notes.md')).toBe('release notes');
    expect(steps(o)).toHaveLength(before + 1);
    // The next run goes on from there.
    const next = await tick();
    expect(line(next.r)).toBe('Progressing 20');
    expect(next.writes).toEqual(['POST createCommitOnBranch 200']);
  });
});

describe('gitcanary --commit-via api', () => {
  it('reconciles and asks for a pause without a clone; refuses what cannot work', async () => {
    const { o, dir } = await setup();
    const saved = { ...process.env };
    process.env.GITHUB_TOKEN = o.fake.token;
    delete process.env.GH_TOKEN;
    delete process.env.GITHUB_GRAPHQL_URL;
    const gh = ['--github-repository', `${o.owner}/${o.repo}`, '--github-api-url', o.fake.apiUrl];
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await main(
        args,
        (s) => lines.push(s),
        (s) => lines.push(s),
      );
      return { code, out: lines.join('\n') };
    };
    try {
      const now = new Date(o.clock.now).toISOString();
      const first = await cli(
        'reconcile',
        '--commit-via',
        'api',
        '--repo',
        dir,
        ...gh,
        '--now',
        now,
        '-o',
        'json',
      );
      expect(first.code).toBe(0);
      const { commit } = JSON.parse(first.out);
      expect(o.remoteLog()[0]).toMatch(/Canary-Phase: Initializing/);
      expect(commit).toMatch(/^[0-9a-f]{40}$/);

      const pause = await cli(
        'pause',
        'test/podinfo',
        '--commit-via',
        'api',
        '--repo',
        dir,
        ...gh,
        '--author',
        'Ann <ann@example.com>',
      );
      expect(pause).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^pause test\/podinfo: commit [0-9a-f]{40}/),
      });
      expect(o.remoteFile('apps/podinfo/canary.yaml')).toMatch(/suspend: true/);
      expect(o.remoteLog()[0]).toMatch(/Requested-By: Ann <ann@example.com>/);

      const history = await cli(
        'history',
        'test/podinfo',
        '--commit-via',
        'api',
        '--repo',
        dir,
        ...gh,
        '-o',
        'json',
      );
      expect(history.code).toBe(0);
      expect(JSON.parse(history.out).history.map((h: { kind: string }) => h.kind)).toEqual([
        'human',
        'gitcanary',
        'request',
      ]);

      const noPush = await cli('reconcile', '--commit-via', 'api', '--repo', dir, ...gh, '--no-push');
      expect(noPush).toEqual({
        code: 2,
        out: expect.stringMatching(/--no-push cannot be used with --commit-via api/),
      });
      const bad = await cli('plan', '--commit-via', 'ssh', '--repo', dir, ...gh);
      expect(bad).toEqual({ code: 2, out: 'error: --commit-via must be git or api, got ssh' });
      const busy = join(dir, '..', 'busy');
      mkdirSync(busy);
      writeFileSync(join(busy, 'x.txt'), 'x');
      const notEmpty = await cli('plan', '--commit-via', 'api', '--repo', busy, ...gh);
      expect(notEmpty).toMatchObject({
        code: 2,
        out: expect.stringMatching(/is not empty and holds no gitcanary materialisation/),
      });
      delete process.env.GITHUB_TOKEN;
      const noToken = await cli('plan', '--commit-via', 'api', '--repo', dir, ...gh);
      expect(noToken).toMatchObject({ code: 2, out: expect.stringMatching(/--commit-via api needs GitHub/) });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
