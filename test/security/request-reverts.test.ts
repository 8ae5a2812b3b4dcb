/**
 * Attack (or a change of mind): a person commits a `promote` or `abort` request, and someone
 * runs a real `git revert` of that request commit before the next run. The revert cancels the
 * request — the run neither promotes nor aborts — and it is not read as a manual rollback,
 * since the request commit was no step of gitcanary's. Real git clones, a real rollout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { firstStep, ticker } from '../support/ticks.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const path = 'apps/podinfo/podinfo.status.yaml';

describe('reverting a request commit', () => {
  it.each(['promote', 'abort'] as const)('cancels the %s request and is no rollback', async (action) => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const clock = ticker(r.work);
    const { tick } = clock;
    expect(await firstStep(r, clock)).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const request = r.humanEdit(
      path,
      (s) => {
        const doc = parse(s);
        doc.status.request = {
          action,
          requestedBy: 'x',
          requestedAt: new Date(clock.now() - 1000).toISOString(),
        };
        return stringify(doc);
      },
      `${action} podinfo`,
    );
    git(r.human, 'revert', '--no-edit', request);
    git(r.human, 'push', '-q');
    expect(git(r.human, 'log', '-1', '--format=%B')).toContain(`This reverts commit ${request}`);
    const c = await tick();
    expect(c.phase).toBe('Progressing');
    expect(c.canaryWeight).toBeGreaterThan(0);
    expect(c.message ?? '').not.toMatch(/manual rollback|requested by/);
    git(r.work, 'pull', '-q', '--ff-only');
    const status = parse(r.remoteFile(path)).status;
    expect(status.request).toBeUndefined();
    expect(JSON.stringify(status.history)).not.toMatch(/manual rollback|requested by/);
  });
});
