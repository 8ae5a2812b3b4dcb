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
  const index = indexOf(recent);
  let at = index.newest.get(statusFile) ?? Number.POSITIVE_INFINITY;
  for (const path of index.under.get(renderedDir) ?? []) at = Math.min(at, index.newest.get(path)!);
  const newest = recent[at];
  if (!newest) return undefined;
  const m = /^This reverts commit ([0-9a-f]{7,40})\b/m.exec(newest.message);
  if (!m) return undefined;
  return { by: `${newest.author} <${newest.authorEmail}>`, commit: newest.sha, reverted: m[1]! };
}

/**
 * The newest commits indexed once per list (every canary of a run asks about its own folder):
 * the position of the newest commit touching each path, and the paths below each folder.
 */
interface RecentIndex {
  newest: Map<string, number>;
  under: Map<string, string[]>;
}

const indexes = new WeakMap<ChangeEntry[], RecentIndex>();

function indexOf(recent: ChangeEntry[]): RecentIndex {
  const known = indexes.get(recent);
  if (known) return known;
  const index: RecentIndex = { newest: new Map(), under: new Map() };
  recent.forEach((c, i) => {
    for (const f of c.files) {
      if (index.newest.has(f)) continue;
      index.newest.set(f, i);
      for (let slash = f.lastIndexOf('/'); slash > 0; slash = f.lastIndexOf('/', slash - 1)) {
        const dir = f.slice(0, slash);
        const paths = index.under.get(dir);
        if (paths) paths.push(f);
        else index.under.set(dir, [f]);
      }
    }
  });
  indexes.set(recent, index);
  return index;
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
  const index = indexOf(recent);
  const out = new Map<string, HandEdit>();
  for (const path of index.under.get(renderedDir) ?? []) {
    const c = recent[index.newest.get(path)!]!;
    if (isStepCommit(c.message)) continue;
    out.set(path, { by: `${c.author} <${c.authorEmail}>`, commit: c.sha });
  }
  return out;
}
