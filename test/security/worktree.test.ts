/**
 * Attack (or accident): gitcanary runs in a person's clone (the CLI at a terminal, `gitcanary
 * promote` in a working copy) that holds an unpushed commit and an edited file, and loses a push
 * race. Starting over must not `reset --hard` that work away: the run stops with a message and
 * the person's commit and file survive. Real git, temp bare remote.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, PushRejectedError } from '../../src/errors.js';
import { openRepo } from '../../src/git/cli-repo.js';
import { bareRemote, cleanup, cloneOf, git } from '../git/repos.js';

afterAll(cleanup);
const bot = { name: 'gitcanary', email: 'gitcanary@example.com' };

describe('a lost push race in a person’s clone', () => {
  it('keeps their unpushed commit and their edited file', async () => {
    const remote = await bareRemote({ 'README.md': 'seed\n', 'notes.md': 'v1\n' });
    const [mine, other] = await Promise.all([cloneOf(remote), cloneOf(remote)]);
    await writeFile(join(mine, 'work.txt'), 'my work\n');
    git(mine, ['add', 'work.txt']);
    git(mine, ['commit', '-q', '-m', 'my unpushed work']);
    const personal = git(mine, ['rev-parse', 'HEAD']);
    await writeFile(join(mine, 'notes.md'), 'edited, not committed\n');

    const winner = await openRepo(other);
    await winner.commit([{ path: 'a.yaml', content: 'a\n' }], 'winner', bot);
    await winner.push();

    const repo = await openRepo(mine);
    await repo.commit([{ path: 'b.yaml', content: 'b\n' }], 'loser', bot);
    await expect(repo.push()).rejects.toBeInstanceOf(PushRejectedError);
    const reset = repo.resetToUpstream();
    await expect(reset).rejects.toBeInstanceOf(ConfigurationError);
    await expect(reset).rejects.toThrow(/would drop 1 local commit/);

    expect(git(mine, ['rev-list', 'HEAD'])).toContain(personal);
    expect(await readFile(join(mine, 'work.txt'), 'utf8')).toBe('my work\n');
    expect(await readFile(join(mine, 'notes.md'), 'utf8')).toBe('edited, not committed\n');
  });

  it('refuses to reset over an uncommitted edit even with no local commit of theirs', async () => {
    const remote = await bareRemote({ 'README.md': 'seed\n', 'notes.md': 'v1\n' });
    const [mine, other] = await Promise.all([cloneOf(remote), cloneOf(remote)]);
    const winner = await openRepo(other);
    await winner.commit([{ path: 'a.yaml', content: 'a\n' }], 'winner', bot);
    await winner.push();
    const repo = await openRepo(mine);
    await repo.commit([{ path: 'b.yaml', content: 'b\n' }], 'loser', bot);
    await writeFile(join(mine, 'notes.md'), 'edited, not committed\n');
    await expect(repo.push()).rejects.toBeInstanceOf(PushRejectedError);
    await expect(repo.resetToUpstream()).rejects.toBeInstanceOf(ConfigurationError);
    expect(await readFile(join(mine, 'notes.md'), 'utf8')).toBe('edited, not committed\n');
  });
});
