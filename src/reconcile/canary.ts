/**
 * Reconciles one canary: read its state (`canary-state.ts`), decide (pure; metrics observed only
 * when the decision asks), write the decision (`canary-write.ts`). Never throws for a bad canary:
 * failures become a report with an error, so the other canaries still reconcile.
 */
import { withLiveRecord } from '../core/applied.js';
import { isDue, nextDueTime } from '../core/decide.js';
import { unchanged } from '../core/decision-builder.js';
import type { CanaryStatus, Decision, Routes } from '../core/types.js';
import type { FileChange } from '../git/port.js';
import type { LoadedCanary } from '../inputs/model.js';
import { recordTransition } from './alerts.js';
import { type HeardAnswer, readCanary } from './canary-state.js';
import { writeCanary } from './canary-write.js';
import type { ReconcileContext } from './context.js';
import { decideWithAnswers } from './hooks.js';
import { type CanaryReport, failedReport, reportOf } from './report.js';
import { type HandEdit, handEdits } from './reverts.js';

export interface CanaryPlan {
  report: CanaryReport;
  changes: FileChange[];
  decision?: Decision;
  /** The split written in the routing object after this run. */
  routes?: Routes;
  /** The status and split before this run (for the delivery policy and PR evidence). */
  before?: { status?: CanaryStatus; routes: Routes };
  /** The decision obeyed a person (request, revert, closed pull request, comment). */
  byPerson?: boolean;
  /** A `/gitcanary …` comment this plan handles, answered after the push. */
  heard?: HeardAnswer;
  canary?: LoadedCanary;
}

export async function reconcileCanary(ctx: ReconcileContext, c: LoadedCanary): Promise<CanaryPlan> {
  const s = await readCanary(ctx, c);
  if (typeof s === 'string') return { report: failedReport(c, s), changes: [] };
  const { status } = s;
  let decision = s.heard?.bookkeepingOnly
    ? unchanged(s.input, `handled /gitcanary ${s.heard.command.verb} (comment ${s.heard.command.commentId})`)
    : await decideWithAnswers(ctx, c, s.input, s.source);
  decision = withLiveRecord(s.input, decision);
  decision = await recordTransition(ctx, c, status, decision);
  // A step writes; so does a due run without a step (re-syncing rendered files with the spec).
  const due = decision.stepped || !!s.heard || (isDue(c.canary, status, ctx.now) && !c.canary.spec.suspend);
  const report = reportOf(c, decision, nextDueTime(c.canary, decision.status));
  const edits = status ? handEdits(ctx.recent, s.renderedDir) : new Map<string, HandEdit>();
  const drift = [...edits].map(([path, e]) => `drift: ${path} edited by ${e.by} in ${e.commit.slice(0, 7)}`);
  if (drift.length > 0) report.notes = [...(report.notes ?? []), ...drift];
  const known = {
    before: { ...(status ? { status } : {}), routes: s.routes },
    byPerson: s.byPerson,
    canary: c,
    ...(s.heard ? { heard: s.heard } : {}),
  };
  if (!due) return { report, changes: [], decision, routes: s.routes, ...known };
  const written = await writeCanary(ctx, s, decision, edits);
  if ('error' in written) return { report: failedReport(c, written.error), changes: [] };
  for (const note of written.notes) report.message += `; ${note}`;
  return { report, changes: written.changes, decision, routes: written.routes, ...known };
}
