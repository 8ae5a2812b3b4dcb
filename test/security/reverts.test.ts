/**
 * Attack: a person who can open a PR writes `This reverts commit X` into a commit that does
 * not restore a step of this canary — reverting a person's commit, naming a commit that is not
 * there, or touching only the status file — hoping to freeze or fail someone's rollout. Real
 * git clones; the rollout carries on. A real `git revert` of a step still rolls back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

async function midRun() {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  let now = Date.parse('2026-01-01T00:00:00Z');
  const tick = async (advance = 60_000) => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now) });
    now += advance;
    return res.canaries[0]!;
  };
  await tick();
  await tick();
  const bump = r.humanEdit(
    'apps/podinfo/deployment.yaml',
    (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'),
    'podinfo 6.1.6',
  );
  await tick();
  expect(await tick(5_000)).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
  return { r, tick, bump };
}

describe('forged reverts', () => {
  it.each([
    ['names a commit that is not there', () => 'f'.repeat(40)],
    ['names a person’s commit', (bump: string) => bump],
  ])('a status-file edit whose message %s is no rollback', async (_, target) => {
    const { r, tick, bump } = await midRun();
    r.humanEdit(
      'apps/podinfo/podinfo.status.yaml',
      (s) => `${s}\n# note\n`,
      `Revert "x"\n\nThis reverts commit ${target(bump)}.`,
    );
    const c = await tick();
    expect(c.message).not.toMatch(/manual rollback/);
    expect(c.phase).toBe('Progressing');
  });

  it('naming the step but not restoring its rendered files is no rollback', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    const step = git(r.human, 'rev-parse', 'HEAD');
    r.humanEdit(
      'apps/podinfo/podinfo.status.yaml',
      (s) => `${s}\n# note\n`,
      `Revert\n\nThis reverts commit ${step}.`,
    );
    const c = await tick();
    expect(c.message).not.toMatch(/manual rollback/);
    expect(c.phase).toBe('Progressing');
  });

  it('a real git revert of the step still rolls back', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    git(r.human, 'revert', '--no-edit', git(r.human, 'rev-parse', 'HEAD'));
    git(r.human, 'push', '-q');
    expect(await tick()).toMatchObject({ phase: 'Failed' });
  });
});
