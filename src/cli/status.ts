/**
 * `gitcanary status`: every canary's status file, like `kubectl get canaries` (`-o wide` adds
 * Flagger's other printer columns and the next step time), or one canary in detail: its
 * planned weights, the step it is at, the last verdict and what it waits for.
 */
import { nextDueTime } from '../core/decide.js';
import type { Verdict } from '../core/types.js';
import { maxWeight, plannedWeights } from '../core/weights.js';
import { awaitedStep, type PendingStep } from '../delivery/pending.js';
import { analysisOf, strategyOf } from '../inputs/defaults.js';
import { type CanaryState, idOf } from './canary-state.js';
import { table } from './table.js';

export interface StatusRow {
  namespace: string;
  name: string;
  status: string;
  weight: number;
  failedChecks: number;
  lastTransitionTime: string;
  file: string;
  suspended: boolean;
  interval: string;
  stepWeight?: number;
  stepWeights?: number[];
  maxWeight: number;
  mirror: boolean;
  /** When the next step is due (RFC3339); absent before the first run. */
  nextStepAt?: string;
  /** The step pull request the canary waits for (pull-request delivery, read when GitHub is reachable). */
  stepPullRequest?: { number: number; url?: string; fromWeight?: number; toWeight?: number };
  error?: string;
  notes?: string[];
}

/** `status NAMESPACE/NAME`: the row and what it takes to read the rollout. */
export interface StatusDetail extends StatusRow {
  strategy: string;
  /** The canary weights of a run, in order (the canary strategy); empty for blue-green and A/B. */
  plannedWeights: number[];
  /** The step reached: n of N (weights, or iterations for blue-green and A/B). */
  step: { n: number; of: number };
  revision: { source?: string; applied?: string; promoted?: string };
  lastVerdict?: Verdict & { time: string };
  waitingFor: string;
}

