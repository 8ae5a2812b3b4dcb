/**
 * The one place where git failures are classified. Every git command the adapter runs fails
 * through `classifyGitError`, which reads git's own output and answers with a typed error:
 *
 * - `PushRejectedError`: a push lost a race (the remote moved): re-read, decide again, retry.
 * - `TransientError`: network, server or lock trouble that may pass on retry.
 * - `TerminalError`: everything else, including auth failures and pushes the remote refuses by
 *   policy (protected branch, rulesets, hooks), which retrying cannot fix.
 *
 * Pure: no git, no simple-git; tested on real git output in `test/git/errors.test.ts`.
 */
import { errorMessage, PushRejectedError, TerminalError, TransientError } from '../errors.js';
import { redact as redactText } from '../net/redact.js';

/** A git command that exited non-zero, with what it printed. */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${args[0] ?? ''} exited with ${exitCode}: ${(stderr || stdout).trim()}`);
  }
}

/** Why the remote refused an update on purpose; retrying cannot help. Checked before races. */
const policyRefusals: RegExp[] = [
  /protected branch hook declined/i,
  /\bGH00[36]\b/,
  /\bGH013\b/,
  /repository rule violations/i,
  /pre-receive hook declined/i,
  /hook declined/i,
  /shallow update not allowed/i,
  /refusing to allow (a GitHub App|an OAuth App|a Personal Access Token) to create or update workflow/i,
  /branch is currently checked out/i,
  /deny(ing)? (non-fast-forward|updating a hidden ref)/i,
  /funny refname/i,
];

/** The remote moved between our fetch and our push. */
const lostRace: RegExp[] = [
  /\[rejected\]/,
  /\(fetch first\)/,
  /\(non-fast-forward\)/,
  /\(stale info\)/,
  /\[remote rejected\][^\n]*\((failed to update ref|failed to lock|incorrect old value provided|cannot lock ref)/,
  /cannot lock ref '[^']*': is at [0-9a-f]+ but expected/,
  /Updates were rejected because/,
];

/** Authentication and permission failures: fix the credentials, then run again. */
const authFailures: RegExp[] = [
  /Authentication failed/i,
  /Invalid username or (password|token)/i,
  /could not read (Username|Password)/i,
  /terminal prompts disabled/i,
  /Permission denied \(publickey/i,
  /Permission to \S+ denied/i,
  /The requested URL returned error: 40[13]/,
  /HTTP (Basic: )?Access denied/i,
  /Host key verification failed/,
  /Repository not found/i,
  /repository '[^']*' not found/i,
  /does not appear to be a git repository/i,
];

/** Network, server and local-lock failures worth a retry. */
const transientFailures: RegExp[] = [
  /Could not resolve host/i,
  /Failed to connect to/i,
  /Connection (timed out|refused|reset)/i,
  /Operation timed out/i,
  /Could not read from remote repository/i,
  /the remote end hung up unexpectedly/i,
  /early EOF/i,
  /RPC failed/i,
  /The requested URL returned error: (5\d\d|429|408)/,
  /gnutls_handshake\(\) failed|SSL_ERROR_SYSCALL|TLS connection was non-properly terminated|GnuTLS recv error/i,
  /Unable to create '[^']*\.lock': File exists/i,
  /cannot lock ref/i,
  /Could not write new index file/i,
  /block timeout reached/i,
  /Internal Server Error|Service Unavailable|Bad Gateway/i,
];

/** Removes credentials from URLs (`https://user:token@host` → `https://***@host`). */
export const redact = (text: string): string => redactText(text);

/** The lines of git output worth showing: errors, fatal lines, remote messages, rejected refs. */
export function gitDiagnostics(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '' && !/^hint:/.test(l) && l !== 'Done' && !/^remote:\s*$/.test(l));
  const key = lines.filter((l) => /^(fatal|error|remote|warning):|^\s*!|^ssh:|^[^\s:]+@[^\s:]+: /.test(l));
  return redact((key.length > 0 ? key : lines).join('\n'));
}

/**
 * Classifies a failed git command. `op` is what we were doing (`push`, `fetch`, `commit`...);
 * lost races are only recognised for `push`. The original error is kept as `cause`.
 *
 * @example classifyGitError('push', e) // stderr "! HEAD:refs/heads/main [rejected] (fetch first)" → PushRejectedError
 * @example classifyGitError('push', e) // "[remote rejected] main -> main (protected branch hook declined)" → TerminalError
 * @example classifyGitError('fetch', e) // "Could not resolve host: github.com" → TransientError
 */
export function classifyGitError(op: string, err: unknown): Error {
  if (err instanceof PushRejectedError || err instanceof TerminalError || err instanceof TransientError)
    return err;
  const text = err instanceof GitCommandError ? `${err.stderr}\n${err.stdout}` : errorMessage(err);
  const detail = gitDiagnostics(text) || `git ${op} failed`;
  const cause = { cause: err };
  if (/ENOENT/.test(text) && /spawn/.test(text)) {
    return new TerminalError(`git ${op}: the git executable was not found on PATH`, cause);
  }
  if (policyRefusals.some((r) => r.test(text))) {
    return new TerminalError(
      `git ${op}: the remote refused the update by policy (retrying will not help):\n${detail}`,
      cause,
    );
  }
  if (op === 'push' && lostRace.some((r) => r.test(text))) {
    return new PushRejectedError(`git push: the remote branch moved (lost a push race):\n${detail}`, cause);
  }
  if (authFailures.some((r) => r.test(text))) {
    return new TerminalError(
      `git ${op}: the remote refused access (authentication, permission or repository not found):\n${detail}`,
      cause,
    );
  }
  if (transientFailures.some((r) => r.test(text))) {
    return new TransientError(`git ${op}: transient failure (may pass on retry):\n${detail}`, cause);
  }
  return new TerminalError(`git ${op} failed:\n${detail}`, cause);
}
