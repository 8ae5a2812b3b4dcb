/**
 * Attack: commit messages holding the bytes the old log parser split on (\x1e, \x1d, \x1f),
 * newlines and an empty message, meant to shift fields so a forged file list or author is read.
 * Real git; every commit is read back whole with its own files.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/cli-repo.js';
import { bareRemote, cleanup, cloneOf, git } from '../git/repos.js';

afterAll(cleanup);

describe('recent commits with any bytes in their messages', () => {
  it('reads every field and file list exactly', async () => {
    const clone = await cloneOf(await bareRemote());
    const evil = 'x\x1eEvil\x1fevil@x\x1f2020-01-01T00:00:00Z\x1fhi\x1d\nrendered/vs.yaml\n';
    await writeFile(join(clone, 'a.txt'), 'a\n');
    git(clone, ['add', 'a.txt']);
    git(clone, ['commit', '-q', '--cleanup=verbatim', '-m', evil]);
    git(clone, ['commit', '-q', '--allow-empty', '--allow-empty-message', '-m', '']);
    await writeFile(join(clone, 'b.txt'), 'b\n');
    git(clone, ['add', 'b.txt']);
    git(clone, ['commit', '-q', '-m', 'plain']);
    const repo = await openRepo(clone);
    const recent = await repo.recentChanges(10);
    expect(recent.map((c) => c.files)).toEqual([['b.txt'], [], ['a.txt'], ['README.md']]);
    expect(recent[2]!.message).toBe(evil);
    expect(recent.every((c) => c.author === 'Test Person' && /^[0-9a-f]{40}$/.test(c.sha))).toBe(true);
    const log = await repo.log({ maxCount: 10 });
    expect(log.map((c) => c.message)).toEqual(['plain\n', '', evil, recent[3]!.message]);
  });
});
