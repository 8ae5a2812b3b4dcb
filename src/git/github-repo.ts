/**
 * `GitRepo` over the GitHub API, without a clone (`--commit-via api`). The branch's files are
 * materialised into a local folder, because gitcanary's loader reads files from disk; every
 * commit is one GraphQL `createCommitOnBranch`, a compare-and-swap on the head we read.
 *
 * What is materialised: the `.yaml`/`.yml` blobs and files named `Kustomization`, which is all
 * gitcanary reads with the default `include` globs (an `include` glob matching other files finds
 * nothing here). Symbolic links are not materialised (gitcanary never follows them).
 *
 * The folder is a cache across runs (e.g. restored by actions/cache): `.gitcanary/tree.json`
 * records the head it holds and the blob sha of every file written, so a run whose head did not
 * move costs one ref read, and a moved head fetches the tree and only the blobs that changed
 * (a file whose bytes already hash to the tree's blob sha is kept). `.gitcanary/commits.json`
 * remembers the files each commit touched (commits are immutable), so `recentChanges` pays one
 * call per commit it has not seen before; the commits this adapter writes cost none.
 *
 * Differences from the git CLI adapter, all GitHub's:
 * - The commit author cannot be set: GitHub attributes an API commit to the token's identity
 *   (e.g. `github-actions[bot]`) and signs it (Verified). `author` is validated and otherwise
 *   unused; gitcanary's `Canary-*` trailers still say what the commit is.
 * - `commit` pushes: there is no local commit; `push` does nothing and `hasUpstream` is true.
 * - `recentChanges` lists files against a commit's first parent, as GitHub does, for at most
 *   the 300 files GitHub lists per commit; a merge lists none (its parents come with the
 *   listing, so a merge costs no call), as `git log --name-only` does.
 * - A branch lease in `proposeBranch` is checked by a read just before the write, not
 *   atomically as git's `--force-with-lease` (a missing branch is created atomically).
 * - `log` pages through at most 5,000 commits per path.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigurationError, PushRejectedError, TerminalError } from '../errors.js';
import type { ApiCommitInput, Forge, ForgeCommit } from '../forge/port.js';
import { mapLimit } from '../map-limit.js';
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
import { confineChanges, pathProblem } from './safe-paths.js';

export interface GitHubRepoOptions {
  forge: Forge;
  /** The folder the branch's files are materialised into: missing, empty, or an earlier materialisation. */
  dir: string;
  /** Default: the repository's default branch (one API call per open). */
  branch?: string;
}

/** Our bookkeeping inside the materialisation folder. */
const metaDir = '.gitcanary';
const treeFile = `${metaDir}/tree.json`;
const commitsFile = `${metaDir}/commits.json`;
/** The newest commits of the branch as last listed, from a head (see `recentChanges`). */
const recentFile = `${metaDir}/recent.json`;
/** The newest commits as listed from `head`; `complete`: the branch has no older ones. */
interface RecentListing {
  head: string;
  complete: boolean;
  commits: ForgeCommit[];
}

/** Commits whose files are remembered (a run reads the newest 100). */
const rememberedCommits = 1000;
const perPageMax = 100;
const maxLogPages = 50;
const concurrency = 8;
const symlinkMode = '120000';

/** Whether a repository path is materialised (see the module comment). */
export function isMaterialised(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith('.yaml') || name.endsWith('.yml') || name === 'Kustomization';
}

/**
 * Git's blob id of some content: SHA-1 of `blob <byte length>\0<bytes>`.
 * @example gitBlobSha('') === 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
 */
