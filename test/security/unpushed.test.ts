/**
 * Attack (or accident): a person runs gitcanary in their clone holding an unpushed commit while
 * the upstream has not moved. Before, sync() kept the commit and the run's push carried it to the
 * remote unreviewed; now the run stops before writing, naming the commit. Real git, bare remote.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { openRepo } from '../../src/git/cli-repo.js';
import { bareRemote, cleanup, cloneOf, git } from '../git/repos.js';

afterAll(cleanup);
const bot = { name: 'gitcanary', email: 'gitcanary@example.com' };

describe('a person’s unpushed commit, upstream unchanged', () => {
  it('sync refuses, names the commit, and nothing reaches the remote', async () => {
    const remote = await bareRemote({ 'README.md': 'seed\n' });
    const mine = await cloneOf(remote);
    await writeFile(join(mine, 'draft.txt'), 'not for review yet\n');
    git(mine, ['add', 'draft.txt']);
    git(mine, ['commit', '-q', '-m', 'draft']);
    const draft = git(mine, ['rev-parse', 'HEAD']);
    const before = git(remote, ['rev-parse', 'main']);

    const repo = await openRepo(mine);
    const sync = repo.sync();
    await expect(sync).rejects.toBeInstanceOf(ConfigurationError);
    await expect(sync).rejects.toThrow(
      new RegExp(`1 local commit\\(s\\) not on origin/main \\(${draft.slice(0, 7)}\\).*pushes only its own`),
    );
    expect(git(remote, ['rev-parse', 'main'])).toBe(before);
    expect(git(mine, ['rev-parse', 'HEAD'])).toBe(draft);
  });

  it('the run’s own commit (lost race, next attempt) still syncs', async () => {
    const repo = await openRepo(await cloneOf(await bareRemote()));
    const upstream = await repo.head();
    const sha = await repo.commit([{ path: 'x.yaml', content: 'x\n' }], 'ours', bot);
    expect(await repo.sync()).toEqual({ head: sha, upstream });
  });

  it('a run that will not push (--no-push) keeps the commit and builds on it', async () => {
    const remote = await bareRemote({ 'README.md': 'seed\n' });
    const mine = await cloneOf(remote);
    await writeFile(join(mine, 'draft.txt'), 'trying a bump locally\n');
    git(mine, ['add', 'draft.txt']);
    git(mine, ['commit', '-q', '-m', 'draft']);
    const draft = git(mine, ['rev-parse', 'HEAD']);
    const before = git(remote, ['rev-parse', 'main']);
    const repo = await openRepo(mine);
    expect((await repo.sync({ keepLocal: true })).head).toBe(draft);
    const sha = await repo.commit([{ path: 'x.yaml', content: 'x\n' }], 'ours', bot);
    expect(git(mine, ['rev-parse', `${sha}^`])).toBe(draft);
    expect(git(remote, ['rev-parse', 'main'])).toBe(before);
  });
});
