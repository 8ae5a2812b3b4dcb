/**
 * The decision core: one tick of Flagger's scheduler (`advanceCanary`, docs/flagger-behaviour.md §3.2),
 * as a pure function. Weights are read from the rendered routing object (`routes`), never from
 * status, exactly as Flagger reads them from the live object.
 *
 * Git-specific rules: a tick acts only when an analysis interval has passed since the last step
 * (`isDue`); a committed change counts as applied (workloads ready) one interval after it was
 * committed, so readiness waits collapse into the interval check.
 */
import {
  analysisIntervalMs,
  analysisOf,
  analysisThreshold,
  skipAnalysis,
  strategyOf,
  targetName,
} from '../inputs/defaults.js';
import type { Canary, ProviderId } from '../inputs/schema.js';
import { evaluate, isInconclusive } from './analysis.js';
import { type LiveObservation, liveGate } from './applied.js';
import { withApprovals } from './approvals.js';
import { emptyStatus, restartStatus, Tick, unchanged } from './decision-builder.js';
import { askGate, closedGate, type Gates, heldMessage } from './gates.js';
import { rollbackByHook, runChecks, settleHooks } from './hooks.js';
import { abortOnSourceRevert, obeyRequest, rejectStep, rollbackByHand } from './manual-requests.js';
import { inconclusiveStreak } from './metric-policy.js';
import { advancingPhases as activePhases } from './phases.js';
import { hasRevisionChanged } from './revision.js';
import { nextTraffic } from './strategies.js';
import type { CanaryStatus, Decision, HookRecord, Observation, Routes } from './types.js';

export interface DecideInput {
  /** `namespace/name` of the Canary. */
  id: string;
  canary: Canary;
  provider: ProviderId;
  /** Status read from the status file; undefined for a canary never seen. */
  status?: CanaryStatus;
  /** Revision of the source workload (pod template + tracked configs). */
  revision: string;
  trackedConfigs: Record<string, string>;
  /** Weights currently written in the rendered routing object (100/0 when absent). */
  routes: Routes;
  now: Date;
  /** Metric observations; when an analysis is due and these are absent, the decision asks for them. */
  observations?: Observation[];
  /** Bound of `status.history`. */
  historyLimit?: number;
  /** A person reverted one of gitcanary's commits for this canary (found in the Git log). */
  revertedByHand?: { by: string; commit: string; reverted: string };
  /**
   * A person closed the step pull request unmerged (pull-request delivery): halt the canary, or
   * roll it back, as `delivery.onClosed` says.
   */
  closedPullRequest?: { number: number; by: string; outcome: 'halt' | 'rollback' };
  /**
   * What the manual gates (confirm-rollout, confirm-traffic-increase, confirm-promotion webhooks)
   * answered this tick. A gate without an answer is closed: the decision asks for its webhooks
   * (`needsHooks`); unanswered, the canary holds there until the gate opens (or a person runs
   * `gitcanary approve` or `promote`).
   */
  gates?: Gates;
  /** The webhooks called so far this tick, in call order (src/core/hooks.ts asks for them). */
  hooks?: HookRecord[];
  /** What the cluster (or its fallback) says about the last step; absent: no `cluster:` config. */
  live?: LiveObservation;
}

/**
 * Slack on the interval check: schedulers jitter, and a job run every interval must take one step
 * per run. 10% of the interval, at most 30 s.
 */
export const slackMs = (intervalMs: number): number => Math.min(intervalMs * 0.1, 30_000);

/** When the next step is due, or undefined when it is due now (no step yet). */
export function nextDueTime(canary: Canary, status: CanaryStatus | undefined): Date | undefined {
  if (!status?.lastStepTime) return undefined;
  const interval = analysisIntervalMs(canary);
  return new Date(Date.parse(status.lastStepTime) + interval - slackMs(interval));
}

