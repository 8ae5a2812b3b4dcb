/**
 * Step PR side effects converge: whichever GitHub call of a step fails (or succeeds with its reply
 * lost), the next run completes the step — one branch, one PR, its commit status — without a
 * duplicate. Real git over HTTP to the fake GitHub, with faults injected; the canary has no
 * metrics, so every analysis passes without Prometheus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openGitHubRepo } from '../../src/git/github-repo.js';
import { type ReconcileResult, reconcile } from '../../src/reconcile/run.js';
import type { Fault } from '../support/fake-github.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { GOOD_START } from '../support/podinfo-metrics.js';

const open: GitHubOps[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const d of folders.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const o of open.splice(0)) {
    expect(o.fake.schemaViolations).toEqual([]);
    await o.close();
  }
});

const canaryFile = 'apps/podinfo/canary.yaml';
const context = 'gitcanary/test/podinfo';

/**
 * A PR-mode repository whose canary analyses without metrics, one tick before its first step;
 * through a clone (`git`) or the git-data API with a folder kept across runs (`api`).
 */
async function analysing(via: 'git' | 'api') {
  const config = 'delivery:\n  mode: pull-request\n';
  const o = await createGitHubOps('istio-podinfo', {
    start: GOOD_START * 1000,
    extraFiles: { 'gitcanary.yaml': config },
  });
  open.push(o);
  const canary = o.remoteFile(canaryFile);
  o.humanPush({ [canaryFile]: `${canary.slice(0, canary.indexOf('    metrics:'))}\n` }, 'no metrics');
  const dir = via === 'api' ? join(mkdtempSync(join(tmpdir(), 'gitcanary-converge-')), 'repo') : o.work;
  if (via === 'api') folders.push(join(dir, '..'));
  const tick = async (): Promise<ReconcileResult> => {
    const r = await reconcile({
      repoDir: dir,
      now: new Date(o.clock.now),
      forge: o.forge,
      ...(via === 'api' ? { git: await openGitHubRepo({ forge: o.forge, dir }) } : {}),
    });
    o.clock.now += 60_000;
    return r;
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
  return { o, tick };
}

/** Every side effect of the first step PR is in place, once. */
function converged(o: GitHubOps) {
  const prs = o.fake.pulls(o.owner, o.repo);
  expect(prs).toHaveLength(1);
  const [pr] = prs;
  expect(pr).toMatchObject({ state: 'open', head: 'gitcanary/test/podinfo', base: 'main' });
  expect(o.remoteFile('apps/podinfo/podinfo.status.yaml', 'gitcanary/test/podinfo')).toContain(
    'canaryWeight: 20',
  );
  expect(o.fake.statuses(o.owner, o.repo, pr!.headSha)).toMatchObject([{ context, state: 'pending' }]);
}

const cases: Array<[string, Fault]> = [
  [
    'the PR is created but every reply is lost (502 three times)',
    { method: 'POST', route: /\/pulls$/, status: 502, afterHandling: true, times: 3 },
  ],
  ['creating the PR fails (502 three times)', { method: 'POST', route: /\/pulls$/, status: 502, times: 3 }],
  [
    'the commit status fails (502 three times)',
    { method: 'POST', route: /\/statuses\//, status: 502, times: 3 },
  ],
  [
    'the commit status is set but every reply is lost',
    { method: 'POST', route: /\/statuses\//, status: 502, afterHandling: true, times: 3 },
  ],
];

describe.each(['git', 'api'] as const)('step PR side effects converge on the next run (%s)', (via) => {
  it.each(cases)('%s', async (_name, fault) => {
    const { o, tick } = await analysing(via);
    o.fake.inject(fault);
    const failed = await tick();
    expect(failed.canaries[0]!.error).toMatch(/pull request for test\/podinfo/);
    const next = await tick();
    expect(next.canaries[0]!.error).toBeUndefined();
    expect(next.pullRequests).toHaveLength(1);
    converged(o);
    // A third run has nothing left to do: only the listing (and the open PR's new comments).
    const before = o.fake.requests.length;
    const again = await tick();
    expect(again.pullRequests.map((p) => p.action)).toEqual(['unchanged']);
    // Through the API the run also reads the repository and its refs (no clone to fetch).
    const reads =
      via === 'api'
        ? [
            'GET /repos/{owner}/{repo}',
            'GET /repos/{owner}/{repo}/git/ref/{ref}',
            'GET /repos/{owner}/{repo}/git/ref/{ref}',
          ]
        : [];
    expect(o.fake.requests.slice(before).map((q) => `${q.method} ${q.route}`)).toEqual([
      ...reads,
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ]);
    converged(o);
  });
});
