/**
 * The GitRepo adapter over the GitHub API against the fake GitHub (real bare repos behind it):
 * materialisation into a folder (only changed blobs fetched, removed files deleted, the folder a
 * cache across runs), commits as one compare-and-swap GraphQL mutation, the commit→files cache of
 * `recentChanges`, refused tree paths, and side branches for pull requests.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, PushRejectedError, TerminalError } from '../../src/errors.js';
import { etagsFor } from '../../src/forge/etag-store.js';
import { createGitHubForge } from '../../src/forge/github.js';
import type { Forge } from '../../src/forge/port.js';
import { gitBlobSha, openGitHubRepo } from '../../src/git/github-repo.js';
import type { GitRepo } from '../../src/git/port.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const run = promisify(execFile);
const who = { name: 'gitcanary', email: 'gitcanary@users.noreply.github.com' };
let fake: FakeGitHub;
const temps: string[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterEach(() => {
  expect(fake.schemaViolations.splice(0)).toEqual([]);
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  await fake.close();
});

let repos = 0;

interface Seeded {
  owner: string;
  repo: string;
  bareDir: string;
  /** A new forge (empty in-memory caches), as a new process would have. */
  newForge(): Forge;
  forge: Forge;
  dir: string;
  /** Someone else's push to main (null deletes). */
  push(files: Record<string, string | null>, message?: string): string;
  bare(...args: string[]): Promise<string>;
}

function seeded(files: Record<string, string>): Seeded {
  const owner = 'acme';
  const repo = `api-${++repos}`;
  const { bareDir } = fake.createRepo(owner, repo);
  fake.push(owner, repo, 'main', files, { message: 'seed' });
  const newForge = () =>
    createGitHubForge({
      token: fake.token,
      repo: { owner, repo },
      apiUrl: fake.apiUrl,
      graphqlUrl: fake.graphqlUrl,
      minWriteIntervalMs: 0,
      retryBackoffMs: 20,
    });
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-api-'));
  temps.push(dir);
  return {
    owner,
    repo,
    bareDir,
    newForge,
    forge: newForge(),
    dir: join(dir, 'work'),
    push: (changes, message) => fake.push(owner, repo, 'main', changes, { message: message ?? 'a change' }),
    bare: async (...args) => (await run('git', [`--git-dir=${bareDir}`, ...args])).stdout.trim(),
  };
}

/** Requests to the fake from now on, as `METHOD route status`. */
function recorder(): () => string[] {
  const from = fake.requests.length;
  return () => fake.requests.slice(from).map((r) => `${r.method} ${r.graphql ?? r.route} ${r.status}`);
}

const read = (dir: string, path: string): string | undefined =>
  existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined;

const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );

const seed = {
  'README.md': '# hello\n',
  'apps/a/canary.yaml': 'kind: Canary\n',
  'apps/a/kustomization.yaml': 'resources: []\n',
  'apps/b/kustomization.yaml': 'resources: []\n',
  'apps/b/Kustomization': 'namespace: b\n',
  'apps/b/deploy.yml': 'kind: Deployment\n',
  'tools/run.sh': 'echo hi\n',
};

