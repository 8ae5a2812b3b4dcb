/**
 * Pull-request behaviour shared by the REST routes, GraphQL auto-merge and the test helpers:
 * mergeability, real merges in the bare repo (merge / squash / rebase, base moved by CAS only),
 * and auto-merge once the required statuses are green.
 */
import { githubCommitter } from './bare-repo.js';
import type { FakeState, MergeMethod, PullRecord, RepoRecord } from './state.js';

export type MergeOutcome = { ok: true; sha: string } | { ok: false; status: 405 | 409; message: string };

export interface MergeOptions {
  /** The head the caller expects (PUT merge `sha`). */
  sha?: string;
  title?: string;
  message?: string;
  /** Login of whoever merges. */
  by: string;
}

/** Why the required checks block a merge, worded like GitHub, or null when they don't. */
export function checksBlocking(st: FakeState, repo: RepoRecord, pr: PullRecord): string | null {
  const unmet = st.unmetChecks(repo, pr.base, pr.headSha);
  if (unmet.length === 0) return null;
  const required = repo.protections.get(pr.base)?.length ?? 0;
  if (unmet.length > 1) return `${unmet.length} of ${required} required status checks are not successful.`;
  const [c] = unmet;
  const verb = c!.state === 'missing' || c!.state === 'pending' ? 'expected' : 'failing';
  return `Required status check "${c!.context}" is ${verb}.`;
}

/** GitHub's `mergeable` / `mergeable_state` for a PR (null / 'unknown' once closed). */
export function mergeability(
  st: FakeState,
  repo: RepoRecord,
  pr: PullRecord,
): { mergeable: boolean | null; state: string } {
  if (pr.state !== 'open') return { mergeable: null, state: 'unknown' };
  if (!repo.bare.mergeTree(pr.baseSha, pr.headSha)) return { mergeable: false, state: 'dirty' };
  if (checksBlocking(st, repo, pr)) return { mergeable: true, state: 'blocked' };
  return { mergeable: true, state: 'clean' };
}

/** Merges an open PR for real; the base branch moves only if nobody moved it meanwhile. */
export function mergePullRequest(
  st: FakeState,
  repo: RepoRecord,
  pr: PullRecord,
  method: MergeMethod,
  opts: MergeOptions,
): MergeOutcome {
  st.refresh(pr, repo.bare.branches());
  if (pr.state !== 'open') return { ok: false, status: 405, message: 'Pull Request is not mergeable' };
  if (opts.sha && opts.sha !== pr.headSha) {
    return { ok: false, status: 409, message: 'Head branch was modified. Review and try the merge again.' };
  }
  const blocked = checksBlocking(st, repo, pr);
  if (blocked) return { ok: false, status: 405, message: blocked };
  const now = st.now();
  const who = { name: opts.by, email: `${st.userId(opts.by)}+${opts.by}@users.noreply.github.com` };
  const { baseSha, headSha } = pr;
  let sha: string | null;
  if (method === 'rebase') {
    sha = repo.bare.rebase(baseSha, headSha, githubCommitter, now);
  } else {
    const tree = repo.bare.mergeTree(baseSha, headSha);
    if (!tree) return { ok: false, status: 405, message: 'Pull Request is not mergeable' };
    if (method === 'merge') {
      const title = opts.title ?? `Merge pull request #${pr.number} from ${pr.owner}/${pr.head}`;
      const message = `${title}\n\n${opts.message ?? pr.title}\n`;
      sha = repo.bare.commitTree(tree, [baseSha, headSha], message, who, githubCommitter, now);
    } else {
      const list = repo.bare
        .commitsBetween(baseSha, headSha)
        .map((c) => `* ${repo.bare.commit(c).message.trim()}`);
      const message = `${opts.title ?? `${pr.title} (#${pr.number})`}\n\n${opts.message ?? list.join('\n\n')}\n`;
      sha = repo.bare.commitTree(tree, [baseSha], message, who, githubCommitter, now);
    }
  }
  if (!sha) return { ok: false, status: 405, message: 'Pull Request is not mergeable' };
  if (!repo.bare.casRef(pr.base, sha, baseSha)) {
    return { ok: false, status: 409, message: 'Base branch was modified. Review and try the merge again.' };
  }
  st.verified.add(sha);
  const at = st.timestamp();
  Object.assign(pr, {
    state: 'closed',
    merged: true,
    mergedAt: at,
    closedAt: at,
    updatedAt: at,
    mergeCommitSha: sha,
    mergedBy: opts.by,
    autoMerge: null,
  } satisfies Partial<PullRecord>);
  return { ok: true, sha };
}

/** Merges every armed PR of `repo` whose required checks are now all `success`. */
export function runAutoMerges(st: FakeState, repo: RepoRecord): void {
  const branches = repo.bare.branches();
  for (const pr of st.pulls) {
    if (pr.owner !== repo.owner || pr.repo !== repo.name || !pr.autoMerge) continue;
    st.refresh(pr, branches);
    if (pr.state !== 'open' || checksBlocking(st, repo, pr)) continue;
    const { method, enabledBy } = pr.autoMerge;
    if (mergePullRequest(st, repo, pr, method, { by: enabledBy }).ok) {
      runAutoMerges(st, repo); // the base moved: other armed PRs see the new base
      return;
    }
  }
}
