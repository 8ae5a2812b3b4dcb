/**
 * Gates a person opens through Git: `gitcanary approve` (or a `/gitcanary approve` comment on the
 * step pull request) records an approval in the status file for one revision. A gate is open when
 * its webhook answered `open` (`DecideInput.gates`) or an approval for the revision under decision
 * says so; a new revision finds no approval for itself, so its gates are closed again. Pure.
 */
import { strategyOf } from '../inputs/defaults.js';
import type { Canary, ProviderId } from '../inputs/schema.js';
import type { DecideInput } from './decide.js';
import { type Gates, type GateType, gateHooks, gateTypes } from './gates.js';
import { analysingPhases, midRunPhases } from './phases.js';
import type { CanaryStatus, GateApproval } from './types.js';

/** The gates approved for `revision`. */
export const approvedFor = (status: CanaryStatus | undefined, revision: string): Set<GateType> =>
  new Set((status?.approvals ?? []).filter((a) => a.revision === revision).map((a) => a.gate));

/**
 * The input with the approved gates open: the webhook answers stay as they are, an approval for
 * the input's revision opens its gate.
 * @example withApprovals({ ..., revision: 'r2', status: { approvals: [{ gate: 'confirm-promotion', revision: 'r2', … }] } }).gates
 * // { 'confirm-promotion': 'open' }
 * @example an approval for revision 'r1' leaves the gates of 'r2' as the webhooks answered
 */
export function withApprovals(input: DecideInput): DecideInput {
  const approved = approvedFor(input.status, input.revision);
  if (approved.size === 0) return input;
  const gates: Gates = { ...input.gates };
  for (const gate of approved) gates[gate] = 'open';
  return { ...input, gates };
}

/**
 * The revision an approval applies to: the one under analysis while a run is under way, else
 * the source's revision (the one a confirm-rollout gate holds back).
 */
export function approvalRevision(status: CanaryStatus | undefined, sourceRevision: string): string {
  if (status && midRunPhases.has(status.phase) && status.phase !== 'Waiting') return status.lastAppliedSpec;
  return sourceRevision;
}

/**
 * The gate the canary is held at now, or undefined: only gates the spec has (a webhook of that
 * type) and no approval opened for the revision.
 * - Waiting, or a new revision not yet started: `confirm-rollout`;
 * - WaitingPromotion: `confirm-promotion`;
 * - Progressing with a weighted canary strategy: `confirm-traffic-increase`.
 */
export function heldGate(
  canary: Canary,
  provider: ProviderId,
  status: CanaryStatus | undefined,
  sourceRevision: string,
): GateType | undefined {
  if (!status) return undefined;
  const revision = approvalRevision(status, sourceRevision);
  const approved = approvedFor(status, revision);
  const held = (gate: GateType) => gateHooks(canary, gate).length > 0 && !approved.has(gate);
  const newRevision = !analysingPhases.has(status.phase) && status.lastAppliedSpec !== sourceRevision;
  if ((status.phase === 'Waiting' || newRevision) && held('confirm-rollout')) return 'confirm-rollout';
  if (status.phase === 'WaitingPromotion' && held('confirm-promotion')) return 'confirm-promotion';
  const weighted = provider !== 'kubernetes' && strategyOf(canary) === 'canary';
  if (status.phase === 'Progressing' && weighted && held('confirm-traffic-increase'))
    return 'confirm-traffic-increase';
  return undefined;
}

/**
 * The approvals after a person approved `approval.gate`: approvals of other revisions are dropped
 * (they can never open a gate again), one of the same gate and revision is replaced.
 */
export function addApproval(approvals: GateApproval[] | undefined, approval: GateApproval): GateApproval[] {
  const kept = (approvals ?? []).filter((a) => a.revision === approval.revision && a.gate !== approval.gate);
  return [...kept, approval].sort((a, b) => gateTypes.indexOf(a.gate) - gateTypes.indexOf(b.gate));
}

/** Parses a gate name (the `--gate` flag, a comment's argument); undefined when it is none. */
export const parseGate = (s: string): GateType | undefined =>
  (gateTypes as readonly string[]).includes(s) ? (s as GateType) : undefined;
