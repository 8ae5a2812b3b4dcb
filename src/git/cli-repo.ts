/**
 * `GitRepo` on the git CLI, through simple-git (imported nowhere else). Commits are written
 * with plumbing (`update-index` on the exact paths, `write-tree`, `commit-tree`, `update-ref`
 * with the old value), so a small change in a big repository touches only those paths, runs
 * no hooks, and can never produce an empty commit. Identity is passed with `-c user.name/email`
 * on every command, so a machine without a global git identity works.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { GitError, type SimpleGit, simpleGit } from 'simple-git';
import { ConfigurationError, PushRejectedError, TerminalError } from '../errors.js';
import { classifyGitError, GitCommandError } from './errors.js';
import { changesFormat, logFormat, parseChanges, parseLog } from './log-parse.js';
import type {
  BranchProposal,
  ChangeEntry,
  CommitAuthor,
  FileChange,
  GitRepo,
  LogEntry,
  LogOptions,
  SyncResult,
} from './port.js';
import { confineChanges } from './safe-paths.js';

/** Identity for commands that write reflogs (fetch, reset, merge); commits use their author. */
const toolIdentity: CommitAuthor = { name: 'gitcanary', email: 'gitcanary@localhost' };

/** A command quiet for this long is killed (then classified as transient). */
const blockTimeoutMs = 300_000;

/**
 * Ambient variables passed through to git: transport, TLS, ssh, tracing and config-file
 * selection, which belong to the operator's environment. Repository location (`GIT_DIR`,
 * `GIT_WORK_TREE`, `GIT_INDEX_FILE`...) and identity (`GIT_AUTHOR_*`, `GIT_COMMITTER_*`) are
 * dropped: they would redirect or re-sign our commands (e.g. when run from inside a git hook).
 */
export function passthroughEnv(env: NodeJS.ProcessEnv): string[] {
  const allowed =
    /^GIT_(SSL_\w+|SSH|SSH_COMMAND|SSH_VARIANT|ASKPASS|TERMINAL_PROMPT|HTTP_\w+|CURL_\w+|TRACE\w*|PROXY_\w+|ALLOW_PROTOCOL|PROTOCOL_FROM_USER|CONFIG_NOSYSTEM|CONFIG_GLOBAL|CONFIG_SYSTEM|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+)$/;
  return Object.keys(env).filter((k) => allowed.test(k));
}

interface Upstream {
  branch: string;
  remote: string;
  /** The branch on the remote, e.g. `refs/heads/main`. */
  mergeRef: string;
  /** Our remote-tracking ref for it, e.g. `refs/remotes/origin/main`. */
  tracking: string;
}

/**
 * Opens the working tree whose top folder is `dir`. Throws ConfigurationError when `dir` is not
 * the top of a (non-bare) git working tree.
 */
