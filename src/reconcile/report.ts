/**
 * What a run says about each canary (the `-o json` shape of `reconcile`).
 */
import type { Decision, HookRecord, Phase, Verdict } from '../core/types.js';
import type { LoadedCanary } from '../inputs/model.js';
import { type PolicyLine, policyLines } from '../metrics/policy-checks.js';

export interface CanaryReport {
  namespace: string;
  name: string;
  /** Repository-relative Canary file. */
  file: string;
  phase: Phase | null;
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  /** What this run did (or why it did nothing). */
  message: string;
  /** True when this run took a step for the canary. */
  stepped: boolean;
  lastTransitionTime?: string;
  /** When the next step is due (ISO time). */
  nextStepAt?: string;
  verdict?: Verdict;
  /** The webhooks this run called for the canary, with their answers. */
  hooks?: HookRecord[];
  /** Set when the canary could not be reconciled. */
  error?: string;
  /** Set when this run's change goes to Git as a step pull request instead of a commit. */
  delivery?: 'pull-request';
  /** Things the user should know about this canary's spec (e.g. alerts not sent yet). */
  notes?: string[];
  /** The metric policies of the canary (annotation `gitcanary.dev/metric-policies`). */
  policies?: PolicyLine[];
  /** Consecutive inconclusive analyses held so far (metric policies). */
  inconclusiveChecks?: number;
  /** Wall time of this canary's tick in this run (Flagger's `flagger_canary_duration_seconds`). */
  durationSeconds?: number;
}

export function reportOf(c: LoadedCanary, d: Decision, nextStepAt: Date | undefined): CanaryReport {
  const hasStatus = d.stepped || d.status.lastStepTime !== '';
  const report: CanaryReport = {
    namespace: c.ref.namespace,
    name: c.ref.name,
    file: c.origin.file,
    phase: hasStatus ? d.status.phase : null,
    canaryWeight: d.status.canaryWeight,
    failedChecks: d.status.failedChecks,
    iterations: d.status.iterations,
    message: d.message,
    stepped: d.stepped,
  };
  if (d.status.lastTransitionTime) report.lastTransitionTime = d.status.lastTransitionTime;
  if (nextStepAt) report.nextStepAt = nextStepAt.toISOString();
  if (d.verdict) report.verdict = d.verdict;
  if (d.hooks) report.hooks = d.hooks;
  const policies = policyLines(c);
  if (policies.length > 0) report.policies = policies;
  if (d.status.inconclusiveChecks) report.inconclusiveChecks = d.status.inconclusiveChecks;
  return report;
}

export function failedReport(
  c: { ref: { namespace: string; name: string }; origin: { file: string } },
  error: string,
): CanaryReport {
  return {
    namespace: c.ref.namespace,
    name: c.ref.name,
    file: c.origin.file,
    phase: null,
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    message: error,
    stepped: false,
    error,
  };
}
