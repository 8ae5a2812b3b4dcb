/**
 * A tick-script simulator for the pure core: keeps status and the rendered routes between
 * ticks the way the shell does, advancing `now` by the analysis interval each tick.
 */
import { type DecideInput, decide } from '../../src/core/decide.js';
import { gateTypes } from '../../src/core/gates.js';
import { gateAnswer, hooksOf, stopsAfter } from '../../src/core/hooks.js';
import {
  type CanaryStatus,
  type Decision,
  type HookNeed,
  type HookRecord,
  idleRoutes,
  type Observation,
  type Routes,
} from '../../src/core/types.js';
import { analysisIntervalMs } from '../../src/inputs/defaults.js';
import { type Canary, canarySchema, type ProviderId } from '../../src/inputs/schema.js';

export const T0 = new Date('2026-01-01T00:00:00Z');

export function canaryWith(analysis: Record<string, unknown>, extra: Record<string, unknown> = {}): Canary {
  return canarySchema.parse({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, ...analysis },
      ...extra,
    },
  });
}

const passing = (value: number): Observation[] => [
  {
    check: { name: 'request-success-rate', kind: 'success-rate', thresholdRange: { min: 99 }, query: 'q' },
    result: { kind: 'value', value },
  },
];

export interface TickLine {
  phase: string;
  weight: number;
  routes: string;
  iterations: number;
  failedChecks: number;
  analysed: boolean;
  message: string;
}

export class Sim {
  status: CanaryStatus | undefined;
  routes: Routes = { ...idleRoutes };
  now: Date = T0;
  revision = 'rev-1';
  /** Success rate returned to the analysis (≥ 99 passes). */
  successRate = 100;
  analyses = 0;
  /** What the analysis observes (default: the success rate above), given the analysis' number from 1. */
  observe?: (analysis: number) => Observation[];
  /** Set for one tick: a person closed the step pull request unmerged. */
  closedPullRequest?: DecideInput['closedPullRequest'];
  /** Answers of the manual gates' webhooks (none: every gate's webhook says no). */
  gates?: DecideInput['gates'];
  /** How every other webhook answers (default: 200), by type and name. */
  hookOk: (type: string, name: string) => boolean = () => true;
  /** Every webhook call, `type/name`, in order. */
  readonly calls: string[] = [];
  readonly decisions: Decision[] = [];

  constructor(
    readonly canary: Canary,
    readonly provider: ProviderId = 'istio',
  ) {}

  /** The decision of the current time with nothing answered (the clock does not move). */
  decideOnly(): Decision {
    return decide(this.baseInput());
  }

  private baseInput(): DecideInput {
    return {
      id: 'test/podinfo',
      canary: this.canary,
      provider: this.provider,
      revision: this.revision,
      trackedConfigs: {},
      routes: this.routes,
      now: this.now,
      ...(this.status ? { status: this.status } : {}),
      ...(this.closedPullRequest ? { closedPullRequest: this.closedPullRequest } : {}),
    };
  }

  /** One tick at the current time, then advance the clock by one interval. */
  tick(): TickLine {
    const base = this.baseInput();
    this.closedPullRequest = undefined;
    let input: DecideInput = base;
    let d = decide(input);
    let analysed = false;
    for (let round = 0; round < 10 && (d.needsHooks || d.needsObservations); round++) {
      if (d.needsHooks) input = this.answer(input, d.needsHooks);
      else {
        analysed = true;
        this.analyses++;
        input = {
          ...input,
          observations: this.observe ? this.observe(this.analyses) : passing(this.successRate),
        };
      }
      d = decide(input);
    }
    this.decisions.push(d);
    for (const a of d.actions) {
      if (a.type === 'set-routes')
        this.routes = { primary: a.primary, canary: a.canary, mirrored: a.mirrored };
    }
    if (this.provider === 'kubernetes') {
      this.routes = {
        primary: d.status.iterations > 0 ? 0 : 100,
        canary: d.status.iterations > 0 ? 100 : 0,
        mirrored: false,
      };
    }
    if (d.stepped) this.status = d.status;
    this.now = new Date(this.now.getTime() + analysisIntervalMs(this.canary));
    return {
      phase: d.status.phase,
      weight: d.status.canaryWeight,
      routes: `${this.routes.primary}/${this.routes.canary}${this.routes.mirrored ? 'm' : ''}`,
      iterations: d.status.iterations,
      failedChecks: d.status.failedChecks,
      analysed,
      message: d.message,
    };
  }

  /** Calls the webhooks a decision asks for, as the shell does (in order, stopping as Flagger). */
  private answer(input: DecideInput, need: HookNeed): DecideInput {
    const gate = (gateTypes as readonly string[]).includes(need.type)
      ? (need.type as (typeof gateTypes)[number])
      : undefined;
    const calls: HookRecord[] = [];
    for (const h of hooksOf(this.canary, need.type)) {
      const ok = gate ? this.gates?.[gate] === 'open' : this.hookOk(need.type, h.name);
      this.calls.push(`${need.type}/${h.name}/${need.phase}`);
      calls.push({
        name: h.name,
        type: need.type,
        ok,
        status: ok ? 200 : 403,
        snippet: '',
        attempts: 1,
        durationMs: 1,
      });
      if (stopsAfter(need.type, ok)) break;
    }
    const next: DecideInput = { ...input, hooks: [...(input.hooks ?? []), ...calls] };
    if (gate) next.gates = { ...input.gates, [gate]: gateAnswer(calls) };
    return next;
  }

  /** Ticks until the phase is reached (or `max` ticks), returning every line. */
  runUntil(phase: string, max = 50): TickLine[] {
    const lines: TickLine[] = [];
    for (let i = 0; i < max; i++) {
      const line = this.tick();
      lines.push(line);
      if (line.phase === phase) return lines;
    }
    throw new Error(`phase ${phase} not reached in ${max} ticks: ${JSON.stringify(lines.at(-1))}`);
  }

  /** Bootstraps (Initializing → Initialized) and commits a new revision. */
  initAndBump(): void {
    this.runUntil('Initialized');
    this.revision = 'rev-2';
  }
}

/** Compact `phase weight routes` strings for timeline assertions. */
export const brief = (lines: TickLine[]): string[] =>
  lines.map((l) => `${l.phase} ${l.routes} i${l.iterations} f${l.failedChecks}${l.analysed ? ' A' : ''}`);
