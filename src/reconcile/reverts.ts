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
