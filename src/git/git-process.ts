/**
 * Running git processes: simple-git (imported nowhere else) for the working tree's commands, with
 * the operator's transport and config variables passed through and identity given per command;
 * a plain child process against a throwaway index for side commits. Every failure is classified
 * (`classifyGitError`) so callers see transient, rejected and terminal errors apart.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitError, type SimpleGit, simpleGit } from 'simple-git';
import { classifyGitError, GitCommandError } from './errors.js';
import type { CommitAuthor } from './port.js';

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

/** Runs one git command in `dir`; any failure is classified by `classifyGitError(op, …)`. */
export async function runGit(
  dir: string,
  op: string,
  args: string[],
  opts: { stdin?: string; who?: CommitAuthor } = {},
): Promise<string> {
  try {
    return await client(dir, opts.who, opts.stdin).raw(args);
  } catch (e) {
    throw classifyGitError(op, commandError(args, e));
  }
}

/** Output of a query that answers "nothing" with a bare non-zero exit (exit 1, no stderr): null. */
export async function queryGit(dir: string, args: string[]): Promise<string | null> {
  try {
    return (await client(dir).raw(args)).trim() || null;
  } catch (raw) {
    const e = commandError(args, raw);
    if (e instanceof GitCommandError && e.exitCode === 1 && e.stderr.trim() === '') return null;
    throw classifyGitError(args[0] ?? 'git', e);
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
