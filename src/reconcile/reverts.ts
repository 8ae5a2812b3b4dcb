/**
 * Finds a person's `git revert` of a gitcanary commit among the newest commits: the newest
 * commit that touched the canary's status file or rendered folder, when it is a revert.
 */
import { readMarker } from '../forge/pr-body.js';
import type { ChangeEntry } from '../git/port.js';

export function findRevert(
  recent: ChangeEntry[],
  statusFile: string,
  renderedDir: string,
): { by: string; commit: string; reverted: string } | undefined {
  const touches = (c: ChangeEntry) =>
    c.files.some((f) => f === statusFile || f.startsWith(`${renderedDir}/`));
  const newest = recent.find(touches);
  if (!newest) return undefined;
  const m = /This reverts commit ([0-9a-f]{7,40})/.exec(newest.message);
  if (!m) return undefined;
  return { by: `${newest.author} <${newest.authorEmail}>`, commit: newest.sha, reverted: m[1]! };
}

/** A rendered file whose newest commit is a person's, not one of gitcanary's steps. */
export interface HandEdit {
  by: string;
  commit: string;
}

/**
 * Whether a commit is one of gitcanary's steps: its own commit (a `Canary-Phase` trailer), or a
 * step pull request squash-merged under a repository setting that drops the commit's message —
 * "Pull request title and description" keeps the body's hidden marker, "Pull request title" the
 * title, `gitcanary: … (#N)`. (A merge commit lists no files; a rebase keeps the message.)
 * @example isStepCommit('gitcanary: test/podinfo 20% → 40% (#2)') // true
 * @example isStepCommit('tune the canary') // false
 */
export function isStepCommit(message: string): boolean {
  if (/^Canary-Phase: /m.test(message) || readMarker(message)) return true;
  return /^gitcanary: .+ \(#\d+\)$/.test(message.split('\n', 1)[0] ?? '');
}

/**
 * Rendered files edited by hand among the newest commits: the newest commit touching the file
 * is not a gitcanary step ({@link isStepCommit}). Merges list no files, so a step pull request
 * merged with a merge commit counts as gitcanary's through its own commit.
 */
export function handEdits(recent: ChangeEntry[], renderedDir: string): Map<string, HandEdit> {
  const newest = new Map<string, ChangeEntry>();
  for (const c of recent) {
    for (const f of c.files) if (f.startsWith(`${renderedDir}/`) && !newest.has(f)) newest.set(f, c);
  }
  const out = new Map<string, HandEdit>();
  for (const [path, c] of newest) {
    if (isStepCommit(c.message)) continue;
    out.set(path, { by: `${c.author} <${c.authorEmail}>`, commit: c.sha });
  }
  return out;
}
