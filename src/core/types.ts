/**
 * Values shared by the pure core: status, routes, observations, verdicts and actions.
 * Nothing here does I/O.
 */

/** Flagger's canary phases (`pkg/apis/flagger/v1beta1/status.go`), minus the deletion ones. */
export const phases = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
] as const;
export type Phase = (typeof phases)[number];

/** Live traffic split as read back from the rendered routing object (Flagger `GetRoutes`). */
export interface Routes {
  primary: number;
  canary: number;
  mirrored: boolean;
}

export const idleRoutes: Routes = Object.freeze({ primary: 100, canary: 0, mirrored: false });

/** Flagger's single `Promoted` condition. */
export interface Condition {
  type: 'Promoted';
  status: 'True' | 'False' | 'Unknown';
  reason: Phase;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** One metric's outcome inside a verdict. */
export interface MetricVerdict {
  name: string;
  /** The PromQL (or provider query) that was sent, after templating. */
  query?: string;
  value?: number;
  min?: number;
  max?: number;
  result: 'pass' | 'fail';
  /** Why it failed (`below min 99`, `no values found`, `HTTP 500 …`), or `within range`. */
  reason: string;
}

/** The result of one analysis run (one tick that evaluated metrics). */
export interface Verdict {
  result: 'pass' | 'fail';
  reason: string;
  metrics: MetricVerdict[];
}

/** Flagger's webhook types (an empty or missing `type` is `rollout`). */
export type HookType =
  | 'confirm-rollout'
  | 'pre-rollout'
  | 'rollout'
  | 'confirm-traffic-increase'
  | 'confirm-promotion'
  | 'post-rollout'
  | 'rollback'
  | 'event';

/** One webhook call and its answer, as recorded in the history, the step commit and the PR evidence. */
export interface HookRecord {
  name: string;
  type: HookType;
  /** Answered with a status of 202 or less. */
  ok: boolean;
  /** The last attempt's status; absent when no answer came (timeout, refused, network). */
  status?: number;
  /** The start of the answer (or of the failure), one line, redacted; text from anyone, never meaning. */
  snippet: string;
  attempts: number;
  durationMs: number;
}

/** A decision waits for one type of webhooks: the shell calls them with `phase` in the payload, then decides again. */
export interface HookNeed {
  type: HookType;
  phase: Phase;
}

/** One line of the bounded history kept in the status file. */
export interface HistoryEntry {
  time: string;
  phase: Phase;
  canaryWeight: number;
  failedChecks: number;
  /** What this tick did, in words (`Advance demo/podinfo canary weight 10`). */
  message: string;
  verdict?: Verdict;
  /** The webhooks this tick called, in call order. */
  hooks?: HookRecord[];
}

/** The status file's `status:` map: Flagger's names plus what Git adds. */
export interface CanaryStatus {
  phase: Phase;
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  lastAppliedSpec: string;
  lastPromotedSpec: string;
  lastTransitionTime: string;
  /** When gitcanary last took a step for this canary (drives the interval check). */
  lastStepTime: string;
  trackedConfigs: Record<string, string>;
  conditions: Condition[];
  history: HistoryEntry[];
  /** A manual operation written by `gitcanary promote|abort|retry`, obeyed (and removed) by the next run. */
  request?: ManualRequest;
  /**
   * Why the canary is halted (a step pull request was closed unmerged): no step is taken until
   * `gitcanary resume` or a new revision.
   */
  halted?: string;
}

/** A person's instruction, committed to the status file; the next run obeys it whatever the interval. */
export interface ManualRequest {
  /**
   * promote = Flagger's skip-analysis now; abort = roll back now; retry = run the failed revision
   * again; resume = lift a halt (a closed step pull request).
   */
  action: 'promote' | 'abort' | 'retry' | 'resume';
  /** `Name <email>` of who asked. */
  requestedBy: string;
  requestedAt: string;
  message?: string;
}

/** What a metrics provider answered for one query: never a bare number, so an outage cannot pass. */
export type QueryResult =
  | { kind: 'value'; value: number }
  | { kind: 'no-data' }
  | { kind: 'error'; message: string };

/** A metric as the analysis needs it: the resolved query plus the spec's range. */
export interface MetricCheck {
  name: string;
  /** Rendered query; undefined when the metric could not be resolved (then `error` says why). */
  query?: string;
  /** Resolution error (unknown template, missing variable …): the check fails with this reason. */
  error?: string;
  thresholdRange?: { min?: number; max?: number };
  /** Deprecated single threshold (Flagger semantics depend on `kind`). */
  threshold?: number;
  /** Which comparison the deprecated `threshold` uses. */
  kind: 'success-rate' | 'duration' | 'custom';
  /** Flagger truncates the builtin request-duration (ms) to an integer before comparing. */
  truncateMs?: boolean;
}

/** A metric check together with what the provider answered. */
export interface Observation {
  check: MetricCheck;
  result: QueryResult;
}

/**
 * Effects a decision asks for, in order. The shell folds them into the rendered files and the
 * commit; nothing else acts on them. Order is part of the contract (tested).
 */
export type Action =
  /** Create the primary workload from the source (bootstrap, phase Initializing). */
  | { type: 'initialize-primary' }
  /** Scale the canary workload up to the source's replicas, or to zero. */
  | { type: 'scale-canary'; replicas: 'source' | 0 }
  /** Write new weights into the routing object. */
  | { type: 'set-routes'; primary: number; canary: number; mirrored: boolean }
  /** Copy the canary (source) pod template onto the primary. */
  | { type: 'promote' }
  /** A Kubernetes-event-like line for logs, the commit body and the history. */
  | { type: 'event'; severity: 'info' | 'warning'; message: string };

export interface Decision {
  /** The status to write (identical object content to the input when nothing happened). */
  status: CanaryStatus;
  actions: Action[];
  /** Set when this tick ran an analysis. */
  verdict?: Verdict;
  /** Human summary of the tick. */
  message: string;
  /** True when the status or any route/workload changes (a step was taken). */
  stepped: boolean;
  /** The decision needs metric observations before it can be made (shell: query, then decide again). */
  needsObservations?: boolean;
  /** The decision needs these webhooks called first (shell: call them, add the calls to `hooks`, decide again). */
  needsHooks?: HookNeed;
  /** The webhooks called for this decision, in call order. */
  hooks?: HookRecord[];
}
