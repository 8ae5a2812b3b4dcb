/**
 * The accumulator of one tick: actions, events and the next status. Pure.
 */
import { nextConditions } from './conditions.js';
import type { DecideInput } from './decide.js';
import { iterationPhases, weightPhases } from './phases.js';
import type { Action, CanaryStatus, Decision, HistoryEntry, Verdict } from './types.js';

/** Status for a canary never seen before. */
export function emptyStatus(): CanaryStatus {
  return {
    phase: 'Initializing',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: '',
    lastPromotedSpec: '',
    lastTransitionTime: '',
    lastStepTime: '',
    trackedConfigs: {},
    conditions: [],
    history: [],
  };
}

/** A decision that writes nothing. */
export function unchanged(input: DecideInput, message: string): Decision {
  return { status: input.status ?? emptyStatus(), actions: [], message, stepped: false };
}

/**
 * Accumulates one tick's actions and events, then builds the next status: every write stamps
 * lastTransitionTime (as Flagger) and lastStepTime, updates the condition and appends history.
 */
export class Tick {
  readonly actions: Action[] = [];
  verdict?: Verdict;
  private readonly messages: string[] = [];

  constructor(readonly input: DecideInput) {}

  act(...actions: Action[]): void {
    this.actions.push(...actions);
  }

  setRoutes(primary: number, canary: number, mirrored: boolean): void {
    this.actions.push({ type: 'set-routes', primary, canary, mirrored });
  }

  event(severity: 'info' | 'warning', message: string): void {
    this.actions.push({ type: 'event', severity, message });
    this.messages.push(message);
  }

  done(patch: Partial<CanaryStatus>): Decision {
    const { input } = this;
    const prev = input.status ?? emptyStatus();
    const now = input.now.toISOString();
    const phase = patch.phase ?? prev.phase;
    const weight = patch.canaryWeight ?? prev.canaryWeight;
    const iterations = patch.iterations ?? prev.iterations;
    const next: CanaryStatus = {
      ...prev,
      ...patch,
      phase,
      // Flagger's setStatusPhase: weight and iterations survive only these phases.
      canaryWeight: weightPhases.has(phase) ? weight : 0,
      iterations: iterationPhases.has(phase) ? iterations : 0,
      lastTransitionTime: now,
      lastStepTime: now,
      conditions: nextConditions(prev.conditions, phase, input.canary.spec.targetRef.kind, now),
    };
    if (next.request === undefined) delete next.request;
    if (next.halted === undefined) delete next.halted;
    // An analysis that did not set the inconclusive count was conclusive: it resets the count.
    if (this.verdict && !('inconclusiveChecks' in patch)) delete next.inconclusiveChecks;
    if (next.inconclusiveChecks === undefined) delete next.inconclusiveChecks;
    const message = this.messages.join('; ') || `${phase}`;
    const entry: HistoryEntry = {
      time: now,
      phase,
      canaryWeight: next.canaryWeight,
      failedChecks: next.failedChecks,
      message,
    };
    if (this.verdict) entry.verdict = this.verdict;
    next.history = [...prev.history, entry].slice(-(input.historyLimit ?? 50));
    const decision: Decision = { status: next, actions: this.actions, message, stepped: true };
    if (this.verdict) decision.verdict = this.verdict;
    return decision;
  }
}

/** Full status sync that starts (or restarts) a run. */
export function restartStatus(input: DecideInput): Partial<CanaryStatus> {
  return {
    phase: 'Progressing',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: input.revision,
    trackedConfigs: input.trackedConfigs,
    halted: undefined,
    inconclusiveChecks: undefined,
  };
}
