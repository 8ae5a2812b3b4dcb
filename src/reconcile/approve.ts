/**
 * `gitcanary approve`: the status-file change that opens a confirm gate for the revision the
 * gate holds back. Without a gate named, the gate the canary is held at now.
 */
import { addApproval, approvalRevision, heldGate } from '../core/approvals.js';
import { type GateType, gateHooks } from '../core/gates.js';
import type { CanaryStatus, GateApproval } from '../core/types.js';
import { ConfigurationError } from '../errors.js';
import type { FileChange } from '../git/port.js';
import type { RepoInventory } from '../inputs/model.js';
import { formatIssue, type LoadedCanary } from '../inputs/model.js';
import { resolveSource } from '../inputs/source.js';
import { formatStatus } from '../status/status-file.js';
import { sourceRevision } from './canary-state.js';

export interface ApprovalAsk {
  /** The gate named by the person; undefined: the gate held now. */
  gate?: GateType;
  approvedBy: string;
  approvedAt: string;
  message?: string;
}

/** The approval and the status file that records it; throws naming the canary when there is no gate to open. */
export function approvalChange(
  inv: RepoInventory,
  c: LoadedCanary,
  path: string,
  status: CanaryStatus,
  ask: ApprovalAsk,
): { change: FileChange; approval: GateApproval } {
  const id = `${c.ref.namespace}/${c.ref.name}`;
  const source = resolveSource(inv, c);
  if (Array.isArray(source)) throw new ConfigurationError(source.map(formatIssue).join('; '));
  const current = sourceRevision(source);
  const gate = ask.gate ?? heldGate(c.canary, c.provider, status, current);
  if (!gate)
    throw new ConfigurationError(
      `${id} is not held at a gate (phase ${status.phase}); name one with --gate confirm-rollout|confirm-traffic-increase|confirm-promotion`,
    );
  if (gateHooks(c.canary, gate).length === 0)
    throw new ConfigurationError(
      `${c.origin.file}: ${id}: spec.analysis.webhooks has no ${gate} webhook: there is no such gate to open`,
    );
  const approval: GateApproval = {
    gate,
    revision: approvalRevision(status, current),
    approvedBy: ask.approvedBy,
    approvedAt: ask.approvedAt,
    ...(ask.message ? { message: ask.message } : {}),
  };
  const approvals = addApproval(status.approvals, approval);
  return { change: { path, content: formatStatus(c.ref, { ...status, approvals }) }, approval };
}
