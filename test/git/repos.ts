/**
 * Real git repositories for the git tests: a bare "remote" with one seed commit and any number
 * of clones, all under os.tmpdir(). Test-side git runs through the CLI with an explicit
 * identity, so the tests pass on machines without a global git identity.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const tester = { name: 'Test Person', email: 'test@example.com' };

const created: string[] = [];

/** Runs git in `cwd` with the test identity; returns stdout without trailing whitespace. */
export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(
    'git',
    ['-c', `user.name=${tester.name}`, '-c', `user.email=${tester.email}`, ...args],
    {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trimEnd();
}

/** A fresh temp folder, removed by `cleanup`. */
export async function tempDir(prefix = 'gitcanary-git-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A bare remote (branch `main`) holding one commit with `files`. Returns its path. */
export async function bareRemote(files: Record<string, string> = { 'README.md': 'seed\n' }): Promise<string> {
  const root = await tempDir();
  const remote = join(root, 'remote.git');
  git(root, ['init', '-q', '--bare', '-b', 'main', remote]);
  const seed = join(root, 'seed');
  git(root, ['init', '-q', '-b', 'main', seed]);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(seed, path)), { recursive: true });
    await writeFile(join(seed, path), content);
  }
  git(seed, ['add', '-A']);
  git(seed, ['commit', '-q', '-m', 'seed']);
  git(seed, ['push', '-q', remote, 'main']);
  return remote;
}

/** A clone of `remote` tracking `main`. */
export async function cloneOf(remote: string, extra: string[] = []): Promise<string> {
  const dir = join(await tempDir('gitcanary-clone-'), 'work');
  git(tmpdir(), ['clone', '-q', ...extra, remote, dir]);
  return dir;
}

/** Commits `path` with `content` straight through the CLI and pushes it (another writer). */
export function pushFromCli(
  clone: string,
  path: string,
  content: string,
  env: Record<string, string> = {},
): string {
  mkdirSync(dirname(join(clone, path)), { recursive: true });
  writeFileSync(join(clone, path), content);
  git(clone, ['add', '--', path]);
  git(clone, ['commit', '-q', '-m', `cli: ${path}`], env);
  git(clone, ['push', '-q', 'origin', 'HEAD:main']);
  return git(clone, ['rev-parse', 'HEAD']);
}

/** Removes every folder made here. */
export async function cleanup(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
