/**
 * The step policy: which changes reach Git as a direct commit and which as a pull request.
 * Pure. Only changes that raise the canary's exposure (a higher weight, mirroring switched on)
 * or copy the canary onto the primary (promotion) can need a review; everything that moves
 * traffic back to the primary, scales workloads or records bookkeeping goes straight to the
 * branch, and rollbacks follow `delivery.rollback` (straight to the branch by default).
 */

import type { CanaryStatus, Decision, Routes } from '../core/types.js';
import type { RepoConfig } from '../inputs/config.js';
import type { Canary } from '../inputs/schema.js';
import type { DeliveryMode } from './types.js';

/** Annotation on a Canary choosing its delivery mode (overrides `gitcanary.yaml`). */
export const deliveryAnnotation = 'gitcanary.dev/delivery';

export type ChangeKind = 'none' | 'bookkeeping' | 'exposure' | 'promotion' | 'rollback';

/** What a canary's change in this run is, for the policy. */
export interface ChangeFacts {
  /** Files change in this run. */
  changes: boolean;
  decision?: Decision;
  before?: CanaryStatus;
  routesBefore: Routes;
  routesAfter: Routes;
  /** The decision obeyed a person (request, revert, closed pull request): already reviewed. */
  byPerson: boolean;
}

/**
 * @example changeKind({ changes: true, decision: step to 20, routesBefore: 90/10, routesAfter: 80/20 }) === 'exposure'
 * @example changeKind({ ..., decision: phase Progressing → Failed }) === 'rollback'
 */
export function changeKind(f: ChangeFacts): ChangeKind {
  if (!f.changes) return 'none';
  const d = f.decision;
  if (!d?.stepped || f.byPerson) return 'bookkeeping';
  if (d.status.phase === 'Failed' && f.before?.phase !== 'Failed') return 'rollback';
  if (d.actions.some((a) => a.type === 'promote')) return 'promotion';
  const more = f.routesAfter.canary > f.routesBefore.canary;
  const mirrorOn = f.routesAfter.mirrored && !f.routesBefore.mirrored;
  return more || mirrorOn ? 'exposure' : 'bookkeeping';
}

/** A canary's delivery mode: its annotation, else the repository's. Throws on a bad annotation. */
export function canaryMode(canary: Canary, config: RepoConfig): DeliveryMode {
  const value = canary.metadata.annotations?.[deliveryAnnotation];
  if (value === undefined) return config.delivery.mode;
  if (value === 'commit' || value === 'pull-request') return value;
  throw new Error(
    `metadata.annotations.${deliveryAnnotation}: ${JSON.stringify(value)} is not a delivery mode; use commit or pull-request`,
  );
}

/**
 * How this change reaches Git.
 * @example routeOf('exposure', 60, 'commit', { pullRequestFor: { weightAbove: 50 } }) === 'pull-request'
 * @example routeOf('exposure', 40, 'commit', { pullRequestFor: { weightAbove: 50 } }) === 'commit'
 * @example routeOf('rollback', 0, 'pull-request', { rollback: 'commit' }) === 'commit'
 * @example routeOf('bookkeeping', 0, 'commit', { direct: 'pull-request' }) === 'pull-request' (auto-merged)
 */
export function routeOf(
  kind: ChangeKind,
  toWeight: number,
  mode: DeliveryMode,
  policy: RepoConfig['delivery'],
): DeliveryMode {
  switch (kind) {
    case 'rollback':
      return policy.direct === 'pull-request' ? 'pull-request' : policy.rollback;
    case 'bookkeeping':
      return policy.direct;
    case 'exposure': {
      const above = policy.pullRequestFor.weightAbove;
      return mode === 'pull-request' || (above !== undefined && toWeight > above) ? 'pull-request' : 'commit';
    }
    case 'promotion':
      return mode === 'pull-request' || policy.pullRequestFor.promotion ? 'pull-request' : 'commit';
    default:
      return 'commit';
  }
}
