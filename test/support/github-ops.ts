/**
 * A GitOps repository hosted on the fake GitHub: seeded from a fixture folder straight into the
 * bare repo, cloned over HTTP (asynchronously: the server shares this process's event loop), with
 * people's pushes made server-side and a clock shared by gitcanary's `--now` and the server's
 * timestamps (PR merges, closes).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createGitHubForge } from '../../src/forge/github.js';
import type { Forge } from '../../src/forge/port.js';
import { type FakeGitHub, startFakeGitHub } from './fake-github.js';

const run = promisify(execFile);
const identity = [
  '-c',
  'user.name=Human',
  '-c',
  'user.email=human@example.com',
  '-c',
  'commit.gpgsign=false',
];

export interface GitHubOps {
  fake: FakeGitHub;
  forge: Forge;
  owner: string;
  repo: string;
  /** The clone gitcanary runs in (remote `origin` over HTTP). */
  work: string;
  /** The test clock (ms): gitcanary's `--now` and the server's timestamps. */
  clock: { now: number };
  /** A person's commit on main, made server-side (`null` deletes a file). */
  humanPush(files: Record<string, string | null>, message: string): string;
  /** A file as on the remote's main branch (or another ref). */
  remoteFile(path: string, ref?: string): string;
  remoteLog(ref?: string): string[];
  close(): Promise<void>;
}

function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export async function createGitHubOps(
  fixture: string,
  opts: { start: number; extraFiles?: Record<string, string> },
): Promise<GitHubOps> {
  const clock = { now: opts.start };
  const fake = await startFakeGitHub({ now: () => new Date(clock.now) });
  const owner = 'acme';
  const repo = 'gitops';
  const { bareDir, cloneUrl } = fake.createRepo(owner, repo);
  const seed = { ...filesOf(join(import.meta.dirname, '../../fixtures/repos', fixture)), ...opts.extraFiles };
  fake.push(owner, repo, 'main', seed, { from: null, message: `seed ${fixture}` });
  const base = mkdtempSync(join(tmpdir(), 'gitcanary-gh-'));
  const work = join(base, 'work');
  await run('git', [...identity, 'clone', '-q', cloneUrl, work]);
  const forge = createGitHubForge({
    token: fake.token,
    repo: { owner, repo },
    apiUrl: fake.apiUrl,
    graphqlUrl: fake.graphqlUrl,
    // No client-side spacing of writes in tests (Octokit's default waits 1-3 s between them).
    minWriteIntervalMs: 0,
    retryBackoffMs: 20,
  });
  const bare = (...args: string[]) => execFileSync('git', args, { cwd: bareDir, encoding: 'utf8' }).trim();
  return {
    fake,
    forge,
    owner,
    repo,
    work,
    clock,
    humanPush: (files, message) => fake.push(owner, repo, 'main', files, { message }),
    remoteFile: (path, ref = 'main') => bare('show', `${ref}:${path}`),
    remoteLog: (ref = 'main') =>
      bare('log', '--format=%B%x00', ref)
        .split('\0')
        .map((s) => s.trim())
        .filter(Boolean),
    async close() {
      await fake.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