describe('GitHub API repository: materialisation', () => {
  it('writes the YAML files of the default branch, once per head', async () => {
    const s = seeded(seed);
    const calls = recorder();
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const main = await s.bare('rev-parse', 'main');
    // Two kustomizations share one blob: one fetch.
    expect(calls()).toEqual([
      'GET /repos/{owner}/{repo} 200',
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
    ]);
    expect(read(s.dir, 'apps/a/canary.yaml')).toBe('kind: Canary\n');
    expect(read(s.dir, 'apps/b/Kustomization')).toBe('namespace: b\n');
    expect(read(s.dir, 'apps/b/deploy.yml')).toBe('kind: Deployment\n');
    expect(read(s.dir, 'README.md')).toBeUndefined();
    expect(read(s.dir, 'tools/run.sh')).toBeUndefined();
    expect(git.dir).toBe(s.dir);
    expect(await git.branch()).toBe('main');
    expect(await git.hasUpstream()).toBe(true);

    // An unmoved head costs one revalidated read (a 304 costs no rate limit) and nothing else.
    const later = recorder();
    expect(await git.sync()).toEqual({ head: main, upstream: main });
    expect(await git.head()).toBe(main);
    expect(later()).toEqual(['GET /repos/{owner}/{repo}/git/ref/{ref} 304']);
  });

  it('fetches only the blobs that changed, deletes files that left the tree, and keeps across runs', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir, branch: 'main' });
    const next = s.push({
      'apps/a/canary.yaml': 'kind: Canary\nspec: {}\n',
      'apps/b/deploy.yml': null,
      'apps/b/Kustomization': null,
      'apps/b/kustomization.yaml': null,
      'apps/c/new.yaml': 'kind: Service\n',
      'README.md': '# changed\n',
    });
    const calls = recorder();
    expect(await git.sync()).toEqual({ head: next, upstream: next });
    expect(calls()).toEqual([
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
    ]);
    expect(read(s.dir, 'apps/a/canary.yaml')).toBe('kind: Canary\nspec: {}\n');
    expect(read(s.dir, 'apps/c/new.yaml')).toBe('kind: Service\n');
    expect(read(s.dir, 'apps/b/deploy.yml')).toBeUndefined();
    expect(existsSync(join(s.dir, 'apps/b'))).toBe(false);

    // Next run: a new process (empty memory caches) on the same folder, the head unmoved.
    const again = recorder();
    const reopened = await openGitHubRepo({ forge: s.newForge(), dir: s.dir, branch: 'main' });
    await reopened.sync();
    expect(again()).toEqual([
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
      'GET /repos/{owner}/{repo}/git/ref/{ref} 304',
    ]);

    // A file changed locally (a stale cache) is fetched again; unchanged ones are not.
    writeFileSync(join(s.dir, 'apps/c/new.yaml'), 'tampered\n');
    const moved = s.push({ 'README.md': '# again\n' });
    const third = recorder();
    const later = await openGitHubRepo({ forge: s.newForge(), dir: s.dir, branch: 'main' });
    expect(await later.head()).toBe(moved);
    expect(third()).toEqual([
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha} 200',
    ]);
    expect(read(s.dir, 'apps/c/new.yaml')).toBe('kind: Service\n');
  });

  it('refuses a folder holding other files, a missing branch, and unsafe tree paths', async () => {
    const s = seeded(seed);
    mkdirSync(s.dir, { recursive: true });
    writeFileSync(join(s.dir, 'notes.txt'), 'mine\n');
    const busy = await failure(openGitHubRepo({ forge: s.forge, dir: s.dir }));
    expect(busy).toBeInstanceOf(ConfigurationError);
    expect(busy.message).toMatch(/is not empty and holds no gitcanary materialisation/);
    rmSync(join(s.dir, 'notes.txt'));

    const missing = await failure(openGitHubRepo({ forge: s.forge, dir: s.dir, branch: 'nope' }));
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing.message).toBe(`acme/${s.repo}: branch nope does not exist (or the repository is empty)`);

    // A run that stopped before materialising left only its ETags (.gitcanary/etags.json): the
    // folder is still ours.
    const keeping = createGitHubForge({
      token: fake.token,
      repo: { owner: s.owner, repo: s.repo },
      apiUrl: fake.apiUrl,
      graphqlUrl: fake.graphqlUrl,
      etags: await etagsFor(s.dir, 'api'),
    });
    await keeping.repository(); // the first read of such a run, kept with its ETag
    expect(readdirSync(s.dir)).toEqual(['.gitcanary']);
    expect(readdirSync(join(s.dir, '.gitcanary'))).toEqual(['etags.json']);
    await openGitHubRepo({ forge: keeping, dir: s.dir });
    expect(read(s.dir, 'apps/a/canary.yaml')).toBe('kind: Canary\n');
    rmSync(s.dir, { recursive: true, force: true });

    // git itself writes such trees without complaint (`git mktree`); GitHub may serve them.
    const mk = (input: string) =>
      execFileSync('git', [`--git-dir=${s.bareDir}`, 'mktree'], { input, encoding: 'utf8' }).trim();
    const blob = execFileSync('git', [`--git-dir=${s.bareDir}`, 'hash-object', '-w', '--stdin'], {
      input: 'x: 1\n',
      encoding: 'utf8',
    }).trim();
    const inner = mk(`100644 blob ${blob}\tconfig.yaml\n`);
    for (const name of ['..', '.git', '.Git']) {
      const tree = mk(`040000 tree ${inner}\t${name}\n100644 blob ${blob}\tok.yaml\n`);
      const parent = await s.bare('rev-parse', 'main');
      const commit = execFileSync(
        'git',
        [`--git-dir=${s.bareDir}`, 'commit-tree', tree, '-p', parent, '-m', 'hostile'],
        {
          encoding: 'utf8',
          env: { ...process.env, ...gitIdentity },
        },
      ).trim();
      await s.bare('update-ref', 'refs/heads/main', commit);
      const refused = await failure(openGitHubRepo({ forge: s.forge, dir: s.dir }));
      expect(refused).toBeInstanceOf(TerminalError);
      expect(refused.message).toContain(`refusing the tree path "${name}/config.yaml"`);
      expect(existsSync(join(s.dir, 'ok.yaml'))).toBe(false);
    }
    expect(existsSync(join(s.dir, '..', 'config.yaml'))).toBe(false);
  });
});

