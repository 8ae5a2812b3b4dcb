/**
 * Parsers for `git log` output, NUL-separated (`-z`): a commit message may hold any byte but
 * NUL (git cuts a message at NUL), so no message, however written, moves a field boundary.
 */
import type { ChangeEntry, LogEntry } from './port.js';

/** `git log` format for {@link parseLog}: fields separated by NUL, records ended by `-z`'s NUL. */
export const logFormat = '--format=%H%x00%an%x00%ae%x00%aI%x00%B';

/** `git log --name-only -z` format for {@link parseChanges}: every record starts with a NUL. */
export const changesFormat = '--format=%x00%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%G?%x00%GS%x00%GK%x00%B';

/**
 * Parses `git log -z` with {@link logFormat}: `sha\0name\0email\0date\0message\0` per commit.
 * @example parseLog('a1\0Ann\0a@x\02026-01-01T00:00:00Z\0hi\n\0')[0].message // 'hi\n'
 */
export function parseLog(out: string): LogEntry[] {
  const t = out.split('\0');
  const entries: LogEntry[] = [];
  for (let i = 0; i + 4 < t.length; i += 5) {
    const sha = t[i]!.replace(/^\n/, '');
    entries.push({
      sha,
      author: t[i + 1]!,
      authorEmail: t[i + 2]!,
      date: new Date(t[i + 3]!),
      message: t[i + 4]!,
    });
  }
  return entries;
}

/**
 * Parses `git log -z --name-only` with {@link changesFormat}. Each commit is
 * `\0sha\0name\0email\0date\0committer\0committerEmail\0sig\0signer\0key\0message\0` followed
 * by its files (the first after a newline), each ended by NUL; file names are never empty, so an
 * empty field starts the next commit. `sig` is git's `%G?` (G = good signature from a trusted key).
 * @example parseChanges('\0a1\0Ann\0a@x\02026-01-01T00:00:00Z\0Ann\0a@x\0N\0\0\0hi\n\0\nf.txt\0')[0].files // ['f.txt']
 */
export function parseChanges(out: string): ChangeEntry[] {
  const t = out.split('\0');
  const entries: ChangeEntry[] = [];
  let i = 0;
  while (i < t.length && t[i] === '') i++;
  while (i + 9 < t.length) {
    const [sha, author, authorEmail, date, committer, committerEmail, sig, signer, key, message] = t.slice(
      i,
      i + 10,
    ) as [string, string, string, string, string, string, string, string, string, string];
    i += 10;
    const files: string[] = [];
    while (i < t.length && t[i] !== '') files.push(t[i++]!.replace(/^\n/, ''));
    i++; // the empty field that starts the next commit
    const signature = { status: sig, signer, key };
    entries.push({
      sha,
      author,
      authorEmail,
      date: new Date(date),
      message,
      files,
      committer,
      committerEmail,
      signature,
    });
  }
  return entries;
}
