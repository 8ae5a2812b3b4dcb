/**
 * The outbox: what a transition must send (Flagger's alerts and every event message), written
 * into the status file with the step that makes the transition, and what is still pending given
 * the transition ids already sent. Pure: the sending and the record of what was sent are the
 * shell's (src/reconcile/alerts.ts).
 */
import { createHash } from 'node:crypto';
import { isDue } from '../core/decide.js';
import { closedGate } from '../core/gates.js';
import type { CanaryStatus, Decision, OutboxEntry, Phase } from '../core/types.js';
import type { CanaryRef } from '../inputs/model.js';
import type { Canary } from '../inputs/schema.js';

export type OutboxAlert = NonNullable<OutboxEntry['alerts']>[number];
export type OutboxEvent = NonNullable<OutboxEntry['events']>[number];

/** Entries kept in a status file: a bound on what a broken sender can pile up. */
export const outboxLimit = 20;

/**
 * Flagger's alert messages for the transition from `prev` to `decision` (§7.1 of the reference):
 * initialization and new revision (info, with the canary's fields), the confirm gates' waits
 * (warn, unless the gate's hook has `muteAlert`), the failed-checks rollback (error), promotion
 * finished or skipped (info). A rollback a person asked for through Git (abort, revert, closed
 * pull request) is a warn with its event message, as Flagger's manual rollback webhook is; a
 * failure while promoting is an error.
 *
 * @example transitionAlerts(podinfo, Progressing status, decision to Succeeded from Finalising)
 *   // [{ severity: 'info', message: 'Canary analysis completed successfully, promotion finished.' }]
 */
export function transitionAlerts(
  canary: Canary,
  prev: CanaryStatus | undefined,
  decision: Decision,
): OutboxAlert[] {
  if (!decision.stepped) return [];
  const from: Phase | undefined = prev?.phase;
  const to = decision.status.phase;
  const events = decision.actions.flatMap((a) => (a.type === 'event' ? [a] : []));
  const said = (prefix: string) => events.some((e) => e.message.startsWith(prefix));
  const out: OutboxAlert[] = [];
  if (said('Initialization done!')) {
    const kind = canary.spec.targetRef.kind;
    out.push({
      severity: 'info',
      message: `New ${kind} detected, initialization completed.`,
      metadata: true,
    });
  }
  if (said('New revision detected! Scaling up')) {
    out.push({
      severity: 'info',
      message: 'New revision detected, progressing canary analysis.',
      metadata: true,
    });
  }
  if (to === 'Waiting' && from !== 'Waiting' && !muted(canary, 'confirm-rollout')) {
    out.push({ severity: 'warn', message: 'Canary is waiting for approval.' });
  }
  if (to === 'WaitingPromotion' && from !== 'WaitingPromotion' && !muted(canary, 'confirm-promotion')) {
    out.push({ severity: 'warn', message: 'Canary promotion is waiting for approval.' });
  }
  const threshold = events.find((e) => / failed checks threshold reached \d+$/.test(e.message));
  if (to === 'Failed' && from !== 'Failed') {
    if (threshold) {
      const n = /(\d+)$/.exec(threshold.message)?.[1];
      out.push({ severity: 'error', message: `Failed checks threshold reached ${n}` });
    } else {
      const first = events.find((e) => e.severity === 'warning') ?? events[0];
      const promoting = from === 'Promoting' || from === 'Finalising';
      out.push({ severity: promoting ? 'error' : 'warn', message: first?.message ?? 'Canary failed' });
    }
  }
  if (to === 'Succeeded' && from !== 'Succeeded') {
    out.push({
      severity: 'info',
      message:
        from === 'Finalising'
          ? 'Canary analysis completed successfully, promotion finished.'
          : 'Canary analysis was skipped, promotion finished.',
    });
  }
  return out;
}

/** Whether the gate's first hook (the one that holds, as in Flagger) has `muteAlert`. */
function muted(canary: Canary, gate: 'confirm-rollout' | 'confirm-promotion'): boolean {
  return closedGate(canary, gate, undefined)?.muteAlert === true;
}

/** The step's event messages, typed as Kubernetes events are (Normal, Warning). */
export function transitionEvents(decision: Decision): OutboxEvent[] {
  return decision.actions.flatMap((a) =>
    a.type === 'event' ? [{ type: a.severity === 'warning' ? 'Warning' : 'Normal', message: a.message }] : [],
  ) as OutboxEvent[];
}

/**
 * A transition's id: the canary, the step's time, the phase and its events, hashed. The same
 * decision at the same `now` has the same id; two steps never share one.
 * @example transitionId({ namespace: 'test', name: 'podinfo' }, '2026-01-01T00:00:00.000Z', 'Progressing', ['…']) // '3f…' (16 hex)
 */
export function transitionId(ref: CanaryRef, at: string, phase: Phase, events: OutboxEvent[]): string {
  return createHash('sha256')
    .update(JSON.stringify([ref.namespace, ref.name, at, phase, events.map((e) => e.message)]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The decision with its status's outbox brought up to date: entries already sent dropped, this
 * transition's entry added when it has something for someone (`wants`), at most `outboxLimit`
 * kept (the newest). A decision that writes nothing is returned as it is.
 */
export function withOutbox(
  ref: CanaryRef,
  decision: Decision,
  entry: { alerts: OutboxAlert[]; events: OutboxEvent[] },
  sent: ReadonlySet<string>,
): Decision {
  if (!decision.stepped) return decision;
  const kept = (decision.status.outbox ?? []).filter((e) => !sent.has(e.id));
  if (entry.alerts.length > 0 || entry.events.length > 0) {
    const { lastStepTime: at, phase } = decision.status;
    const next: OutboxEntry = { id: transitionId(ref, at, phase, transitionEvents(decision)), at, phase };
    if (entry.events.length > 0) next.events = entry.events;
    if (entry.alerts.length > 0) next.alerts = entry.alerts;
    kept.push(next);
  }
  const status = { ...decision.status };
  if (kept.length > 0) status.outbox = kept.slice(-outboxLimit);
  else delete status.outbox;
  return { ...decision, status };
}

/** The entries of a status not sent yet. */
export const pending = (status: CanaryStatus | undefined, sent: ReadonlySet<string>): OutboxEntry[] =>
  (status?.outbox ?? []).filter((e) => !sent.has(e.id));

/**
 * Whether a later run takes over an entry its writer did not record as sent (a crash between the
 * push and the send, or a step pull request merged since): once the canary's next step is due
 * after the entry's time. Before that the writer may still be sending, so a second runner or a
 * re-run at the same `now` leaves it alone.
 */
export const takenOver = (canary: Canary, entry: OutboxEntry, now: Date): boolean =>
  isDue(canary, { lastStepTime: entry.at } as CanaryStatus, now);
