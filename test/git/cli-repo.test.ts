import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, TerminalError } from '../../src/errors.js';
import { openRepo, passthroughEnv } from '../../src/git/cli-repo.js';
import { formatMessage, parseTrailers, type Trailer } from '../../src/git/trailers.js';
import { bareRemote, cleanup, cloneOf, git, pushFromCli, tempDir } from './repos.js';

const bot = { name: 'Canary Bot', email: 'canary-bot@example.com' };

afterAll(cleanup);

describe('commit and push', () => {
  it('commits exactly the given files with the given author and committer, then pushes', async () => {
    const remote = await bareRemote();
    const clone = await cloneOf(remote);
    const repo = await openRepo(clone);
    const before = await repo.head();
    const sha = await repo.commit(
      [
        { path: 'apps/podinfo/rendered/vs.yaml', content: 'weight: 10\n' },
        { path: 'apps/podinfo/podinfo.status.yaml', content: 'phase: Progressing\n' },
      ],
      'gitcanary: step',
      bot,
    );
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.head()).toBe(sha);
    expect(git(clone, ['rev-parse', 'HEAD~1'])).toBe(before);
    expect(git(clone, ['log', '-1', '--format=%an|%ae|%cn|%ce|%s'])).toBe(
      'Canary Bot|canary-bot@example.com|Canary Bot|canary-bot@example.com|gitcanary: step',
    );
    expect(git(clone, ['show', '--name-only', '--format=', 'HEAD']).split('\n').sort()).toEqual([
      'apps/podinfo/podinfo.status.yaml',
      'apps/podinfo/rendered/vs.yaml',
    ]);
    expect(git(clone, ['status', '--porcelain'])).toBe('');
    await repo.push();
    expect(git(remote, ['rev-parse', 'main'])).toBe(sha);
    expect(git(remote, ['show', 'main:apps/podinfo/rendered/vs.yaml'])).toBe('weight: 10');
  });

  it('returns null and writes no commit when nothing changes', async () => {
    const remote = await bareRemote({ 'a/status.yaml': 'phase: Succeeded\n' });
    const repo = await openRepo(await cloneOf(remote));
    const head = await repo.head();
    expect(
      await repo.commit([{ path: 'a/status.yaml', content: 'phase: Succeeded\n' }], 'noop', bot),
    ).toBeNull();
    expect(await repo.commit([{ path: 'a/never-existed.yaml', delete: true }], 'noop', bot)).toBeNull();
    expect(await repo.commit([], 'noop', bot)).toBeNull();
    expect(await repo.head()).toBe(head);
  });

  it('deletes files and leaves unrelated dirty files alone', async () => {
    const remote = await bareRemote({ 'a/rendered/old.yaml': 'x: 1\n', 'notes.txt': 'n\n' });
    const clone = await cloneOf(remote);
    await writeFile(join(clone, 'notes.txt'), 'edited by a human\n');
    await writeFile(join(clone, 'untracked.txt'), 'u\n');
    const repo = await openRepo(clone);
    const sha = await repo.commit(
      [
        { path: 'a/rendered/old.yaml', delete: true },
        { path: 'a/rendered/new.yaml', content: 'x: 2\n' },
      ],
      'swap',
      bot,
    );
    expect(sha).not.toBeNull();
    expect(git(clone, ['show', '--name-status', '--format=', 'HEAD'])).toBe(
      'A\ta/rendered/new.yaml\nD\ta/rendered/old.yaml',
    );
    expect(existsSync(join(clone, 'a/rendered/old.yaml'))).toBe(false);
    expect(git(clone, ['status', '--porcelain'])).toBe(' M notes.txt\n?? untracked.txt');
  });

  it('takes paths literally (glob characters are file names)', async () => {
    const remote = await bareRemote({ 'a/x.yaml': '1\n' });
    const clone = await cloneOf(remote);
    const repo = await openRepo(clone);
    await repo.commit([{ path: 'a/*.yaml', content: 'star\n' }], 'star', bot);
    expect(git(clone, ['show', '--name-only', '--format=', 'HEAD'])).toBe('a/*.yaml');
    expect(await readFile(join(clone, 'a/x.yaml'), 'utf8')).toBe('1\n');
  });

  it('refuses to commit when the index has staged changes it did not make', async () => {
    const remote = await bareRemote({ 'notes.txt': 'n\n' });
    const clone = await cloneOf(remote);
    await writeFile(join(clone, 'notes.txt'), 'staged by a human\n');
    git(clone, ['add', 'notes.txt']);
    const repo = await openRepo(clone);
    await expect(repo.commit([{ path: 's.yaml', content: 'x\n' }], 'm', bot)).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('rejects an author that would corrupt the commit header', async () => {
    const repo = await openRepo(await cloneOf(await bareRemote()));
    await expect(
      repo.commit([{ path: 'a', content: 'a' }], 'm', { name: 'x <y>', email: 'e@x' }),
    ).rejects.toThrow(ConfigurationError);
    await expect(repo.commit([{ path: 'a', content: 'a' }], 'm', { name: 'x', email: '' })).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('refuses an empty commit message before writing anything', async () => {
    const clone = await cloneOf(await bareRemote());
    const repo = await openRepo(clone);
    await expect(repo.commit([{ path: 'a.yaml', content: 'a\n' }], ' \n', bot)).rejects.toThrow(
      TerminalError,
    );
    expect(existsSync(join(clone, 'a.yaml'))).toBe(false);
  });

  it('passes the operator’s transport variables to git, never location or identity overrides', () => {
    const env = {
      GIT_SSL_CAINFO: '/ca.pem',
      GIT_SSH_COMMAND: 'ssh -i k',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    const hostile = {
      GIT_DIR: '/x',
      GIT_WORK_TREE: '/y',
      GIT_INDEX_FILE: '/z',
      GIT_AUTHOR_NAME: 'a',
      GIT_COMMITTER_EMAIL: 'c',
    };
    expect(passthroughEnv({ ...env, ...hostile, HOME: '/h' }).sort()).toEqual(Object.keys(env).sort());
  });

  it('keeps the message verbatim, so trailers round-trip through git log', async () => {
    const repo = await openRepo(await cloneOf(await bareRemote()));
    const trailers: Trailer[] = [
      ['Canary', 'demo/podinfo'],
      ['Canary-Phase', 'Progressing'],
      ['Canary-Weight', '15'],
      ['Canary', 'demo/frontend'],
      ['Canary-Phase', 'Promoting'],
      ['Canary-Weight', '100'],
    ];
    const message = formatMessage(
      'gitcanary: 2 canaries stepped',
      ['# not a comment', '', 'podinfo: advance'],
      trailers,
    );
    await repo.commit([{ path: 's.yaml', content: 'x\n' }], message, bot);
    const [entry] = await repo.log({ maxCount: 1 });
    expect(entry?.message).toBe(message);
    expect(parseTrailers(entry!.message)).toEqual(trailers);
  });
});

describe('path confinement', () => {
  it.each([
    ['../x.yaml', 'a .. segment'],
    ['a/../../x.yaml', 'a .. segment'],
    ['/etc/x.yaml', 'absolute'],
    ['.git/config', '.git'],
    ['sub/.git/hooks/pre-commit', '.git'],
    ['a//b.yaml', 'not normalised'],
    ['./a.yaml', 'not normalised'],
    ['a\\b.yaml', 'backslash'],
    ['', 'empty'],
  ])('refuses %j (%s) and writes nothing', async (path, why) => {
    const clone = await cloneOf(await bareRemote());
    const repo = await openRepo(clone);
    const head = await repo.head();
    const attempt = repo.commit(
      [
        { path: 'apps/ok/rendered/fine.yaml', content: 'ok\n' },
        { path, content: 'owned\n' },
      ],
      'm',
      bot,
    );
    await expect(attempt).rejects.toThrow(TerminalError);
    await expect(attempt).rejects.toThrow(why);
    expect(existsSync(join(clone, 'apps'))).toBe(false);
    expect(git(clone, ['status', '--porcelain', '--ignored'])).toBe('');
    expect(git(clone, ['config', '--get', 'core.bare'])).toBe('false');
    expect(await repo.head()).toBe(head);
  });

  it('refuses a path through a symlink pointing outside the working tree', async () => {
    const clone = await cloneOf(await bareRemote());
    const outside = await tempDir('gitcanary-outside-');
    await symlink(outside, join(clone, 'escape'));
    git(clone, ['add', 'escape']);
    git(clone, ['commit', '-q', '-m', 'add a symlink']);
    const repo = await openRepo(clone);
    await expect(repo.commit([{ path: 'escape/x.yaml', content: 'pwned\n' }], 'm', bot)).rejects.toThrow(
      /escape is a symlink/,
    );
    await expect(repo.commit([{ path: 'escape', content: 'pwned\n' }], 'm', bot)).rejects.toThrow(
      /is a symlink/,
    );
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses a symlink into .git and a symlinked file', async () => {
    const clone = await cloneOf(await bareRemote());
    await symlink(join(clone, '.git'), join(clone, 'dotgit'));
    await mkdir(join(clone, 'apps'));
    await symlink('/etc/hostname', join(clone, 'apps/status.yaml'));
    const repo = await openRepo(clone);
    await expect(repo.commit([{ path: 'dotgit/config', content: '[core]\n' }], 'm', bot)).rejects.toThrow(
      TerminalError,
    );
    await expect(repo.commit([{ path: 'apps/status.yaml', content: 'x\n' }], 'm', bot)).rejects.toThrow(
      TerminalError,
    );
    expect(git(clone, ['config', '--get', 'core.bare'])).toBe('false');
  });
});

describe('sync', () => {
  it('fast-forwards to the upstream', async () => {
    const remote = await bareRemote();
    const mine = await cloneOf(remote);
    const theirs = await cloneOf(remote);
    const repo = await openRepo(mine);
    const pushed = pushFromCli(theirs, 'apps/a/canary.yaml', 'kind: Canary\n');
    const result = await repo.sync();
    expect(result).toEqual({ head: pushed, upstream: pushed });
    expect(await readFile(join(mine, 'apps/a/canary.yaml'), 'utf8')).toBe('kind: Canary\n');
    expect(await repo.sync()).toEqual({ head: pushed, upstream: pushed });
  });

  it('keeps local unpushed commits when the upstream did not move', async () => {
    const repo = await openRepo(await cloneOf(await bareRemote()));
    const upstream = await repo.head();
    const sha = await repo.commit([{ path: 'x', content: 'x' }], 'local', bot);
    expect(await repo.sync()).toEqual({ head: sha, upstream });
  });

  it('refuses a dirty working tree (tracked files), but not untracked files', async () => {
    const remote = await bareRemote({ 'a.yaml': 'a\n' });
    const clone = await cloneOf(remote);
    const repo = await openRepo(clone);
    await writeFile(join(clone, 'untracked.yaml'), 'u\n');
    await expect(repo.sync()).resolves.toMatchObject({ upstream: expect.any(String) });
    await writeFile(join(clone, 'a.yaml'), 'edited\n');
    await expect(repo.sync()).rejects.toThrow(ConfigurationError);
    await expect(repo.sync()).rejects.toThrow(/uncommitted changes to tracked files \(a\.yaml\)/);
  });

  it('refuses to sync when local and upstream diverged', async () => {
    const remote = await bareRemote();
    const mine = await cloneOf(remote);
    const repo = await openRepo(mine);
    await repo.commit([{ path: 'mine.yaml', content: 'm\n' }], 'local', bot);
    pushFromCli(await cloneOf(remote), 'theirs.yaml', 't\n');
    await expect(repo.sync()).rejects.toThrow(ConfigurationError);
    await expect(repo.sync()).rejects.toThrow(
      /diverged \(1 local commit\(s\) not pushed, 1 new upstream commit\(s\)\)/,
    );
  });

  it('without an upstream just reports HEAD, and push explains what is missing', async () => {
    const dir = await tempDir();
    git(dir, ['init', '-q', '-b', 'main']);
    const repo = await openRepo(dir);
    expect(await repo.hasUpstream()).toBe(false);
    await expect(repo.head()).rejects.toThrow(/no commits yet/);
    const first = await repo.commit([{ path: 'a.yaml', content: 'a\n' }], 'first', bot);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(git(dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(await repo.sync()).toEqual({ head: first, upstream: null });
    await expect(repo.push()).rejects.toThrow(/no upstream/);
    expect(await repo.log({})).toHaveLength(1);
  });

  it('refuses a folder that is not the top of a working tree', async () => {
    const clone = await cloneOf(await bareRemote({ 'apps/a.yaml': 'a\n' }));
    await expect(openRepo(join(clone, 'apps'))).rejects.toThrow(/use the top folder/);
    await expect(openRepo(await tempDir())).rejects.toThrow(ConfigurationError);
  });
});

describe('log and lastCommitTime', () => {
  it('filters by path and trailer text, newest first', async () => {
    const remote = await bareRemote();
    const clone = await cloneOf(remote);
    const repo = await openRepo(clone);
    for (const [i, id] of [
      [1, 'demo/podinfo'],
      [2, 'demo/frontend'],
      [3, 'demo/podinfo'],
    ] as const) {
      const msg = formatMessage(`step ${i}`, [], [['Canary', id]]);
      await repo.commit([{ path: `${id}.status.yaml`, content: `i: ${i}\n` }], msg, bot);
    }
    const podinfo = await repo.log({ grep: 'Canary: demo/podinfo' });
    expect(podinfo.map((e) => e.message.split('\n')[0])).toEqual(['step 3', 'step 1']);
    expect(podinfo[0]).toMatchObject({ author: bot.name, authorEmail: bot.email });
    expect(podinfo[0]!.date).toBeInstanceOf(Date);
    expect(
      (await repo.log({ paths: ['demo/frontend.status.yaml'] })).map((e) => e.message.split('\n')[0]),
    ).toEqual(['step 2']);
    expect(await repo.log({ maxCount: 2 })).toHaveLength(2);
    expect(await repo.log({ grep: 'demo.podinfo' })).toEqual([]);
  });

  it('reads the committer time of the last commit touching a path', async () => {
    const remote = await bareRemote();
    const clone = await cloneOf(remote);
    const when = '2026-03-04T05:06:07Z';
    pushFromCli(clone, 'a/status.yaml', 'x\n', {
      GIT_COMMITTER_DATE: when,
      GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
    });
    pushFromCli(clone, 'b/other.yaml', 'y\n');
    const repo = await openRepo(clone);
    expect((await repo.lastCommitTime('a/status.yaml'))?.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(await repo.lastCommitTime('missing.yaml')).toBeNull();
  });

  it('deepens a shallow clone when the answer lies beyond the boundary', async () => {
    const remote = await bareRemote();
    const writer = await cloneOf(remote);
    pushFromCli(writer, 'old.yaml', 'old\n', { GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' });
    for (let i = 0; i < 4; i++) pushFromCli(writer, 'busy.yaml', `${i}\n`);
    const shallow = await cloneOf(`file://${remote}`, ['--depth', '1']);
    expect(git(shallow, ['rev-list', '--count', 'HEAD'])).toBe('1');
    const repo = await openRepo(shallow);
    expect((await repo.lastCommitTime('old.yaml'))?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(await repo.log({ maxCount: 6 })).toHaveLength(6);
    expect((await repo.log({ paths: ['busy.yaml'], maxCount: 10 })).length).toBe(4);
  });
});
