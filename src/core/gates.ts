/**
 * Flagger's manual gates: the `confirm-rollout`, `confirm-traffic-increase` and
 * `confirm-promotion` webhooks (docs/flagger-behaviour.md §6.2). Pure: the answer of each gate is an
 * observation in `DecideInput.gates`; a gate with no answer is closed, so until gitcanary calls
 * webhooks a gated canary holds at its gate and is never promoted unapproved.
 */
import { analysisOf } from '../inputs/defaults.js';
import type { Canary, WebhookSpec } from '../inputs/schema.js';

export const gateTypes = ['confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'] as const;
export type GateType = (typeof gateTypes)[number];
/** What a gate's webhooks answered: `open` lets the canary pass, `closed` holds it. */
export type GateAnswer = 'open' | 'closed';
/** Gate answers of one tick; a missing gate is closed (webhooks not called). */
export type Gates = Partial<Record<GateType, GateAnswer>>;

/** The canary's webhooks of one gate type, in spec order. */
export const gateHooks = (c: Canary, gate: GateType): WebhookSpec[] =>
  (analysisOf(c)?.webhooks ?? []).filter((w) => w.type === gate);

/**
 * The webhook holding the canary at `gate`, or undefined when the gate passes (no webhook of
 * that type, or the gate answered `open`).
 * @example closedGate(gatedCanary, 'confirm-promotion', {}) // { name: 'ask-qa', type: 'confirm-promotion', … }
 * @example closedGate(gatedCanary, 'confirm-promotion', { 'confirm-promotion': 'open' }) // undefined
 */
export function closedGate(c: Canary, gate: GateType, gates: Gates | undefined): WebhookSpec | undefined {
  if (gates?.[gate] === 'open') return undefined;
  return gateHooks(c, gate)[0];
}

/** Flagger's event text for each held gate (`scheduler_hooks.go`). */
const heldEvent: Record<GateType, string> = {
  'confirm-rollout': 'waiting for approval',
  'confirm-traffic-increase': 'waiting for traffic increase approval',
  'confirm-promotion': 'waiting for promotion approval',
};

/**
 * The warning of a held gate, as Flagger's event, plus why it is closed when nothing answered.
 * @example heldMessage('test/podinfo', 'confirm-promotion', hook, {})
 * // 'Halt test/podinfo advancement waiting for promotion approval ask-qa (webhooks are not called yet by gitcanary: the gate stays closed)'
 */
export function heldMessage(id: string, gate: GateType, hook: WebhookSpec, gates: Gates | undefined): string {
  const why =
    gates?.[gate] === undefined ? ' (webhooks are not called yet by gitcanary: the gate stays closed)' : '';
  return `Halt ${id} advancement ${heldEvent[gate]} ${hook.name}${why}`;
}
