/**
 * Applied before analysed (pure). The shell reads the applier (a Flux Kustomization or an Argo CD
 * Application) and the canary's and primary's workloads, and hands the result in as a
 * `LiveObservation`; this module decides whether the tick may go on to decide a step:
 *
 * - a step commit C not yet observed live holds the canary until the applier reports C (or a
 *   descendant) applied and healthy; the first run that sees it records `status.live` and the
 *   interval counts from then (the write stamps `lastStepTime`);
 * - an apply failure that concerns this canary counts as a failed check; one elsewhere in a shared
 *   Kustomization holds and says why;
 * - canary and primary readiness as Flagger's `IsCanaryReady` / `IsPrimaryReady`: not ready holds,
 *   past the progress deadline rolls back (a primary that fails while Promoting keeps the traffic
 *   on the canary, as `handleFailedPromotion`);
 * - a cluster that cannot be read never advances a canary.
 *
 * A rollback already due (failed checks at the threshold) is never held by any of this.
 */
import { analysisThreshold, skipAnalysis, targetName } from '../inputs/defaults.js';
import type { Canary } from '../inputs/schema.js';
import type { DecideInput } from './decide.js';
import { Tick, unchanged } from './decision-builder.js';
import { rollbackByHand } from './manual-requests.js';
import { advancingPhases, canaryUpPhases } from './phases.js';
import { hasRevisionChanged } from './revision.js';
import type { CanaryStatus, Decision, LiveRecord } from './types.js';

/** Readiness of one workload, as `src/cluster/readiness.ts` judges it. */
export interface WorkloadReadiness {
  ready: boolean;
  /** Not ready and false: past the progress deadline (roll back). */
  retriable: boolean;
  message: string;
}

/** What the applier reports for the step commit (`src/cluster/applied.ts`). */
export interface ApplierReport {
  /** `Kustomization flux-system/apps`. */
  name: string;
  state: 'Applied' | 'Pending' | 'Failed' | 'Blocked';
  message: string;
  /** The failure names this canary's objects, or the applier applies only this canary's folder. */
  concernsCanary: boolean;
}

/** How a run sees whether the canary's last step is live. */
export type LiveObservation =
  /** No cluster access: a step is live one interval after its commit (today's rule). */
  | { by: 'assume-interval' }
  | {
      by: 'cluster' | 'kube-state-metrics';
      /** Set when the source could not answer: the canary never advances. */
      unreachable?: string;
      /** The newest commit that changed the canary's rendered files, and its commit time. */
      step?: { commit: string; time: string };
      /** Only from the cluster. */
      applier?: ApplierReport;
      /** Only where the decision needs them (see `workloadsNeeded`). */
      primary?: WorkloadReadiness;
      canary?: WorkloadReadiness;
    };

/**
 * True when the tick needs to see the cluster: the canary is mid-run, initializing, or has a new
 * revision. An idle canary with nothing new reads nothing.
 */
export function liveRelevant(input: DecideInput): boolean {
  const prev = input.status;
  if (!prev || input.canary.spec.suspend) return false;
  if (prev.phase === 'Initializing' || advancingPhases.has(prev.phase)) return true;
  return hasRevisionChanged(input.revision, prev);
}

/**
 * True when the step commit (the newest commit of the rendered files) of a canary mid-run has not
 * been observed live yet: the shell then reads the cluster on every run, not only when due.
 */
export function awaitingLive(
  canary: Canary,
  prev: CanaryStatus | undefined,
  stepCommit: string | undefined,
): boolean {
  if (!prev || !stepCommit || canary.spec.suspend) return false;
  const watched = prev.phase === 'Initializing' || advancingPhases.has(prev.phase);
  return watched && prev.live?.commit !== stepCommit;
}

/** Which workloads a tick in this phase reads: Flagger checks the canary only while it runs. */
export function workloadsNeeded(input: DecideInput): { primary: boolean; canary: boolean } {
  const phase = input.status?.phase ?? 'Initializing';
  return { primary: !skipAnalysis(input.canary), canary: canaryUpPhases.has(phase) };
}

/** True when an applier's failure message names one of the canary's objects (`<ns>/<name>`). */
export function mentionsCanary(message: string, namespace: string, names: string[]): boolean {
  return names.some((n) => {
    const id = `${namespace}/${n}`;
    const at = message.indexOf(id);
    // `test/podinfo` must not match `test/podinfo-other`; `-primary`/`-canary` are in `names`.
    return at >= 0 && !/[a-z0-9.-]/.test(message.charAt(at + id.length));
  });
}

/**
 * The decision the live state forces before the step logic runs, or undefined to go on.
 * @param due an analysis interval has passed since the last write (failed checks count once per interval)
 */
