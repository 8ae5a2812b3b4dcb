/**
 * A local fake of the GitHub REST and GraphQL calls gitcanary makes, on top of real bare
 * repositories served over smart HTTP by `git http-backend` on the same port (clone, fetch and
 * push with plain `git`, no credentials). Pull requests, comments and statuses live in memory;
 * merges and API commits are real commits in the bare repos, every ref move a compare-and-swap.
 *
 * Every REST exchange is checked against GitHub's published OpenAPI description (see
 * `schemaViolations`), so a response shape the fake gets wrong fails the tests that use it.
 *
 * The server runs in the caller's event loop: from the same process, run git over HTTP
 * asynchronously (`execFile`, simple-git), never with `execFileSync`, or both sides wait forever.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareRepo } from './fake-github/bare-repo.js';
import { gitHttpHandler } from './fake-github/git-http.js';
import { handleGraphql, rootField } from './fake-github/graphql.js';
import { checkExchange } from './fake-github/openapi.js';
import { mergePullRequest, runAutoMerges } from './fake-github/pulls.js';
import { commentRoutes } from './fake-github/rest-comments.js';
import { gitRoutes } from './fake-github/rest-git.js';
import { pullRoutes } from './fake-github/rest-pulls.js';
import { type Call, error, match, type Reply } from './fake-github/routes.js';
import type { Urls } from './fake-github/shapes.js';
import {
  type CommentRecord,
  FakeState,
  type MergeMethod,
  nodeId,
  type PullRecord,
  type StatusRecord,
} from './fake-github/state.js';

export type { CommentRecord, PullRecord, StatusRecord };

export interface FakeRequest {
  method: string;
  /** Path below the API root with the query (`/repos/o/r/pulls?state=all`), or `/graphql`. */
  path: string;
  /** OpenAPI path template (`/repos/{owner}/{repo}/pulls`), or `/graphql`. */
  route: string;
  status: number;
  /** GraphQL root field (`createCommitOnBranch`). */
  graphql?: string;
}

export interface Fault {
  method?: string;
  /** Tested against the path (`/repos/o/r/pulls`, `/graphql`) and the route template. */
  route?: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Handle the request anyway (its writes happen), then answer with the fault: a reply lost after the write. */
  afterHandling?: boolean;
  /** Answer only after this long (a slow GitHub, for client timeouts). */
  delayMs?: number;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** REST root (Octokit `baseUrl`): `${base}/api/v3`. */
  apiUrl: string;
  /** `${base}/api/graphql`, where Octokit posts GraphQL for a `/api/v3` baseUrl. */
  graphqlUrl: string;
  /** A token the server accepts (any `token X` / `bearer X` is; none at all is 401). */
  token: string;
  /** A new empty bare repo; `cloneUrl` is `${base}/${owner}/${repo}.git`. */
  createRepo(
    owner: string,
    repo: string,
    opts?: { defaultBranch?: string },
  ): { bareDir: string; cloneUrl: string };
  /** Refuses git pushes to `branch` (GH006) and merges until every required context is `success`. */
  protectBranch(owner: string, repo: string, branch: string, opts: { requiredContexts: string[] }): void;
  pulls(owner: string, repo: string): PullRecord[];
  comments(owner: string, repo: string, number?: number): CommentRecord[];
  /** A person (`user`, not the token's owner) comments on a PR; returns the comment's id. */
  addComment(owner: string, repo: string, number: number, user: string, body: string): number;
  /** Makes `user` a collaborator with this role (the permission API answers it; others get 404). */
  setPermission(
    owner: string,
    repo: string,
    user: string,
    role: 'admin' | 'maintain' | 'write' | 'triage' | 'read',
  ): void;
  /** Reactions made on a comment (by the token's owner). */
  reactions(commentId: number): Array<{ user: string; content: string }>;
  statuses(owner: string, repo: string, sha?: string): StatusRecord[];
  /**
   * Someone else's push, straight into the bare repo (no HTTP, no hooks: it lands on protected
   * branches too). `files` maps paths to content (null deletes); the commit's parent is the
   * branch's tip, or `opts.from` (a commit, or null for a root commit), which resets the branch
   * like a force push. Author and committer: `opts.author`, else "Test Person". Returns the commit.
   */
  push(
    owner: string,
    repo: string,
    branch: string,
    files: Record<string, string | null>,
    opts?: { from?: string | null; message?: string; author?: { name: string; email: string } },
  ): string;
  /**
   * A human clicking "Merge" (checks enforced); returns the base branch's new sha. `commit` is
   * the message the person (or the repository's default-message setting) gives a merge or squash.
   */
  mergePull(
    owner: string,
    repo: string,
    number: number,
    method?: MergeMethod,
    commit?: { title?: string; message?: string },
  ): string;
  /** A human closing a PR unmerged. */
  closePull(owner: string, repo: string, number: number): void;
  /** The next matching request(s) get this response instead. */
  inject(fault: Fault): void;
  /** Runs `hook` once, before the next request whose path or route matches. */
  beforeNext(route: RegExp, hook: () => void): void;
  /** Clock for timestamps and the dates of commits the server makes (settable). */
  now: () => Date;
  readonly requests: FakeRequest[];
  /** REST requests and responses that do not match GitHub's OpenAPI description (plus unknown routes). */
  readonly schemaViolations: string[];
  close(): Promise<void>;
}

