/**
 * The fake GitHub itself, exercised the way gitcanary and humans use GitHub: real Octokit for
 * REST and GraphQL, real `git` over smart HTTP for clone and push. Every test ends with no
 * schema violation: what the fake answers matches GitHub's OpenAPI description.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const run = promisify(execFile);
const identity = ['-c', 'user.name=Test Person', '-c', 'user.email=test@example.com'];
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const dirs: string[] = [];
let fake: FakeGitHub;
let gh: Octokit;

/** git in `cwd` (asynchronous: the fake serves HTTP from this process's event loop). */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };
  return (await run('git', [...identity, ...args], { cwd, env })).stdout.trim();
}

/** A repo `owner/name` on the fake with one commit on main, and a clone of it. */
async function seeded(name: string, files: Record<string, string> = { 'README.md': 'hello\n' }) {
  const { cloneUrl, bareDir } = fake.createRepo('acme', name);
  const work = await mkdtemp(join(tmpdir(), 'fake-github-test-'));
  dirs.push(work);
  await git(work, 'clone', '-q', cloneUrl, '.');
  for (const [path, content] of Object.entries(files)) await writeFile(join(work, path), content);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'seed');
  await git(work, 'push', '-q', 'origin', 'HEAD:main');
  const main = await git(work, 'rev-parse', 'HEAD');
  return { work, cloneUrl, bareDir, main, owner: 'acme', repo: name };
}

/** A repo with one commit on main made in place (no HTTP), and a way to add branches from main. */
function quick(name: string, files: Record<string, string> = { 'README.md': 'hello\n' }) {
  const owner = 'acme';
  const { bareDir } = fake.createRepo(owner, name);
  const main = fake.push(owner, name, 'main', files, { message: 'seed' });
  const branch = (branch: string, changes: Record<string, string>): string =>
    fake.push(owner, name, branch, changes, { from: main, message: `change on ${branch}` });
  return { owner, repo: name, main, bareDir, branch };
}

/** git on a bare repo, to read back what the server wrote. */
const bareGit = (bareDir: string, ...args: string[]): Promise<string> =>
  git(bareDir, `--git-dir=${bareDir}`, ...args);

