/**
 * Manual operations committed by people (`gitcanary promote|abort|retry`), obeyed by the next run
 * whatever the interval, and the abort that a reverted source change implies. Pure.
 */
import { targetName } from '../inputs/defaults.js';
import type { DecideInput } from './decide.js';
import { restartStatus, Tick } from './decision-builder.js';
import { analysingPhases as running } from './phases.js';
import type { CanaryStatus, Decision, ManualRequest } from './types.js';

/** The request's words for history and commits: `promote requested by Ann <a@x>: looks good`. */
export const describeRequest = (r: ManualRequest): string =>
  `${r.action} requested by ${r.requestedBy}${r.message ? `: ${r.message}` : ''}`;

/**
 * Obeys `status.request`, or returns undefined when there is none. The request is always
 * consumed: one that does not apply to the phase is recorded as ignored, with the reason.
 */
export function obeyRequest(input: DecideInput): Decision | undefined {
  const prev = input.status;
  const request = prev?.request;
  if (!prev || !request) return undefined;
  const t = new Tick(input);
  const target = `${targetName(input.canary)}.${input.canary.metadata.namespace ?? 'default'}`;
  const said = describeRequest(request);
  const cleared: Partial<CanaryStatus> = { request: undefined };
  switch (request.action) {
    case 'promote':
      if (!running.has(prev.phase)) break;
      t.setRoutes(100, 0, false);
      t.act({ type: 'promote' }, { type: 'scale-canary', replicas: 0 });
      t.event('info', `${said}; skipping analysis, promotion finished.`);
      return t.done({ ...cleared, phase: 'Succeeded', lastPromotedSpec: prev.lastAppliedSpec });
    case 'abort':
      if (!running.has(prev.phase)) break;
      t.setRoutes(100, 0, false);
      t.act({ type: 'scale-canary', replicas: 0 });
      t.event('warning', `${said}; rolling back, scaling down ${target}`);
      return t.done({ ...cleared, phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
    case 'pause':
      if (!(running.has(prev.phase) || prev.phase === 'Promoting') || prev.halted) break;
      t.event('info', `${said}; halting at canary weight ${prev.canaryWeight}`);
      return t.done({ ...cleared, halted: said });
    case 'resume':
      if (!prev.halted) break;
      t.event('info', `${said}; halt lifted (${prev.halted})`);
      return t.done({ ...cleared, halted: undefined });
    case 'retry':
      if (prev.phase !== 'Failed') break;
      t.act({ type: 'scale-canary', replicas: 'source' });
      t.event('info', `${said}; analysing the same revision again, scaling up ${target}`);
      return t.done({ ...cleared, ...restartStatus(input) });
  }
  t.event('info', `${said}; ignored: nothing to ${request.action} in phase ${prev.phase}`);
  return t.done(cleared);
}

/**
 * A manual rollback done in Git: a person reverted a gitcanary step commit, or edited the
 * rendered canary weight below what the status says. Traffic goes 100% to the primary, the
 * canary scales to 0, phase Failed; the same revision is not progressed again until a new
 * revision or `gitcanary retry`.
 */
export function rollbackByHand(input: DecideInput): Decision | undefined {
  const prev = input.status;
  if (!prev || !(running.has(prev.phase) || prev.phase === 'Promoting')) return undefined;
  let reason: string | undefined;
  if (input.revertedByHand) {
    const r = input.revertedByHand;
    reason = `manual rollback: ${r.by} reverted ${r.reverted.slice(0, 7)} in ${r.commit.slice(0, 7)}`;
  } else if (input.routes.canary < prev.canaryWeight) {
    reason = `manual rollback: the rendered canary weight was edited down to ${input.routes.canary} (status said ${prev.canaryWeight})`;
  }
  if (!reason) return undefined;
  const t = new Tick(input);
  t.setRoutes(100, 0, false);
  t.act({ type: 'scale-canary', replicas: 0 });
  t.event(
    'warning',
    `${reason}; routing all traffic to the primary, scaling down ${targetName(input.canary)}`,
  );
  return t.done({ phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
}

/**
 * The source went back to the promoted revision while a run analysed another one (someone
 * reverted the change): abort the run, primary untouched. Flagger would carry on (sharp edge 11).
 */
export function abortOnSourceRevert(input: DecideInput): Decision | undefined {
  const prev = input.status;
  if (!prev || !running.has(prev.phase)) return undefined;
  if (input.revision !== prev.lastPromotedSpec || prev.lastAppliedSpec === prev.lastPromotedSpec)
    return undefined;
  const t = new Tick(input);
  t.setRoutes(100, 0, false);
  t.act({ type: 'scale-canary', replicas: 0 });
  t.event(
    'warning',
    `Source reverted to the promoted revision: canary ${input.id} aborted, primary untouched`,
  );
  return t.done({
    phase: 'Failed',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: input.revision,
  });
}

/**
 * A person closed the step pull request without merging it: the step is rejected. `halt` keeps
 * the live weight and takes no step until `gitcanary resume` (or a new revision); `rollback`
 * routes everything to the primary as an abort would.
 */
export function rejectStep(input: DecideInput): Decision | undefined {
  const prev = input.status;
  const closed = input.closedPullRequest;
  if (!prev || !closed || !(running.has(prev.phase) || prev.phase === 'Promoting')) return undefined;
  const t = new Tick(input);
  const said = `step pull request #${closed.number} was closed unmerged by ${closed.by}`;
  if (closed.outcome === 'halt') {
    t.event('warning', `${said}; halting at canary weight ${prev.canaryWeight}`);
    return t.done({ halted: said });
  }
  t.setRoutes(100, 0, false);
  t.act({ type: 'scale-canary', replicas: 0 });
  t.event('warning', `${said}; rolling back, scaling down ${targetName(input.canary)}`);
  return t.done({ phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
}