/** True when a tick at `now` may take a step. */
export function isDue(canary: Canary, status: CanaryStatus | undefined, now: Date): boolean {
  const due = nextDueTime(canary, status);
  return due === undefined || now.getTime() >= due.getTime();
}

/** One tick. Pure: same input, same decision. */
export function decide(given: DecideInput): Decision {
  // A gate is open when its webhook or a person's approval for this revision says so.
  const input = withApprovals(given);
  return settleHooks(input, decideTick(input));
}

function decideTick(input: DecideInput): Decision {
  const { canary, now } = input;
  const prev = input.status;
  // What people did in Git is obeyed whatever the interval; routes are not read before a step
  // is due (the shell skips reading rendered files then), so a hand-edited weight waits for it.
  const requested =
    obeyRequest(input) ??
    (input.revertedByHand ? rollbackByHand(input) : undefined) ??
    (input.closedPullRequest ? rejectStep(input) : undefined);
  if (requested) return requested;
  if (prev?.halted && prev.lastAppliedSpec === input.revision) {
    return unchanged(input, `halted: ${prev.halted}; gitcanary resume ${input.id} continues the run`);
  }
  if (canary.spec.suspend) return unchanged(input, 'skipping canary run as object is suspended');
  const live = liveGate(input, isDue(canary, prev, now));
  if (live) return live;
  if (!isDue(canary, prev, now)) {
    return unchanged(input, `waiting: next step due at ${nextDueTime(canary, prev)!.toISOString()}`);
  }
  const editedByHand = rollbackByHand(input);
  if (editedByHand) return editedByHand;
  const t = new Tick(input);
  const kind = canary.spec.targetRef.kind;
  const target = `${targetName(canary)}.${canary.metadata.namespace ?? 'default'}`;

  // Bootstrap (steps 7–12): create the primary from the source, route all traffic to it, and
  // wait one interval for it to be applied before declaring the canary Initialized.
  if (!prev || prev.phase === 'Initializing') {
    if (!prev || prev.lastAppliedSpec !== input.revision) {
      t.act({ type: 'initialize-primary' }, { type: 'scale-canary', replicas: 0 });
      t.setRoutes(100, 0, false);
      if (!skipAnalysis(canary)) {
        t.event('info', `New ${kind} detected, starting initialization of ${target}`);
        return t.done({ phase: 'Initializing', lastAppliedSpec: input.revision });
      }
    }
    t.event('info', `Initialization done! ${input.id}`);
    return t.done({
      phase: 'Initialized',
      lastAppliedSpec: input.revision,
      lastPromotedSpec: input.revision,
    });
  }

  const reverted = abortOnSourceRevert(input);
  if (reverted) return reverted;
  const changed = hasRevisionChanged(input.revision, prev);
  if (!activePhases.has(prev.phase) && !changed) return unchanged(input, `${prev.phase}: no new revision`);

  // checkCanaryStatus (step 17): a new revision scales the canary up; no routing this tick.
  // The confirm-rollout gate comes first: closed, the canary waits (phase Waiting) unscaled.
  if (!activePhases.has(prev.phase) || prev.phase === 'Waiting') {
    const ask = askGate(input, 'confirm-rollout', prev.phase);
    if (ask) return ask;
    const hook = closedGate(canary, 'confirm-rollout', input.gates);
    if (hook) {
      const message = heldMessage(input.id, 'confirm-rollout', hook);
      if (prev.phase === 'Waiting') return unchanged(input, message);
      t.event('warning', message);
      return t.done({ phase: 'Waiting' });
    }
    t.act({ type: 'scale-canary', replicas: 'source' });
    t.event('info', `New revision detected! Scaling up ${target}`);
    return t.done(restartStatus(input));
  }

  // New revision mid-analysis (step 18): back to 100/0 and start over, canary stays up.
  if ((prev.phase === 'Progressing' || prev.phase === 'WaitingPromotion') && changed) {
    t.setRoutes(100, 0, false);
    t.event('info', `New revision detected! Restarting analysis for ${target}`);
    return t.done(restartStatus(input));
  }

  // shouldSkipAnalysis (step 20): promote straight away.
  if (skipAnalysis(canary)) {
    t.setRoutes(100, 0, false);
    t.act({ type: 'promote' }, { type: 'scale-canary', replicas: 0 });
    t.event('info', 'Canary analysis was skipped, promotion finished.');
    return t.done({ phase: 'Succeeded', lastPromotedSpec: prev.lastAppliedSpec });
  }

  const rolledBack = rollbackByHook(t, input);
  if (rolledBack) return rolledBack;

  if (prev.phase === 'Promoting') return promotionTrafficShift(t, input);

  if (prev.phase === 'Finalising') {
    t.act({ type: 'scale-canary', replicas: 0 });
    t.event('info', `Promotion completed! Scaling down ${target}`);
    return t.done({ phase: 'Succeeded', lastPromotedSpec: prev.lastAppliedSpec });
  }

  const threshold = analysisThreshold(canary);
  if (prev.failedChecks >= threshold) {
    t.setRoutes(100, 0, false);
    t.act({ type: 'scale-canary', replicas: 0 });
    t.event('warning', `Rolling back ${input.id} failed checks threshold reached ${prev.failedChecks}`);
    t.event('warning', `Canary failed! Scaling down ${target}`);
    return t.done({ phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
  }

  // Step 26: the first traffic step runs pre-rollout hooks instead of metrics.
  const a = analysisOf(canary);
  const routes = input.routes;
  const firstStep = routes.canary === 0 && prev.iterations === 0 && !(a?.mirror && routes.mirrored);
  if (firstStep) {
    t.event('info', `Starting canary analysis for ${target}`);
    const pre = runChecks(t, input, 'pre-rollout');
    if (pre) return pre;
  } else {
    const checked = runChecks(t, input, 'rollout');
    if (checked) return checked;
    if (!input.observations)
      return { ...unchanged(input, 'analysis needs metrics'), needsObservations: true };
    const judged = evaluate(input.observations);
    const streak = inconclusiveStreak(prev.inconclusiveChecks, input.observations, judged.metrics);
    const verdict = streak.exceeded
      ? { ...judged, result: 'fail' as const, reason: streak.exceeded }
      : judged;
    t.verdict = verdict;
    if (verdict.result === 'fail') {
      t.event('warning', `Halt ${input.id} advancement ${verdict.reason}`);
      return t.done({ failedChecks: prev.failedChecks + 1, inconclusiveChecks: streak.count });
    }
    if (isInconclusive(verdict)) {
      t.event('info', `Hold ${input.id} at weight ${prev.canaryWeight}: ${verdict.reason}`);
      return t.done({ inconclusiveChecks: streak.count });
    }
  }
  return nextTraffic(t, input, strategyOf(canary));
}

/** `runPromotionTrafficShift` (§3.6): all at once, or back by stepWeightPromotion per tick. */
function promotionTrafficShift(t: Tick, input: DecideInput): Decision {
  const step = analysisOf(input.canary)?.stepWeightPromotion ?? 0;
  if (input.provider === 'kubernetes' || step === 0) {
    if (input.provider !== 'kubernetes') t.setRoutes(100, 0, false);
    t.event('info', `Routing all traffic to primary for ${input.id}`);
    return t.done({ phase: 'Finalising' });
  }
  const { primary, canary } = input.routes;
  if (canary <= 0) return unchanged(input, 'Promoting: live canary weight is 0, nothing to shift');
  const next = { primary: Math.min(100, primary + step), canary: Math.max(0, canary - step) };
  t.setRoutes(next.primary, next.canary, false);
  t.event('info', `Advance ${input.id} primary weight ${next.primary}`);
  if (next.primary === 100) return t.done({ phase: 'Finalising' });
  return t.done({ canaryWeight: next.canary });
}

export { emptyStatus };
