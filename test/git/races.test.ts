/**
 * Push races on a real bare remote: the loser gets PushRejectedError, re-reads the remote with
 * resetToUpstream and writes again; nobody's commit is ever lost.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PushRejectedError } from '../../src/errors.js';
import { openRepo } from '../../src/git/cli-repo.js';
import type { GitRepo } from '../../src/git/port.js';
import { bareRemote, cleanup, cloneOf, git } from './repos.js';

const bot = { name: 'Canary Bot', email: 'canary-bot@example.com' };

afterAll(cleanup);

describe('push races', () => {
  it('the loser gets PushRejectedError, then resets, recommits and pushes without losing the winner', async () => {
    const remote = await bareRemote();
    const [a, b] = await Promise.all([cloneOf(remote), cloneOf(remote)]);
    const [repoA, repoB] = await Promise.all([openRepo(a), openRepo(b)]);
    const shaA = await repoA.commit([{ path: 'a.yaml', content: 'a\n' }], 'from a', bot);
    const shaB = await repoB.commit([{ path: 'b.yaml', content: 'b\n' }], 'from b', bot);
    await repoA.push();

    await expect(repoB.push()).rejects.toBeInstanceOf(PushRejectedError);
    expect(git(remote, ['rev-parse', 'main'])).toBe(shaA);

    await repoB.resetToUpstream();
    expect(await repoB.head()).toBe(shaA);
    expect(existsSync(join(b, 'b.yaml'))).toBe(false);
    expect(git(b, ['status', '--porcelain'])).toBe('');
    const again = await repoB.commit([{ path: 'b.yaml', content: 'b\n' }], 'from b, again', bot);
    expect(again).not.toBe(shaB);
    await repoB.push();

    expect(git(remote, ['rev-parse', 'main'])).toBe(again);
    expect(git(remote, ['rev-parse', 'main~1'])).toBe(shaA);
    expect(git(remote, ['show', 'main:a.yaml'])).toBe('a');
    expect(git(remote, ['show', 'main:b.yaml'])).toBe('b');
  });

  it('two runs writing the identical commit (same change, same second): the second push is a lost race', async () => {
    const remote = await bareRemote();
    const [a, b] = await Promise.all([cloneOf(remote), cloneOf(remote)]);
    const [repoA, repoB] = await Promise.all([openRepo(a), openRepo(b)]);
    const step = [{ path: 'status.yaml', content: 'phase: Progressing\n' }];
    const shaA = await repoA.commit(step, 'step', bot);
    // Two runs that decide the same step within one second write byte-identical commits. Whether
    // two real commits land in the same second depends on the clock, so clone b is given the very
    // commit clone a wrote (same tree, parent, message and date), as the second run would hold it.
    git(b, ['fetch', '-q', a, 'HEAD']);
    git(b, ['reset', '-q', '--hard', 'FETCH_HEAD']);
    await repoA.push();
    await expect(repoB.push()).rejects.toBeInstanceOf(PushRejectedError);
    expect(git(remote, ['rev-parse', 'main'])).toBe(shaA);
  });

  it('8 clones pushing at once: exactly one wins each round, losers get PushRejectedError', async () => {
    const remote = await bareRemote();
    const clones = await Promise.all(Array.from({ length: 8 }, () => cloneOf(remote)));
    const repos = await Promise.all(clones.map((c) => openRepo(c)));
    let waiting: Array<{ repo: GitRepo; i: number }> = repos.map((repo, i) => ({ repo, i }));
    const winners: number[] = [];
    for (let round = 1; waiting.length > 0; round++) {
      const commits = await Promise.all(
        waiting.map(({ repo, i }) =>
          repo.commit([{ path: `clone-${i}.yaml`, content: `${i}\n` }], `clone ${i}`, bot),
        ),
      );
      expect(commits.every((sha) => sha !== null)).toBe(true);
      const results = await Promise.allSettled(waiting.map(({ repo }) => repo.push()));
      const won = waiting.filter((_, k) => results[k]!.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PushRejectedError);
      winners.push(won[0]!.i);
      waiting = waiting.filter((w) => w !== won[0]);
      await Promise.all(waiting.map(({ repo }) => repo.resetToUpstream()));
    }
    expect(winners.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(git(remote, ['rev-list', '--count', 'main'])).toBe('9');
    const tree = git(remote, ['ls-tree', '--name-only', 'main']).split('\n');
    for (let i = 0; i < 8; i++) expect(tree).toContain(`clone-${i}.yaml`);
  }, 120_000);
});
