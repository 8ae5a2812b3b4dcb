/**
 * What a webhook receives, as Flagger sends it: `{ name, namespace, phase, checksum, metadata }`
 * (metadata left out when empty), and for `event` hooks the event's message, type and time in
 * the metadata (those keys win over the hook's own). Pure: the caller supplies the time.
 */
import { createHash } from 'node:crypto';
import { parseDuration } from '../inputs/defaults.js';
import type { WebhookSpec } from '../inputs/schema.js';

export interface HookPayload {
  name: string;
  namespace: string;
  phase: string;
  checksum: string;
  metadata?: Record<string, string>;
}

/**
 * Identifies the revision under analysis (Flagger hashes the tracked configs and
 * lastAppliedSpec; receivers use it as an opaque key, e.g. to run one load test per revision).
 * gitcanary's value is a hash of the same two inputs, stable across runs; it is not Flagger's
 * byte for byte, which no receiver can rely on.
 */
export function revisionChecksum(status: {
  lastAppliedSpec: string;
  trackedConfigs: Record<string, string>;
}): string {
  const tracked = Object.entries(status.trackedConfigs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([tracked, status.lastAppliedSpec]))
    .digest('hex')
    .slice(0, 16);
}

export function hookPayload(
  canary: { name: string; namespace: string },
  phase: string,
  checksum: string,
  hook: Pick<WebhookSpec, 'metadata'>,
): HookPayload {
  const payload: HookPayload = { name: canary.name, namespace: canary.namespace, phase, checksum };
  if (hook.metadata && Object.keys(hook.metadata).length > 0) payload.metadata = { ...hook.metadata };
  return payload;
}

/** An `event` hook's payload: Flagger's `eventMessage`, `eventType` (Normal/Warning), `timestamp` (unix ms). */
export function eventPayload(
  canary: { name: string; namespace: string },
  phase: string,
  checksum: string,
  hook: Pick<WebhookSpec, 'metadata'>,
  event: { message: string; type: 'Normal' | 'Warning'; at: Date },
): HookPayload {
  return {
    name: canary.name,
    namespace: canary.namespace,
    phase,
    checksum,
    metadata: {
      ...hook.metadata,
      eventMessage: event.message,
      eventType: event.type,
      timestamp: String(event.at.getTime()),
    },
  };
}

/** Flagger's hook timeout: `10s` when unset or shorter than two characters, else the duration. */
export function hookTimeoutMs(hook: Pick<WebhookSpec, 'timeout'>): number | undefined {
  const t = hook.timeout && hook.timeout.length >= 2 ? hook.timeout : '10s';
  return parseDuration(t);
}

/** A hook answered yes: a status of 202 or less (203–299 count as failure, as in Flagger). */
export const hookSucceeded = (status: number): boolean => status >= 100 && status <= 202;
