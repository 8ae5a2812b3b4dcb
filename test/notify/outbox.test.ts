/**
 * Which transitions alert (Flagger's messages and severities), the outbox an entry goes into,
 * and when a later run takes over an entry its writer did not record as sent.
 */
import { describe, expect, it } from 'vitest';
import { emptyStatus } from '../../src/core/decision-builder.js';
import type { Action, CanaryStatus, Decision, Phase } from '../../src/core/types.js';
import {
  outboxLimit,
  pending,
  takenOver,
  transitionAlerts,
  transitionEvents,
  transitionId,
  withOutbox,
} from '../../src/notify/outbox.js';
import { canaryWith } from '../support/sim.js';

const ref = { namespace: 'test', name: 'podinfo' };
const at = '2026-01-01T00:10:00.000Z';
const status = (phase: Phase, extra: Partial<CanaryStatus> = {}): CanaryStatus => ({
  ...emptyStatus(),
  phase,
  lastStepTime: at,
  ...extra,
});
const decision = (
  phase: Phase,
  events: Array<[Action & { type: 'event' }]['0']['severity'] | string>,
): Decision => {
  const actions: Action[] = [];
  for (let i = 0; i < events.length; i += 2)
    actions.push({ type: 'event', severity: events[i] as 'info' | 'warning', message: events[i + 1]! });
  return { status: status(phase), actions, message: '', stepped: true };
};
const plain = canaryWith({ stepWeight: 10, maxWeight: 50 });
const gated = (muteAlert: boolean) =>
  canaryWith({
    stepWeight: 10,
    webhooks: [
      { name: 'ask', type: 'confirm-rollout', url: 'http://gate/', muteAlert },
      { name: 'ask-promo', type: 'confirm-promotion', url: 'http://gate/', muteAlert },
    ],
  });

describe('transitionAlerts: the transitions Flagger alerts on', () => {
  it.each([
    [
      undefined,
      decision('Initialized', ['info', 'Initialization done! test/podinfo']),
      plain,
      [{ severity: 'info', message: 'New Deployment detected, initialization completed.', metadata: true }],
    ],
    [
      status('Succeeded'),
      decision('Progressing', ['info', 'New revision detected! Scaling up podinfo.test']),
      plain,
      [{ severity: 'info', message: 'New revision detected, progressing canary analysis.', metadata: true }],
    ],
    [
      status('Succeeded'),
      decision('Waiting', ['warning', 'Halt test/podinfo advancement waiting for approval ask']),
      gated(false),
      [{ severity: 'warn', message: 'Canary is waiting for approval.' }],
    ],
    [status('Succeeded'), decision('Waiting', ['warning', 'Halt …']), gated(true), []],
    [
      status('Progressing'),
      decision('WaitingPromotion', ['warning', 'Halt …']),
      gated(false),
      [{ severity: 'warn', message: 'Canary promotion is waiting for approval.' }],
    ],
    [
      status('Progressing', { failedChecks: 5 }),
      decision('Failed', [
        'warning',
        'Rolling back test/podinfo failed checks threshold reached 5',
        'warning',
        'Canary failed! Scaling down podinfo.test',
      ]),
      plain,
      [{ severity: 'error', message: 'Failed checks threshold reached 5' }],
    ],
    [
      status('Progressing'),
      decision('Failed', ['warning', 'abort by Ann; rolling back, scaling down podinfo']),
      plain,
      [{ severity: 'warn', message: 'abort by Ann; rolling back, scaling down podinfo' }],
    ],
    [
      status('Finalising'),
      decision('Succeeded', ['info', 'Promotion completed! Scaling down podinfo.test']),
      plain,
      [{ severity: 'info', message: 'Canary analysis completed successfully, promotion finished.' }],
    ],
    [
      status('Progressing'),
      decision('Succeeded', ['info', 'Canary analysis was skipped, promotion finished.']),
      plain,
      [{ severity: 'info', message: 'Canary analysis was skipped, promotion finished.' }],
    ],
    [
      status('Progressing'),
      decision('Progressing', ['info', 'Advance test/podinfo canary weight 20']),
      plain,
      [],
    ],
    [
      status('Progressing'),
      decision('Progressing', ['warning', 'Halt test/podinfo advancement …']),
      plain,
      [],
    ],
  ])('%#', (prev, d, canary, expected) => {
    expect(transitionAlerts(canary, prev, d)).toEqual(expected);
  });

  it('a decision that writes nothing alerts nothing', () => {
    expect(transitionAlerts(plain, undefined, { ...decision('Initialized', []), stepped: false })).toEqual(
      [],
    );
  });
});

describe('the outbox', () => {
  const d = decision('Progressing', ['info', 'Advance test/podinfo canary weight 20', 'warning', 'x']);
  const events = transitionEvents(d);

  it('types events as Kubernetes does and ids a transition stably', () => {
    expect(events).toEqual([
      { type: 'Normal', message: 'Advance test/podinfo canary weight 20' },
      { type: 'Warning', message: 'x' },
    ]);
    const id = transitionId(ref, at, 'Progressing', events);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(transitionId(ref, at, 'Progressing', events)).toBe(id);
    expect(transitionId(ref, '2026-01-01T00:11:00.000Z', 'Progressing', events)).not.toBe(id);
    expect(transitionId({ ...ref, name: 'other' }, at, 'Progressing', events)).not.toBe(id);
  });

  it('adds an entry when someone receives something, drops entries already sent, keeps the newest', () => {
    const next = withOutbox(ref, d, { alerts: [], events }, new Set());
    expect(next.status.outbox).toEqual([
      { id: transitionId(ref, at, 'Progressing', events), at, phase: 'Progressing', events },
    ]);
    expect(withOutbox(ref, d, { alerts: [], events: [] }, new Set()).status.outbox).toBeUndefined();
    const old = Array.from({ length: outboxLimit + 3 }, (_, i) => ({
      id: `old${i}`,
      at,
      phase: 'Progressing' as const,
    }));
    const withOld = { ...d, status: { ...d.status, outbox: old } };
    const kept = withOutbox(ref, withOld, { alerts: [], events }, new Set(['old0', 'old1'])).status.outbox!;
    expect(kept).toHaveLength(outboxLimit);
    expect(kept.at(-1)!.id).toBe(transitionId(ref, at, 'Progressing', events));
    expect(kept.some((e) => e.id === 'old0')).toBe(false);
    expect(pending({ ...d.status, outbox: old.slice(0, 3) }, new Set(['old1'])).map((e) => e.id)).toEqual([
      'old0',
      'old2',
    ]);
  });

  it('is taken over by a later run once the next step is due (1m interval, 6 s slack), not before', () => {
    const entry = { id: 'a', at, phase: 'Progressing' as const };
    expect(takenOver(plain, entry, new Date(at))).toBe(false);
    expect(takenOver(plain, entry, new Date(Date.parse(at) + 53_000))).toBe(false);
    expect(takenOver(plain, entry, new Date(Date.parse(at) + 54_000))).toBe(true);
  });
});