export function gitBlobSha(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** What `tree.json` holds: the files written (path → blob sha) and the head they are of. */
interface Manifest {
  repo: string;
  branch: string;
  /** null while files are being written: `files` then lists every path that may be on disk. */
  head: string | null;
  files: Map<string, string>;
}

/**
 * Opens the branch of `forge`'s repository and materialises it into `dir` (created when
 * missing), so the folder can be read at once, as a clone's could. Throws ConfigurationError
 * when `dir` holds other files (it must be empty or an earlier materialisation) or the branch
 * does not exist.
 */
export async function openGitHubRepo(opts: GitHubRepoOptions): Promise<GitRepo> {
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  const name = `${opts.forge.repo.owner}/${opts.forge.repo.repo}`;
  let manifest = await readManifest(real);
  if (!manifest) {
    // `.gitcanary/` alone is ours: an earlier run that stopped before materialising (its ETags).
    const present = (await readdir(real)).filter((name) => name !== metaDir);
    if (present.length > 0) {
      throw new ConfigurationError(
        `${dir} is not empty and holds no gitcanary materialisation (${treeFile}); with --commit-via api, --repo must name an empty or new folder`,
      );
    }
  }
  const branch = opts.branch ?? (await opts.forge.repository()).defaultBranch;
  checkBranchName(branch);
  manifest ??= { repo: name, branch, head: null, files: new Map() };
  if (manifest.repo !== name || manifest.branch !== branch) {
    manifest = { repo: name, branch, head: null, files: manifest.files };
  }
  const repo = new GitHubRepo(opts.forge, dir, real, name, branch, manifest);
  await repo.sync();
  return repo;
}

class GitHubRepo implements GitRepo {
  /** The branch head the folder holds (after sync or our own commit). */
  private synced: string | null = null;
  private commitFiles?: Map<string, string[]>;
  /** The kept listing of the newest commits (null: read, none usable). */
  private recent?: RecentListing | null;

  constructor(
    private readonly forge: Forge,
    readonly dir: string,
    private readonly real: string,
    private readonly name: string,
    private readonly branchName: string,
    private manifest: Manifest,
  ) {}

  /** Reads the branch head (ETag-revalidated) and materialises it when it moved. */
  async sync(): Promise<SyncResult> {
    const head = await this.forge.branchHead(this.branchName);
    if (!head) {
      throw new ConfigurationError(
        `${this.name}: branch ${this.branchName} does not exist (or the repository is empty)`,
      );
    }
    if (head !== this.manifest.head) await this.materialise(head);
    this.synced = head;
    return { head, upstream: head };
  }

  async commit(changes: FileChange[], message: string, author: CommitAuthor): Promise<string | null> {
    checkAuthor(author);
    checkMessage(message);
    if (changes.length === 0) return null;
    await confineChanges(this.real, changes);
    const head = await this.head();
    const effective = changes.filter((c) => !this.unchanged(c));
    if (effective.length === 0) return null;
    const created = await this.forge.createCommitOnBranch({
      branch: this.branchName,
      expectedHeadOid: head,
      ...commitInput(effective, message),
    });
    const sha = created.sha;
    await this.apply(effective, sha);
    this.synced = sha;
    await this.remember(
      sha,
      effective.map((c) => c.path),
    );
    await this.extendRecent(head, created);
    return sha;
  }

  async push(): Promise<void> {}

  async resetToUpstream(): Promise<void> {
    await this.sync();
  }

  async proposeBranch(p: BranchProposal): Promise<string> {
    checkAuthor(p.author);
    checkMessage(p.message);
    checkBranchName(p.branch);
    if (p.branch === this.branchName) throw new TerminalError(`refusing to propose on ${p.branch} itself`);
    await confineChanges(this.real, p.changes);
    const onto = (branch: string): ApiCommitInput => ({
      branch,
      expectedHeadOid: p.base,
      ...commitInput(p.changes, p.message),
    });
    const current = p.lease === null ? null : await this.forge.branchHead(p.branch);
    if (p.lease !== undefined && current !== p.lease) {
      throw new PushRejectedError(
        `${this.name}: branch ${p.branch} is at ${current ?? 'nothing'}, expected ${p.lease ?? 'no branch'}`,
      );
    }
    let sha: string;
    if (current === null) {
      // A new branch: nothing can be open on it, so it may point at its base for a moment.
      await this.forge.createBranch(p.branch, p.base);
      sha = (await this.forge.createCommitOnBranch(onto(p.branch))).sha;
    } else {
      // An existing branch never points at its base, even briefly: GitHub closes a pull request
      // whose head equals its base, for good. The commit is made on a scratch branch, then moved.
      const scratch = `gitcanary-scratch/${p.branch}`;
      await this.forge.createBranch(scratch, p.base).catch(async (e: unknown) => {
        if (!(e instanceof PushRejectedError)) throw e;
        await this.forge.setBranch(scratch, p.base);
      });
      try {
        sha = (await this.forge.createCommitOnBranch(onto(scratch))).sha;
        await this.forge.setBranch(p.branch, sha);
      } finally {
        await this.forge.deleteBranch(scratch).catch(() => undefined);
      }
    }
    // Its files are known when it sits on the materialised head (else GitHub is asked, once).
    if (p.base === this.manifest.head) {
      await this.remember(
        sha,
        p.changes.filter((c) => !this.unchanged(c)).map((c) => c.path),
      );
    }
    return sha;
  }

  async head(): Promise<string> {
    if (!this.synced) await this.sync();
    return this.synced!;
  }

  async hasUpstream(): Promise<boolean> {
    return true;
  }

  async branch(): Promise<string | null> {
    return this.branchName;
  }

  async recentChanges(maxCount: number): Promise<ChangeEntry[]> {
    const listed = await this.recentCommits(Math.max(1, Math.floor(maxCount)));
    const known = await this.commitCache();
    const missing = listed.filter((c) => c.parents.length <= 1 && !known.has(c.sha));
    const fetched = await mapLimit(missing, concurrency, (c) => this.forge.commit(c.sha));
    for (const c of fetched) known.set(c.sha, c.files ?? []);
    if (fetched.length > 0) await this.saveCommitCache();
    return listed.map((c) => ({
      ...entryOf(c),
      files: c.parents.length > 1 ? [] : (known.get(c.sha) ?? []),
    }));
  }

  async log(opts: LogOptions): Promise<LogEntry[]> {
    const max = opts.maxCount === undefined ? undefined : Math.max(0, Math.floor(opts.maxCount));
    if (max === 0) return [];
    const grep = opts.grep;
    const keep = grep === undefined ? undefined : (c: ForgeCommit) => c.message.includes(grep);
    const paths = opts.paths?.length ? opts.paths : [undefined];
    const seen = new Map<string, ForgeCommit>();
    for (const path of paths) {
      for (const c of await this.listCommits({ max, path, keep })) seen.set(c.sha, c);
    }
    const all = [...seen.values()];
    // Several paths: newest first by committer time, a child before its parent on a tie.
    const order = (a: ForgeCommit, b: ForgeCommit) =>
      Date.parse(b.committedDate) - Date.parse(a.committedDate) ||
      (a.parents.includes(b.sha) ? -1 : b.parents.includes(a.sha) ? 1 : 0);
    if (paths.length > 1) all.sort(order);
    return all.slice(0, max).map(entryOf);
  }

  async lastCommitTime(path: string): Promise<Date | null> {
    const [last] = await this.listCommits({ max: 1, path });
    return last ? new Date(last.committedDate || last.date) : null;
  }

  /**
   * The newest `max` commits of the synced head. A listing from a commit never changes, so the
   * last one is kept in `.gitcanary/recent.json`; after our own commit it is that commit on top of
   * the listing of its parent. Only a head we have not listed costs a call.
   */
  private async recentCommits(max: number): Promise<ForgeCommit[]> {
    const head = await this.head();
    const kept = await this.readRecent();
    if (kept?.head === head && (kept.commits.length >= max || kept.complete))
      return kept.commits.slice(0, max);
    const listed = await this.listCommits({ max });
    if (listed[0]?.sha === head)
      await this.saveRecent({ head, complete: listed.length < max, commits: listed });
    return listed;
  }

  /** After our commit `created` on `parent`: the kept listing of `parent`, with `created` on top. */
  private async extendRecent(parent: string, created: ForgeCommit): Promise<void> {
    const kept = await this.readRecent();
    if (kept?.head !== parent) return;
    const commits = [created, ...kept.commits].slice(0, Math.max(kept.commits.length, perPageMax));
    const complete = kept.complete && commits.length === kept.commits.length + 1;
    await this.saveRecent({ head: created.sha, complete, commits });
  }

  private async saveRecent(recent: RecentListing): Promise<void> {
    this.recent = recent;
    await writeJson(join(this.real, recentFile), { version: 1, ...recent });
  }

  /** The kept listing: read from the folder once per process, then held in memory. */
  private async readRecent(): Promise<RecentListing | undefined> {
    if (this.recent !== undefined) return this.recent ?? undefined;
    const raw = (await readJson(join(this.real, recentFile))) as {
      version?: unknown;
      head?: unknown;
      complete?: unknown;
      commits?: unknown;
    } | null;
    this.recent = null;
    if (raw?.version !== 1 || typeof raw.head !== 'string' || !Array.isArray(raw.commits)) return undefined;
    const commits = raw.commits.filter(
      (c): c is ForgeCommit =>
        typeof c?.sha === 'string' &&
        typeof c.message === 'string' &&
        typeof c.author === 'string' &&
        typeof c.authorEmail === 'string' &&
        typeof c.date === 'string' &&
        Array.isArray(c.parents),
    );
    if (commits.length !== raw.commits.length || commits[0]?.sha !== raw.head) return undefined;
    this.recent = { head: raw.head, complete: raw.complete === true, commits };
    return this.recent;
  }

  /** Newest commits from the synced head, page by page until `max` (after `keep`) or the end. */
  private async listCommits(opts: {
    max: number | undefined;
    path?: string | undefined;
    keep?: ((c: ForgeCommit) => boolean) | undefined;
  }): Promise<ForgeCommit[]> {
    const head = await this.head();
    const want = opts.max ?? Number.POSITIVE_INFINITY;
    const perPage = opts.keep || want > perPageMax ? perPageMax : want;
    const out: ForgeCommit[] = [];
    for (let page = 1; page <= maxLogPages && out.length < want; page++) {
      const batch = await this.forge.commits({
        branch: head,
        perPage,
        ...(opts.path ? { path: opts.path } : {}),
        ...(page > 1 ? { page } : {}),
      });
      out.push(...(opts.keep ? batch.filter(opts.keep) : batch));
      if (batch.length < perPage) break;
    }
    return out.slice(0, want);
  }

  /** Whether the materialised branch already has this change (so it needs no commit). */
  private unchanged(c: FileChange): boolean {
    if (!isMaterialised(c.path)) return false;
    const known = this.manifest.files.get(c.path);
    return 'delete' in c ? known === undefined : known === gitBlobSha(c.content);
  }

  /** Writes the branch at `head` into the folder: changed blobs only, removed files deleted. */
  private async materialise(head: string): Promise<void> {
    const wanted = new Map<string, string>();
    for (const e of await this.forge.tree(head)) {
      if (!isMaterialised(e.path) || e.mode === symlinkMode) continue;
      const problem = pathProblem(e.path);
      if (problem) {
        throw new TerminalError(
          `${this.name}@${head.slice(0, 7)}: refusing the tree path ${JSON.stringify(e.path)}: ${problem}`,
        );
      }
      wanted.set(e.path, e.sha);
    }
    const removed = [...this.manifest.files.keys()].filter((p) => !wanted.has(p));
    const onDisk = await mapLimit([...wanted], concurrency, async ([path, sha]) =>
      (await this.diskSha(path)) === sha ? null : { path, sha },
    );
    const stale = onDisk.filter((x) => x !== null);
    // Files with the same content (e.g. identical kustomizations) share one fetch.
    const shas = [...new Set(stale.map((x) => x.sha))];
    const texts = await mapLimit(shas, concurrency, (sha) => this.forge.blob(sha));
    const text = new Map(shas.map((sha, i) => [sha, texts[i]!]));
    const writes: FileChange[] = stale.map(({ path, sha }) => ({ path, content: text.get(sha)! }));
    const deletions: FileChange[] = removed.map((path) => ({ path, delete: true }));
    if (writes.length > 0 || deletions.length > 0) {
      await this.saveManifest({ ...this.manifest, head: null, files: union(this.manifest.files, wanted) });
      await confineChanges(this.real, deletions);
      for (const d of deletions) await this.removeFile(d.path);
      await confineChanges(this.real, writes);
      for (const w of writes) if (!('delete' in w)) await this.writeFile(w.path, w.content);
    }
    await this.saveManifest({ ...this.manifest, head, files: wanted });
  }

  /** Applies our own commit's changes to the folder and the manifest. */
  private async apply(changes: FileChange[], head: string): Promise<void> {
    const files = new Map(this.manifest.files);
    const local = changes.filter((c) => isMaterialised(c.path));
    for (const c of local) {
      if ('delete' in c) files.delete(c.path);
      else files.set(c.path, gitBlobSha(c.content));
    }
    await this.saveManifest({ ...this.manifest, head: null, files: union(this.manifest.files, files) });
    for (const c of local) {
      if ('delete' in c) await this.removeFile(c.path);
      else await this.writeFile(c.path, c.content);
    }
    await this.saveManifest({ ...this.manifest, head, files });
  }

  /** The blob sha of a materialised file as it is on disk, or null when it is not a regular file. */
  private async diskSha(path: string): Promise<string | null> {
    const abs = join(this.real, path);
    const st = await lstat(abs).catch(() => null);
    if (!st?.isFile()) return null;
    return gitBlobSha(await readFile(abs));
  }

  private async writeFile(path: string, content: string): Promise<void> {
    const abs = join(this.real, path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content, 'utf8');
  }

  /** Deletes a file and the folders it leaves empty (up to the top). */
  private async removeFile(path: string): Promise<void> {
    await rm(join(this.real, path), { force: true });
    for (let d = dirname(path); d !== '.' && d !== ''; d = dirname(d)) {
      const gone = await rmdir(join(this.real, d)).then(
        () => true,
        () => false,
      );
      if (!gone) break;
    }
  }

  private async saveManifest(m: Manifest): Promise<void> {
    this.manifest = m;
    const files = [...m.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const json = { version: 1, repo: m.repo, branch: m.branch, head: m.head, files };
    await writeJson(join(this.real, treeFile), json);
  }

  private async commitCache(): Promise<Map<string, string[]>> {
    if (this.commitFiles) return this.commitFiles;
    const raw = (await readJson(join(this.real, commitsFile))) as { commits?: unknown } | undefined;
    const known = new Map<string, string[]>();
    if (Array.isArray(raw?.commits)) {
      for (const entry of raw.commits) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) continue;
        if (entry[1].every((f: unknown) => typeof f === 'string')) known.set(entry[0], entry[1]);
      }
    }
    this.commitFiles = known;
    return known;
  }

  /** Remembers the files of a commit this adapter wrote (they are exactly its changes). */
  private async remember(sha: string, files: string[]): Promise<void> {
    (await this.commitCache()).set(sha, files);
    await this.saveCommitCache();
  }

  private async saveCommitCache(): Promise<void> {
    const known = await this.commitCache();
    const commits = [...known].slice(-rememberedCommits);
    await writeJson(join(this.real, commitsFile), { version: 1, commits });
  }
}