/** Commits `files` on a new branch from main and pushes it; returns its head. */
async function pushBranch(work: string, branch: string, files: Record<string, string>): Promise<string> {
  await git(work, 'fetch', '-q', 'origin');
  await git(work, 'checkout', '-q', '-B', branch, 'origin/main');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', `change on ${branch}`);
  await git(work, 'push', '-q', '-f', 'origin', `HEAD:${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

const status = async (p: Promise<unknown>): Promise<{ status: number; message: string }> =>
  p.then(
    () => ({ status: 0, message: '' }),
    (e: { status: number; message: string }) => ({ status: e.status, message: e.message }),
  );

beforeAll(async () => {
  fake = await startFakeGitHub();
  gh = new Octokit({ baseUrl: fake.apiUrl, auth: fake.token, log: silent });
});
afterEach(() => {
  expect(fake.schemaViolations.splice(0)).toEqual([]);
});
afterAll(async () => {
  await fake.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('fake GitHub', () => {
  it('serves clone and push over HTTP and the repository over REST; no token is 401', async () => {
    const { cloneUrl, main, work } = await seeded('basics');
    const repo = await gh.rest.repos.get({ owner: 'acme', repo: 'basics' });
    expect(repo.data).toMatchObject({
      full_name: 'acme/basics',
      default_branch: 'main',
      clone_url: cloneUrl,
    });
    const again = await mkdtemp(join(tmpdir(), 'fake-github-test-'));
    dirs.push(again);
    await git(again, 'clone', '-q', cloneUrl, '.');
    expect(await git(again, 'rev-parse', 'HEAD')).toBe(main);
    expect(await git(work, 'ls-remote', cloneUrl, 'main')).toContain(main);

    const anonymous = new Octokit({ baseUrl: fake.apiUrl, log: silent });
    expect(await status(anonymous.rest.repos.get({ owner: 'acme', repo: 'basics' }))).toMatchObject({
      status: 401,
    });
    expect(await status(gh.rest.repos.get({ owner: 'acme', repo: 'nope' }))).toMatchObject({ status: 404 });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      route: '/repos/{owner}/{repo}',
      status: 404,
    });
  });

  it('opens, lists, updates, merges and closes pull requests like GitHub', async () => {
    const { work, owner, repo, main } = await seeded('pulls');
    const head = await pushBranch(work, 'gitcanary/demo/app', { 'vs.yaml': 'weight: 10\n' });
    const created = await gh.rest.pulls.create({
      owner,
      repo,
      head: 'gitcanary/demo/app',
      base: 'main',
      title: 'step 10',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ number: 1, state: 'open', merged: false, mergeable_state: 'clean' });
    expect(created.data.head).toMatchObject({
      ref: 'gitcanary/demo/app',
      sha: head,
      label: 'acme:gitcanary/demo/app',
    });

    const duplicate = await status(
      gh.rest.pulls.create({ owner, repo, head: 'acme:gitcanary/demo/app', base: 'main', title: 'x' }),
    );
    expect(duplicate).toMatchObject({ status: 422 });
    expect(duplicate.message).toContain('A pull request already exists for acme:gitcanary/demo/app.');
    await git(work, 'push', '-q', 'origin', `${main}:refs/heads/empty`);
    const empty = await status(
      gh.rest.pulls.create({ owner, repo, head: 'empty', base: 'main', title: 'x' }),
    );
    expect(empty.message).toContain('No commits between main and empty');

    const listed = await gh.rest.pulls.list({ owner, repo, head: 'acme:gitcanary/demo/app', state: 'all' });
    expect(listed.data.map((p) => p.number)).toEqual([1]);
    expect((await gh.rest.pulls.list({ owner, repo, state: 'closed' })).data).toEqual([]);
    const updated = await gh.rest.pulls.update({
      owner,
      repo,
      pull_number: 1,
      title: 'step 20',
      body: 'why',
    });
    expect(updated.data).toMatchObject({ title: 'step 20', body: 'why' });

    const stale = await status(gh.rest.pulls.merge({ owner, repo, pull_number: 1, sha: main }));
    expect(stale).toMatchObject({
      status: 409,
      message: expect.stringContaining('Head branch was modified'),
    });
    const merged = await gh.rest.pulls.merge({ owner, repo, pull_number: 1, sha: head });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    await git(work, 'fetch', '-q', 'origin');
    expect(await git(work, 'rev-parse', 'origin/main')).toBe(merged.data.sha);
    expect(await git(work, 'show', 'origin/main:vs.yaml')).toBe('weight: 10');
    expect(await git(work, 'log', '-1', '--format=%P|%cn <%ce>|%s', 'origin/main')).toBe(
      `${main} ${head}|GitHub <noreply@github.com>|Merge pull request #1 from acme/gitcanary/demo/app`,
    );
    expect((await status(gh.rest.pulls.merge({ owner, repo, pull_number: 1 }))).status).toBe(405);
    const after = await gh.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.data.sha });

    await pushBranch(work, 'other', { 'b.txt': 'b\n' });
    const second = await gh.rest.pulls.create({ owner, repo, head: 'other', base: 'main', title: 'other' });
    await gh.rest.pulls.update({ owner, repo, pull_number: second.data.number, state: 'closed' });
    const all = await gh.rest.pulls.list({ owner, repo, state: 'all', sort: 'updated', direction: 'desc' });
    expect(all.data.map((p) => [p.number, p.state])).toEqual([
      [2, 'closed'],
      [1, 'closed'],
    ]);
    expect(fake.pulls(owner, repo).map((p) => [p.number, p.merged])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('paginates with a Link header', async () => {
    const { owner, repo, branch } = quick('pages');
    for (const n of [1, 2, 3]) {
      branch(`b${n}`, { [`f${n}.txt`]: `${n}\n` });
      await gh.rest.pulls.create({ owner, repo, head: `b${n}`, base: 'main', title: `pr ${n}` });
    }
    const first = await gh.rest.pulls.list({ owner, repo, per_page: 2 });
    expect(first.data.map((p) => p.number)).toEqual([3, 2]);
    expect(first.headers.link).toContain('rel="next"');
    const all = await gh.paginate(gh.rest.pulls.list, { owner, repo, per_page: 2, direction: 'asc' });
    expect(all.map((p) => p.number)).toEqual([1, 2, 3]);
  });

  it('stores comments and commit statuses; combines statuses per context', async () => {
    const { owner, repo, branch } = quick('statuses');
    const head = branch('feature', { 'a.txt': 'a\n' });
    await gh.rest.pulls.create({ owner, repo, head: 'feature', base: 'main', title: 't' });
    await gh.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'hello' });
    const comments = await gh.rest.issues.listComments({ owner, repo, issue_number: 1 });
    expect(comments.data.map((c) => c.body)).toEqual(['hello']);
    expect(fake.comments(owner, repo, 1)).toHaveLength(1);

    const ctx = { owner, repo, sha: head };
    await gh.rest.repos.createCommitStatus({ ...ctx, state: 'pending', context: 'gitcanary/demo/app' });
    await gh.rest.repos.createCommitStatus({ ...ctx, state: 'success', context: 'ci' });
    expect((await gh.rest.repos.getCombinedStatusForRef({ owner, repo, ref: 'feature' })).data.state).toBe(
      'pending',
    );
    await gh.rest.repos.createCommitStatus({ ...ctx, state: 'success', context: 'gitcanary/demo/app' });
    const combined = await gh.rest.repos.getCombinedStatusForRef({ owner, repo, ref: head });
    expect(combined.data).toMatchObject({ state: 'success', total_count: 2 });
    const tooLong = await status(
      gh.rest.repos.createCommitStatus({ ...ctx, state: 'success', description: 'x'.repeat(141) }),
    );
    expect(tooLong).toMatchObject({
      status: 422,
      message: expect.stringContaining('description is too long'),
    });
    expect(fake.statuses(owner, repo, head)).toHaveLength(3);
  });

  it('answers If-None-Match with 304 while nothing changed', async () => {
    const { owner, repo } = quick('etags');
    const first = await gh.rest.git.getRef({ owner, repo, ref: 'heads/main' });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const cached = await status(
      gh.rest.git.getRef({ owner, repo, ref: 'heads/main', headers: { 'if-none-match': etag } }),
    );
    expect(cached.status).toBe(304);
    expect(fake.requests.at(-1)).toMatchObject({ route: '/repos/{owner}/{repo}/git/ref/{ref}', status: 304 });
    fake.push(owner, repo, 'main', { 'x.txt': 'x\n' });
    const fresh = await gh.rest.git.getRef({
      owner,
      repo,
      ref: 'heads/main',
      headers: { 'if-none-match': etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).not.toBe(etag);
  });

  it('moves refs as compare-and-swap and serves trees, blobs and commits', async () => {
    const { owner, repo, main, branch } = quick('gitdata', { 'README.md': 'hi\n' });
    const head = branch('side', { 'dir/a.yaml': 'a: 1\n' });
    await gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/copy', sha: head });
    expect(
      (await status(gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/copy', sha: head }))).message,
    ).toContain('Reference already exists');
    const back = await status(gh.rest.git.updateRef({ owner, repo, ref: 'heads/copy', sha: main }));
    expect(back).toMatchObject({ status: 422, message: expect.stringContaining('not a fast forward') });
    await gh.rest.git.updateRef({ owner, repo, ref: 'heads/copy', sha: main, force: true });
    expect((await gh.rest.git.getRef({ owner, repo, ref: 'heads/copy' })).data.object.sha).toBe(main);
    await gh.rest.git.deleteRef({ owner, repo, ref: 'heads/copy' });
    expect((await status(gh.rest.git.getRef({ owner, repo, ref: 'heads/copy' }))).status).toBe(404);

    const tree = await gh.rest.git.getTree({ owner, repo, tree_sha: head, recursive: '1' });
    expect(tree.data.tree.map((e) => [e.path, e.type])).toEqual([
      ['README.md', 'blob'],
      ['dir', 'tree'],
      ['dir/a.yaml', 'blob'],
    ]);
    const blobSha = tree.data.tree.find((e) => e.path === 'dir/a.yaml')!.sha!;
    const blob = await gh.rest.git.getBlob({ owner, repo, file_sha: blobSha });
    expect(Buffer.from(blob.data.content, 'base64').toString()).toBe('a: 1\n');

    const commits = await gh.rest.repos.listCommits({ owner, repo, sha: 'side', per_page: 1 });
    expect(commits.data.map((c) => c.sha)).toEqual([head]);
    expect(commits.headers.link).toContain('rel="next"');
    const byPath = await gh.rest.repos.listCommits({ owner, repo, sha: 'side', path: 'README.md' });
    expect(byPath.data.map((c) => c.sha)).toEqual([main]);
    const one = await gh.rest.repos.getCommit({ owner, repo, ref: head });
    expect(one.data.files?.map((f) => [f.filename, f.status, f.additions])).toEqual([
      ['dir/a.yaml', 'added', 1],
    ]);
    expect(one.data.commit.author).toMatchObject({ name: 'Test Person', email: 'test@example.com' });
  });

  it('commits through GraphQL createCommitOnBranch, verified, with STALE_DATA on a moved head', async () => {
    const { owner, repo, main, bareDir } = quick('api-commit', {
      'README.md': 'hi\n',
      'old.txt': 'old\n',
    });
    fake.now = () => new Date('2030-01-02T03:04:05Z');
    const mutation = `mutation ($input: CreateCommitOnBranchInput!) {
      createCommitOnBranch(input: $input) { commit { oid url } }
    }`;
    const input = {
      branch: { repositoryNameWithOwner: `${owner}/${repo}`, branchName: 'main' },
      message: { headline: 'api commit', body: 'Canary: demo/app' },
      fileChanges: {
        additions: [{ path: 'rendered/vs.yaml', contents: Buffer.from('weight: 5\n').toString('base64') }],
        deletions: [{ path: 'old.txt' }],
      },
      expectedHeadOid: main,
    };
    const out = await gh.graphql<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
      mutation,
      { input },
    );
    const oid = out.createCommitOnBranch.commit.oid;
    expect(fake.requests.at(-1)).toMatchObject({
      route: '/graphql',
      graphql: 'createCommitOnBranch',
      status: 200,
    });
    expect(await bareGit(bareDir, 'rev-parse', 'main')).toBe(oid);
    expect(await bareGit(bareDir, 'ls-tree', '-r', '--name-only', 'main')).toBe(
      'README.md\nrendered/vs.yaml',
    );
    expect(await bareGit(bareDir, 'log', '-1', '--format=%cn <%ce>|%cI|%B', 'main')).toBe(
      'GitHub <noreply@github.com>|2030-01-02T03:04:05+00:00|api commit\n\nCanary: demo/app',
    );
    const rest = await gh.rest.repos.getCommit({ owner, repo, ref: oid });
    expect(rest.data.commit.verification).toMatchObject({ verified: true, reason: 'valid' });

    const stale = await gh.graphql(mutation, { input }).catch((e: { errors: unknown[] }) => e.errors);
    expect(stale).toEqual([
      expect.objectContaining({
        type: 'STALE_DATA',
        path: ['createCommitOnBranch'],
        message: `Expected branch to point to "${main}" but it did not. Pull and try again.`,
      }),
    ]);
    fake.now = () => new Date();
  });

  it('refuses pushes to a protected branch and merges only when required checks pass (auto-merge)', async () => {
    const { work, owner, repo } = await seeded('protected');
    fake.protectBranch(owner, repo, 'main', { requiredContexts: ['ci'] });
    await writeFile(join(work, 'direct.txt'), 'x\n');
    await git(work, 'checkout', '-q', '-B', 'direct', 'origin/main');
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'direct');
    const refused = await git(work, 'push', 'origin', 'HEAD:main').catch((e: { stderr: string }) => e.stderr);
    expect(refused).toContain('GH006: Protected branch update failed for refs/heads/main.');
    expect(refused).toContain('pre-receive hook declined');

    const head = await pushBranch(work, 'rollback', { 'vs.yaml': 'weight: 0\n' });
    const pr = (
      await gh.rest.pulls.create({ owner, repo, head: 'rollback', base: 'main', title: 'rollback' })
    ).data;
    expect(pr.mergeable_state).toBe('blocked');
    const blocked = await status(gh.rest.pulls.merge({ owner, repo, pull_number: pr.number }));
    expect(blocked).toMatchObject({
      status: 405,
      message: expect.stringContaining('Required status check "ci" is expected.'),
    });

    const arm = `mutation ($input: EnablePullRequestAutoMergeInput!) {
      enablePullRequestAutoMerge(input: $input) { pullRequest { number autoMergeRequest { mergeMethod } } }
    }`;
    const armed = await gh.graphql(arm, { input: { pullRequestId: pr.node_id, mergeMethod: 'SQUASH' } });
    expect(armed).toEqual({
      enablePullRequestAutoMerge: {
        pullRequest: { number: pr.number, autoMergeRequest: { mergeMethod: 'SQUASH' } },
      },
    });
    await gh.rest.repos.createCommitStatus({ owner, repo, sha: head, state: 'pending', context: 'ci' });
    expect(fake.pulls(owner, repo)[0]).toMatchObject({ state: 'open', autoMerge: { method: 'squash' } });
    await gh.rest.repos.createCommitStatus({ owner, repo, sha: head, state: 'success', context: 'ci' });
    const merged = fake.pulls(owner, repo)[0]!;
    expect(merged).toMatchObject({ state: 'closed', merged: true, autoMerge: null });
    await git(work, 'fetch', '-q', 'origin');
    expect(await git(work, 'log', '-1', '--format=%P|%s', 'origin/main')).toMatch(
      /^[0-9a-f]{40}\|rollback \(#1\)$/,
    );

    await pushBranch(work, 'clean', { 'c.txt': 'c\n' });
    const clean = (await gh.rest.pulls.create({ owner, repo, head: 'clean', base: 'main', title: 'clean' }))
      .data;
    await gh.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: clean.head.sha,
      state: 'success',
      context: 'ci',
    });
    const refusedArm = await gh
      .graphql(arm, { input: { pullRequestId: clean.node_id, mergeMethod: 'MERGE' } })
      .catch((e: { errors: { message: string; type: string }[] }) => e.errors);
    expect(refusedArm).toEqual([
      expect.objectContaining({ type: 'UNPROCESSABLE', message: expect.stringContaining('clean status') }),
    ]);
    const sha = fake.mergePull(owner, repo, clean.number, 'rebase');
    await git(work, 'fetch', '-q', 'origin');
    expect(await git(work, 'rev-parse', 'origin/main')).toBe(sha);
  });

  it('lets humans merge and close; injects faults; runs hooks before the next matching request', async () => {
    const { owner, repo, branch } = quick('faults');
    branch('a', { 'a.txt': 'a\n' });
    branch('b', { 'b.txt': 'b\n' });
    await gh.rest.pulls.create({ owner, repo, head: 'a', base: 'main', title: 'a' });
    await gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 'b' });
    fake.closePull(owner, repo, 2);
    fake.mergePull(owner, repo, 1, 'squash');
    expect(fake.pulls(owner, repo).map((p) => [p.state, p.merged])).toEqual([
      ['closed', true],
      ['closed', false],
    ]);

    fake.inject({ method: 'GET', route: /\/pulls$/, status: 502, times: 2 });
    expect((await status(gh.rest.pulls.list({ owner, repo }))).status).toBe(502);
    expect((await status(gh.rest.pulls.list({ owner, repo }))).status).toBe(502);
    expect((await gh.rest.pulls.list({ owner, repo, state: 'all' })).data).toHaveLength(2);
    fake.inject({
      route: /\/statuses\//,
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit.',
        documentation_url: 'https://docs.github.com',
      },
    });
    const limited = await gh.rest.repos
      .createCommitStatus({ owner, repo, sha: fake.pulls(owner, repo)[0]!.headSha, state: 'success' })
      .catch((e: { status: number; message: string; response: { headers: Record<string, string> } }) => e);
    expect(limited).toMatchObject({ status: 403, message: expect.stringContaining('secondary rate limit') });
    expect(
      (limited as { response: { headers: Record<string, string> } }).response.headers['retry-after'],
    ).toBe('1');

    let ran = 0;
    fake.beforeNext(/git\/ref\//, () => ran++);
    await gh.rest.repos.get({ owner, repo });
    expect(ran).toBe(0);
    await gh.rest.git.getRef({ owner, repo, ref: 'heads/main' });
    await gh.rest.git.getRef({ owner, repo, ref: 'heads/main' });
    expect(ran).toBe(1);
    expect(fake.requests.filter((r) => r.status === 502)).toHaveLength(2);
  });
});
