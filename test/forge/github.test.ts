/**
 * The GitHub adapter against the fake GitHub (real bare repos behind it): every Forge method,
 * retries on 5xx and secondary rate limits, ETag reuse, typed errors without the token, and
 * GitHub's compare-and-swap surfacing as PushRejectedError.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, PushRejectedError, TerminalError, TransientError } from '../../src/errors.js';
import { fileEtags } from '../../src/forge/etag-store.js';
import { createGitHubForge, type GitHubForgeOptions } from '../../src/forge/github.js';
import type { Forge } from '../../src/forge/port.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const run = promisify(execFile);
let fake: FakeGitHub;

/** git on a fake repo's bare directory (no HTTP needed to read it back). */
async function bareGit(bareDir: string, ...args: string[]): Promise<string> {
  return (await run('git', [`--git-dir=${bareDir}`, ...args])).stdout.trim();
}

interface Seeded {
  forge: Forge;
  bareDir: string;
  main: string;
  owner: string;
  repo: string;
  /** Someone else's push to `branch` (from main's tip when new); returns its head. */
  push: (branch: string, files: Record<string, string | null>) => string;
}

/** A fake repo with `files` on main and a forge for it (writes unspaced, fast 5xx backoff). */
function seeded(
  repo: string,
  files: Record<string, string> = { 'README.md': 'hello\n' },
  opts: Partial<GitHubForgeOptions> = {},
): Seeded {
  const owner = 'acme';
  const { bareDir } = fake.createRepo(owner, repo);
  const main = fake.push(owner, repo, 'main', files, { message: 'seed' });
  const forge = createGitHubForge({
    token: fake.token,
    repo: { owner, repo },
    apiUrl: fake.apiUrl,
    graphqlUrl: fake.graphqlUrl,
    minWriteIntervalMs: 0,
    retryBackoffMs: 20,
    ...opts,
  });
  const tip = (ref: string): string | null => {
    try {
      return execFileSync('git', [`--git-dir=${bareDir}`, 'rev-parse', '--verify', '-q', ref])
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  const push = (branch: string, changes: Record<string, string | null>): string => {
    const from = tip(`refs/heads/${branch}`) ? {} : { from: tip('refs/heads/main') };
    return fake.push(owner, repo, branch, changes, { message: `change on ${branch}`, ...from });
  };
  return { forge, bareDir, main, owner, repo, push };
}

/** Requests of `forge` since `from`, as `METHOD route status`. */
const log = (forge: Forge, from = 0): string[] =>
  forge.requests.slice(from).map((r) => `${r.method} ${r.route} ${r.status}`);

const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterEach(() => {
  expect(fake.schemaViolations.splice(0)).toEqual([]);
});
afterAll(async () => {
  await fake.close();
});

describe('GitHub forge', () => {
  it('reads the repository, branch heads (ETag 304 reuse), trees, blobs and commits', async () => {
    const { forge, push, main } = seeded('reads', { 'README.md': 'hi\n', 'apps/a.yaml': 'a: 1\n' });
    expect(await forge.repository()).toEqual({
      defaultBranch: 'main',
      cloneUrl: `${fake.base}/acme/reads.git`,
      htmlUrl: `${fake.base}/acme/reads`,
    });
    expect(await forge.branchHead('main')).toBe(main);
    expect(await forge.branchHead('main')).toBe(main);
    expect(await forge.branchHead('nope')).toBeNull();
    const ref = 'GET /repos/{owner}/{repo}/git/ref/{ref}';
    expect(log(forge, 1)).toEqual([`${ref} 200`, `${ref} 304`, `${ref} 404`]);
    const next = push('main', { 'apps/b.yaml': 'b: 2\n' });
    expect(await forge.branchHead('main')).toBe(next);
    expect(forge.requests.at(-1)?.status).toBe(200);

    const tree = await forge.tree(next);
    expect(tree.map((e) => [e.path, e.size])).toEqual([
      ['README.md', 3],
      ['apps/a.yaml', 5],
      ['apps/b.yaml', 5],
    ]);
    const before = forge.requests.length;
    expect(await forge.tree(next)).toEqual(tree);
    expect(forge.requests.length).toBe(before);
    await forge.tree('main');
    expect(await forge.tree('main')).toEqual(tree);
    expect(log(forge, before)).toEqual([
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200',
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha} 304',
    ]);
    const blobSha = tree.find((e) => e.path === 'apps/b.yaml')!.sha;
    expect(await forge.blob(blobSha)).toBe('b: 2\n');
    expect(await forge.blob(blobSha)).toBe('b: 2\n');
    expect(forge.requests.filter((r) => r.route.endsWith('/git/blobs/{file_sha}'))).toHaveLength(1);

    const commits = await forge.commits({ branch: 'main', perPage: 10 });
    expect(commits.map((c) => [c.sha, c.message.trim(), c.author, c.authorEmail])).toEqual([
      [next, 'change on main', 'Test Person', 'test@example.com'],
      [main, 'seed', 'Test Person', 'test@example.com'],
    ]);
    expect(
      (await forge.commits({ branch: 'main', perPage: 10, path: 'README.md' })).map((c) => c.sha),
    ).toEqual([main]);
    expect((await forge.commit(next)).files).toEqual(['apps/b.yaml']);
  });

  it('a file ETag store makes the repeated reads of the next process free 304s, per repository', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gitcanary-etags-')), 'etags.json');
    const first = seeded('etags-a', { 'README.md': 'hi\n' }, { etags: await fileEtags(path) });
    const head = first.push('gitcanary/demo/app', { 'vs.yaml': 'weight: 10\n' });
    await first.forge.createPull({ head: 'gitcanary/demo/app', base: 'main', title: 'step 10', body: 'e' });
    const list = (f: Forge) => f.listPulls({ headPrefix: 'gitcanary/', state: 'all', base: 'main' });
    const reads = async (f: Forge) => [
      await f.repository(),
      await f.branchHead('main'),
      await list(f),
      await f.commits({ branch: 'main', perPage: 10 }),
    ];
    const seen = await reads(first.forge);
    expect(log(first.forge, 1).every((l) => l.endsWith(' 200'))).toBe(true);

    // The next run: a new process, the same file. Nothing changed: every read is a 304.
    const nextRun = async () =>
      createGitHubForge({
        token: fake.token,
        repo: { owner: 'acme', repo: 'etags-a' },
        apiUrl: fake.apiUrl,
        graphqlUrl: fake.graphqlUrl,
        etags: await fileEtags(path),
      });
    const again = await nextRun();
    expect(await reads(again)).toEqual(seen);
    expect(log(again).map((l) => l.slice(l.lastIndexOf(' ') + 1))).toEqual(['304', '304', '304', '304']);
    expect((await list(again))[0]).toMatchObject({ number: 1, headSha: head, state: 'open' });

    // What changed is read again in full.
    fake.mergePull('acme', 'etags-a', 1);
    const third = await nextRun();
    expect((await list(third))[0]).toMatchObject({ number: 1, state: 'closed', merged: true });
    expect(log(third)).toEqual(['GET /repos/{owner}/{repo}/pulls 200']);

    // Another repository sharing the file never gets this one's answers.
    const other = seeded('etags-b', { 'README.md': 'hi\n' }, { etags: await fileEtags(path) });
    expect(await list(other.forge)).toEqual([]);
    expect(log(other.forge)).toEqual(['GET /repos/{owner}/{repo}/pulls 200']);
    rmSync(dirname(path), { recursive: true, force: true });
  });

  it('opens, lists, updates, comments on, sets statuses on and merges pull requests', async () => {
    const { forge, push, owner, repo } = seeded('pulls');
    const head = push('gitcanary/demo/app', { 'vs.yaml': 'weight: 10\n' });
    push('feature/other', { 'other.txt': 'x\n' });
    const pr = await forge.createPull({
      head: 'gitcanary/demo/app',
      base: 'main',
      title: 'step 10',
      body: 'evidence',
    });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      head: 'gitcanary/demo/app',
      headSha: head,
    });
    expect(pr.url).toBe(`${fake.base}/acme/pulls/pull/1`);
    await forge.createPull({ head: 'feature/other', base: 'main', title: 'other', body: '' });

    const listed = await forge.listPulls({ headPrefix: 'gitcanary/', state: 'all', base: 'main' });
    expect(listed.map((p) => p.number)).toEqual([1]);
    expect(fake.requests.at(-1)?.path).toContain('per_page=100');
    const updated = await forge.updatePull(1, { title: 'step 20', body: 'more evidence' });
    expect(updated).toMatchObject({ title: 'step 20', body: 'more evidence' });
    await forge.comment(1, 'analysis passed');
    expect(fake.comments(owner, repo, 1).map((c) => c.body)).toEqual(['analysis passed']);

    await forge.setStatus(head, {
      context: 'gitcanary/demo/app',
      state: 'pending',
      description: 'x'.repeat(200),
    });
    const [status] = fake.statuses(owner, repo, head);
    expect(Array.from(status!.description!)).toHaveLength(140);
    expect(status!.description!.endsWith('…')).toBe(true);

    const stale = await failure(forge.mergePull(1, { method: 'merge', sha: '0'.repeat(40) }));
    expect(stale).toBeInstanceOf(PushRejectedError);
    expect(stale.message).toContain('PUT /repos/acme/pulls/pulls/1/merge: 409 Head branch was modified');
    const sha = await forge.mergePull(1, { method: 'squash', sha: head });
    expect(await forge.branchHead('main')).toBe(sha);
    const notMergeable = await failure(forge.mergePull(1, { method: 'merge', sha: head }));
    expect(notMergeable).toBeInstanceOf(TerminalError);
    expect(notMergeable.message).toContain(': 405 Pull Request is not mergeable');

    const closed = await forge.updatePull(2, { state: 'closed' });
    expect(closed).toMatchObject({ state: 'closed', merged: false });
    const all = await forge.listPulls({ headPrefix: '', state: 'all' });
    expect(all.map((p) => [p.number, p.state, p.merged, p.mergeCommitSha])).toEqual([
      [2, 'closed', false, null],
      [1, 'closed', true, sha],
    ]);
    expect(await forge.listPulls({ headPrefix: '', state: 'open' })).toEqual([]);
  });

  it('enables auto-merge on a blocked PR (merged once the required check passes); a clean PR says so', async () => {
    const { forge, push, owner, repo } = seeded('automerge');
    fake.protectBranch(owner, repo, 'main', { requiredContexts: ['gitcanary/demo/app'] });
    const head = push('gitcanary/demo/app', { 'vs.yaml': 'weight: 0\n' });
    const pr = await forge.createPull({
      head: 'gitcanary/demo/app',
      base: 'main',
      title: 'rollback',
      body: '',
    });
    await forge.enableAutoMerge(pr, 'MERGE');
    expect(fake.pulls(owner, repo)[0]).toMatchObject({ state: 'open', autoMerge: { method: 'merge' } });
    await forge.setStatus(head, {
      context: 'gitcanary/demo/app',
      state: 'success',
      description: 'rolled back',
    });
    const [merged] = await forge.listPulls({ headPrefix: 'gitcanary/', state: 'all' });
    expect(merged).toMatchObject({ state: 'closed', merged: true });
    expect(await forge.branchHead('main')).toBe(merged!.mergeCommitSha);

    const next = push('gitcanary/demo/next', { 'vs.yaml': 'weight: 5\n' });
    await forge.setStatus(next, { context: 'gitcanary/demo/app', state: 'success', description: 'ok' });
    const clean = await forge.createPull({
      head: 'gitcanary/demo/next',
      base: 'main',
      title: 'next',
      body: '',
    });
    const refused = await failure(forge.enableAutoMerge(clean, 'SQUASH'));
    expect(refused).toBeInstanceOf(TerminalError);
    expect(refused.message).toMatch(
      /^POST \/graphql enablePullRequestAutoMerge: UNPROCESSABLE: .*clean status/,
    );
  });

  it('commits through createCommitOnBranch; a head moved meanwhile is a PushRejectedError', async () => {
    const { forge, main, bareDir } = seeded('api-commit', {
      'README.md': 'hi\n',
      'old.yaml': 'x\n',
    });
    const created = await forge.createCommitOnBranch({
      branch: 'main',
      expectedHeadOid: main,
      headline: 'canary demo/app: weight 10',
      body: 'Canary: demo/app\nCanary-Weight: 10',
      additions: [{ path: 'apps/rendered/vs.yaml', content: 'weight: 10 # é\n' }],
      deletions: ['old.yaml'],
    });
    const sha = created.sha;
    expect(log(forge).at(-1)).toBe('POST /graphql createCommitOnBranch 200');
    // The commit as GitHub recorded it, the same as a listing of the branch then shows it.
    const [listed] = await forge.commits({ branch: 'main', perPage: 1 });
    expect(created).toEqual({ ...listed, message: listed!.message.trimEnd() });
    expect(await bareGit(bareDir, 'rev-parse', 'main')).toBe(sha);
    expect(await bareGit(bareDir, 'show', 'main:apps/rendered/vs.yaml')).toBe('weight: 10 # é');
    expect(await bareGit(bareDir, 'ls-tree', '-r', '--name-only', 'main')).toBe(
      'README.md\napps/rendered/vs.yaml',
    );
    expect(await bareGit(bareDir, 'log', '-1', '--format=%B', 'main')).toBe(
      'canary demo/app: weight 10\n\nCanary: demo/app\nCanary-Weight: 10',
    );

    // Someone else lands a commit between our read of the head and our mutation.
    fake.beforeNext(/graphql/, () => {
      const env = {
        ...process.env,
        GIT_DIR: bareDir,
        GIT_AUTHOR_NAME: 'x',
        GIT_AUTHOR_EMAIL: 'x@x',
        GIT_COMMITTER_NAME: 'x',
        GIT_COMMITTER_EMAIL: 'x@x',
      };
      const other = execFileSync('git', ['commit-tree', `${sha}^{tree}`, '-p', sha, '-m', 'other'], { env })
        .toString()
        .trim();
      execFileSync('git', ['update-ref', 'refs/heads/main', other, sha], { env });
    });
    const lost = await failure(
      forge.createCommitOnBranch({
        branch: 'main',
        expectedHeadOid: sha,
        headline: 'next',
        additions: [],
        deletions: [],
      }),
    );
    expect(lost).toBeInstanceOf(PushRejectedError);
    expect(lost.message).toContain(`STALE_DATA: Expected branch to point to "${sha}" but it did not.`);
  });

  it('creates and force-moves branches', async () => {
    const { forge, push, main } = seeded('branches');
    const side = push('side', { 'x.txt': 'x\n' });
    await forge.setBranch('gitcanary/demo/app', side);
    expect(await forge.branchHead('gitcanary/demo/app')).toBe(side);
    await forge.setBranch('gitcanary/demo/app', main);
    expect(await forge.branchHead('gitcanary/demo/app')).toBe(main);
    expect(log(forge).slice(0, 3)).toEqual([
      'PATCH /repos/{owner}/{repo}/git/refs/{ref} 422',
      'POST /repos/{owner}/{repo}/git/refs 201',
      'GET /repos/{owner}/{repo}/git/ref/{ref} 200',
    ]);
  });

  it('retries a 502 and a secondary rate limit (after retry-after); gives up with TransientError', async () => {
    const { forge, main } = seeded('retries');
    fake.inject({ method: 'GET', route: /\/pulls$/, status: 502 });
    expect(await forge.listPulls({ headPrefix: 'gitcanary/', state: 'open' })).toEqual([]);
    expect(log(forge)).toEqual([
      'GET /repos/{owner}/{repo}/pulls 502',
      'GET /repos/{owner}/{repo}/pulls 200',
    ]);

    const secondary = {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    };
    fake.inject({ route: /\/statuses\//, status: 403, headers: { 'retry-after': '1' }, body: secondary });
    const started = Date.now();
    await forge.setStatus(main, { context: 'gitcanary/demo/app', state: 'pending', description: 'waiting' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(log(forge, 2)).toEqual([
      'POST /repos/{owner}/{repo}/statuses/{sha} 403',
      'POST /repos/{owner}/{repo}/statuses/{sha} 201',
    ]);

    fake.inject({ route: /\/statuses\//, status: 403, headers: { 'retry-after': '3600' }, body: secondary });
    const capped = await failure(forge.setStatus(main, { context: 'c', state: 'success', description: '' }));
    expect(capped).toBeInstanceOf(TransientError);
    expect(capped.message).toContain(
      `POST /repos/acme/retries/statuses/${main}: 403 You have exceeded a secondary rate limit`,
    );

    fake.inject({ method: 'GET', route: /\/git\/blobs\//, status: 503, times: 5 });
    const down = await failure(forge.blob('0123456789012345678901234567890123456789'));
    expect(down).toBeInstanceOf(TransientError);
    expect(log(forge).filter((l) => l.endsWith(' 503'))).toHaveLength(3);
  });

  it('returns the open PR when a retried create finds it already exists (the first reply was lost)', async () => {
    const { forge, push, owner, repo } = seeded('idempotent');
    push('gitcanary/demo/app', { 'vs.yaml': 'weight: 10\n' });
    fake.inject({ method: 'POST', route: /\/pulls$/, status: 502, afterHandling: true });
    const pr = await forge.createPull({ head: 'gitcanary/demo/app', base: 'main', title: 'step', body: '' });
    expect(pr).toMatchObject({ number: 1, state: 'open', head: 'gitcanary/demo/app' });
    expect(log(forge)).toEqual([
      'POST /repos/{owner}/{repo}/pulls 502',
      'POST /repos/{owner}/{repo}/pulls 422',
      'GET /repos/{owner}/{repo}/pulls 200',
    ]);
    expect(fake.pulls(owner, repo)).toHaveLength(1);
  });

  it('fails a 401 with a TerminalError naming the call and never the token; GHES GraphQL URL by default', async () => {
    const { forge, main } = seeded('auth', undefined, { graphqlUrl: undefined });
    fake.inject({
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
    });
    const denied = await failure(forge.repository());
    expect(denied).toBeInstanceOf(TerminalError);
    expect(denied.message).toBe('GET /repos/acme/auth: 401 Bad credentials');
    expect(`${denied.message}\n${denied.stack}`).not.toContain(fake.token);
    expect(JSON.stringify((denied.cause as { request?: unknown }).request)).not.toContain(fake.token);
    expect(log(forge)).toEqual(['GET /repos/{owner}/{repo} 401']);

    const { sha } = await forge.createCommitOnBranch({
      branch: 'main',
      expectedHeadOid: main,
      headline: 'via the derived GraphQL URL',
      additions: [{ path: 'a.txt', content: 'a\n' }],
      deletions: [],
    });
    expect(await forge.branchHead('main')).toBe(sha);
  });

  it('times out a slow answer and retries it; configuration mistakes are ConfigurationErrors', async () => {
    const { forge } = seeded('slow', undefined, { timeoutMs: 300 });
    fake.inject({ method: 'GET', route: /\/pulls$/, status: 504, delayMs: 1500 });
    expect(await forge.listPulls({ headPrefix: '', state: 'all' })).toEqual([]);
    expect(log(forge)).toEqual(['GET /repos/{owner}/{repo}/pulls 0', 'GET /repos/{owner}/{repo}/pulls 200']);

    const missing = createGitHubForge({
      token: fake.token,
      repo: { owner: 'acme', repo: 'nope' },
      apiUrl: fake.apiUrl,
    });
    const notFound = await failure(missing.repository());
    expect(notFound).toBeInstanceOf(ConfigurationError);
    expect(notFound.message).toMatch(/^GET \/repos\/acme\/nope: 404 Not Found \(does the repository exist/);
    expect(() => createGitHubForge({ token: '', repo: { owner: 'a', repo: 'b' } })).toThrow(
      ConfigurationError,
    );
    expect(() =>
      createGitHubForge({ token: 't', repo: { owner: 'a', repo: 'b' }, apiUrl: 'not a url' }),
    ).toThrow('apiUrl is not a URL');
  });
});

describe('comment commands through the API', () => {
  it('lists comments since a time across pages, reads permissions, reacts once', async () => {
    const s = seeded('comments');
    s.push('gitcanary/test/podinfo', { 'step.txt': 'x\n' });
    const pr = await s.forge.createPull({
      head: 'gitcanary/test/podinfo',
      base: 'main',
      title: 't',
      body: 'b',
    });
    const ids = Array.from({ length: 120 }, (_, i) =>
      fake.addComment(s.owner, s.repo, pr.number, i % 2 ? 'ann' : 'bob', `comment ${i}`),
    );
    const from = s.forge.requests.length;
    const all = await s.forge.listComments(pr.number, { limit: 3 });
    expect(all.map((c) => c.id)).toEqual(ids);
    expect(all[1]).toMatchObject({ user: 'ann', body: 'comment 1' });
    expect(log(s.forge, from)).toEqual([
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200',
    ]);
    const since = await s.forge.listComments(pr.number, { since: '2999-01-01T00:00:00Z' });
    expect(since).toEqual([]);

    fake.setPermission(s.owner, s.repo, 'ann', 'maintain');
    fake.setPermission(s.owner, s.repo, 'carl', 'triage');
    expect(await s.forge.permission('ann')).toBe('maintain');
    expect(await s.forge.permission('carl')).toBe('triage');
    expect(await s.forge.permission('bob')).toBe('none');

    await s.forge.react(ids[0]!, 'rocket');
    await s.forge.react(ids[0]!, 'rocket');
    expect(fake.reactions(ids[0]!)).toEqual([{ user: 'gitcanary-bot', content: 'rocket' }]);
    expect(fake.schemaViolations).toEqual([]);
  });
});
