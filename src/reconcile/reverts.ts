/**
 * Finds a person's `git revert` of a gitcanary commit among the newest commits: the newest
 * commit that touched the canary's status file or rendered folder, when it is a revert.
 */
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
 * Rendered files edited by hand among the newest commits: the newest commit touching the file
 * is not a gitcanary step (no `Canary-Phase` trailer). Merges list no files, so a merged step
 * pull request counts as gitcanary's through its own commit.
 */
export function handEdits(recent: ChangeEntry[], renderedDir: string): Map<string, HandEdit> {
  const newest = new Map<string, ChangeEntry>();
  for (const c of recent) {
    for (const f of c.files) if (f.startsWith(`${renderedDir}/`) && !newest.has(f)) newest.set(f, c);
  }
  const out = new Map<string, HandEdit>();
  for (const [path, c] of newest) {
    if (/^Canary-Phase: /m.test(c.message)) continue;
    out.set(path, { by: `${c.author} <${c.authorEmail}>`, commit: c.sha });
  }
  return out;
}
