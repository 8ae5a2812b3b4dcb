/**
 * Pull-request delivery, the shell around the step policy: one branch `gitcanary/<ns>/<name>`
 * and one pull request per step that needs review. The branch is a single commit on top of the
 * target branch, rebuilt when the proposed step or its evidence changes; the PR body carries the
 * evidence with a hidden marker and hash, so an unchanged proposal costs no write. A direct change
 * for a canary with an open step PR (a rollback, a failed check, a restart) closes that PR with
 * the reason.
 */
import { plannedWeights } from '../core/weights.js';
import { errorMessage } from '../errors.js';
import type { Forge, PullRequest } from '../forge/port.js';
import {
  type PullRequestMarker,
  pullRequestBody,
  pullRequestTitle,
  readMarker,
  type StepEvidence,
  statusDescription,
  verdictComment,
  withClosedMarker,
} from '../forge/pr-body.js';
import type { CommitAuthor, GitRepo } from '../git/port.js';
import { analysisOf, analysisThreshold } from '../inputs/defaults.js';
import type { CanaryPlan } from '../reconcile/canary.js';
import { commitMessage } from '../reconcile/commit-message.js';
import type { Logger } from '../reconcile/logger.js';
import type { PendingStep } from './pending.js';
import type { PullRequestReport } from './types.js';

export const branchPrefix = 'gitcanary/';
export const branchOf = (id: string): string => `${branchPrefix}${id}`;
export const contextOf = (id: string): string => `gitcanary/${id}`;

/** The latest step pull request of a canary with its marker. */
export interface ListedPull {
  pr: PullRequest;
  marker?: PullRequestMarker;
}

/** One listing per run: the most recently created step PR of each canary (`namespace/name`). */
export async function listStepPulls(forge: Forge, base: string): Promise<Map<string, ListedPull>> {
  const pulls = await forge.listPulls({ headPrefix: branchPrefix, state: 'all', base, limit: 1 });
  const latest = new Map<string, ListedPull>();
  for (const pr of pulls) {
    const id = pr.head.slice(branchPrefix.length);
    const seen = latest.get(id);
    if (seen && seen.pr.createdAt >= pr.createdAt) continue;
    const marker = readMarker(pr.body);
    latest.set(id, marker ? { pr, marker } : { pr });
  }
  return latest;
}

/** What the decisions must know about each canary's latest step PR. */
export function pendingSteps(pulls: Map<string, ListedPull>): Map<string, PendingStep> {
  const out = new Map<string, PendingStep>();
  for (const [id, { pr, marker }] of pulls) {
    const state = pr.state === 'open' ? 'open' : pr.merged ? 'merged' : 'closed';
    const at = pr.mergedAt ?? pr.closedAt ?? undefined;
    out.set(id, {
      number: pr.number,
      state,
      url: pr.url,
      ...(at ? { at } : {}),
      ...(marker
        ? {
            decidedAt: marker.decidedAt,
            revision: marker.revision,
            fromWeight: marker.fromWeight,
            toWeight: marker.toWeight,
            ...(marker.closedBy === 'gitcanary' ? { closedByGitcanary: true } : {}),
          }
        : {}),
    });
  }
  return out;
}

export interface DeliveryContext {
  git: GitRepo;
  forge: Forge;
  /** The target branch. */
  base: string;
  now: Date;
  author: CommitAuthor;
  logger: Logger;
  pulls: Map<string, ListedPull>;
  mergeMethod: 'merge' | 'squash' | 'rebase';
}

const idOf = (p: CanaryPlan): string => `${p.report.namespace}/${p.report.name}`;

/**
 * Opens or refreshes the step PR of each plan in `proposed` (built on `head`, the target branch
 * after this run's direct commit), auto-merges rollback PRs, and closes open step PRs that a
 * direct change of this run superseded.
 */
export async function deliverPullRequests(
  ctx: DeliveryContext,
  proposed: { plan: CanaryPlan; autoMerge: boolean; rollback: boolean }[],
  direct: CanaryPlan[],
  head: string,
  directCommit: string | null,
): Promise<PullRequestReport[]> {
  const reports: PullRequestReport[] = [];
  for (const { plan, autoMerge, rollback } of proposed) {
    try {
      reports.push(await propose(ctx, plan, head, autoMerge, rollback));
    } catch (e) {
      plan.report.error = `pull request for ${idOf(plan)}: ${errorMessage(e)}`;
      ctx.logger.error(plan.report.error);
    }
  }
  for (const plan of direct) {
    const open = ctx.pulls.get(idOf(plan));
    if (!open || open.pr.state !== 'open' || !plan.decision?.stepped || plan.changes.length === 0) continue;
    try {
      reports.push(await supersede(ctx, plan, open, directCommit));
    } catch (e) {
      ctx.logger.warn(`closing step pull request #${open.pr.number} of ${idOf(plan)}: ${errorMessage(e)}`);
    }
  }
  return reports;
}

