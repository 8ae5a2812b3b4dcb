/**
 * Whether a committed step C is applied and healthy, judged from what the applier reports: a Flux
 * Kustomization's status or an Argo CD Application's. "Applied" is never "the same SHA": C is
 * applied when the reported revision L is C or descends from it, because other commits may land
 * after C. Ancestry comes from Git and is passed in (`relation`), so these functions are pure.
 */
import { parseFluxRevision, pointerIsBranch } from './revision.js';

/** How C relates to a reported commit L: identical, L ahead of C (C applied), behind, or diverged. */
export type Relation = 'identical' | 'ahead' | 'behind' | 'diverged';

export type ApplyState = 'Applied' | 'Pending' | 'Failed' | 'Blocked';

export interface AppliedJudgement {
  state: ApplyState;
  /** For Failed: the apply was rejected, or the applied objects never became healthy. */
  failure?: 'apply' | 'readiness';
  /** The applier's reason (HealthCheckFailed, SyncError, suspended, …). */
  reason?: string;
  message: string;
  /** The reported commit, when there is one. */
  revision?: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The fields of a `kustomize.toolkit.fluxcd.io/v1` Kustomization this judgement reads. */
export interface FluxKustomization {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: { suspend?: boolean };
  status?: {
    observedGeneration?: number;
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    conditions?: Condition[];
  };
}

const covers = (r: Relation | undefined) => r === 'identical' || r === 'ahead';
const applyFailures = new Set([
  'BuildFailed',
  'ReconciliationFailed',
  'PruneFailed',
  'ArtifactFailed',
  'InvalidCELExpression',
]);

/**
 * The commits a Kustomization reports, for the caller to ask Git about before `fluxApplied`.
 */
export function fluxRevisions(k: FluxKustomization): string[] {
  return [k.status?.lastAppliedRevision, k.status?.lastAttemptedRevision]
    .map((r) => parseFluxRevision(r)?.sha)
    .filter((s): s is string => s !== undefined);
}

/**
 * @example fluxApplied(k, c, 'main', (sha) => 'ahead') // { state: 'Applied', … } when Ready=True
 */
export function fluxApplied(
  k: FluxKustomization,
  commit: string,
  branch: string,
  relation: (sha: string) => Relation | undefined,
): AppliedJudgement {
  const name = `Kustomization ${k.metadata.namespace ?? 'flux-system'}/${k.metadata.name}`;
  if (k.spec?.suspend) return { state: 'Blocked', reason: 'suspended', message: `${name} is suspended` };
  const ready = k.status?.conditions?.find((c) => c.type === 'Ready');
  const applied = parseFluxRevision(k.status?.lastAppliedRevision);
  const attempted = parseFluxRevision(k.status?.lastAttemptedRevision);
  const pointer = applied?.pointer ?? attempted?.pointer;
  if (!pointerIsBranch(pointer, branch)) {
    return {
      state: 'Blocked',
      reason: 'other-ref',
      message: `${name} applies ${pointer}, not ${branch}: gitcanary's commits never reach it`,
    };
  }
  const currentSpec =
    k.status?.observedGeneration === undefined || k.status.observedGeneration === k.metadata.generation;
  if (applied && covers(relation(applied.sha)) && ready?.status === 'True' && currentSpec) {
    return {
      state: 'Applied',
      message: `${name} applied ${applied.sha.slice(0, 12)}`,
      revision: applied.sha,
    };
  }
  if (applied && relation(applied.sha) === 'diverged') {
    return {
      state: 'Blocked',
      reason: 'diverged',
      message: `${name} applied ${applied.sha.slice(0, 12)}, which is not in the branch's history (force-push?)`,
      revision: applied.sha,
    };
  }
  if (attempted && covers(relation(attempted.sha)) && ready?.status === 'False') {
    const reason = ready.reason ?? 'Unknown';
    const why = `${name} failed on ${attempted.sha.slice(0, 12)}: ${reason}${ready.message ? `: ${ready.message}` : ''}`;
    if (reason === 'HealthCheckFailed')
      return { state: 'Failed', failure: 'readiness', reason, message: why, revision: attempted.sha };
    if (applyFailures.has(reason))
      return { state: 'Failed', failure: 'apply', reason, message: why, revision: attempted.sha };
    return { state: 'Pending', reason, message: why, revision: attempted.sha };
  }
  return {
    state: 'Pending',
    message: `${name} has not applied ${commit.slice(0, 12)} yet${applied ? ` (applied ${applied.sha.slice(0, 12)})` : ''}`,
    ...(applied ? { revision: applied.sha } : {}),
  };
}

/** The fields of an `argoproj.io/v1alpha1` Application this judgement reads (single source). */
export interface ArgoApplication {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { syncPolicy?: { automated?: unknown } };
  operation?: unknown;
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      finishedAt?: string;
      syncResult?: { revision?: string };
    };
    reconciledAt?: string;
    conditions?: Condition[];
  };
}