const gitIdentity = {
  GIT_AUTHOR_NAME: 'Mallory',
  GIT_AUTHOR_EMAIL: 'mallory@example.com',
  GIT_COMMITTER_NAME: 'Mallory',
  GIT_COMMITTER_EMAIL: 'mallory@example.com',
};

describe('GitHub API repository: commits', () => {
  it('commits with one createCommitOnBranch on the synced head, and updates the folder', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const base = (await git.sync()).head;
    const calls = recorder();
    const message = 'Advance test/a\n\nweight 20\n\nCanary: test/a\nCanary-Phase: Progressing';
    const sha = await git.commit(
      [
        { path: 'apps/a/canary.yaml', content: 'kind: Canary\nspec: {}\n' },
        { path: 'apps/a/status.yaml', content: 'phase: Progressing\n' },
        { path: 'apps/b/deploy.yml', delete: true },
        { path: 'apps/a/kustomization.yaml', content: 'resources: []\n' }, // unchanged: left out
      ],
      message,
      who,
    );
    expect(calls()).toEqual(['POST createCommitOnBranch 200']);
    if (!sha) throw new Error('expected a commit');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await s.bare('rev-parse', 'main')).toBe(sha);
    expect(await s.bare('rev-parse', `${sha}^`)).toBe(base);
    expect(await s.bare('log', '-1', '--format=%B', sha)).toBe(message);
    expect(await s.bare('show', `${sha}:apps/a/status.yaml`)).toBe('phase: Progressing');
    expect(await s.bare('diff-tree', '--no-commit-id', '--name-only', '-r', sha)).toBe(
      ['apps/a/canary.yaml', 'apps/a/status.yaml', 'apps/b/deploy.yml'].join('\n'),
    );
    expect(await git.head()).toBe(sha);
    expect(read(s.dir, 'apps/a/status.yaml')).toBe('phase: Progressing\n');
    expect(read(s.dir, 'apps/b/deploy.yml')).toBeUndefined();
    const manifest = JSON.parse(readFileSync(join(s.dir, '.gitcanary/tree.json'), 'utf8'));
    expect(manifest.head).toBe(sha);
    expect(manifest.files).toContainEqual(['apps/a/status.yaml', gitBlobSha('phase: Progressing\n')]);

    // push() does nothing; the next sync sees our own commit and fetches nothing.
    await git.push();
    const next = recorder();
    expect(await git.sync()).toEqual({ head: sha, upstream: sha });
    expect(next()).toEqual(['GET /repos/{owner}/{repo}/git/ref/{ref} 200']);
    // Its files are known without asking GitHub (the seed commit is asked for).
    const from = fake.requests.length;
    const [newest, seedCommit] = await git.recentChanges(100);
    expect(newest).toMatchObject({
      sha,
      files: ['apps/a/canary.yaml', 'apps/a/status.yaml', 'apps/b/deploy.yml'],
    });
    const asked = fake.requests.slice(from).filter((r) => r.route.endsWith('/commits/{ref}'));
    expect(asked.map((r) => r.path.split('/').at(-1))).toEqual([seedCommit!.sha]);
  });

  it('makes no commit, and no request, for no changes or changes already there', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    await git.sync();
    const calls = recorder();
    expect(await git.commit([], 'nothing', who)).toBeNull();
    expect(
      await git.commit(
        [
          { path: 'apps/a/canary.yaml', content: 'kind: Canary\n' },
          { path: 'apps/x/gone.yaml', delete: true },
        ],
        'same',
        who,
      ),
    ).toBeNull();
    expect(calls()).toEqual([]);
  });

  it('a head moved since the sync is a PushRejectedError; after a reset the commit lands', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    await git.sync();
    const theirs = s.push({ 'apps/a/canary.yaml': 'kind: Canary\nspec: {suspend: true}\n' }, 'pause');
    const change = [{ path: 'apps/a/status.yaml', content: 'phase: Initialized\n' }];
    const lost = await failure(git.commit(change, 'Initialize test/a', who));
    expect(lost).toBeInstanceOf(PushRejectedError);
    expect(await s.bare('rev-parse', 'main')).toBe(theirs);

    await git.resetToUpstream();
    expect(await git.head()).toBe(theirs);
    expect(read(s.dir, 'apps/a/canary.yaml')).toBe('kind: Canary\nspec: {suspend: true}\n');
    const sha = await git.commit(change, 'Initialize test/a', who);
    expect(await s.bare('rev-parse', `${sha}^`)).toBe(theirs);
  });

  it('refuses paths outside the repository or into .git before any request', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const calls = recorder();
    for (const path of ['../x.yaml', '/etc/x.yaml', 'a/./b.yaml', '.git/config', 'apps/.GIT/x.yaml']) {
      const e = await failure(git.commit([{ path, content: 'x' }], 'bad', who));
      expect(e).toBeInstanceOf(TerminalError);
      expect(e.message).toMatch(/^refusing to write/);
    }
    expect(calls()).toEqual([]);
  });
});