async function propose(
  ctx: DeliveryContext,
  plan: CanaryPlan,
  head: string,
  autoMerge: boolean,
  rollback: boolean,
): Promise<PullRequestReport> {
  const id = idOf(plan);
  const listed = ctx.pulls.get(id);
  const open = listed?.pr.state === 'open' ? listed : undefined;
  const evidence = evidenceOf(plan, head, ctx.now);
  const { body, hash } = pullRequestBody(evidence);
  const title = pullRequestTitle(evidence);
  const base = { canary: id, fromWeight: evidence.from.weight, toWeight: evidence.to.weight };
  const m = open?.marker;
  if (
    open &&
    m &&
    m.hash === hash &&
    m.revision === evidence.revision &&
    m.fromWeight === evidence.from.weight &&
    m.toWeight === evidence.to.weight &&
    m.toPhase === evidence.to.phase
  ) {
    // A PR that merges itself may have been left unmerged by a failure after its creation.
    if (autoMerge) await mergeNow(ctx, open.pr);
    return { ...base, number: open.pr.number, url: open.pr.url, action: 'unchanged' };
  }
  const sha = await ctx.git.proposeBranch({
    branch: branchOf(id),
    base: head,
    changes: plan.changes,
    message: commitMessage([plan], ctx.now),
    author: ctx.author,
    ...(open ? { lease: open.pr.headSha } : {}),
  });
  // The status goes on the branch commit before the PR carries the new marker: a PR whose marker
  // matches always has its status, so a run that failed anywhere converges on the next one (the
  // branch and status are redone while no PR carries this proposal).
  const { phase, canaryWeight, failedChecks } = plan.decision!.status;
  const threshold = analysisThreshold(plan.canary!.canary);
  await ctx.forge.setStatus(sha, {
    context: contextOf(id),
    state: rollback ? 'failure' : autoMerge ? 'success' : 'pending',
    description: autoMerge
      ? statusDescription(phase, canaryWeight, failedChecks, threshold)
      : `awaiting merge: ${statusDescription(evidence.to.phase, evidence.to.weight, failedChecks, threshold)}`,
    ...(open ? { targetUrl: open.pr.url } : {}),
  });
  const pr = open
    ? await ctx.forge.updatePull(open.pr.number, { title, body })
    : await ctx.forge.createPull({ head: branchOf(id), base: ctx.base, title, body });
  if (autoMerge) await mergeNow(ctx, { ...pr, headSha: sha });
  return { ...base, number: pr.number, url: pr.url, action: open ? 'updated' : 'created' };
}

/** Rollback and bookkeeping PRs merge themselves: auto-merge where checks are pending, else merge now. */
async function mergeNow(ctx: DeliveryContext, pr: PullRequest): Promise<void> {
  const method = ctx.mergeMethod;
  try {
    await ctx.forge.enableAutoMerge(pr, method.toUpperCase() as 'MERGE' | 'SQUASH' | 'REBASE');
  } catch (e) {
    // GitHub refuses auto-merge for a PR that is already mergeable ("clean status").
    if (!/clean status/i.test(errorMessage(e))) throw e;
    await ctx.forge.mergePull(pr.number, { method, sha: pr.headSha });
  }
}

async function supersede(
  ctx: DeliveryContext,
  plan: CanaryPlan,
  open: ListedPull,
  directCommit: string | null,
): Promise<PullRequestReport> {
  const id = idOf(plan);
  const where = directCommit ? ` in ${directCommit.slice(0, 7)}` : '';
  const reason = `superseded by a direct change${where}: ${plan.report.message}`;
  await ctx.forge.updatePull(open.pr.number, {
    state: 'closed',
    body: withClosedMarker(open.pr.body, reason),
  });
  const d = plan.decision!;
  const threshold = analysisThreshold(plan.canary!.canary);
  const prev = plan.before?.status?.history.findLast((h) => h.verdict)?.verdict;
  const said = d.verdict
    ? verdictComment(prev, d.verdict, {
        canary: id,
        failedChecks: d.status.failedChecks,
        threshold,
        time: ctx.now.toISOString(),
      })
    : undefined;
  await ctx.forge.comment(
    open.pr.number,
    [`Closed by gitcanary: ${reason}`, said].filter(Boolean).join('\n\n'),
  );
  return {
    canary: id,
    number: open.pr.number,
    url: open.pr.url,
    action: 'closed',
    fromWeight: open.marker?.fromWeight ?? 0,
    toWeight: open.marker?.toWeight ?? 0,
  };
}

/**
 * The evidence of a step. The history is what the target branch records (this tick's entry is
 * left out: its time changes at every tick, and the verdict is shown on its own), so the same
 * proposal with the same values hashes the same.
 */
function evidenceOf(plan: CanaryPlan, head: string, now: Date): StepEvidence {
  const c = plan.canary!;
  const d = plan.decision!;
  const before = plan.before!;
  return {
    canary: { namespace: c.ref.namespace, name: c.ref.name, file: c.origin.file },
    revision: d.status.lastAppliedSpec,
    from: { phase: before.status?.phase ?? 'Initializing', weight: before.routes.canary },
    to: { phase: d.status.phase, weight: plan.routes?.canary ?? d.status.canaryWeight },
    message: d.message,
    failedChecks: d.status.failedChecks,
    threshold: analysisThreshold(c.canary),
    plannedWeights: plannedWeights(analysisOf(c.canary)),
    ...(d.verdict ? { verdict: d.verdict } : {}),
    ...(d.hooks ? { hooks: d.hooks } : {}),
    history: before.status?.history ?? [],
    decidedAt: now.toISOString(),
    baseSha: head,
  };
}
