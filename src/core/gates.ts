/**
 * Flagger's manual gates: the `confirm-rollout`, `confirm-traffic-increase` and
 * `confirm-promotion` webhooks (docs/flagger-behaviour.md §6.2). Pure: the answer of each gate is an
 * observation in `DecideInput.gates`, filled by the shell from the gate's webhook calls
 * (src/reconcile/hooks.ts). A gate with no answer is closed: the decision first asks for its
 * webhooks (`askGate`), and a caller that does not answer holds the canary at the gate, never
 * promoting it unapproved.
 */
import { analysisOf } from '../inputs/defaults.js';
import type { Canary, WebhookSpec } from '../inputs/schema.js';
import type { DecideInput } from './decide.js';
import { askHooks } from './hooks.js';
import type { Decision, Phase } from './types.js';

export const gateTypes = ['confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'] as const;
export type GateType = (typeof gateTypes)[number];
/** What a gate's webhooks answered: `open` lets the canary pass, `closed` holds it. */
export type GateAnswer = 'open' | 'closed';
/** Gate answers of one tick; a missing gate is closed (its webhooks not called). */
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
 * The decision asking for `gate`'s webhooks (sending `phase`), or undefined when the gate needs
 * no call: it is open by other means, has no webhook, or was answered this tick.
 */
export function askGate(input: DecideInput, gate: GateType, phase: Phase): Decision | undefined {
  if (input.gates?.[gate] !== undefined || !closedGate(input.canary, gate, input.gates)) return undefined;
  return askHooks(input, gate, phase);
}

/**
 * The warning of a held gate, as Flagger's event.
 * @example heldMessage('test/podinfo', 'confirm-promotion', hook)
 * // 'Halt test/podinfo advancement waiting for promotion approval ask-qa'
 */
export function heldMessage(id: string, gate: GateType, hook: WebhookSpec): string {
  return `Halt ${id} advancement ${heldEvent[gate]} ${hook.name}`;
}
