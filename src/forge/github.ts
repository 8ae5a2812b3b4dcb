/**
 * The `Forge` port on GitHub: REST through `@octokit/rest` with the throttling and retry plugins
 * (5xx retried with backoff, rate limits retried after GitHub's `retry-after`), GraphQL for
 * `createCommitOnBranch` and `enablePullRequestAutoMerge`. Octokit is imported nowhere else.
 *
 * Reads are cheap on purpose: branch heads and trees are ETag-cached (a 304 costs no rate
 * limit), blobs and trees of a full sha are content-addressed and never fetched twice. Every
 * HTTP attempt, retries and 304s included, is recorded in `requests`. Errors name the call
 * (`POST /repos/o/r/pulls: 422 …`) and never contain the token.
 */
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';
import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';
import {
  ConfigurationError,
  errorMessage,
  PushRejectedError,
  TerminalError,
  TransientError,
} from '../errors.js';
import { redact } from '../net/redact.js';
import { type EtagStore, memoryEtags } from './etag-store.js';
import type {
  ApiCommitInput,
  CommitStatusInput,
  Forge,
  ForgeCommit,
  IssueComment,
  PullRequest,
  RepoPermission,
  RepoRef,
  TreeEntry,
} from './port.js';

export interface GitHubForgeOptions {
  token: string;
  repo: RepoRef;
  /** REST root; default `https://api.github.com` (GHES: `https://host/api/v3`). */
  apiUrl?: string;
  /** Default: `${apiUrl}/graphql`, or `https://host/api/graphql` for a `/api/v3` REST root. */
  graphqlUrl?: string;
  userAgent?: string;
  /** Rate-limit waits longer than this are not retried (TransientError). Default 60 s. */
  retryAfterCapSeconds?: number;
  /** Per attempt; a timeout counts as a 5xx (retried). Default 30 s. */
  timeoutMs?: number;
  /**
   * Minimum gap between writes. Default: Octokit's (1 s between writes, 3 s between PR and
   * comment creations), as GitHub asks to avoid secondary rate limits. Tests pass 0.
   */
  minWriteIntervalMs?: number;
  /** Base of the backoff after a 5xx: retry n waits n² × this. Default 1000 ms. */
  retryBackoffMs?: number;
  /**
   * Where ETags and the answers they validate are kept (default: this process's memory). A store
   * that outlives the process makes the reads a run repeats from the previous one free 304s.
   */
  etags?: EtagStore;
}

type PullData =
  | RestEndpointMethodTypes['pulls']['get']['response']['data']
  | RestEndpointMethodTypes['pulls']['list']['response']['data'][number];
type CommitData = RestEndpointMethodTypes['repos']['getCommit']['response']['data'];
type Fetch = typeof globalThis.fetch;
type WriteGroup = NonNullable<Exclude<ThrottlingOptions, { enabled: false }>['write']>;
interface RecordedRequest {
  method: string;
  route: string;
  status: number;
}

const GitHubOctokit = Octokit.plugin(throttling, retry);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const fullSha = /^[0-9a-f]{40}$/;
const maxRetries = 2;

/** A Bottleneck-compatible group that only spaces jobs `ms` apart (Octokit's write limiter). */
function spacedGroup(ms: number): WriteGroup {
  let next = 0;
  const limiter = {
    async schedule(_options: unknown, job: (...args: unknown[]) => Promise<unknown>, ...args: unknown[]) {
      const wait = next - Date.now();
      next = Math.max(Date.now(), next) + ms;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return job(...args);
    },
  };
  return { key: () => limiter } as unknown as WriteGroup;
}

const statusOf = (e: unknown): number | undefined =>
  typeof (e as { status?: unknown })?.status === 'number' ? (e as { status: number }).status : undefined;

/** The HTTP status behind one of our typed errors. */
const causeStatus = (e: unknown): number | undefined => (e instanceof Error ? statusOf(e.cause) : undefined);

