/**
 * A machine with no git identity anywhere: HOME and XDG_CONFIG_HOME point at an empty folder
 * whose only config says `user.useConfigOnly = true` (so git may not guess a name from the
 * host), and GIT_CONFIG_NOSYSTEM=1 hides /etc/gitconfig. This file runs in its own worker.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/cli-repo.js';
import { bareRemote, cleanup, cloneOf, git, tempDir } from './repos.js';

const saved = {
  HOME: process.env.HOME,
  XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
  NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM,
};

beforeAll(async () => {
  const home = await tempDir('gitcanary-home-');
  await writeFile(join(home, '.gitconfig'), '[user]\n\tuseConfigOnly = true\n');
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
});

afterAll(async () => {
  for (const [key, value] of [
    ['HOME', saved.HOME],
    ['XDG_CONFIG_HOME', saved.XDG_CONFIG_HOME],
    ['GIT_CONFIG_NOSYSTEM', saved.NOSYSTEM],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await cleanup();
});

describe('a machine without a git identity', () => {
  it('plain git cannot commit here, gitcanary can (and can fetch, push, reset)', async () => {
    const remote = await bareRemote();
    const clone = await cloneOf(remote);
    expect(git(clone, ['config', '--show-origin', '--get-all', 'user.useConfigOnly'])).toContain(
      '.gitconfig',
    );
    await writeFile(join(clone, 'x.txt'), 'x\n');
    expect(() =>
      execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'nope'], { cwd: clone, stdio: 'pipe' }),
    ).toThrow(/no email was given|Please tell me who you are/);

    const repo = await openRepo(clone);
    const sha = await repo.commit(
      [{ path: 'apps/a/status.yaml', content: 'phase: Progressing\n' }],
      'gitcanary: step',
      { name: 'gitcanary[bot]', email: 'bot@example.com' },
    );
    await repo.push();
    expect(git(remote, ['log', '-1', '--format=%H %an <%ae> / %cn <%ce>', 'main'])).toBe(
      `${sha} gitcanary[bot] <bot@example.com> / gitcanary[bot] <bot@example.com>`,
    );
    await repo.resetToUpstream();
    expect(await repo.sync()).toEqual({ head: sha, upstream: sha });
  });
});
