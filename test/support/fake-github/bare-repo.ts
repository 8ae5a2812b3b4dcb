/**
 * Server-side git for the fake GitHub: reads and writes one real bare repository with plumbing
 * commands, the way GitHub's own merges and API commits land (no working tree; every ref update
 * is a compare-and-swap through `git update-ref <ref> <new> <old>`). Calls are synchronous, so a
 * request handler reads and writes without another request interleaving.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Identity {
  name: string;
  email: string;
}

/** GitHub's committer for web merges and API commits. */
export const githubCommitter: Identity = { name: 'GitHub', email: 'noreply@github.com' };

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: Identity & { date: string };
  committer: Identity & { date: string };
  message: string;
}

export interface TreeItem {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

export interface FileDiff {
  filename: string;
  status: 'added' | 'removed' | 'modified';
  sha: string;
  additions: number;
  deletions: number;
}

const zeroOid = '0'.repeat(40);
const iso = (epoch: string): string => new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const gitDate = (d: Date): string => `@${Math.floor(d.getTime() / 1000)} +0000`;

export class BareRepo {
  constructor(readonly dir: string) {}

  /** Runs git in the bare repo; throws on a non-zero exit. */
  git(args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      input: opts.input,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...opts.env },
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  }

  /** Exit status instead of an exception. */
  private ok(args: string[], env?: Record<string, string>): boolean {
    try {
      this.git(args, env ? { env } : {});
      return true;
    } catch {
      return false;
    }
  }

  static init(dir: string, defaultBranch: string): BareRepo {
    execFileSync('git', ['init', '-q', '--bare', '-b', defaultBranch, dir], { stdio: 'pipe' });
    return new BareRepo(dir);
  }

  isEmpty(): boolean {
    return this.branches().size === 0;
  }