export async function openRepo(dir: string): Promise<GitRepo> {
  const abs = resolve(dir);
  let top: string;
  try {
    top = (await client(abs).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch (e) {
    throw new ConfigurationError(`${abs} is not a git working tree`, { cause: e });
  }
  const [realTop, realDir] = await Promise.all([realpath(top), realpath(abs)]);
  if (realTop !== realDir) {
    throw new ConfigurationError(`${abs} is inside the git working tree ${top}; use the top folder`);
  }
  return new CliRepo(abs, realTop);
}

class CliRepo implements GitRepo {
  constructor(
    readonly dir: string,
    private readonly realTop: string,
  ) {}

  async sync(opts: { keepLocal?: boolean } = {}): Promise<SyncResult> {
    const up = await this.upstream();
    if (!up) return { head: await this.head(), upstream: null };
    await this.assertCleanTree();
    const upstream = await this.fetch(up);
    const head = await this.maybeHead();
    if (head === null) {
      await this.git('merge', ['merge', '--ff-only', up.tracking]);
      return { head: await this.head(), upstream };
    }
    const [ahead = 0, behind = 0] = (
      await this.git('rev-list', ['rev-list', '--left-right', '--count', `${head}...${upstream}`])
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    if (ahead > 0 && behind > 0) {
      throw new ConfigurationError(
        `${this.dir}: branch ${up.branch} and ${up.remote}/${short(up.mergeRef)} have diverged ` +
          `(${ahead} local commit(s) not pushed, ${behind} new upstream commit(s)); gitcanary never rebases: ` +
          `push or drop the local commits (git reset --hard ${up.tracking}) and run again`,
      );
    }
    if (ahead > 0 && !opts.keepLocal) await this.refuseForeignCommits(upstream, up);
    if (behind === 0) return { head, upstream };
    await this.git('merge', ['merge', '--ff-only', upstream]);
    return { head: upstream, upstream };
  }

  async commit(changes: FileChange[], message: string, author: CommitAuthor): Promise<string | null> {
    checkAuthor(author);
    if (message.trim() === '' || message.includes('\0')) {
      throw new TerminalError('commit message is empty or contains a NUL character');
    }
    if (changes.length === 0) return null;
    await confineChanges(this.realTop, changes);
    const paths = changes.map((c) => c.path);
    await this.assertNothingElseStaged(new Set(paths));
    for (const change of changes) {
      const abs = join(this.realTop, change.path);
      if ('delete' in change) {
        await rm(abs, { force: true });
      } else {
        await mkdir(dirname(abs), { recursive: true });
        await writeFile(abs, change.content, 'utf8');
      }
    }
    const stdin = `${paths.join('\0')}\0`;
    await this.git(
      'stage',
      ['update-index', '--verbose', '--add', '--remove', '--replace', '-z', '--stdin'],
      { stdin },
    );
    const tree = (await this.git('commit', ['write-tree'])).trim();
    const parent = await this.maybeHead();
    const parentTree = parent ? (await this.git('commit', ['rev-parse', `${parent}^{tree}`])).trim() : null;
    if (tree === parentTree) return null;
    const parentArgs = parent ? ['-p', parent] : [];
    const sha = (
      await this.git('commit', ['commit-tree', tree, ...parentArgs, '-F', '-'], {
        stdin: message,
        who: author,
      })
    ).trim();
    await this.git('commit', ['update-ref', '-m', 'gitcanary: commit', 'HEAD', sha, parent ?? ''], {
      who: author,
    });
    this.own.add(sha);
    return sha;
  }

  async proposeBranch(p: BranchProposal): Promise<string> {
    checkAuthor(p.author);
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(p.branch) || p.branch.includes('..')) {
      throw new TerminalError(
        `refusing to write branch ${JSON.stringify(p.branch)}: not a plain branch name`,
      );
    }
    await confineChanges(this.realTop, p.changes);
    const sha = await withTempIndex(this.realTop, async (run) => {
      await run(['read-tree', p.base]);
      const lines: string[] = [];
      for (const change of p.changes) {
        if ('delete' in change) {
          lines.push(`0 ${'0'.repeat(40)}\t${change.path}`);
        } else {
          const blob = (await run(['hash-object', '-w', '--stdin'], change.content)).trim();
          lines.push(`100644 ${blob}\t${change.path}`);
        }
      }
      await run(['update-index', '--index-info'], `${lines.join('\n')}\n`);
      const tree = (await run(['write-tree'])).trim();
      return (await run(['commit-tree', tree, '-p', p.base, '-F', '-'], p.message, p.author)).trim();
    });
    const up = await this.upstream();
    const ref = `refs/heads/${p.branch}`;
    if (!up || up.remote === '.') {
      const old = p.lease === undefined ? [] : [p.lease ?? ''];
      await this.git('branch', ['update-ref', ref, sha, ...old]);
      return sha;
    }
    const lease = p.lease === undefined ? [] : [`--force-with-lease=${ref}:${p.lease ?? ''}`];
    const spec = p.lease === undefined ? `+${sha}:${ref}` : `${sha}:${ref}`;
    await this.git('push', ['push', '--porcelain', ...lease, up.remote, spec]);
    return sha;
  }

  async push(): Promise<void> {
    const up = await this.requireUpstream('push');
    const out = await this.git('push', ['push', '--porcelain', up.remote, `HEAD:${up.mergeRef}`]);
    // Two runners deciding the same step in the same second write byte-identical commits (same
    // tree, parent, message and date): the second push finds the ref already there. That run did
    // not write the step; it lost the race like any other, so it re-reads (and sends nothing).
    if (/^=\t/m.test(out)) {
      throw new PushRejectedError(
        `git push: ${up.mergeRef} already holds this commit (another run wrote the same change)`,
      );
    }
  }

  async resetToUpstream(): Promise<void> {
    const up = await this.requireUpstream('reset to upstream');
    const upstream = await this.fetch(up);
    // Only this run's own commits may be dropped: a person's unpushed commits or uncommitted
    // changes in this clone stop the run instead (a terminal, `gitcanary promote` in a working copy).
    const local = (await this.git('rev-list', ['rev-list', `${upstream}..HEAD`])).split('\n').filter(Boolean);
    const theirs = local.filter((sha) => !this.own.has(sha));
    if (theirs.length > 0) {
      throw new ConfigurationError(
        `${this.dir}: the push lost a race, and starting over would drop ${theirs.length} local commit(s) ` +
          `not made by this run (${theirs.map((s) => s.slice(0, 7)).join(', ')}); push or move them, then run again`,
      );
    }
    await this.assertCleanTree();
    await this.git('reset', ['reset', '--hard', upstream]);
  }

  /**
   * A run pushes only what it committed: local commits this object did not make (a person's
   * unpushed work at a terminal, a `--no-push` run's) would ride along with the next push.
   */
  private async refuseForeignCommits(upstream: string, up: Upstream): Promise<void> {
    const local = (await this.git('rev-list', ['rev-list', `${upstream}..HEAD`])).split('\n').filter(Boolean);
    const theirs = local.filter((sha) => !this.own.has(sha));
    if (theirs.length === 0) return;
    throw new ConfigurationError(
      `${this.dir}: branch ${up.branch} has ${theirs.length} local commit(s) not on ${up.remote}/${short(up.mergeRef)} ` +
        `(${preview(theirs.map((s) => s.slice(0, 7)))}); gitcanary pushes only its own commits: ` +
        `push them yourself, or move them to another branch, then run again`,
    );
  }

  async head(): Promise<string> {
    const head = await this.maybeHead();
    if (head === null) throw new ConfigurationError(`${this.dir}: the current branch has no commits yet`);
    return head;
  }

  async hasUpstream(): Promise<boolean> {
    return (await this.upstream()) !== null;
  }

  async recentChanges(maxCount: number): Promise<ChangeEntry[]> {
    if ((await this.maybeHead()) === null) return [];
    const out = await this.git('log', [
      'log',
      '-z',
      `--max-count=${Math.max(1, Math.floor(maxCount))}`,
      '--name-only',
      changesFormat,
      'HEAD',
    ]);
    return parseChanges(out);
  }

  async branch(): Promise<string | null> {
    const ref = await this.maybe(['symbolic-ref', '-q', 'HEAD']);
    return ref?.startsWith('refs/heads/') ? short(ref) : null;
  }

  async log(opts: LogOptions): Promise<LogEntry[]> {
    if ((await this.maybeHead()) === null) return [];
    const args = ['log', '-z', logFormat];
    if (opts.maxCount !== undefined) args.push(`--max-count=${Math.max(0, Math.floor(opts.maxCount))}`);
    if (opts.grep !== undefined) args.push('--fixed-strings', `--grep=${opts.grep}`);
    args.push('HEAD', '--', ...(opts.paths ?? []).map(literal));
    const run = async () => parseLog(await this.git('log', args));
    return this.deepening(run, (entries, boundary) => {
      if (opts.maxCount === undefined || entries.length < opts.maxCount) return false;
      return !opts.paths?.length || !entries.some((e) => boundary.has(e.sha));
    });
  }

  async lastCommitTime(path: string): Promise<Date | null> {
    if ((await this.maybeHead()) === null) return null;
    const args = ['log', '-1', '--format=%H%x1f%cI', 'HEAD', '--', literal(path)];
    const run = async () => {
      const [sha, date] = (await this.git('log', args)).trim().split('\x1f');
      return sha && date ? { sha, date: new Date(date) } : null;
    };
    const found = await this.deepening(run, (r, boundary) => r === null || !boundary.has(r.sha));
    return found?.date ?? null;
  }

  /** Runs `query`; on a shallow clone, deepens and re-runs until `complete` or fully deep. */
  private async deepening<T>(
    query: () => Promise<T>,
    complete: (r: T, boundary: Set<string>) => boolean,
  ): Promise<T> {
    for (const depth of [100, 1_000, 10_000, 0]) {
      const result = await query();
      const boundary = await this.shallowBoundary();
      if (boundary.size === 0 || complete(result, boundary)) return result;
      const up = await this.upstream();
      if (!up || up.remote === '.') return result;
      const how = depth > 0 ? `--deepen=${depth}` : '--unshallow';
      await this.git('fetch', [
        'fetch',
        '--verbose',
        '--no-tags',
        how,
        up.remote,
        `+${up.mergeRef}:${up.tracking}`,
      ]);
    }
    return query();
  }

  private async shallowBoundary(): Promise<Set<string>> {
    const file = resolve(
      this.realTop,
      (await this.git('rev-parse', ['rev-parse', '--git-path', 'shallow'])).trim(),
    );
    try {
      return new Set((await readFile(file, 'utf8')).split('\n').filter(Boolean));
    } catch {
      return new Set();
    }
  }

  /** Fetches the upstream branch into its remote-tracking ref and returns its commit. */
  private async fetch(up: Upstream): Promise<string> {
    if (up.remote !== '.') {
      await this.git('fetch', [
        'fetch',
        '--verbose',
        '--no-tags',
        up.remote,
        `+${up.mergeRef}:${up.tracking}`,
      ]);
    }
    return (await this.git('fetch', ['rev-parse', '--verify', `${up.tracking}^{commit}`])).trim();
  }

  /** The upstream, read once per GitRepo (a run never switches branches). */
  private upstreamOnce?: Promise<Upstream | null>;
  /** Commits this object made (the only ones {@link resetToUpstream} may drop). */
  private readonly own = new Set<string>();

  private upstream(): Promise<Upstream | null> {
    this.upstreamOnce ??= this.readUpstream();
    return this.upstreamOnce;
  }

  private async readUpstream(): Promise<Upstream | null> {
    const ref = await this.maybe(['symbolic-ref', '-q', 'HEAD']);
    if (!ref?.startsWith('refs/heads/')) return null;
    const branch = short(ref);
    const key = `branch.${branch}.`;
    const pattern = `^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(remote|merge)$`;
    const config = new Map<string, string>();
    for (const entry of ((await this.maybe(['config', '-z', '--get-regexp', pattern])) ?? '').split('\0')) {
      const nl = entry.indexOf('\n');
      if (nl > 0) config.set(entry.slice(key.length, nl), entry.slice(nl + 1));
    }
    const remote = config.get('remote');
    const mergeRef = config.get('merge');
    if (!remote || !mergeRef) return null;
    const tracking = remote === '.' ? mergeRef : `refs/remotes/${remote}/${short(mergeRef)}`;
    return { branch, remote, mergeRef, tracking };
  }

  private async requireUpstream(what: string): Promise<Upstream> {
    const up = await this.upstream();
    if (!up) {
      throw new ConfigurationError(
        `${this.dir}: cannot ${what}: the current branch has no upstream (git branch --set-upstream-to=origin/<branch>)`,
      );
    }
    return up;
  }

  private async maybeHead(): Promise<string | null> {
    return this.maybe(['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  }

  private async assertCleanTree(): Promise<void> {
    // `--branch` adds a `## branch` entry, so the command always prints something.
    const status = await this.git('status', [
      'status',
      '--porcelain',
      '-z',
      '--branch',
      '--untracked-files=no',
    ]);
    const files = status
      .split('\0')
      .filter((l) => l !== '' && !l.startsWith('## '))
      .map((l) => l.slice(3));
    if (files.length > 0) {
      throw new ConfigurationError(
        `${this.dir} has uncommitted changes to tracked files (${preview(files)}); commit or stash them first`,
      );
    }
  }

  private async assertNothingElseStaged(ours: Set<string>): Promise<void> {
    const staged = (await this.git('diff', ['diff', '--cached', '--name-only', '-z', '--no-renames']))
      .split('\0')
      .filter((p) => p !== '' && !ours.has(p));
    if (staged.length > 0) {
      throw new ConfigurationError(
        `${this.dir} has staged changes gitcanary did not make (${preview(staged)}); commit or unstage them first`,
      );
    }
  }

  /** Output of a query that answers "nothing" with a bare non-zero exit (exit 1, no stderr). */
  private async maybe(args: string[]): Promise<string | null> {
    try {
      return (await client(this.dir).raw(args)).trim() || null;
    } catch (raw) {
      const e = commandError(args, raw);
      if (e instanceof GitCommandError && e.exitCode === 1 && e.stderr.trim() === '') return null;
      throw classifyGitError(args[0] ?? 'git', e);
    }
  }

  /** Runs one git command; any failure is classified by `classifyGitError(op, …)`. */
  private async git(
    op: string,
    args: string[],
    opts: { stdin?: string; who?: CommitAuthor } = {},
  ): Promise<string> {
    try {
      return await client(this.dir, opts.who, opts.stdin).raw(args);
    } catch (e) {
      throw classifyGitError(op, commandError(args, e));
    }
  }
}

/** Exit details of a failed command, attached to simple-git's error by `client`. */
type ExitDetails = { exitCode: number; stderr: string; stdout: string };
const exitDetails = Symbol('gitcanary.exit');

/** A simple-git client for one call: identity via `-c`, any non-zero exit is an error. */
function client(baseDir: string, who: CommitAuthor = toolIdentity, stdin?: string): SimpleGit {
  return simpleGit({
    baseDir,
    config: [`user.name=${who.name}`, `user.email=${who.email}`, 'core.quotePath=false'],
    allowEnvironment: passthroughEnv(process.env),
    timeout: { block: blockTimeoutMs },
    // Only `close` means all output was read; simple-git's default also ends 50 ms after `exit`,
    // which loses stdout on a busy machine.
    completion: { onClose: true, onExit: false },
    ...(stdin === undefined ? {} : { input: () => stdin }),
    errors: (error, result) => {
      // Keep simple-git's own plugin errors (timeout, abort); turn every non-zero exit into one
      // error carrying the exit code and both streams (simple-git only fails on exit + stderr).
      if (!result.exitCode || (error instanceof Error && 'plugin' in error)) return error;
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      const details: ExitDetails = {
        exitCode: result.exitCode,
        stderr: text(result.stdErr),
        stdout: text(result.stdOut),
      };
      return Object.assign(new GitError(undefined, details.stderr || details.stdout), {
        [exitDetails]: details,
      });
    },
  });
}

/** simple-git's error for a non-zero exit, as our GitCommandError (other errors unchanged). */
function commandError(args: string[], e: unknown): unknown {
  const details = (e as { [exitDetails]?: ExitDetails } | null)?.[exitDetails];
  return details ? new GitCommandError(args, details.exitCode, details.stderr, details.stdout) : e;
}

function checkAuthor({ name, email }: CommitAuthor): void {
  const bad = (s: string) => typeof s !== 'string' || s.trim() === '' || /[<>\n\r\0]/.test(s);
  if (bad(name) || bad(email)) {
    throw new ConfigurationError(
      `invalid commit author ${JSON.stringify({ name, email })}: name and email must be non-empty, without <, > or newlines`,
    );
  }
}

const literal = (path: string): string => `:(literal)${path}`;
const short = (ref: string): string => ref.replace(/^refs\/(heads|remotes)\//, '');
const preview = (files: string[]): string => files.slice(0, 5).join(', ') + (files.length > 5 ? ', …' : '');

type IndexRun = (args: string[], stdin?: string, who?: CommitAuthor) => Promise<string>;

/**
 * Runs git commands against a throwaway index file (`GIT_INDEX_FILE`), so a side commit never
 * disturbs the working tree's index. Deleted afterwards.
 */
export async function withTempIndex<T>(top: string, fn: (run: IndexRun) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gitcanary-index-'));
  const base: NodeJS.ProcessEnv = {};
  for (const k of passthroughEnv(process.env)) base[k] = process.env[k];
  for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR']) if (process.env[k]) base[k] = process.env[k];
  const run: IndexRun = (args, stdin, who = toolIdentity) =>
    new Promise((ok, fail) => {
      const env = {
        ...base,
        GIT_INDEX_FILE: join(dir, 'index'),
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: who.name,
        GIT_COMMITTER_EMAIL: who.email,
      };
      const child = execFile('git', args, { cwd: top, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (!err) return ok(stdout);
        const code = typeof err.code === 'number' ? err.code : 1;
        fail(classifyGitError(args[0] ?? 'git', new GitCommandError(args, code, stderr, stdout)));
      });
      // A command that exits without reading its input (read-tree, commit-tree without -F -)
      // closes the pipe first: the EPIPE is expected, and the exit status above is the result.
      child.stdin?.on('error', () => {});
      child.stdin?.end(stdin ?? '');
    });
  try {
    return await fn(run);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