/** `pr`: the canary's latest step pull request, when status could list them. */
export function statusRow(s: CanaryState, pr?: PendingStep): StatusRow {
  const { canary: c, status } = s;
  const a = analysisOf(c.canary);
  const step = s.error ? undefined : awaitedStep(status, pr);
  const notes = step ? [`waiting for ${stepWords(step)}`] : [];
  const next = status ? nextDueTime(c.canary, status) : undefined;
  return {
    namespace: c.ref.namespace,
    name: c.ref.name,
    status: s.error ? 'Error' : (status?.phase ?? 'New'),
    weight: status?.canaryWeight ?? 0,
    failedChecks: status?.failedChecks ?? 0,
    lastTransitionTime: status?.lastTransitionTime ?? '',
    file: s.file,
    suspended: c.canary.spec.suspend === true,
    interval: a?.interval ?? '1m',
    ...(a?.stepWeight !== undefined ? { stepWeight: a.stepWeight } : {}),
    ...(a?.stepWeights?.length ? { stepWeights: a.stepWeights } : {}),
    maxWeight: maxWeight(a),
    mirror: a?.mirror === true,
    ...(next ? { nextStepAt: next.toISOString() } : {}),
    ...(step ? { stepPullRequest: stepOf(step) } : {}),
    ...(s.error ? { error: s.error } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

export function statusDetail(s: CanaryState, pr?: PendingStep): StatusDetail {
  const row = statusRow(s, pr);
  const { canary: c, status } = s;
  const a = analysisOf(c.canary);
  const strategy = strategyOf(c.canary);
  const weights = strategy === 'canary' ? plannedWeights(a) : [];
  const n =
    strategy === 'canary'
      ? weights.filter((w) => w <= row.weight && row.weight > 0).length
      : (status?.iterations ?? 0);
  const verdictEntry = status?.history.findLast((h) => h.verdict);
  return {
    ...row,
    strategy,
    plannedWeights: weights,
    step: { n, of: strategy === 'canary' ? weights.length : (a?.iterations ?? 0) },
    revision: {
      ...(s.revision ? { source: s.revision } : {}),
      ...(status?.lastAppliedSpec ? { applied: status.lastAppliedSpec } : {}),
      ...(status?.lastPromotedSpec ? { promoted: status.lastPromotedSpec } : {}),
    },
    ...(verdictEntry?.verdict ? { lastVerdict: { time: verdictEntry.time, ...verdictEntry.verdict } } : {}),
    waitingFor: waitingFor(s, row),
  };
}

/** What the canary waits for, in words. */
function waitingFor(s: CanaryState, row: StatusRow): string {
  const { status, revision } = s;
  if (s.error) return `a readable status file: ${s.error}`;
  if (s.sourceError) return `a resolvable source workload: ${s.sourceError}`;
  if (!status) return 'the first reconcile, which initializes it';
  if (status.request)
    return `the next reconcile, which obeys ${status.request.action} requested by ${status.request.requestedBy}`;
  if (status.halted) return `gitcanary resume (halted: ${status.halted})`;
  if (row.suspended) return 'spec.suspend to be lifted';
  if (row.stepPullRequest) return stepWords(row.stepPullRequest);
  const newRevision =
    revision !== undefined && revision !== status.lastAppliedSpec && revision !== status.lastPromotedSpec;
  switch (status.phase) {
    case 'Initialized':
    case 'Succeeded':
      return newRevision
        ? `the next reconcile, which starts revision ${revision}`
        : `a new revision (${status.lastPromotedSpec} is promoted)`;
    case 'Failed':
      return newRevision
        ? `the next reconcile, which starts revision ${revision}`
        : 'a new revision, or gitcanary retry';
    case 'Waiting':
      return 'the confirm-rollout gate';
    case 'WaitingPromotion':
      return 'the confirm-promotion gate, or gitcanary promote';
    default:
      return row.nextStepAt
        ? `the next step, due at ${row.nextStepAt} (interval ${row.interval})`
        : 'the next reconcile';
  }
}

const stepOf = (p: PendingStep): NonNullable<StatusRow['stepPullRequest']> => ({
  number: p.number,
  ...(p.url ? { url: p.url } : {}),
  ...(p.fromWeight !== undefined ? { fromWeight: p.fromWeight } : {}),
  ...(p.toWeight !== undefined ? { toWeight: p.toWeight } : {}),
});

/** @example stepWords({ number: 12, fromWeight: 20, toWeight: 40 }) === 'step pull request #12 to be merged (weight 20 → 40)' */
function stepWords(p: { number: number; fromWeight?: number; toWeight?: number }): string {
  const weights =
    p.fromWeight !== undefined && p.toWeight !== undefined ? ` (weight ${p.fromWeight} → ${p.toWeight})` : '';
  return `step pull request #${p.number} to be merged${weights}`;
}

export function formatStatusTable(rows: StatusRow[], wide: boolean): string {
  const notes = rows.flatMap((r) => (r.notes ?? []).map((n) => `note: ${r.namespace}/${r.name}: ${n}`));
  return [tableOf(rows, wide), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

function tableOf(rows: StatusRow[], wide: boolean): string {
  const head = ['NAMESPACE', 'NAME', 'STATUS', 'WEIGHT', 'FAILEDCHECKS'];
  const more = ['SUSPENDED', 'INTERVAL', 'MIRROR', 'STEPWEIGHT', 'STEPWEIGHTS', 'MAXWEIGHT', 'NEXTSTEP'];
  return table(
    [...head, ...(wide ? more : []), 'LASTTRANSITIONTIME'],
    rows.map((r) => [
      r.namespace,
      r.name,
      r.status,
      String(r.weight),
      String(r.failedChecks),
      ...(wide
        ? [
            String(r.suspended),
            r.interval,
            String(r.mirror),
            r.stepWeight === undefined ? '-' : String(r.stepWeight),
            r.stepWeights ? r.stepWeights.join(',') : '-',
            String(r.maxWeight),
            r.nextStepAt ?? '-',
          ]
        : []),
      r.lastTransitionTime || '-',
    ]),
  );
}

/** `status NAMESPACE/NAME` as text: one field a line, then the verdict's metrics. */
export function formatStatusDetail(d: StatusDetail): string {
  const field = (k: string, v: string) => `${`${k}:`.padEnd(14)}${v}`;
  const lines = [
    field('Canary', `${d.namespace}/${d.name}`),
    field('Status', `${d.status}${d.suspended ? ' (suspended)' : ''}`),
    field('Strategy', d.strategy),
    field('Weight', `${d.weight}`),
    field('Step', `${d.step.n} of ${d.step.of}`),
  ];
  if (d.plannedWeights.length) lines.push(field('Weights', d.plannedWeights.join(' → ')));
  lines.push(field('FailedChecks', String(d.failedChecks)), field('Interval', d.interval));
  if (d.nextStepAt) lines.push(field('NextStep', d.nextStepAt));
  if (d.lastTransitionTime) lines.push(field('Transition', d.lastTransitionTime));
  const rev = d.revision;
  lines.push(
    field(
      'Revision',
      `source ${rev.source ?? '-'}, applied ${rev.applied ?? '-'}, promoted ${rev.promoted ?? '-'}`,
    ),
  );
  lines.push(field('WaitingFor', d.waitingFor));
  if (d.lastVerdict) {
    lines.push(
      field('LastVerdict', `${d.lastVerdict.result} at ${d.lastVerdict.time}: ${d.lastVerdict.reason}`),
    );
    for (const m of d.lastVerdict.metrics)
      lines.push(`  ${m.name} = ${m.value ?? 'n/a'} ${m.result} (${m.reason})`);
  }
  for (const n of d.notes ?? []) lines.push(`note: ${n}`);
  return lines.join('\n');
}

export { idOf };