  /**
   * Every branch and its commit, read from `packed-refs` and the loose ref files (no process:
   * most requests need this, and git writes both atomically).
   */
  branches(): Map<string, string> {
    const map = new Map<string, string>();
    try {
      for (const line of readFileSync(join(this.dir, 'packed-refs'), 'utf8').split('\n')) {
        const m = /^([0-9a-f]{40}) refs\/heads\/(.+)$/.exec(line);
        if (m) map.set(m[2]!, m[1]!);
      }
    } catch {
      // no packed refs
    }
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const name = `${prefix}${entry.name}`;
        if (entry.isDirectory()) walk(join(dir, entry.name), `${name}/`);
        else if (!entry.name.endsWith('.lock')) {
          const sha = readFileSync(join(dir, entry.name), 'utf8').trim();
          if (/^[0-9a-f]{40}$/.test(sha)) map.set(name, sha);
        }
      }
    };
    walk(join(this.dir, 'refs', 'heads'), '');
    return map;
  }

  head(branch: string): string | null {
    return this.branches().get(branch) ?? null;
  }

  /** A commit sha for a sha, short sha or branch name, or null. */
  resolveCommit(rev: string): string | null {
    if (rev.startsWith('-')) return null;
    try {
      return this.git(['rev-parse', '--verify', '-q', `${rev}^{commit}`]).trim();
    } catch {
      return null;
    }
  }

  objectType(sha: string): string | null {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return null;
    try {
      return this.git(['cat-file', '-t', sha]).trim();
    } catch {
      return null;
    }
  }

  /** Moves (or creates, with old null; deletes, with new null) a branch only if it is still at `old`. */
  casRef(branch: string, next: string | null, old: string | null): boolean {
    const ref = `refs/heads/${branch}`;
    if (next === null) return old !== null && this.ok(['update-ref', '-d', ref, old]);
    return this.ok(['update-ref', ref, next, old ?? zeroOid]);
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    return this.ok(['merge-base', '--is-ancestor', ancestor, descendant]);
  }

  /** Commits reachable from `head` but not from `base`, oldest first. */
  commitsBetween(base: string, head: string): string[] {
    const out = this.git(['rev-list', '--reverse', `${base}..${head}`]).trim();
    return out ? out.split('\n') : [];
  }

  commit(sha: string): CommitInfo {
    return parseCommit(sha, this.git(['cat-file', 'commit', sha]));
  }

  /** Newest-first commit shas from `rev`, optionally touching `path`. */
  log(rev: string, opts: { path?: string; skip: number; max: number }): string[] {
    const args = ['rev-list', `--skip=${opts.skip}`, `--max-count=${opts.max}`, rev];
    if (opts.path) args.push('--', opts.path);
    const out = this.git(args).trim();
    return out ? out.split('\n') : [];
  }

  /** Tree entries of a tree-ish (`recursive`: every level, trees included, like GitHub). */
  tree(treeish: string, recursive: boolean): { sha: string; items: TreeItem[] } {
    const sha = this.git(['rev-parse', '--verify', '-q', `${treeish}^{tree}`]).trim();
    const out = this.git(['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), sha]);
    const items: TreeItem[] = [];
    for (const rec of out.split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(rec);
      if (!m) continue;
      const item: TreeItem = { mode: m[1]!, type: m[2] as TreeItem['type'], sha: m[3]!, path: m[5]! };
      if (m[4] !== '-') item.size = Number(m[4]);
      items.push(item);
    }
    return { sha, items };
  }

  blob(sha: string): Buffer {
    return execFileSync('git', ['cat-file', 'blob', sha], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Files a commit changed against its first parent (the root commit: everything added). */
  diff(sha: string): FileDiff[] {
    const parent = this.commit(sha).parents[0];
    const range = parent ? [parent, sha] : ['--root', sha];
    const raw = this.git(['diff-tree', '-r', '-z', '--no-commit-id', '--no-renames', '--raw', ...range]);
    const numstat = this.git([
      'diff-tree',
      '-r',
      '-z',
      '--no-commit-id',
      '--no-renames',
      '--numstat',
      ...range,
    ]);
    const counts = new Map<string, [number, number]>();
    for (const rec of numstat.split('\0')) {
      const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(rec);
      if (m) counts.set(m[3]!, [Number(m[1]) || 0, Number(m[2]) || 0]);
    }
    const parts = raw.split('\0');
    const files: FileDiff[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const m = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) ([AMDT])/.exec(parts[i]!);
      const filename = parts[i + 1]!;
      if (!m) continue;
      const status = m[3] === 'A' ? 'added' : m[3] === 'D' ? 'removed' : 'modified';
      const [additions, deletions] = counts.get(filename) ?? [0, 0];
      files.push({ filename, status, sha: status === 'removed' ? m[1]! : m[2]!, additions, deletions });
    }
    return files;
  }

  /** Commits a PR from `head` into `base` would bring, and its line counts (two processes). */
  pullStats(
    base: string,
    head: string,
  ): { commits: number; additions: number; deletions: number; files: number } {
    const commits = Number(this.git(['rev-list', '--count', `${base}..${head}`]).trim());
    const stats = { commits, additions: 0, deletions: 0, files: 0 };
    for (const line of this.git(['diff', '--numstat', '--no-renames', `${base}...${head}`]).split('\n')) {
      const m = /^(-|\d+)\t(-|\d+)\t/.exec(line);
      if (!m) continue;
      stats.files++;
      stats.additions += Number(m[1]) || 0;
      stats.deletions += Number(m[2]) || 0;
    }
    return stats;
  }

  /** Several commits in one process (`git cat-file --batch`). */
  commits(shas: string[]): CommitInfo[] {
    if (shas.length === 0) return [];
    const out = execFileSync('git', ['cat-file', '--batch'], {
      cwd: this.dir,
      input: `${shas.join('\n')}\n`,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
    const infos: CommitInfo[] = [];
    let at = 0;
    for (const sha of shas) {
      const eol = out.indexOf(10, at);
      const [, type, size] = out.subarray(at, eol).toString().split(' ');
      if (type !== 'commit') throw new Error(`not a commit: ${sha}`);
      const body = out.subarray(eol + 1, eol + 1 + Number(size)).toString('utf8');
      infos.push(parseCommit(sha, body));
      at = eol + 1 + Number(size) + 1;
    }
    return infos;
  }

  /** The tree of `base` and `head` merged, or null on conflicts. */
  mergeTree(base: string, head: string): string | null {
    try {
      return this.git(['merge-tree', '--write-tree', base, head]).split('\n')[0]!.trim();
    } catch {
      return null;
    }
  }

  /** `head`'s commits replayed onto `base` (GitHub's rebase merge), or null on conflicts. */
  rebase(base: string, head: string, committer: Identity, now: Date): string | null {
    let tip = base;
    for (const sha of this.commitsBetween(base, head)) {
      const info = this.commit(sha);
      const tree = this.withIndex(tip, (env) => {
        const patch = this.git(['diff-tree', '-p', '--binary', `${sha}^`, sha], { env });
        if (patch && !this.applyCached(patch, env)) return null;
        return this.git(['write-tree'], { env }).trim();
      });
      if (!tree) return null;
      tip = this.commitTree(
        tree,
        [tip],
        info.message,
        { ...info.author, date: info.author.date },
        committer,
        now,
      );
    }
    return tip;
  }

  private applyCached(patch: string, env: Record<string, string>): boolean {
    try {
      this.git(['apply', '--cached'], { input: patch, env });
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `fn` with a temporary index loaded from `treeish` (null: empty) and an empty work tree. */
  withIndex<T>(treeish: string | null, fn: (env: Record<string, string>, tmp: string) => T): T {
    const tmp = mkdtempSync(join(tmpdir(), 'fake-github-index-'));
    const env = { GIT_INDEX_FILE: join(tmp, 'index'), GIT_WORK_TREE: tmp, GIT_LITERAL_PATHSPECS: '1' };
    try {
      if (treeish) this.git(['read-tree', treeish], { env });
      return fn(env, tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * The tree of `parent` (null: empty) with `deletions` removed and `additions` written (mode
   * 100644), in a handful of processes; `{ missing }` when a deletion names no file.
   */
  treeWith(
    parent: string | null,
    additions: { path: string; content: Buffer }[],
    deletions: string[],
  ): string | { missing: string } {
    return this.withIndex(parent, (env, tmp) => {
      if (deletions.length) {
        const files = new Set(this.git(['ls-files', '-z'], { env }).split('\0'));
        const missing = deletions.find((d) => !files.has(d));
        if (missing !== undefined) return { missing };
        this.git(['update-index', '--force-remove', '--', ...deletions], { env });
      }
      if (additions.length) {
        const paths = additions.map((a, i) => {
          const file = join(tmp, `.blob-${i}`);
          writeFileSync(file, a.content);
          return file;
        });
        const shas = this.git(['hash-object', '-w', '--no-filters', '--stdin-paths'], {
          input: paths.join('\n'),
        });
        const infos = shas
          .trim()
          .split('\n')
          .flatMap((sha, i) => ['--cacheinfo', `100644,${sha},${additions[i]!.path}`]);
        this.git(['update-index', '--add', '--replace', ...infos], { env });
      }
      return this.git(['write-tree'], { env }).trim();
    });
  }

  /** `git commit-tree` with explicit identities and dates (author date: ISO or now). */
  commitTree(
    tree: string,
    parents: string[],
    message: string,
    author: Identity & { date?: string },
    committer: Identity,
    now: Date,
  ): string {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])];
    return this.git(args, {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: author.date ? gitDate(new Date(author.date)) : gitDate(now),
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: gitDate(now),
      },
    }).trim();
  }

  /** Installs a pre-receive hook refusing pushes to `branches`, worded like GitHub's. */
  protect(branches: Map<string, string[]>): void {
    const cases = [...branches]
      .map(([branch, contexts]) => {
        const ref = `refs/heads/${branch}`;
        const lines = [
          `GH006: Protected branch update failed for ${ref}.`,
          ...contexts.map((c) => `Required status check "${c}" is expected.`),
        ];
        const echo = lines.map((l) => `    echo ${shellQuote(`error: ${l}`)} >&2`).join('\n');
        return `  ${shellQuote(ref)})\n${echo}\n    exit 1;;`;
      })
      .join('\n');
    const hook = join(this.dir, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      `#!/bin/sh\nwhile read old new ref; do\n  case "$ref" in\n${cases}\n  esac\ndone\nexit 0\n`,
    );
    chmodSync(hook, 0o755);
  }
}

function parseCommit(sha: string, raw: string): CommitInfo {
  const split = raw.indexOf('\n\n');
  const header = raw.slice(0, split < 0 ? raw.length : split).split('\n');
  const field = (name: string): string =>
    header.find((l) => l.startsWith(`${name} `))?.slice(name.length + 1) ?? '';
  const person = (line: string): Identity & { date: string } => {
    const m = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line) ?? [];
    return { name: m[1] ?? '', email: m[2] ?? '', date: iso(m[3] ?? '0') };
  };
  return {
    sha,
    tree: field('tree'),
    parents: header.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7)),
    author: person(field('author')),
    committer: person(field('committer')),
    message: split < 0 ? '' : raw.slice(split + 2),
  };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