const sha40 = (s: string | undefined) => (s && /^[0-9a-f]{40}$/.test(s) ? s : undefined);

export function argoRevisions(a: ArgoApplication): string[] {
  return [a.status?.sync?.revision, a.status?.operationState?.syncResult?.revision]
    .map(sha40)
    .filter((s): s is string => s !== undefined);
}

export function argoApplied(
  a: ArgoApplication,
  commit: string,
  relation: (sha: string) => Relation | undefined,
): AppliedJudgement {
  const name = `Application ${a.metadata.namespace ?? 'argocd'}/${a.metadata.name}`;
  const s = a.status ?? {};
  if (a.metadata.annotations?.['argocd.argoproj.io/skip-reconcile'] === 'true') {
    return { state: 'Blocked', reason: 'skip-reconcile', message: `${name} has skip-reconcile set` };
  }
  const broken = s.conditions?.find((c) => c.type === 'ComparisonError' || c.type === 'InvalidSpecError');
  if (broken)
    return {
      state: 'Failed',
      failure: 'apply',
      reason: broken.type,
      message: `${name}: ${broken.type}: ${broken.message ?? ''}`.trim(),
    };
  const op = s.operationState;
  if (a.operation !== undefined || op?.phase === 'Running' || op?.phase === 'Terminating') {
    return { state: 'Pending', reason: 'operation', message: `${name} is syncing` };
  }
  const opRev = sha40(op?.syncResult?.revision);
  if ((op?.phase === 'Failed' || op?.phase === 'Error') && opRev && covers(relation(opRev))) {
    return {
      state: 'Failed',
      failure: 'apply',
      reason: `Sync${op.phase}`,
      message: `${name} failed to sync ${opRev.slice(0, 12)}: ${op.message ?? ''}`.trim(),
      revision: opRev,
    };
  }
  const syncRev = sha40(s.sync?.revision);
  const applied =
    (op?.phase === 'Succeeded' && opRev && covers(relation(opRev)) ? opRev : undefined) ??
    (syncRev && covers(relation(syncRev)) && s.sync?.status === 'Synced' ? syncRev : undefined);
  if (!applied) {
    if (!a.spec?.syncPolicy?.automated)
      return {
        state: 'Blocked',
        reason: 'manual-sync',
        message: `${name} has no automated sync: ${commit.slice(0, 12)} waits for a person to sync it`,
      };
    return { state: 'Pending', message: `${name} has not synced ${commit.slice(0, 12)} yet` };
  }
  if (op?.finishedAt && (!s.reconciledAt || s.reconciledAt < op.finishedAt)) {
    return {
      state: 'Pending',
      reason: 'stale-health',
      message: `${name} synced ${applied.slice(0, 12)}; its health is older than the sync`,
      revision: applied,
    };
  }
  const health = s.health?.status ?? 'Unknown';
  if (health === 'Healthy')
    return {
      state: 'Applied',
      message: `${name} synced ${applied.slice(0, 12)} and is Healthy`,
      revision: applied,
    };
  if (health === 'Degraded' || health === 'Missing') {
    return {
      state: 'Failed',
      failure: 'readiness',
      reason: health,
      message: `${name} is ${health}${s.health?.message ? `: ${s.health.message}` : ''}`,
      revision: applied,
    };
  }
  return {
    state: 'Pending',
    reason: health,
    message: `${name} synced ${applied.slice(0, 12)}, health ${health}`,
    revision: applied,
  };
}