describe('GitHub API repository: history', () => {
  it('lists recent changes with their files; each commit costs one call once, merges none', async () => {
    const s = seeded(seed);
    const c1 = s.push({ 'apps/a/canary.yaml': 'kind: Canary\nv: 1\n' }, 'one');
    const c2 = s.push({ 'README.md': 'two\n', 'apps/c/x.yaml': 'x: 1\n' }, 'two');
    // A merged pull request: a merge commit with two parents.
    const side = fake.push(
      s.owner,
      s.repo,
      'feature',
      { 'apps/d/y.yaml': 'y: 1\n' },
      { from: c2, message: 'side' },
    );
    const forge = s.newForge();
    const pr = await forge.createPull({ head: 'feature', base: 'main', title: 'feature', body: '' });
    const merge = fake.mergePull(s.owner, s.repo, pr.number, 'merge');

    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const calls = recorder();
    const recent = await git.recentChanges(100);
    // Newest first (side and two may share a second: either order).
    expect(recent[0]).toMatchObject({ sha: merge, files: [] });
    expect(recent[0]!.message).toMatch(/^Merge pull request #1/);
    const files = Object.fromEntries(recent.map((c) => [c.message.split('\n')[0], c.files]));
    expect(files).toEqual({
      [recent[0]!.message.split('\n')[0]!]: [],
      side: ['apps/d/y.yaml'],
      two: ['README.md', 'apps/c/x.yaml'],
      one: ['apps/a/canary.yaml'],
      seed: Object.keys(seed).sort(),
    });
    expect(new Set(recent.map((c) => c.sha))).toEqual(new Set([merge, side, c2, c1, recent[4]!.sha]));
    expect(recent.find((c) => c.sha === side)).toMatchObject({
      author: 'Test Person',
      authorEmail: 'test@example.com',
      date: expect.any(Date),
    });
    const commitCalls = () => calls().filter((c) => c.startsWith('GET /repos/{owner}/{repo}/commits/{ref}'));
    expect(commitCalls()).toHaveLength(4);
    expect(calls().filter((c) => c.startsWith('GET /repos/{owner}/{repo}/commits '))).toHaveLength(1);

    // One more commit: only it is asked for, also from a new process on the same folder.
    s.push({ 'apps/a/canary.yaml': 'kind: Canary\nv: 3\n' }, 'three');
    const reopened = await openGitHubRepo({ forge: s.newForge(), dir: s.dir });
    const again = recorder();
    const more = await reopened.recentChanges(100);
    expect(more[0]).toMatchObject({ files: ['apps/a/canary.yaml'] });
    expect(more).toHaveLength(6);
    expect(again().filter((c) => c.startsWith('GET /repos/{owner}/{repo}/commits/{ref}'))).toHaveLength(1);
    expect((await reopened.recentChanges(2)).map((c) => c.message.split('\n')[0])).toEqual([
      'three',
      expect.stringMatching(/^Merge pull request/),
    ]);
  });

  it('after its own commit, the next run knows the newest commits without listing them', async () => {
    const s = seeded(seed);
    const who = { name: 'gitcanary', email: 'gitcanary@example.com' };
    const first = await openGitHubRepo({ forge: s.newForge(), dir: s.dir });
    expect(await first.recentChanges(100)).toHaveLength(1);
    const sha = await first.commit(
      [{ path: 'apps/a/status.yaml', content: 'phase: Progressing\n' }],
      'step\n\nCanary-Phase: Progressing',
      who,
    );

    // The next run (a new process on the same folder): no listing, and what a listing would say.
    const next = await openGitHubRepo({ forge: s.newForge(), dir: s.dir });
    const calls = recorder();
    const recent = await next.recentChanges(100);
    expect(calls().filter((c) => c.startsWith('GET /repos/{owner}/{repo}/commits'))).toEqual([]);
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'gitcanary-api-')), 'fresh');
    temps.push(dirname(elsewhere));
    const listed = await (await openGitHubRepo({ forge: s.newForge(), dir: elsewhere })).recentChanges(100);
    const shape = (cs: typeof recent) => cs.map((c) => ({ ...c, message: c.message.trimEnd() }));
    expect(shape(recent)).toEqual(shape(listed));
    expect(recent[0]).toMatchObject({ sha, files: ['apps/a/status.yaml'] });

    // Someone else's push: that head was never listed, so it is.
    s.push({ 'README.md': 'later\n' }, 'later');
    const third = await openGitHubRepo({ forge: s.newForge(), dir: s.dir });
    const again = recorder();
    expect((await third.recentChanges(100)).map((c) => c.message.trim())).toEqual([
      'later',
      'step\n\nCanary-Phase: Progressing',
      'seed',
    ]);
    expect(again().filter((c) => c.startsWith('GET /repos/{owner}/{repo}/commits '))).toHaveLength(1);
  });

  it('log filters by path and text, pages, and lastCommitTime is the committer time', async () => {
    const s = seeded(seed);
    for (let i = 1; i <= 5; i++) s.push({ [`apps/a/f${i}.yaml`]: `i: ${i}\n` }, `a step ${i}`);
    s.push({ 'apps/b/deploy.yml': 'kind: Deployment\nv: 2\n' }, 'b change');
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const subjects = (entries: { message: string }[]) => entries.map((e) => e.message.split('\n')[0]);
    expect(subjects(await git.log({ paths: ['apps/a'] }))).toEqual([
      'a step 5',
      'a step 4',
      'a step 3',
      'a step 2',
      'a step 1',
      'seed',
    ]);
    expect(subjects(await git.log({ paths: ['apps/a'], maxCount: 2 }))).toEqual(['a step 5', 'a step 4']);
    expect(subjects(await git.log({ grep: 'step 3' }))).toEqual(['a step 3']);
    expect(subjects(await git.log({ paths: ['apps/b', 'apps/a/f1.yaml'] }))).toEqual([
      'b change',
      'a step 1',
      'seed',
    ]);
    expect(await git.log({ maxCount: 0 })).toEqual([]);
    const when = await git.lastCommitTime('apps/b/deploy.yml');
    const expected = await s.bare('log', '-1', '--format=%cI', 'main', '--', 'apps/b/deploy.yml');
    expect(when?.getTime()).toBe(new Date(expected).getTime());
    expect(await git.lastCommitTime('nowhere.yaml')).toBeNull();
  });
});

