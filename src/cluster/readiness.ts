/**
 * Workload readiness exactly as Flagger judges it (`isDeploymentReady`, `IsCanaryReady`,
 * `IsPrimaryReady`), from a Deployment or DaemonSet read from the cluster. Pure: `now` is given.
 * Not ready is either retriable (wait and ask again next run) or not (the rollout is stuck:
 * Flagger rolls back).
 */

export interface Readiness {
  ready: boolean;
  /** Only when not ready: false means stuck (progress deadline exceeded) → roll back. */
  retriable: boolean;
  message: string;
}

interface WorkloadCondition {
  type: string;
  status: string;
  reason?: string;
  lastUpdateTime?: string;
}

export interface DeploymentLike {
  metadata: { name: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: WorkloadCondition[];
  };
}

export interface DaemonSetLike {
  metadata: { name: string; generation?: number };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

const ok: Readiness = { ready: true, retriable: true, message: 'ready' };

/** Flagger's `int32(float32(n) × float32(threshold) / 100)`, in float32 as Go computes it. */
export const thresholdCount = (n: number, threshold: number): number =>
  Math.trunc(Math.fround(Math.fround(n) * Math.fround(Math.fround(threshold) / Math.fround(100))));

/**
 * @param deadlineSeconds the Canary's progressDeadlineSeconds (Flagger's default 600)
 * @param threshold canaryReadyThreshold / primaryReadyThreshold in percent (default 100)
 * @example deploymentReadiness({ metadata: { name: 'podinfo', generation: 2 }, spec: { replicas: 2 },
 *   status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1 } }, 600, 100, now)
 *   // { ready: false, retriable: true, message: 'waiting for rollout to finish: 1 out of 2 new replicas have been updated' }
 */
export function deploymentReadiness(
  d: DeploymentLike,
  deadlineSeconds: number,
  threshold: number,
  now: Date,
): Readiness {
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const progress = s.conditions?.find((c) => c.type === 'Progressing');
  const available = s.conditions?.find((c) => c.type === 'Available');
  let retriable = true;
  if (
    progress &&
    available?.status === 'False' &&
    available.reason === 'MinimumReplicasUnavailable' &&
    available.lastUpdateTime
  ) {
    retriable = !(Date.parse(available.lastUpdateTime) + deadlineSeconds * 1000 < now.getTime());
  }
  const updated = s.updatedReplicas ?? 0;
  const needed = thresholdCount(updated, threshold);
  if (progress?.reason === 'ProgressDeadlineExceeded') {
    return {
      ready: false,
      retriable: false,
      message: `deployment "${d.metadata.name}" exceeded its progress deadline`,
    };
  }
  if (d.spec?.replicas !== undefined && updated < d.spec.replicas) {
    return {
      ready: false,
      retriable,
      message: `waiting for rollout to finish: ${updated} out of ${d.spec.replicas} new replicas have been updated`,
    };
  }
  if ((s.replicas ?? 0) > updated) {
    return {
      ready: false,
      retriable,
      message: `waiting for rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination`,
    };
  }
  if ((s.availableReplicas ?? 0) < needed) {
    return {
      ready: false,
      retriable,
      message: `waiting for rollout to finish: ${s.availableReplicas ?? 0} of ${needed} (readyThreshold ${threshold}%) updated replicas are available`,
    };
  }
  return ok;
}

/**
 * A DaemonSet as Flagger judges it; its deadline counts from the Canary's lastTransitionTime.
 */
export function daemonSetReadiness(
  ds: DaemonSetLike,
  deadlineSeconds: number,
  threshold: number,
  since: Date,
  now: Date,
): Readiness {
  const s = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: observed daemonset generation less than desired generation',
    };
  }
  const desired = s.desiredNumberScheduled ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const needed = thresholdCount(desired, threshold);
  const notUpdated = updated < desired;
  const notAvailable = (s.numberAvailable ?? 0) < needed;
  if (!notUpdated && !notAvailable) return ok;
  if (since.getTime() + deadlineSeconds * 1000 < now.getTime()) {
    return {
      ready: false,
      retriable: false,
      message: `exceeded its progressDeadlineSeconds: ${deadlineSeconds}`,
    };
  }
  if (notUpdated) {
    return {
      ready: false,
      retriable: true,
      message: `waiting for rollout to finish: ${updated} out of ${desired} new pods have been updated`,
    };
  }
  return {
    ready: false,
    retriable: true,
    message: `waiting for rollout to finish: ${s.numberAvailable ?? 0} of ${needed} (readyThreshold ${threshold}%) updated pods are available`,
  };
}
