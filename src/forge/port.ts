/**
 * The `Forge` port: what gitcanary asks of a code host beyond plain Git (pull requests, commit
 * statuses, comments, and commits written through the host's API). The only adapter is
 * `github.ts` (Octokit with throttling and retries). Errors are typed like the git port's
 * (`src/errors.ts`): `PushRejectedError` when a compare-and-swap lost (the branch moved),
 * `TransientError` for 5xx / rate limits that outlived the retries, `TerminalError` for the rest
 * (401, 403 without retry-after, 404, 422 other than "already exists").
 */

/** `owner/name` of a repository. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequest {
  number: number;
  /** GraphQL node id (auto-merge is GraphQL only). */
  nodeId: string;
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
  body: string;
  /** Head branch short name (`gitcanary/ns/name`). */
  head: string;
  headSha: string;
  /** Base branch short name. */
  base: string;
  url: string;
  /** ISO times, null when not (yet) so. */
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

/** A comment on a pull request (issue comments API). Its body is anyone's text: parse it strictly. */
export interface IssueComment {
  /** Increases with every comment made on the host. */
  id: number;
  /** The author's login. */
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

/** A collaborator's permission on the repository (`none` for anyone else). */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusInput {
  /** `gitcanary/<namespace>/<name>`. */
  context: string;
  state: CommitState;
  /** At most 140 characters (GitHub's limit); longer is cut. */
  description: string;
  targetUrl?: string;
}

/** One file of a tree listing (blobs only). */
export interface TreeEntry {
  path: string;
  /** Blob sha. */
  sha: string;
  mode: string;
  size?: number;
}

export interface ApiCommitInput {
  branch: string;
  /** Compare-and-swap: the commit the branch must still point at. */
  expectedHeadOid: string;
  headline: string;
  body?: string;
  additions: { path: string; content: string }[];
  deletions: string[];
}

/** A commit as listed by the API, with the files it touched when asked for. */
export interface ForgeCommit {
  sha: string;
  message: string;
  author: string;
  authorEmail: string;
  /** Author date (ISO). */
  date: string;
  /** Committer date (ISO): differs from `date` after a rebase or cherry-pick. */
  committedDate: string;
  /** Parent commits (two or more for a merge). */
  parents: string[];
  files?: string[];
}

export interface Forge {
  readonly repo: RepoRef;

  /** Default branch and clone URL. */
  repository(): Promise<{ defaultBranch: string; cloneUrl: string; htmlUrl: string }>;

  /**
   * Pull requests whose head branch starts with `headPrefix`, most recently updated first (open
   * and closed with `state: 'all'`). One request per page of 100; `limit` bounds the pages.
   */
  listPulls(opts: {
    headPrefix: string;
    state: 'open' | 'all';
    base?: string;
    limit?: number;
  }): Promise<PullRequest[]>;
  /** Opens a PR. A 422 "already exists" returns the open one instead (idempotent on retries). */
  createPull(input: { head: string; base: string; title: string; body: string }): Promise<PullRequest>;
  updatePull(
    number: number,
    patch: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<PullRequest>;
  /** Comment on a PR (issue comments API). */
  comment(number: number, body: string): Promise<void>;
  /**
   * The comments on a PR updated at or after `since` (ISO), oldest first (REST
   * `GET /issues/{n}/comments?since=`). One request per page of 100; `limit` bounds the pages.
   */
  listComments(number: number, opts: { since?: string; limit?: number }): Promise<IssueComment[]>;
  /**
   * The permission of `user` on the repository (REST
   * `GET /collaborators/{username}/permission`); a user who is no collaborator (404) is `none`.
   */
  permission(user: string): Promise<RepoPermission>;
  /** Reacts to a PR comment (REST `POST /issues/comments/{id}/reactions`); reacting twice is not an error. */
  react(commentId: number, content: '+1' | 'rocket' | 'confused' | 'eyes'): Promise<void>;
  /**
   * Merges a PR now (REST `PUT /pulls/{n}/merge` with `sha` as a compare-and-swap on its head).
   * Returns the merge commit. A moved head (409) → PushRejectedError; not mergeable (405, e.g.
   * required checks missing) → TerminalError.
   */
  mergePull(number: number, opts: { method: 'merge' | 'squash' | 'rebase'; sha: string }): Promise<string>;
  /** Enables auto-merge (GraphQL `enablePullRequestAutoMerge`). */
  enableAutoMerge(pr: PullRequest, method: 'MERGE' | 'SQUASH' | 'REBASE'): Promise<void>;
  /** Sets a commit status on `sha`. */
  setStatus(sha: string, status: CommitStatusInput): Promise<void>;

  /** The commit a branch points at, or null when there is no such branch. ETag-cached. */
  branchHead(branch: string): Promise<string | null>;
  /** Every blob of a commit's tree (recursive). ETag-cached. */
  tree(commitSha: string): Promise<TreeEntry[]>;
  /** A blob's bytes as UTF-8 text. Cached by sha (content-addressed: never refetched). */
  blob(sha: string): Promise<string>;
  /**
   * Newest commits reachable from a branch or commit sha (`branch`), one page (`page` from 1, at
   * most 100 a page), only those touching `path` when given. Listed commits carry no `files`.
   */
  commits(opts: { branch: string; perPage: number; path?: string; page?: number }): Promise<ForgeCommit[]>;
  /** One commit with the files it touched (against its first parent, as GitHub lists them). */
  commit(sha: string): Promise<ForgeCommit>;
  /**
   * GraphQL `createCommitOnBranch` (GitHub signs it: Verified). Returns the new commit as GitHub
   * recorded it (author = the token's identity; parent = `expectedHeadOid`; no `files`).
   * The branch moved since `expectedHeadOid` → PushRejectedError.
   */
  createCommitOnBranch(input: ApiCommitInput): Promise<ForgeCommit>;
  /** Creates or force-moves a branch to `sha` (REST git refs). */
  setBranch(branch: string, sha: string): Promise<void>;
  /**
   * Creates a branch at `sha` (REST `POST git/refs`), as a compare-and-swap on its absence: a
   * branch that exists already → PushRejectedError.
   */
  createBranch(branch: string, sha: string): Promise<void>;
  /** Deletes a branch (REST git refs); a branch that is already gone is not an error. */
  deleteBranch(branch: string): Promise<void>;

  /** Every request made so far, for budgets and logs (method, route, status). */
  readonly requests: ReadonlyArray<{ method: string; route: string; status: number }>;
}