/** GitHub's message with its validation errors (`Validation Failed: A pull request already exists…`). */
function detailOf(e: unknown): string {
  const data = (e as { response?: { data?: unknown } }).response?.data as
    | { message?: string; errors?: { message?: string; resource?: string; field?: string; code?: string }[] }
    | undefined;
  if (!data?.message) return e instanceof Error ? e.message : String(e);
  const errors = (data.errors ?? []).map((x) => x.message ?? `${x.resource}.${x.field} ${x.code}`);
  return errors.length ? `${data.message}: ${errors.join('; ')}` : data.message;
}

function toPull(d: PullData): PullRequest {
  return {
    number: d.number,
    nodeId: d.node_id,
    state: d.state === 'open' ? 'open' : 'closed',
    merged: ('merged' in d && d.merged) || d.merged_at !== null,
    title: d.title,
    body: d.body ?? '',
    head: d.head.ref,
    headSha: d.head.sha,
    base: d.base.ref,
    url: d.html_url,
    createdAt: d.created_at,
    closedAt: d.closed_at,
    mergedAt: d.merged_at,
    mergeCommitSha: d.merge_commit_sha,
  };
}

function toCommit(
  d: CommitData | RestEndpointMethodTypes['repos']['listCommits']['response']['data'][number],
) {
  const commit: ForgeCommit = {
    sha: d.sha,
    message: d.commit.message,
    author: d.commit.author?.name ?? '',
    authorEmail: d.commit.author?.email ?? '',
    date: d.commit.author?.date ?? '',
    committedDate: d.commit.committer?.date ?? d.commit.author?.date ?? '',
    parents: d.parents.map((p) => p.sha),
  };
  if (d.files) commit.files = d.files.map((f) => f.filename);
  return commit;
}

/** Cuts to `max` characters (code points), ending with an ellipsis when cut. */
const truncate = (s: string, max: number): string => {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
};

class GitHubForge implements Forge {
  readonly repo: RepoRef;
  readonly requests: RecordedRequest[] = [];
  private readonly octokit: InstanceType<typeof GitHubOctokit>;
  private readonly apiUrl: string;
  private readonly graphqlUrl: string;
  private readonly etags: EtagStore;
  /** Trees are named by their sha: never worth keeping past the process. */
  private readonly treeEtags = memoryEtags();
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly blobs = new Map<string, string>();

  constructor(private readonly opts: GitHubForgeOptions) {
    this.repo = { owner: opts.repo.owner, repo: opts.repo.repo };
    this.etags = opts.etags ?? memoryEtags();
    this.apiUrl = (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.graphqlUrl =
      opts.graphqlUrl ??
      (/\/api\/v3$/.test(this.apiUrl)
        ? this.apiUrl.replace(/\/api\/v3$/, '/api/graphql')
        : `${this.apiUrl}/graphql`);
    if (!opts.token) throw new ConfigurationError('GitHub forge: the token is empty');
    for (const [name, url] of [
      ['apiUrl', this.apiUrl],
      ['graphqlUrl', this.graphqlUrl],
    ]) {
      if (!URL.canParse(url!)) throw new ConfigurationError(`GitHub forge: ${name} is not a URL: ${url}`);
    }
    const cap = opts.retryAfterCapSeconds ?? 60;
    const onLimit = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
      retryCount < maxRetries && retryAfter <= cap;
    this.octokit = new GitHubOctokit({
      auth: opts.token,
      baseUrl: this.apiUrl,
      userAgent: opts.userAgent ?? 'gitcanary',
      log: silent,
      headers: { 'x-github-api-version': '2022-11-28' },
      throttle: {
        onRateLimit: onLimit,
        onSecondaryRateLimit: onLimit,
        ...(opts.minWriteIntervalMs === undefined
          ? {}
          : {
              write: spacedGroup(opts.minWriteIntervalMs),
              notifications: spacedGroup(opts.minWriteIntervalMs),
            }),
      } as ThrottlingOptions,
      retry: {
        retries: maxRetries,
        retryAfterBaseValue: opts.retryBackoffMs ?? 1000,
        doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 451],
      },
    });
  }

