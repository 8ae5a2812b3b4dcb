/**
 * Temporary GitOps repositories for integration tests: a real bare remote plus a clone seeded
 * from a fixture folder, and a "human" clone that pushes edits the way people do.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const identity = [
  '-c',
  'user.name=Human',
  '-c',
  'user.email=human@example.com',
  '-c',
  'commit.gpgsign=false',
];

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...identity, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export interface GitOps {
  base: string;
  remote: string;
  /** The clone gitcanary runs in. */
  work: string;
  /** Another clone a human pushes from. */
  human: string;
  /** Edits a file in the human clone, commits and pushes it; returns the commit. */
  humanEdit(path: string, edit: (s: string) => string, message: string): string;
  /** A file as it is on the remote's main branch. */
  remoteFile(path: string): string;
  /** Remote commit messages, newest first. */
  remoteLog(): string[];
  cleanup(): void;
}

export function createGitOps(fixture: string): GitOps {
  const base = mkdtempSync(join(tmpdir(), 'gitcanary-it-'));
  const remote = join(base, 'remote.git');
  const work = join(base, 'work');
  const human = join(base, 'human');
  git(base, 'init', '-q', '--bare', '-b', 'main', remote);
  mkdirSync(human);
  git(human, 'init', '-q', '-b', 'main');
  cpSync(join(import.meta.dirname, '../../fixtures/repos', fixture), human, { recursive: true });
  git(human, 'add', '-A');
  git(human, 'commit', '-q', '-m', `seed ${fixture}`);
  git(human, 'remote', 'add', 'origin', remote);
  git(human, 'push', '-q', '-u', 'origin', 'main');
  git(base, 'clone', '-q', remote, work);
  return {
    base,
    remote,
    work,
    human,
    humanEdit(path, edit, message) {
      git(human, 'pull', '-q', '--ff-only');
      const file = join(human, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, edit(existsSync(file) ? readFileSync(file, 'utf8') : ''));
      git(human, 'add', '--', path);
      git(human, 'commit', '-q', '-m', message);
      // People lose push races too: rebase on what landed meanwhile and push again.
      for (let attempt = 1; ; attempt++) {
        try {
          git(human, 'push', '-q');
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
          git(human, 'pull', '-q', '--rebase');
        }
      }
      return git(human, 'rev-parse', 'HEAD');
    },
    remoteFile: (path) => git(remote, 'show', `main:${path}`),
    remoteLog: () =>
      git(remote, 'log', '--format=%B%x00', 'main')
        .split('\0')
        .map((s) => s.trim())
        .filter(Boolean),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
