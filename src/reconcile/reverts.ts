/**
 * Finds a person's `git revert` of a gitcanary step among the newest commits: the newest commit
 * that touched the canary's status file or rendered folder, when it is a revert of one of this
 * canary's step commits (listed among the newest) and puts back every rendered file the step
 * wrote. A line `This reverts commit X` naming anything else — a request commit, a person's
 * commit, another canary's step, a commit not there — is no rollback.
 */
import { readMarker } from '../forge/pr-body.js';
import type { ChangeEntry } from '../git/port.js';
import { parseTrailers, trailerValues } from '../git/trailers.js';

export function findRevert(
  recent: ChangeEntry[],
  statusFile: string,
  renderedDir: string,
  canaryId?: string,
): { by: string; commit: string; reverted: string } | undefined {
  const index = indexOf(recent);
  let at = index.newest.get(statusFile) ?? Number.POSITIVE_INFINITY;
  for (const path of index.under.get(renderedDir) ?? []) at = Math.min(at, index.newest.get(path)!);
  const newest = recent[at];
  if (!newest) return undefined;
  const m = /^This reverts commit ([0-9a-f]{7,40})\b/m.exec(newest.message);
  if (!m) return undefined;
  const reverted = recent.slice(at + 1).find((c) => c.sha.startsWith(m[1]!));
  if (!reverted || !isStepOf(reverted, canaryId, renderedDir)) return undefined;
  // A revert restores what the step rendered: it touches the same rendered files.
  const stepFiles = reverted.files.filter((f) => f.startsWith(`${renderedDir}/`));
  if (stepFiles.length === 0 || !stepFiles.every((f) => newest.files.includes(f))) return undefined;
  return { by: `${newest.author} <${newest.authorEmail}>`, commit: newest.sha, reverted: m[1]! };
}

/**
 * Whether `c` is a step gitcanary took for this canary: a step commit ({@link isStepCommit})
 * that rendered files in its folder and, when it names canaries in `Canary` trailers, names it.
 * A promote or abort request commit, or a person's commit, is not one: reverting it is no rollback.
 */
function isStepOf(c: ChangeEntry, canaryId: string | undefined, renderedDir: string): boolean {
  if (!isStepCommit(c.message)) return false;
  if (!c.files.some((f) => f.startsWith(`${renderedDir}/`))) return false;
  const named = trailerValues(parseTrailers(c.message), 'Canary');
  return canaryId === undefined || named.length === 0 || named.includes(canaryId);
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