describe('GitHub API repository: proposed branches', () => {
  it('creates a branch with one commit on the base, then replaces it without ever pointing it at the base', async () => {
    const s = seeded(seed);
    const git = await openGitHubRepo({ forge: s.forge, dir: s.dir });
    const base = await git.head();
    const branch = 'gitcanary/test/a';
    const proposal = (weight: number, lease?: string | null) => ({
      branch,
      base,
      changes: [{ path: 'apps/a/vs.yaml', content: `weight: ${weight}\n` }],
      message: `Advance test/a to ${weight}\n\nCanary: test/a`,
      author: who,
      ...(lease === undefined ? {} : { lease }),
    });
    const calls = recorder();
    const first = await git.proposeBranch(proposal(20, null));
    expect(calls()).toEqual(['POST /repos/{owner}/{repo}/git/refs 201', 'POST createCommitOnBranch 200']);
    expect(await s.bare('rev-parse', branch)).toBe(first);
    expect(await s.bare('rev-parse', `${first}^`)).toBe(base);
    expect(await s.bare('show', `${first}:apps/a/vs.yaml`)).toBe('weight: 20');
    expect(await s.bare('rev-parse', 'main')).toBe(base);
    expect(await git.head()).toBe(base);

    // An open pull request on it must never see its head at the base (GitHub would close it).
    const pr = await s.forge.createPull({ head: branch, base: 'main', title: 'step', body: '' });
    const heads: string[] = [];
    fake.beforeNext(/graphql/, () =>
      heads.push(
        execFileSync('git', [`--git-dir=${s.bareDir}`, 'rev-parse', branch], { encoding: 'utf8' }).trim(),
      ),
    );
    const update = recorder();
    const second = await git.proposeBranch(proposal(40, first));
    expect(heads).toEqual([first]);
    expect(update()).toEqual([
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
      'POST /repos/{owner}/{repo}/git/refs 201',
      'POST createCommitOnBranch 200',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref} 200',
      'DELETE /repos/{owner}/{repo}/git/refs/{ref} 204',
    ]);
    expect(await s.bare('rev-parse', branch)).toBe(second);
    expect(await s.bare('rev-parse', `${second}^`)).toBe(base);
    expect(await s.bare('for-each-ref', '--format=%(refname)', 'refs/heads/gitcanary-scratch')).toBe('');
    expect(fake.pulls(s.owner, s.repo).find((p) => p.number === pr.number)).toMatchObject({
      state: 'open',
      headSha: second,
    });

    // Leases: a stale one, or "must not exist" on an existing branch, is a lost race.
    expect(await failure(git.proposeBranch(proposal(60, first)))).toBeInstanceOf(PushRejectedError);
    expect(await failure(git.proposeBranch(proposal(60, null)))).toBeInstanceOf(PushRejectedError);
    expect(await s.bare('rev-parse', branch)).toBe(second);
    // No lease: replaced whatever is there.
    const third = await git.proposeBranch(proposal(60));
    expect(await s.bare('show', `${third}:apps/a/vs.yaml`)).toBe('weight: 60');
    // Never on the branch itself.
    const self = await failure(git.proposeBranch({ ...proposal(80), branch: 'main' }));
    expect(self).toBeInstanceOf(TerminalError);
  });
});

describe('GitHub API repository: opening', () => {
  it('creates a missing folder; the port reports our own branch', async () => {
    const s = seeded({ 'x.yaml': 'a: 1\n' });
    const git: GitRepo = await openGitHubRepo({ forge: s.forge, dir: join(s.dir, 'deep', 'er') });
    expect(read(join(s.dir, 'deep', 'er'), 'x.yaml')).toBe('a: 1\n');
    expect(await git.branch()).toBe('main');
  });
});
