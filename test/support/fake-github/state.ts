/**
 * In-memory state of the fake GitHub: repositories (each backed by a real bare repo), pull
 * requests, issue comments and commit statuses. Git data (branches, commits, trees) is never
 * copied here: it is read from the bare repos on every request.
 */
import type { BareRepo } from './bare-repo.js';

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface RepoRecord {
  owner: string;
  name: string;
  id: number;
  nodeId: string;
  defaultBranch: string;
  bare: BareRepo;
  createdAt: string;
  /** Protected branch → required status contexts. */
  protections: Map<string, string[]>;
  /** Next issue/PR number. */
  nextNumber: number;
}

export interface PullRecord {
  id: number;
  nodeId: string;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  /** Head and base branch names. */
  head: string;
  base: string;
  /** Last known head sha (live while open; frozen once closed). */
  headSha: string;
  baseSha: string;
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  autoMerge: { method: MergeMethod; enabledBy: string } | null;
}

export interface CommentRecord {
  id: number;
  nodeId: string;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReactionRecord {
  id: number;
  nodeId: string;
  commentId: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface StatusRecord {
  id: number;
  nodeId: string;
  owner: string;
  repo: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
  updatedAt: string;
}

export const nodeId = (prefix: string, id: number): string =>
  `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString('base64url')}`;

/** GitHub's timestamp format (no milliseconds). */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FakeState {
  readonly repos = new Map<string, RepoRecord>();
  readonly pulls: PullRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly statuses: StatusRecord[] = [];
  readonly reactions: ReactionRecord[] = [];
  /** Collaborator permissions, by `owner/repo/login` (anyone else: 404, not a collaborator). */
  readonly permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read'>();
  /** Commits GitHub made and signed (API commits, web merges). */
  readonly verified = new Set<string>();
  private readonly userIds = new Map<string, number>();
  private nextId = 1000;

  /** The token's owner: author of API commits, PRs, comments and statuses. */
  readonly viewer = { login: 'gitcanary-bot', name: 'gitcanary bot' };

  constructor(public now: () => Date) {}

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  timestamp(): string {
    return isoSeconds(this.now());
  }

  userId(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) {
      id = 100 + this.userIds.size;
      this.userIds.set(login, id);
    }
    return id;
  }

  viewerEmail(): string {
    return `${this.userId(this.viewer.login)}+${this.viewer.login}@users.noreply.github.com`;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  pull(owner: string, repo: string, number: number): PullRecord | undefined {
    return this.pulls.find((p) => p.owner === owner && p.repo === repo && p.number === number);
  }

  /**
   * Brings an open PR up to date with its branches: a moved head bumps `updated_at`; a deleted
   * head branch closes it, as on GitHub.
   */
  refresh(pr: PullRecord, branches: Map<string, string>): void {
    if (pr.state !== 'open') return;
    const head = branches.get(pr.head);
    const base = branches.get(pr.base);
    if (base) pr.baseSha = base;
    if (!head) {
      pr.state = 'closed';
      pr.closedAt = this.timestamp();
      pr.updatedAt = pr.closedAt;
      pr.autoMerge = null;
    } else if (head !== pr.headSha) {
      pr.headSha = head;
      pr.updatedAt = this.timestamp();
    }
  }

  /** Latest status per context on `sha`, newest first. */
  latestStatuses(owner: string, repo: string, sha: string): StatusRecord[] {
    const seen = new Set<string>();
    const out: StatusRecord[] = [];
    for (let i = this.statuses.length - 1; i >= 0; i--) {
      const s = this.statuses[i]!;
      if (s.owner !== owner || s.repo !== repo || s.sha !== sha || seen.has(s.context)) continue;
      seen.add(s.context);
      out.push(s);
    }
    return out;
  }

  /** Required contexts of `branch` not yet `success` on `sha` (with their state or 'missing'). */
  unmetChecks(repo: RepoRecord, branch: string, sha: string): { context: string; state: string }[] {
    const required = repo.protections.get(branch) ?? [];
    const latest = this.latestStatuses(repo.owner, repo.name, sha);
    return required
      .map((context) => ({ context, state: latest.find((s) => s.context === context)?.state ?? 'missing' }))
      .filter((c) => c.state !== 'success');
  }
}