  /** A fetch recording each attempt under `method route`, with the per-attempt timeout. */
  private recorder(route: string): { fetch: Fetch } {
    const space = route.indexOf(' ');
    const method = route.slice(0, space);
    const template = route.slice(space + 1);
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const fetch: Fetch = async (input, init) => {
      const signals = [AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])];
      try {
        const res = await globalThis.fetch(input, { ...init, signal: AbortSignal.any(signals) });
        this.requests.push({ method, route: template, status: res.status });
        return res;
      } catch (e) {
        this.requests.push({ method, route: template, status: 0 });
        throw e;
      }
    };
    return { fetch };
  }

  /** Runs one call; a 304 passes through untouched, other failures become typed errors. */
  private async rest<T>(route: string, call: (request: { fetch: Fetch }) => Promise<T>): Promise<T> {
    try {
      return await call(this.recorder(route));
    } catch (e) {
      if (statusOf(e) === 304) throw e;
      throw this.failure(route, e);
    }
  }

  /** `text` with the token masked, should a server ever echo it. */
  private scrub(text: string): string {
    return redact(text, [this.opts.token]);
  }

  /** The typed error for a failed call, named by its method and path, without the token. */
  private failure(route: string, e: unknown): Error {
    const status = statusOf(e);
    const url = (e as { request?: { url?: string } }).request?.url;
    const [method, template] = [route.slice(0, route.indexOf(' ')), route.slice(route.indexOf(' ') + 1)];
    const root = new URL(this.apiUrl).pathname.replace(/\/$/, '');
    const path =
      url && !template.startsWith('/graphql')
        ? decodeURIComponent(new URL(url).pathname).slice(root.length)
        : template;
    const detail = detailOf(e);
    const message = this.scrub(`${method} ${path}: ${status ?? 'error'} ${detail}`);
    const transient =
      status === undefined ||
      status >= 500 ||
      status === 429 ||
      (status === 403 && /rate limit/i.test(detail));
    if (status === 409 && route.endsWith('/merge')) return new PushRejectedError(message, { cause: e });
    return transient ? new TransientError(message, { cause: e }) : new TerminalError(message, { cause: e });
  }

  /** A key in the ETag store: one store may serve several repositories and API hosts (a file kept across runs). */
  private etagKey(key: string): string {
    return `${this.apiUrl} ${this.repo.owner}/${this.repo.repo} ${key}`;
  }

  /** A GET with ETag revalidation: a 304 answers from memory. */
  private async cached<D, T>(
    key: string,
    route: string,
    call: (
      request: { fetch: Fetch },
      headers: Record<string, string>,
    ) => Promise<{ data: D; headers: { etag?: string } }>,
    parse: (data: D) => T,
    store: EtagStore = this.etags,
  ): Promise<T> {
    const scoped = this.etagKey(key);
    const hit = store.get(scoped);
    try {
      const res = await this.rest(route, (request) =>
        call(request, hit ? { 'if-none-match': hit.etag } : {}),
      );
      const value = parse(res.data);
      if (res.headers.etag) await store.set(scoped, { etag: res.headers.etag, value });
      return value;
    } catch (e) {
      if (hit && statusOf(e) === 304) return hit.value as T;
      throw e;
    }
  }

  /** One GraphQL mutation; GraphQL errors become typed errors naming the field. */
  private async graphql<T>(field: string, query: string, input: unknown): Promise<T> {
    const route = `POST /graphql ${field}`;
    const baseUrl = this.graphqlUrl.replace(/\/graphql$/, '');
    try {
      return await this.octokit.graphql<T>(query, { input, baseUrl, request: this.recorder(route) });
    } catch (e) {
      const errors = (e as { errors?: { type?: string; message: string }[] }).errors;
      if (!Array.isArray(errors)) throw this.failure(route, e);
      const detail = errors.map((x) => (x.type ? `${x.type}: ${x.message}` : x.message)).join('; ');
      const message = this.scrub(`POST /graphql ${field}: ${detail}`);
      if (errors.some((x) => x.type === 'STALE_DATA' || /Expected branch to point to/.test(x.message))) {
        throw new PushRejectedError(message, { cause: e });
      }
      const transient = errors.some(
        (x) => x.type === 'RATE_LIMITED' || /Something went wrong/.test(x.message),
      );
      throw transient ? new TransientError(message, { cause: e }) : new TerminalError(message, { cause: e });
    }
  }

  async repository(): Promise<{ defaultBranch: string; cloneUrl: string; htmlUrl: string }> {
    try {
      return await this.cached(
        'repository',
        'GET /repos/{owner}/{repo}',
        (request, headers) => this.octokit.rest.repos.get({ ...this.repo, headers, request }),
        (data) => ({ defaultBranch: data.default_branch, cloneUrl: data.clone_url, htmlUrl: data.html_url }),
      );
    } catch (e) {
      if (causeStatus(e) !== 404) throw e;
      const hint = 'does the repository exist, and may the token read it?';
      throw new ConfigurationError(`${errorMessage(e)} (${hint})`, { cause: e });
    }
  }

  async listPulls(opts: { headPrefix: string; state: 'open' | 'all'; base?: string; limit?: number }) {
    const found: PullRequest[] = [];
    const fullName = `${this.repo.owner}/${this.repo.repo}`.toLowerCase();
    for (let page = 1; page <= (opts.limit ?? 1); page++) {
      const { pulls, full } = await this.cached(
        `pulls:${opts.state}:${opts.base ?? ''}:${opts.headPrefix}:${page}`,
        'GET /repos/{owner}/{repo}/pulls',
        (request, headers) =>
          this.octokit.rest.pulls.list({
            ...this.repo,
            state: opts.state,
            ...(opts.base ? { base: opts.base } : {}),
            sort: 'updated',
            direction: 'desc',
            per_page: 100,
            page,
            headers,
            request,
          }),
        // Only branches of this repository: a fork's branch may carry the same name.
        (data) => ({
          pulls: data
            .filter(
              (d) =>
                d.head.ref.startsWith(opts.headPrefix) && d.head.repo?.full_name.toLowerCase() === fullName,
            )
            .map(toPull),
          full: data.length === 100,
        }),
      );
      found.push(...pulls);
      if (!full) break;
    }
    return found;
  }

  async createPull(input: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    try {
      const { data } = await this.rest('POST /repos/{owner}/{repo}/pulls', (request) =>
        this.octokit.rest.pulls.create({ ...this.repo, ...input, request }),
      );
      return toPull(data);
    } catch (e) {
      if (causeStatus(e) !== 422 || !/already exists/i.test(errorMessage(e))) throw e;
      const { data } = await this.rest('GET /repos/{owner}/{repo}/pulls', (request) =>
        this.octokit.rest.pulls.list({
          ...this.repo,
          state: 'open',
          head: `${this.repo.owner}:${input.head}`,
          base: input.base,
          request,
        }),
      );
      const open = data[0];
      if (!open) throw e;
      return toPull(open);
    }
  }

  async updatePull(number: number, patch: { title?: string; body?: string; state?: 'open' | 'closed' }) {
    const { data } = await this.rest('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', (request) =>
      this.octokit.rest.pulls.update({ ...this.repo, pull_number: number, ...patch, request }),
    );
    return toPull(data);
  }

  async comment(number: number, body: string): Promise<void> {
    await this.rest('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (request) =>
      this.octokit.rest.issues.createComment({ ...this.repo, issue_number: number, body, request }),
    );
  }

  async listComments(number: number, opts: { since?: string; limit?: number }): Promise<IssueComment[]> {
    const found: IssueComment[] = [];
    for (let page = 1; page <= (opts.limit ?? 1); page++) {
      const { data } = await this.rest(
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
        (request) =>
          this.octokit.rest.issues.listComments({
            ...this.repo,
            issue_number: number,
            ...(opts.since ? { since: opts.since } : {}),
            per_page: 100,
            page,
            request,
          }),
      );
      for (const c of data)
        found.push({
          id: c.id,
          user: c.user?.login ?? '',
          body: c.body ?? '',
          createdAt: c.created_at,
          updatedAt: c.updated_at,
        });
      if (data.length < 100) break;
    }
    return found;
  }

  async permission(user: string): Promise<RepoPermission> {
    try {
      const { data } = await this.rest(
        'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
        (request) =>
          this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.repo, username: user, request }),
      );
      // `permission` keeps the legacy names (maintain reads as write); `role_name` has all five.
      const role = (data as { role_name?: string }).role_name ?? data.permission;
      return (['admin', 'maintain', 'write', 'triage', 'read'] as const).find((r) => r === role) ?? 'none';
    } catch (e) {
      if (causeStatus(e) === 404) return 'none';
      throw e;
    }
  }

  async react(commentId: number, content: '+1' | 'rocket' | 'confused' | 'eyes'): Promise<void> {
    await this.rest('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', (request) =>
      this.octokit.rest.reactions.createForIssueComment({
        ...this.repo,
        comment_id: commentId,
        content,
        request,
      }),
    );
  }

  async mergePull(
    number: number,
    opts: { method: 'merge' | 'squash' | 'rebase'; sha: string },
  ): Promise<string> {
    const { data } = await this.rest('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', (request) =>
      this.octokit.rest.pulls.merge({
        ...this.repo,
        pull_number: number,
        merge_method: opts.method,
        sha: opts.sha,
        request,
      }),
    );
    return data.sha;
  }

  async enableAutoMerge(pr: PullRequest, method: 'MERGE' | 'SQUASH' | 'REBASE'): Promise<void> {
    const query = `mutation ($input: EnablePullRequestAutoMergeInput!) {
      enablePullRequestAutoMerge(input: $input) { pullRequest { number } }
    }`;
    await this.graphql('enablePullRequestAutoMerge', query, {
      pullRequestId: pr.nodeId,
      mergeMethod: method,
    });
  }

  async setStatus(sha: string, status: CommitStatusInput): Promise<void> {
    await this.rest('POST /repos/{owner}/{repo}/statuses/{sha}', (request) =>
      this.octokit.rest.repos.createCommitStatus({
        ...this.repo,
        sha,
        state: status.state,
        context: status.context,
        description: truncate(status.description, 140),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        request,
      }),
    );
  }

  async branchHead(branch: string): Promise<string | null> {
    try {
      return await this.cached(
        `ref:${branch}`,
        'GET /repos/{owner}/{repo}/git/ref/{ref}',
        (request, headers) =>
          this.octokit.rest.git.getRef({ ...this.repo, ref: `heads/${branch}`, headers, request }),
        (data) => (data.ref === `refs/heads/${branch}` ? data.object.sha : null),
      );
    } catch (e) {
      // 404: no such branch; 409: the repository is empty.
      const status = causeStatus(e);
      if (status !== 404 && status !== 409) throw e;
      await this.etags.delete(this.etagKey(`ref:${branch}`));
      return null;
    }
  }

  async tree(commitSha: string): Promise<TreeEntry[]> {
    const known = this.trees.get(commitSha);
    if (known) return known;
    const entries = await this.cached(
      `tree:${commitSha}`,
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      (request, headers) =>
        this.octokit.rest.git.getTree({
          ...this.repo,
          tree_sha: commitSha,
          recursive: '1',
          headers,
          request,
        }),
      (data) => {
        if (data.truncated) {
          throw new TerminalError(
            `GET /repos/${this.repo.owner}/${this.repo.repo}/git/trees/${commitSha}: truncated`,
          );
        }
        return data.tree
          .filter((e) => e.type === 'blob' && e.path && e.sha && e.mode)
          .map((e) => ({
            path: e.path!,
            sha: e.sha!,
            mode: e.mode!,
            ...(e.size === undefined ? {} : { size: e.size }),
          }));
      },
      this.treeEtags,
    );
    if (fullSha.test(commitSha)) this.trees.set(commitSha, entries);
    return entries;
  }

  async blob(sha: string): Promise<string> {
    const known = this.blobs.get(sha);
    if (known !== undefined) return known;
    const { data } = await this.rest('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', (request) =>
      this.octokit.rest.git.getBlob({ ...this.repo, file_sha: sha, request }),
    );
    const text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    if (fullSha.test(sha)) this.blobs.set(sha, text);
    return text;
  }

  async commits(opts: {
    branch: string;
    perPage: number;
    path?: string;
    page?: number;
  }): Promise<ForgeCommit[]> {
    const list = (request: { fetch: Fetch }, headers: Record<string, string>) =>
      this.octokit.rest.repos.listCommits({
        ...this.repo,
        sha: opts.branch,
        per_page: opts.perPage,
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.page && opts.page > 1 ? { page: opts.page } : {}),
        headers,
        request,
      });
    const route = 'GET /repos/{owner}/{repo}/commits';
    // The newest commits of the branch are read every run: revalidated, and free while unchanged.
    if (!opts.path && !(opts.page && opts.page > 1)) {
      const key = `commits:${opts.branch}:${opts.perPage}`;
      return this.cached(key, route, list, (data) => data.map(toCommit));
    }
    const { data } = await this.rest(route, (request) => list(request, {}));
    return data.map(toCommit);
  }

  async commit(sha: string): Promise<ForgeCommit> {
    const { data } = await this.rest('GET /repos/{owner}/{repo}/commits/{ref}', (request) =>
      this.octokit.rest.repos.getCommit({ ...this.repo, ref: sha, request }),
    );
    return toCommit(data);
  }

  async createCommitOnBranch(input: ApiCommitInput): Promise<ForgeCommit> {
    const query = `mutation ($input: CreateCommitOnBranchInput!) {
      createCommitOnBranch(input: $input) {
        commit { oid message committedDate author { name email date } }
      }
    }`;
    type Created = {
      oid: string;
      message: string;
      committedDate: string;
      author: { name: string | null; email: string | null; date: string | null } | null;
    };
    const out = await this.graphql<{ createCommitOnBranch: { commit: Created } }>(
      'createCommitOnBranch',
      query,
      {
        branch: { repositoryNameWithOwner: `${this.repo.owner}/${this.repo.repo}`, branchName: input.branch },
        message: { headline: input.headline, ...(input.body ? { body: input.body } : {}) },
        fileChanges: {
          additions: input.additions.map((a) => ({
            path: a.path,
            contents: Buffer.from(a.content, 'utf8').toString('base64'),
          })),
          deletions: input.deletions.map((path) => ({ path })),
        },
        expectedHeadOid: input.expectedHeadOid,
      },
    );
    const c = out.createCommitOnBranch.commit;
    return {
      sha: c.oid,
      message: c.message,
      author: c.author?.name ?? '',
      authorEmail: c.author?.email ?? '',
      date: c.author?.date ?? c.committedDate,
      committedDate: c.committedDate,
      parents: [input.expectedHeadOid],
    };
  }

  async setBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.rest('PATCH /repos/{owner}/{repo}/git/refs/{ref}', (request) =>
        this.octokit.rest.git.updateRef({ ...this.repo, ref: `heads/${branch}`, sha, force: true, request }),
      );
    } catch (e) {
      if (causeStatus(e) !== 422 || !/Reference does not exist/i.test(errorMessage(e))) throw e;
      await this.rest('POST /repos/{owner}/{repo}/git/refs', (request) =>
        this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha, request }),
      );
    }
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.rest('POST /repos/{owner}/{repo}/git/refs', (request) =>
        this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha, request }),
      );
    } catch (e) {
      if (causeStatus(e) !== 422 || !/Reference already exists/i.test(errorMessage(e))) throw e;
      throw new PushRejectedError(errorMessage(e), { cause: e });
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.rest('DELETE /repos/{owner}/{repo}/git/refs/{ref}', (request) =>
        this.octokit.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}`, request }),
      );
    } catch (e) {
      if (causeStatus(e) !== 422 || !/Reference does not exist/i.test(errorMessage(e))) throw e;
    }
  }
}

/** The GitHub adapter of the `Forge` port. */
export function createGitHubForge(opts: GitHubForgeOptions): Forge {
  return new GitHubForge(opts);
}