const routes = [...commentRoutes, ...pullRoutes, ...gitRoutes];
const statusText: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeGitHub(opts: { now?: () => Date } = {}): Promise<FakeGitHub> {
  const root = join(tmpdir(), `fake-github-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(root, { recursive: true });
  const st = new FakeState(opts.now ?? (() => new Date()));
  const gitHandler = gitHttpHandler(root);
  const faults: (Fault & { left: number })[] = [];
  const hooks: { route: RegExp; hook: () => void }[] = [];
  const requests: FakeRequest[] = [];
  const schemaViolations: string[] = [];
  const rate = { limit: 5000, used: 0 };
  const u: Urls = { base: '', api: '' };

  const matches = (re: RegExp | undefined, path: string, template: string): boolean =>
    !re || re.test(path) || re.test(template);

  /**
   * Runs the hooks due for this request, then `handle`s it, unless a fault applies: then the
   * fault's reply instead (after handling it anyway, for an `afterHandling` fault).
   */
  function intercept(
    method: string,
    path: string,
    template: string,
    handle: () => Reply,
  ): { reply: Reply; injected: boolean; delayMs?: number } {
    for (const h of hooks.filter((x) => matches(x.route, path, template))) {
      hooks.splice(hooks.indexOf(h), 1);
      h.hook();
    }
    const fault = faults.find((f) => (!f.method || f.method === method) && matches(f.route, path, template));
    if (!fault) return { reply: handle(), injected: false };
    if (--fault.left <= 0) faults.splice(faults.indexOf(fault), 1);
    if (fault.afterHandling) handle();
    const body = fault.body ?? {
      message: statusText[fault.status] ?? 'Error',
      documentation_url: 'https://docs.github.com/rest',
    };
    const reply = { status: fault.status, body, headers: fault.headers ?? {} };
    return { reply, injected: true, ...(fault.delayMs ? { delayMs: fault.delayMs } : {}) };
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply, resource: string): void {
    const json = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}`,
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(Math.max(0, rate.limit - rate.used)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-resource': resource,
      ...reply.headers,
    };
    let status = reply.status;
    if (req.method === 'GET' && status === 200) {
      const etag = `"${createHash('sha256').update(json).digest('hex')}"`;
      headers.etag = etag;
      const wanted = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
      if (wanted.includes(etag)) status = 304;
    }
    if (status !== 304) rate.used++;
    if (status === 304 || status === 204) delete headers['content-type'];
    res.writeHead(status, headers);
    res.end(status === 304 || status === 204 ? undefined : json);
    reply.status = status;
  }

  async function rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice('/api/v3'.length);
    const found = match(routes, method, path);
    const template = 'route' in found ? found.route.template : (found.template ?? path);
    const raw = await readBody(req);
    let body: unknown;
    let reply: Reply | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      reply = error(400, 'Problems parsing JSON');
    }
    reply ??= authorize(req);
    let injected = false;
    let delayMs: number | undefined;
    if (!reply) {
      ({ reply, injected, delayMs } = intercept(method, path, template, () =>
        dispatch(method, found, url, body),
      ));
    }
    if (delayMs) await sleep(delayMs);
    send(req, res, reply, 'core');
    requests.push({ method, path: `${path}${url.search}`, route: template, status: reply.status });
    if ('route' in found && !injected) {
      for (const p of checkExchange(method, template, body, reply.status, reply.body))
        schemaViolations.push(p);
    }
  }

  function dispatch(method: string, found: ReturnType<typeof match>, url: URL, body: unknown): Reply {
    if (!('route' in found)) {
      schemaViolations.push(`unimplemented in the fake: ${method} ${url.pathname}`);
      return error(404, 'Not Found');
    }
    const repo = st.repo(found.params.owner ?? '', found.params.repo ?? '');
    if (!repo) return error(404, 'Not Found');
    const call: Call = {
      method,
      params: found.params,
      query: url.searchParams,
      body: (body ?? {}) as Call['body'],
      repo,
      st,
      u,
      url,
    };
    return found.route.handle(call);
  }

  function authorize(req: IncomingMessage): Reply | undefined {
    if (/^(token|bearer) \S+/i.test(req.headers.authorization ?? '')) return undefined;
    return error(401, 'Requires authentication');
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let reply: Reply | undefined = req.method === 'POST' ? authorize(req) : error(404, 'Not Found');
    let field: string | undefined;
    let delayMs: number | undefined;
    if (!reply) {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      field = rootField(body);
      ({ reply, delayMs } = intercept('POST', '/graphql', '/graphql', () => {
        const out = handleGraphql(st, u, body);
        return { status: out.status, body: out.body };
      }));
    }
    if (delayMs) await sleep(delayMs);
    send(req, res, reply, 'graphql');
    requests.push({
      method: req.method ?? 'POST',
      path: '/graphql',
      route: '/graphql',
      status: reply.status,
      ...(field ? { graphql: field } : {}),
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', u.base);
    const work = url.pathname.startsWith('/api/v3/')
      ? rest(req, res, url)
      : url.pathname === '/api/graphql'
        ? graphql(req, res)
        : Promise.resolve(gitHandler(req, res));
    work.catch((e: unknown) => {
      schemaViolations.push(
        `fake GitHub crashed on ${req.method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`,
      );
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'fake GitHub error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  u.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  u.api = `${u.base}/api/v3`;

  const repoOf = (owner: string, repo: string) => {
    const r = st.repo(owner, repo);
    if (!r) throw new Error(`fake GitHub: no repository ${owner}/${repo}`);
    return r;
  };
  const pullOf = (owner: string, repo: string, number: number): PullRecord => {
    const pr = st.pull(owner, repo, number);
    if (!pr) throw new Error(`fake GitHub: no pull request ${owner}/${repo}#${number}`);
    return pr;
  };

  return {
    base: u.base,
    apiUrl: u.api,
    graphqlUrl: `${u.base}/api/graphql`,
    token: `ghs_${randomBytes(18).toString('hex')}`,
    createRepo(owner, repo, o = {}) {
      const bareDir = join(root, owner, `${repo}.git`);
      const defaultBranch = o.defaultBranch ?? 'main';
      const id = st.id();
      st.repos.set(`${owner}/${repo}`.toLowerCase(), {
        owner,
        name: repo,
        id,
        nodeId: nodeId('R', id),
        defaultBranch,
        bare: BareRepo.init(bareDir, defaultBranch),
        createdAt: st.timestamp(),
        protections: new Map(),
        nextNumber: 1,
      });
      return { bareDir, cloneUrl: `${u.base}/${owner}/${repo}.git` };
    },
    protectBranch(owner, repo, branch, o) {
      const r = repoOf(owner, repo);
      r.protections.set(branch, [...o.requiredContexts]);
      r.bare.protect(r.protections);
    },
    pulls(owner, repo) {
      const branches = repoOf(owner, repo).bare.branches();
      return st.pulls
        .filter((p) => p.owner === owner && p.repo === repo)
        .map((p) => {
          st.refresh(p, branches);
          return { ...p };
        });
    },
    comments: (owner, repo, number) =>
      st.comments.filter(
        (c) => c.owner === owner && c.repo === repo && (number === undefined || c.issueNumber === number),
      ),
    addComment(owner, repo, number, user, body) {
      repoOf(owner, repo);
      const id = st.id();
      const now = st.timestamp();
      st.comments.push({
        id,
        nodeId: nodeId('IC', id),
        owner,
        repo,
        issueNumber: number,
        body,
        user,
        createdAt: now,
        updatedAt: now,
      });
      return id;
    },
    setPermission: (owner, repo, user, role) => st.permissions.set(`${owner}/${repo}/${user}`, role),
    reactions: (commentId) =>
      st.reactions
        .filter((r) => r.commentId === commentId)
        .map((r) => ({ user: r.user, content: r.content })),
    statuses: (owner, repo, sha) =>
      st.statuses.filter((s) => s.owner === owner && s.repo === repo && (sha === undefined || s.sha === sha)),
    push(owner, repo, branch, files, o = {}) {
      const { bare } = repoOf(owner, repo);
      const tip = bare.head(branch);
      const parent = o.from === undefined ? tip : o.from;
      const entries = Object.entries(files);
      const additions = entries.flatMap(([path, c]) =>
        c === null ? [] : [{ path, content: Buffer.from(c) }],
      );
      const tree = bare.treeWith(
        parent,
        additions,
        entries.filter(([, c]) => c === null).map(([path]) => path),
      );
      if (typeof tree !== 'string')
        throw new Error(`fake GitHub: push deletes a missing file: ${tree.missing}`);
      const who = o.author ?? { name: 'Test Person', email: 'test@example.com' };
      const message = `${o.message ?? `update ${branch}`}\n`;
      const sha = bare.commitTree(tree, parent ? [parent] : [], message, who, who, st.now());
      if (!bare.casRef(branch, sha, tip)) throw new Error(`fake GitHub: ${branch} moved during push`);
      return sha;
    },
    mergePull(owner, repo, number, method = 'merge', commit = {}) {
      const r = repoOf(owner, repo);
      const out = mergePullRequest(st, r, pullOf(owner, repo, number), method, {
        by: 'maintainer',
        ...commit,
      });
      if (!out.ok) throw new Error(`fake GitHub: cannot merge ${owner}/${repo}#${number}: ${out.message}`);
      runAutoMerges(st, r);
      return out.sha;
    },
    closePull(owner, repo, number) {
      const pr = pullOf(owner, repo, number);
      if (pr.state !== 'open') throw new Error(`fake GitHub: ${owner}/${repo}#${number} is not open`);
      Object.assign(pr, {
        state: 'closed',
        closedAt: st.timestamp(),
        updatedAt: st.timestamp(),
        autoMerge: null,
      });
    },
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    beforeNext(route, hook) {
      hooks.push({ route, hook });
    },
    get now() {
      return st.now;
    },
    set now(fn: () => Date) {
      st.now = fn;
    },
    requests,
    schemaViolations,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