function entryOf(c: ForgeCommit): LogEntry {
  return {
    sha: c.sha,
    author: c.author,
    authorEmail: c.authorEmail,
    date: new Date(c.date),
    message: c.message,
  };
}

/**
 * The mutation's message and file changes: headline = first line, body = the rest.
 * @example commitInput([], 'Advance a/b\n\nweight 20\n\nCanary: a/b') →
 *   { headline: 'Advance a/b', body: 'weight 20\n\nCanary: a/b', additions: [], deletions: [] }
 */
function commitInput(
  changes: FileChange[],
  message: string,
): Omit<ApiCommitInput, 'branch' | 'expectedHeadOid'> {
  const lines = message.trim().split('\n');
  const headline = (lines[0] ?? '').trim();
  const body = lines
    .slice(1)
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  return {
    headline,
    ...(body ? { body } : {}),
    additions: changes.flatMap((c) => ('delete' in c ? [] : [{ path: c.path, content: c.content }])),
    deletions: changes.flatMap((c) => ('delete' in c ? [c.path] : [])),
  };
}

const union = (a: Map<string, string>, b: Map<string, string>): Map<string, string> => new Map([...a, ...b]);

async function readManifest(real: string): Promise<Manifest | null> {
  const raw = (await readJson(join(real, treeFile))) as
    | { repo?: unknown; branch?: unknown; head?: unknown; files?: unknown }
    | undefined;
  if (raw === undefined) return null;
  const files = new Map<string, string>();
  if (Array.isArray(raw?.files)) {
    for (const entry of raw.files) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') {
        files.set(entry[0], entry[1]);
      }
    }
  }
  const text = (x: unknown): string => (typeof x === 'string' ? x : '');
  // An unreadable manifest is still ours: its files are kept track of, its head is not trusted.
  const head = typeof raw?.head === 'string' && /^[0-9a-f]{40,64}$/.test(raw.head) ? raw.head : null;
  return { repo: text(raw?.repo), branch: text(raw?.branch), head, files };
}

/** Parsed JSON, null when unparsable, undefined when the file does not exist. */
async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Writes JSON through a temporary file and a rename, so a crash never leaves half a file. */
async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value)}\n`, 'utf8');
  await rename(tmp, path);
}

function checkBranchName(branch: string): void {
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(branch) || branch.includes('..') || branch.endsWith('.lock')) {
    throw new TerminalError(`refusing to write branch ${JSON.stringify(branch)}: not a plain branch name`);
  }
}

function checkMessage(message: string): void {
  if (message.trim() === '' || message.includes('\0')) {
    throw new TerminalError('commit message is empty or contains a NUL character');
  }
}

function checkAuthor({ name, email }: CommitAuthor): void {
  const bad = (s: string) => typeof s !== 'string' || s.trim() === '' || /[<>\n\r\0]/.test(s);
  if (bad(name) || bad(email)) {
    throw new ConfigurationError(
      `invalid commit author ${JSON.stringify({ name, email })}: name and email must be non-empty, without <, > or newlines`,
    );
  }
}
