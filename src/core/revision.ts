/**
 * Change detection (Flagger `pkg/canary/spec.go`, `config_tracker.go`), pure.
 * The revision is a hash of the pod template plus the checksums of tracked ConfigMaps/Secrets.
 * Flagger's FNV/go-spew strings cannot be reproduced outside Go; any stable hash keeps its rules.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal objects hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Checksum of a ConfigMap/Secret: 16 hex chars of SHA-256 over its `.data` (as Flagger). */
export const configChecksum = (data: unknown): string => sha256(canonicalJson(data ?? {})).slice(0, 16);

/** Key of a tracked config in `status.trackedConfigs`: `configmap/<name>` or `secret/<name>`. */
export const trackedConfigKey = (kind: string, name: string): string => `${kind.toLowerCase()}/${name}`;

/**
 * The revision of a workload: 16 hex chars over the pod template and tracked config checksums.
 * @example revisionOf({ spec: { containers: [{ image: 'a:1' }] } }, {}) !== revisionOf({ spec: { containers: [{ image: 'a:2' }] } }, {})
 */
export function revisionOf(podTemplate: unknown, trackedConfigs: Record<string, string>): string {
  return sha256(canonicalJson({ template: podTemplate ?? {}, configs: trackedConfigs })).slice(0, 16);
}

/**
 * Flagger `hasSpecChanged`: no applied spec → changed; equal to the promoted spec → NOT changed
 * (a manual rollback to what runs as primary never starts an analysis); else changed when it
 * differs from the last applied spec.
 */
export function hasRevisionChanged(
  revision: string,
  status: { lastAppliedSpec: string; lastPromotedSpec: string } | undefined,
): boolean {
  if (!status || status.lastAppliedSpec === '') return true;
  if (revision === status.lastPromotedSpec) return false;
  return revision !== status.lastAppliedSpec;
}
