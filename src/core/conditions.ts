/**
 * Flagger's `Promoted` condition (`MakeStatusConditions`, `pkg/canary/status.go`), pure.
 */
import type { Condition, Phase } from './types.js';

/** Status and message of the Promoted condition for a phase; `kind` is the target's kind. */
export function promotedCondition(phase: Phase, kind: string): Pick<Condition, 'status' | 'message'> {
  switch (phase) {
    case 'Initialized':
      return { status: 'True', message: `${kind} initialization completed.` };
    case 'Waiting':
    case 'WaitingPromotion':
      return { status: 'Unknown', message: 'Waiting for approval.' };
    case 'Progressing':
      return { status: 'Unknown', message: 'New revision detected, progressing canary analysis.' };
    case 'Promoting':
      return { status: 'Unknown', message: 'Canary analysis completed, starting primary rolling update.' };
    case 'Finalising':
      return { status: 'Unknown', message: 'Canary analysis completed, routing all traffic to primary.' };
    case 'Succeeded':
      return { status: 'True', message: 'Canary analysis completed successfully, promotion finished.' };
    case 'Failed':
      return { status: 'False', message: `Canary analysis failed, ${kind} scaled to zero.` };
    default:
      return { status: 'Unknown', message: `New ${kind} detected, starting initialization.` };
  }
}

/**
 * The conditions list after entering `phase` at `now`. A condition is rewritten only when its
 * status or reason changes; its lastTransitionTime is kept when only the reason changes.
 */
export function nextConditions(previous: Condition[], phase: Phase, kind: string, now: string): Condition[] {
  const { status, message } = promotedCondition(phase, kind);
  const old = previous.find((c) => c.type === 'Promoted');
  if (old && old.status === status && old.reason === phase) return previous;
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return [{ type: 'Promoted', status, reason: phase, message, lastUpdateTime: now, lastTransitionTime }];
}
