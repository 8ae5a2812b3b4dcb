/**
 * Push races on a real remote: a lost race re-reads and decides again, never overwrites a human
 * commit, and never writes the same step twice.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openRepo } from '../../src/git/cli-repo.js';
import type { GitRepo } from '../../src/git/port.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const T = Date.parse('2026-01-01T00:00:00Z');

describe('push races', () => {
  it('a human push between decide and push: re-read, decide again, keep the human commit', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const real = await openRepo(r.work);
    let humanCommit = '';
    const racing: GitRepo = Object.assign(Object.create(real) as GitRepo, {
      push: async () => {
        if (!humanCommit) {
          humanCommit = r.humanEdit(
            'apps/podinfo/kustomization.yaml',
            (s) => `${s}# reviewed\n`,
            'human edit',
          );
        }
        return real.push();
      },
    });
    const result = await reconcile({ repoDir: r.work, now: new Date(T), git: racing });
    expect(result.attempts).toBe(2);
    expect(result.commit).toBe(git(r.remote, 'rev-parse', 'main'));
    expect(git(r.remote, 'rev-parse', 'main~1')).toBe(humanCommit);
    expect(r.remoteFile('apps/podinfo/kustomization.yaml')).toContain('# reviewed');
    expect(parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status.phase).toBe('Initializing');
  });

  it('two reconcilers at the same time take one step between them', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const second = `${r.base}/second`;
    git(r.base, 'clone', '-q', r.remote, second);
    const now = new Date(T);
    const [a, b] = await Promise.all([
      reconcile({ repoDir: r.work, now }),
      reconcile({ repoDir: second, now }),
    ]);
    // Same inputs make the same commit object (same tree, parent, author, time, message): when
    // both runs push it, the second push is a no-op. Otherwise the loser re-reads and waits.
    const commits = new Set([a.commit, b.commit].filter(Boolean));
    expect(commits.size).toBe(1);
    expect(git(r.remote, 'rev-list', '--count', 'main')).toBe('2');
    for (const run of [a, b]) {
      if (!run.commit) expect(run.canaries[0]!.message).toMatch(/^waiting: next step due at/);
    }
  });

  it('100 runs at the same --now write exactly one commit', { timeout: 120_000 }, async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const now = new Date(T);
    const commits: Array<string | null> = [];
    for (let i = 0; i < 100; i++) commits.push((await reconcile({ repoDir: r.work, now })).commit);
    expect(commits.filter(Boolean)).toHaveLength(1);
    expect(git(r.remote, 'rev-list', '--count', 'main')).toBe('2');
  });
});
