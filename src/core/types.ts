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
  /**
   * `inconclusive`: too little data to judge (a policy's minimum samples, or the compare
   * verdict's); the analysis holds instead of counting a failed check. `Verdict.result` stays
   * pass | fail.
   */
  result: 'pass' | 'fail' | 'inconclusive';
  /** Why it failed (`below min 99`, `no values found`, `HTTP 500 …`), or `within range`. */
  reason: string;
  /** The numbers of a canary-against-primary comparison (src/core/compare.ts). */
  comparison?: ComparisonEvidence;
  /** The metric's policy when the Canary sets one (`noData: hold, minSamples: 100`). */
  policy?: string;
  /** What the policy's samples query counted (minSamples). */
  samples?: number;
}

/** What a comparison of the canary with the primary measured and decided on. */
export interface ComparisonEvidence {
  method: 'rate-ratio' | 'mann-whitney';
  /** The analysed window, ISO times. */
  window: { start: string; end: string };
  /** rate-ratio: requests and errors per arm; mann-whitney: the number of samples per arm. */
  canary: { n: number; errors?: number };
  primary: { n: number; errors?: number };
  /** Canary against primary: the error-rate ratio, or the Hodges-Lehmann shift (a ratio on `log`). */
  estimate?: number;
  /** Its confidence interval at `confidence`. */
  ci?: [number, number];
  confidence: number;
  /** The largest acceptable degradation, on the scale of `estimate`. */
  tolerance: number;
  /** One-sided p-value of "the canary is worse" (information; the decision uses the interval). */
  p?: number;
}

/** The result of one analysis run (one tick that evaluated metrics). */
export interface Verdict {
  result: 'pass' | 'fail';
  reason: string;
  metrics: MetricVerdict[];
  /** The step this analysis judged, and how long it took from its commit to observed live. */
  live?: { commit: string; observedAt: string; afterSeconds: number };
}

/**
 * How the run knew the last step was live (`status.live`): `cluster` / `kube-state-metrics`
 * observed it (commit, when, how long after its commit), `assume-interval` assumed it.
 */
export interface LiveRecord {
  by: 'cluster' | 'kube-state-metrics' | 'assume-interval';
  commit?: string;
  observedAt?: string;
  afterSeconds?: number;
  /** `Kustomization flux-system/apps`. */
  applier?: string;
  /** The last apply failure or hold, as said in the run's report. */
  message?: string;
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
  /** How the last step was known to be live (only with a `cluster:` section in gitcanary.yaml). */
  live?: LiveRecord;
  /**
   * Messages of transitions still to be sent (alerts, `event` webhooks), keyed by transition id;
   * sent after the push that records them lands (src/notify/outbox.ts). Absent when none.
   */
  outbox?: OutboxEntry[];
  /**
   * Gates a person opened through Git (`gitcanary approve`, a `/gitcanary approve` comment), each
   * for one revision: a new revision closes them again.
   */
  approvals?: GateApproval[];
  /** The last `/gitcanary …` comment handled (pull-request delivery): each comment is obeyed once. */
  comments?: { lastId: number; lastAt: string };
  /** Consecutive inconclusive analyses (metric policies); absent after a conclusive one. */
  inconclusiveChecks?: number;
}

/** One transition's alert and event messages, written with the step that makes the transition. */
export interface OutboxEntry {
  /** Stable id of the transition (in every message, so a receiver can tell a repeat). */
  id: string;
  /** The step's time (the status's lastStepTime). */
  at: string;
  /** The phase after the transition. */
  phase: Phase;
  /** The step's event messages, for `event` webhooks. */
  events?: Array<{ type: 'Normal' | 'Warning'; message: string }>;
  /** Flagger's alert messages for the transition; `metadata`: with the canary's fields. */
  alerts?: Array<{ severity: 'info' | 'warn' | 'error'; message: string; metadata?: boolean }>;
}

/** A person opened a confirm gate for one revision of the source workload. */
export interface GateApproval {
  gate: 'confirm-rollout' | 'confirm-traffic-increase' | 'confirm-promotion';
  /** The revision it opens the gate for (`lastAppliedSpec` of that run). */
  revision: string;
  /** `Name <email>` of who approved. */
  approvedBy: string;
  approvedAt: string;
  message?: string;
}

/** A person's instruction, committed to the status file; the next run obeys it whatever the interval. */
export interface ManualRequest {
  /**
   * promote = Flagger's skip-analysis now; abort = roll back now; retry = run the failed revision
   * again; resume = lift a halt (a closed step pull request, a pause); pause = halt (a
   * `/gitcanary pause` comment).
   */
  action: 'promote' | 'abort' | 'retry' | 'resume' | 'pause';
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
  /** The Canary's policy for this metric (annotation `gitcanary.dev/metric-policies`). */
  policy?: MetricPolicy;
}

/** What no data, too few samples and a run of inconclusive analyses mean for one metric. */
export interface MetricPolicy {
  /** fail (Flagger: a failed check), hold (inconclusive: the weight stays), pass (ignore it this tick). */
  noData: 'fail' | 'hold' | 'pass';
  /** Below this count (from `samplesQuery`) the metric is inconclusive. */
  minSamples?: number;
  /** The rendered count query for `minSamples`. */
  samplesQuery?: string;
  /** Consecutive inconclusive analyses that hold before the next one is a failed check; unset = unlimited. */
  maxInconclusive?: number;
}

/** A metric check together with what the provider answered. */
export interface Observation {
  check: MetricCheck;
  result: QueryResult;
  /** The answer to the policy's `samplesQuery` (minSamples), when it has one. */
  samples?: QueryResult;
  /** Set for a canary-against-primary comparison: what it compares and the samples it got. */
  comparison?: ComparisonObservation;
}

/** A comparison's settings (the Canary's `gitcanary.dev/compare` annotation) and its samples. */
export interface ComparisonObservation {
  spec: ComparisonSpec;
  window: { start: string; end: string };
  samples: ComparisonSamples | { error: string };
}

export interface ComparisonSpec {
  name: string;
  method: 'rate-ratio' | 'mann-whitney';
  /** rate-ratio: the largest error-rate ratio; mann-whitney: the largest shift (a ratio on `log`). */
  tolerance: number;
  /** rate-ratio: requests per arm below which the result is inconclusive. */
  minRequests: number;
  /** mann-whitney: samples per arm below which the result is inconclusive. */
  minSamples: number;
  /** Two-sided level of the interval. */
  confidence: number;
  /** mann-whitney: `log` compares ratios (values must be positive), `linear` differences. */
  scale: 'log' | 'linear';
  /** rate-ratio with no error in either arm: pass when the canary's upper error-rate bound is within this. */
  maxErrorRate: number;
}

export type ComparisonSamples =
  | {
      method: 'rate-ratio';
      canary: { requests: number; errors: number };
      primary: { requests: number; errors: number };
    }
  | { method: 'mann-whitney'; canary: number[]; primary: number[] };

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
