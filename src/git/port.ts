/**
 * The `GitRepo` port: everything gitcanary asks of a Git working tree. The only adapter is
 * `cli-repo.ts` (the git CLI through simple-git). Failures are typed (`src/errors.ts`):
 * `PushRejectedError` for a lost push race, `TransientError` for network/lock trouble,
 * `TerminalError` for the rest, `ConfigurationError` for a repository we must not touch.
 */

/** One file to write (`content`, UTF-8) or delete, by repo-relative POSIX path. */
export type FileChange = { path: string; content: string } | { path: string; delete: true };

/** Who a commit is by: used as both author and committer. */
export interface CommitAuthor {
  name: string;
  email: string;
}

/** Where the working tree stands after `sync()`. */
export interface SyncResult {
  /** HEAD after the fast-forward. */
  head: string;
  /** The upstream commit that was fetched, or null when the branch has no upstream. */
  upstream: string | null;
}

export interface LogOptions {
  /** Only commits touching these repo-relative paths (taken literally, no globs). */
  paths?: string[];
  /** Only commits whose message contains this text (a fixed string, not a regex). */
  grep?: string;
  /** At most this many commits, newest first. */
  maxCount?: number;
}

export interface LogEntry {
  sha: string;
  author: string;
  authorEmail: string;
  /** Author date. */
  date: Date;
  /** The full raw message (subject, body, trailers). */
  message: string;
}

/** A commit proposed on a side branch (see `GitRepo.proposeBranch`). */
export interface BranchProposal {
  branch: string;
  base: string;
  changes: FileChange[];
  message: string;
  author: CommitAuthor;
  /** The branch must still point here; null: it must not exist; absent: replace whatever is there. */
  lease?: string | null;
}

/** A recent commit and the files it touched. */
export interface ChangeEntry extends LogEntry {
  files: string[];
  /** Committer name and email (absent where the adapter cannot tell, e.g. the GitHub API one). */
  committer?: string;
  committerEmail?: string;
  /**
   * The commit's signature as git checked it with the operator's own git configuration (keyring,
   * `gpg.ssh.allowedSignersFile`): `status` is `%G?` (G good and trusted, N none, B bad, U good
   * but untrusted key, X/Y expired, R revoked, E cannot check), `signer` `%GS`, `key` `%GK`.
   */
  signature?: { status: string; signer: string; key: string };
}

export interface GitRepo {
  /** Absolute path of the working tree's top folder. */
  readonly dir: string;

  /**
   * Brings the current branch up to date with its upstream: fetches it and fast-forwards.
   * Throws ConfigurationError when tracked files have uncommitted changes, or when local and
   * upstream have diverged (unpushed local commits plus new upstream commits), or when local
   * commits this object did not make are not pushed yet (a push would carry them). A branch with
   * no upstream (or a detached HEAD) is left alone and its HEAD returned. `keepLocal` (a run that
   * will not push): a person's unpushed commits are kept and built on, since nothing carries them.
   */
  sync(opts?: { keepLocal?: boolean }): Promise<SyncResult>;

  /**
   * Writes and deletes exactly these files (creating folders), stages exactly those paths and
   * commits them on the current branch with `author` as author and committer. Returns the new
   * commit, or null when the files already had that content (no empty commits). Paths that
   * are absolute, contain `.` or `..` segments, enter `.git`, or pass through a symlink are
   * refused with TerminalError before anything is written.
   */
  commit(changes: FileChange[], message: string, author: CommitAuthor): Promise<string | null>;

  /**
   * Pushes HEAD to the upstream branch, never forcing. A lost race (the remote moved) throws
   * PushRejectedError; network trouble TransientError; auth failures and policy refusals
   * (protected branch, rulesets, hooks) TerminalError.
   */
  push(): Promise<void>;

  /**
   * After a lost push race: fetches the upstream and hard-resets the branch and working tree to
   * it, dropping our unpushed commit(s). Never writes to the remote.
   */
  resetToUpstream(): Promise<void>;

  /**
   * Writes a commit with `changes` on top of `base` without touching the working tree, the index
   * or the checked-out branch, and pushes it to the remote branch `branch` (pull-request
   * delivery), replacing what is there only if it still points at `lease` (null: the branch must
   * not exist yet). Returns the commit. A lost lease throws PushRejectedError; with no upstream
   * remote the branch is only written locally.
   */
  proposeBranch(proposal: BranchProposal): Promise<string>;

  /** The commit HEAD points at. Throws ConfigurationError on a branch with no commits yet. */
  head(): Promise<string>;

  /** Whether the current branch tracks a remote branch (so `push` has a target). */
  hasUpstream(): Promise<boolean>;

  /** The checked-out branch's short name, or null on a detached HEAD. */
  branch(): Promise<string | null>;

  /** The newest `maxCount` commits of HEAD with the files each touched (one git call). */
  recentChanges(maxCount: number): Promise<ChangeEntry[]>;

  /**
   * Commits reachable from HEAD, newest first, filtered by paths and message text. On a shallow
   * clone the history is deepened from the upstream remote when the answer may be cut short.
   */
  log(opts: LogOptions): Promise<LogEntry[]>;

  /**
   * Committer time of the last commit that touched `path`, or null when no visible commit did.
   * On a shallow clone, deepens when the answer is only the shallow boundary.
   */
  lastCommitTime(path: string): Promise<Date | null>;
}