export function liveGate(input: DecideInput, due: boolean): Decision | undefined {
  const live = input.live;
  const prev = input.status;
  if (!live || live.by === 'assume-interval' || !prev || !liveRelevant(input)) return undefined;
  const rollbackDue = advancingPhases.has(prev.phase) && prev.failedChecks >= analysisThreshold(input.canary);
  // A rollback is never held: failed checks at the threshold, or a person's edit of the weight.
  if (rollbackDue || rollbackByHand(input)) return undefined;
  const awaiting = awaitingLive(input.canary, prev, live.step?.commit);
  if (!due && !awaiting) return undefined;
  if (live.unreachable) {
    return unchanged(input, `not advancing: the cluster cannot be read: ${live.unreachable}`);
  }
  if (awaiting && live.applier && live.applier.state !== 'Applied') {
    const held = applierHeld(input, live.applier, due);
    if (held) return held;
  }
  const notReady = readinessGate(input, live.primary, live.canary);
  if (notReady) return notReady;
  if (!awaiting || !live.step) return undefined;
  // Observed live: record it; the next analysis is one interval from now.
  const t = new Tick(input);
  const after = Math.max(0, Math.round((input.now.getTime() - Date.parse(live.step.time)) / 1000));
  const record: LiveRecord = {
    by: live.by,
    commit: live.step.commit,
    observedAt: input.now.toISOString(),
    afterSeconds: after,
  };
  if (live.applier) record.applier = live.applier.name;
  t.event('info', `Step ${live.step.commit.slice(0, 12)} observed live ${after}s after its commit`);
  return t.done({ live: record });
}

/** The applier has not applied the step: hold, or count a failed check for this canary's failure. */
function applierHeld(input: DecideInput, a: ApplierReport, due: boolean): Decision | undefined {
  const prev = input.status!;
  if (a.state === 'Pending') return unchanged(input, `waiting for the step to be applied: ${a.message}`);
  const message =
    a.state === 'Failed' && !a.concernsCanary
      ? `holding: ${a.message} (a failure elsewhere in a shared applier)`
      : a.state === 'Blocked'
        ? `holding: ${a.message}`
        : `apply failed: ${a.message}`;
  const failedCheck = a.state === 'Failed' && a.concernsCanary && advancingPhases.has(prev.phase);
  // Said once in the status file per message; a failed check counts once per interval.
  if (failedCheck ? !due : prev.live?.message === message) return unchanged(input, message);
  const t = new Tick(input);
  t.event('warning', failedCheck ? `Halt ${input.id} advancement ${message}` : message);
  const live: LiveRecord = { ...(prev.live ?? { by: 'cluster' }), message };
  return t.done(failedCheck ? { live, failedChecks: prev.failedChecks + 1 } : { live });
}

/** `IsPrimaryReady` then `IsCanaryReady`, with Flagger's messages and outcomes. */
function readinessGate(
  input: DecideInput,
  primary: WorkloadReadiness | undefined,
  canary: WorkloadReadiness | undefined,
): Decision | undefined {
  const prev = input.status!;
  const ns = input.canary.metadata.namespace ?? 'default';
  const kind = input.canary.spec.targetRef.kind === 'DaemonSet' ? 'daemonset' : 'deployment';
  const target = `${targetName(input.canary)}.${ns}`;
  const t = new Tick(input);
  if (primary && !primary.ready) {
    const why = `primary ${kind} ${targetName(input.canary)}-primary.${ns} not ready: ${primary.message}`;
    if (primary.retriable) return unchanged(input, why);
    if (prev.phase === 'Promoting' || prev.phase === 'Finalising') {
      // handleFailedPromotion: traffic stays on the canary, which is not scaled down.
      t.setRoutes(0, 100, false);
      t.event('warning', `Promotion failed, primary not ready: ${why}`);
      return t.done({ phase: 'Failed', canaryWeight: 100 });
    }
    return rollback(t, why, target);
  }
  if (canary && !canary.ready) {
    const why = `canary ${kind} ${target} not ready: ${canary.message}`;
    if (canary.retriable) return unchanged(input, why);
    return rollback(t, why, target);
  }
  return undefined;
}

function rollback(t: Tick, why: string, target: string): Decision {
  t.event('warning', why);
  t.setRoutes(100, 0, false);
  t.act({ type: 'scale-canary', replicas: 0 });
  t.event('warning', `Canary failed! Scaling down ${target}`);
  return t.done({ phase: 'Failed', canaryWeight: 0, failedChecks: 0, iterations: 0 });
}

/**
 * The decision with the live record the run used: the fallback's name on a step's status, and
 * the commit-to-live time on a verdict analysed after an observed step.
 */
export function withLiveRecord(input: DecideInput, d: Decision): Decision {
  const live = input.live;
  if (!live || !d.stepped) return d;
  let status = d.status;
  // A fallback says its name; the cluster's record is written by the gate.
  if (live.by !== 'cluster' && status.live?.by !== live.by) status = { ...status, live: { by: live.by } };
  const seen = input.status?.live;
  if (d.verdict && seen?.commit && seen.observedAt && seen.afterSeconds !== undefined) {
    const verdict = {
      ...d.verdict,
      live: { commit: seen.commit, observedAt: seen.observedAt, afterSeconds: seen.afterSeconds },
    };
    const history = status.history.map((h) => (h.verdict === d.verdict ? { ...h, verdict } : h));
    return { ...d, verdict, status: { ...status, history } };
  }
  return status === d.status ? d : { ...d, status };
}
