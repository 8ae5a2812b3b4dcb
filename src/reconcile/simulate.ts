/**
 * `gitcanary simulate`: runs a Canary spec against recorded observations and prints the
 * decisions tick by tick, for tuning thresholds before a real rollout. No Git, no Prometheus:
 * the pure core with recorded values. Replaying the verdicts recorded in a status file
 * reproduces that run's decisions.
 */
import { type DecideInput, decide } from '../core/decide.js';
import { assumeAnswered } from '../core/hooks.js';
import { terminalPhases as terminal } from '../core/phases.js';
import type { CanaryStatus, HistoryEntry, Observation, QueryResult, Routes } from '../core/types.js';
import { idleRoutes } from '../core/types.js';
import { analysisIntervalMs } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { PlannedCheck } from '../metrics/checks.js';

/**
 * One analysis' recorded values by metric name: a number, null (no data) or an error; a metric
 * policy's samples count under `<metric>:samples` (missing: no data, so 0 samples).
 */
export type RecordedTick = Record<string, number | null | { error: string }>;

export interface SimLine {
  tick: number;
  time: string;
  phase: string;
  canaryWeight: number;
  failedChecks: number;
  /** Consecutive inconclusive analyses (metric policies), 0 after a conclusive one. */
  inconclusiveChecks: number;
  iterations: number;
  routes: Routes;
  message: string;
  analysed: boolean;
}

/**
 * Simulates one run of a new revision from an Initialized canary. Each tick that analyses
 * consumes the next recorded tick; the simulation stops at Succeeded/Failed or when the
 * recorded ticks run out.
 */
export function simulate(
  c: LoadedCanary,
  checks: PlannedCheck[],
  recorded: RecordedTick[],
  start: Date,
): SimLine[] {
  const interval = analysisIntervalMs(c.canary);
  let status: CanaryStatus = {
    phase: 'Initialized',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: 'promoted',
    lastPromotedSpec: 'promoted',
    lastTransitionTime: '',
    lastStepTime: '',
    trackedConfigs: {},
    conditions: [],
    history: [],
  };
  let routes: Routes = { ...idleRoutes };
  const lines: SimLine[] = [];
  let next = 0;
  for (let tick = 0; tick < 4 * recorded.length + 20; tick++) {
    const now = new Date(start.getTime() + tick * interval);
    const base: DecideInput = {
      id: `${c.ref.namespace}/${c.ref.name}`,
      canary: c.canary,
      provider: c.provider,
      status,
      revision: 'simulated',
      trackedConfigs: {},
      routes,
      now,
    };
    let input = base;
    let d = decide(input);
    // No network here: every webhook and gate is assumed to say yes.
    for (let i = 0; i < 10 && d.needsHooks; i++) {
      input = assumeAnswered(input, d.needsHooks, true);
      d = decide(input);
    }
    const analysed = d.needsObservations === true;
    if (analysed) {
      const values = recorded[next++];
      if (!values) break;
      input = { ...input, observations: checks.map((check) => observationOf(check, values)) };
      d = decide(input);
      for (let i = 0; i < 10 && d.needsHooks; i++) {
        input = assumeAnswered(input, d.needsHooks, true);
        d = decide(input);
      }
    }
    for (const a of d.actions) {
      if (a.type === 'set-routes') routes = { primary: a.primary, canary: a.canary, mirrored: a.mirrored };
    }
    if (c.provider === 'kubernetes') {
      const on = d.status.iterations > 0;
      routes = { primary: on ? 0 : 100, canary: on ? 100 : 0, mirrored: false };
    }
    status = d.status;
    const { phase, canaryWeight, failedChecks, iterations } = d.status;
    lines.push({
      tick,
      time: now.toISOString(),
      phase,
      canaryWeight,
      failedChecks,
      inconclusiveChecks: d.status.inconclusiveChecks ?? 0,
      iterations,
      routes,
      message: d.message,
      analysed,
    });
    if (terminal.has(phase)) break;
  }
  return lines;
}

function observationOf(check: PlannedCheck, values: RecordedTick): Observation {
  const v = values[check.name];
  const result: QueryResult =
    v === undefined || v === null
      ? { kind: 'no-data' }
      : typeof v === 'number'
        ? { kind: 'value', value: v }
        : { kind: 'error', message: v.error };
  const n = values[samplesKey(check.name)];
  if (!check.policy?.samplesQuery) return { check, result };
  const samples: QueryResult =
    typeof n === 'number'
      ? { kind: 'value', value: n }
      : n
        ? { kind: 'error', message: n.error }
        : { kind: 'no-data' };
  return { check, result, samples };
}

/** The recorded key of a metric's samples count (its policy's minSamples): `<metric>:samples`. */
export const samplesKey = (metric: string): string => `${metric}:samples`;

/**
 * The recorded ticks of the last run in a status history: one per analysis, from the verdict's
 * metric values (a failed query is replayed as an error, a missing value as no data) and samples
 * counts, so a tick a metric policy held replays as held.
 */
export function recordedFromHistory(history: HistoryEntry[]): { run: HistoryEntry[]; ticks: RecordedTick[] } {
  const startAt = history.findLastIndex((h) => h.message.includes('New revision detected! Scaling up'));
  const run = startAt < 0 ? history : history.slice(startAt);
  const ticks = run
    .filter((h) => h.verdict)
    .map((h) => {
      const tick: RecordedTick = {};
      for (const m of h.verdict!.metrics) {
        tick[m.name] =
          m.value !== undefined ? m.value : m.reason.startsWith('query failed') ? { error: m.reason } : null;
        if (m.samples !== undefined) tick[samplesKey(m.name)] = m.samples;
        else if (m.reason.startsWith('samples query failed')) tick[samplesKey(m.name)] = { error: m.reason };
      }
      return tick;
    });
  return { run, ticks };
}
