/**
 * What a canary's latest step pull request means for the next decision. Pure.
 *
 * - open: the step waits for a person; its analysis is not repeated before one interval after
 *   the decision it carries (the PR is refreshed only when the evidence changes);
 * - merged: the step went live at the merge, so the next analysis waits one interval from then;
 * - closed unmerged by a person (not by gitcanary), for the revision and weight still live and
 *   after the last step: the step is rejected (halt or rollback, `delivery.onClosed`).
 */
import { midRunPhases as running } from '../core/phases.js';
import type { CanaryStatus } from '../core/types.js';

/** The latest step pull request of a canary, as listed once per run. */
export interface PendingStep {
  number: number;
  state: 'open' | 'merged' | 'closed';
  /** When it was closed or merged (ISO), for closed and merged ones. */
  at?: string;
  /** From the hidden marker: the decision it carries. */
  decidedAt?: string;
  revision?: string;
  fromWeight?: number;
  toWeight?: number;
  /** The pull request's page, for people. */
  url?: string;
  /** gitcanary closed it itself (superseded): not a person's rejection. */
  closedByGitcanary?: boolean;
}

export interface PendingView {
  status: CanaryStatus | undefined;
  closed?: { number: number; by: string; outcome: 'halt' | 'rollback' };
}

/**
 * @example an open PR decided at 10:05, status last step 10:00 → status.lastStepTime 10:05
 * @example a PR merged at 10:20 → lastStepTime 10:20 (the interval counts from the merge)
 * @example a PR closed at 10:10 for the live weight, last step 10:00 → closed (halt or rollback)
 */
export function pendingView(
  status: CanaryStatus | undefined,
  pr: PendingStep | undefined,
  onClosed: 'halt' | 'rollback',
): PendingView {
  if (!status || !pr) return { status };
  const last = Date.parse(status.lastStepTime);
  const later = (t: string | undefined) => t !== undefined && Date.parse(t) > last;
  if (pr.state === 'open' && later(pr.decidedAt))
    return { status: { ...status, lastStepTime: pr.decidedAt! } };
  if (pr.state === 'merged' && later(pr.at)) return { status: { ...status, lastStepTime: pr.at! } };
  const rejected =
    pr.state === 'closed' &&
    !pr.closedByGitcanary &&
    later(pr.at) &&
    pr.revision === status.lastAppliedSpec &&
    pr.fromWeight === status.canaryWeight &&
    running.has(status.phase) &&
    !status.halted;
  if (!rejected) return { status };
  return { status, closed: { number: pr.number, by: 'a reviewer', outcome: onClosed } };
}

/**
 * The step pull request a canary waits for: the latest one is open and carries the step from the
 * weight and revision the status on the target branch holds (an older proposal is superseded by
 * the next reconcile, so nothing waits for it).
 * @example an open PR 20 → 40 for revision r1, status at weight 20 on r1 → that PR
 * @example the same PR once merged, or with the status at weight 40 → undefined
 */
export function awaitedStep(
  status: CanaryStatus | undefined,
  pr: PendingStep | undefined,
): PendingStep | undefined {
  if (!status || pr?.state !== 'open' || status.halted || !running.has(status.phase)) return undefined;
  if (pr.fromWeight !== undefined && pr.fromWeight !== status.canaryWeight) return undefined;
  if (pr.revision !== undefined && pr.revision !== status.lastAppliedSpec) return undefined;
  return pr;
}
