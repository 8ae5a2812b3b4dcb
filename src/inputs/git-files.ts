/**
 * The git side of discovery: which files a working tree has (`git ls-files`) and which of them
 * contain a pattern (`git grep -l`), so the loader reads the few files that can matter instead of
 * parsing every YAML file of a large repository. Paths are relative to the folder asked about.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';

/** What `git grep` looks for: extended regexps (case-insensitive) or whole words (fixed, exact). */
export type GrepQuery = { regexps: readonly string[] } | { words: readonly string[] };

/** A working tree's files, listed and searched by git. */
export interface GitFiles {
  /** Tracked and untracked files, minus those git ignores, sorted (repo-relative POSIX). */
  files: string[];
  /** The files (among those of `files`, limited by `pathspecs`) that contain a match of `query`. */
  grep(query: GrepQuery, pathspecs: readonly string[]): Promise<string[]>;
}

function git(cwd: string, args: readonly string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 1 << 30,
        // Byte-wise matching: `[^ -~]` means "a byte outside printable ASCII" whatever the locale.
        env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
      },
      (err, stdout, stderr) => {
        if (!err) return resolveRun({ code: 0, out: stdout });
        const code = typeof err.code === 'number' ? err.code : -1;
        // `git grep` exits 1 when nothing matched.
        if (code === 1 && stderr.trim() === '') return resolveRun({ code, out: stdout });
        reject(new Error(`git ${args[0]} in ${cwd} failed: ${stderr.trim() || err.message}`));
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

/** Names per `git grep -P` alternation (PCRE2 bounds a compiled pattern to 64 KiB by default). */
const wordBatch = 1000;
const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
/**
 * Any of `words` as a whole name: not inside a longer name of letters, digits, `_`, `.` or `-`.
 * @example wordPattern(['app-1']) matches `name: app-1` and `"app-1"`, not `app-10` or `my-app-1`
 */
export const wordPattern = (words: readonly string[]): string =>
  `(?<![\\w.-])(?:${words.map(escapeRegExp).join('|')})(?![\\w.-])`;

let pcre: Promise<boolean> | undefined;
/** Whether this git was built with PCRE (`git grep -P`); asked once per process. */
function hasPcre(root: string): Promise<boolean> {
  pcre ??= git(root, ['grep', '-q', '-P', '-e', '(?<!x)y', '--', ':(literal)gitcanary-no-such-path'])
    .then(() => true)
    .catch(() => false);
  return pcre;
}

const split = (out: string): string[] => out.split('\0').filter((p) => p.length > 0);

/**
 * The files of the working tree at `root`, or undefined when `root` is not the top of one (a
 * plain folder, an API-backed folder, a subfolder): then the caller walks the folder instead.
 */
export async function gitFiles(root: string): Promise<GitFiles | undefined> {
  // Only at the top of a working tree: a folder inside another repository's tree (an API-backed
  // folder under a CI checkout, a fixture) may hold files that repository ignores or never tracked.
  const top = await git(root, ['rev-parse', '--show-toplevel']).catch(() => undefined);
  if (!top || top.out.trim() !== (await realpath(root))) return undefined;
  const listed = await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  const files = [...new Set(split(listed.out))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    files,
    async grep(query, pathspecs) {
      const base = ['-c', 'grep.fallbackToNoIndex=false', 'grep', '-l', '-z', '--untracked'];
      if ('regexps' in query) {
        const r = await git(root, [
          ...base,
          '-i',
          '-E',
          ...query.regexps.flatMap((p) => ['-e', p]),
          '--',
          ...pathspecs,
        ]);
        return split(r.out);
      }
      // git grep tries each fixed pattern on every line in turn (1,000 names: seconds); one
      // Perl-compatible alternation per batch is one pass. Without PCRE support, fixed strings.
      const out = new Set<string>();
      for (let i = 0; i < query.words.length; i += wordBatch) {
        const words = query.words.slice(i, i + wordBatch);
        const r = (await hasPcre(root))
          ? await git(root, [...base, '-P', '-e', wordPattern(words), '--', ...pathspecs])
          : await git(root, [...base, '-F', '-w', '-f', '-', '--', ...pathspecs], `${words.join('\n')}\n`);
        for (const f of split(r.out)) out.add(f);
      }
      return [...out];
    },
  };
}
