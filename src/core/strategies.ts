/**
 * Traffic decisions after a passing analysis, per strategy (Flagger `runCanary`, `runBlueGreen`,
 * `runAB`; docs/flagger-behaviour.md §3.4–3.5). Pure.
 */
import { analysisOf, type Strategy, targetName } from '../inputs/defaults.js';
import type { DecideInput } from './decide.js';
import type { Tick } from './decision-builder.js';
import { unchanged } from './decision-builder.js';
import { askGate, closedGate, type GateType, heldMessage } from './gates.js';
import type { Decision } from './types.js';
import { advance, maxWeight, nextStepWeight } from './weights.js';

/** Iterations used with the `kubernetes` provider, which Flagger coerces to blue/green (≥ 1, else 10). */
export const kubernetesIterations = (iterations: number | undefined): number =>
  iterations && iterations >= 1 ? iterations : 10;

/** Dispatches to the strategy; the `kubernetes` provider always runs blue/green. */
export function nextTraffic(t: Tick, input: DecideInput, strategy: Strategy): Decision {
  if (input.provider === 'kubernetes') return runBlueGreen(t, input);
  if (strategy === 'ab-testing') return runAB(t, input);
  if (strategy === 'blue-green') return runBlueGreen(t, input);
  return runCanary(t, input);
}

/**
 * The decision that holds the canary at a closed gate, or undefined when the gate passes.
 * `confirm-promotion` enters WaitingPromotion once (a status write); afterwards, and for
 * `confirm-traffic-increase` (which has no phase), the tick writes nothing: the routes stay as
 * they are and the analysis runs again next tick, as in Flagger. The tick's verdict is kept.
 */
export function holdAtGate(t: Tick, input: DecideInput, gate: GateType): Decision | undefined {
  const ask = askGate(input, gate, 'Progressing');
  if (ask) return ask;
  const hook = closedGate(input.canary, gate, input.gates);
  if (!hook) return undefined;
  const message = heldMessage(input.id, gate, hook);
  if (gate === 'confirm-promotion' && input.status?.phase !== 'WaitingPromotion') {
    t.event('warning', message);
    return t.done({ phase: 'WaitingPromotion' });
  }
  const held = unchanged(input, message);
  return t.verdict ? { ...held, verdict: t.verdict } : held;
}

function promote(t: Tick, input: DecideInput): Decision {
  const target = targetName(input.canary);
  t.act({ type: 'promote' });
  t.event(
    'info',
    `Copying ${target}.${input.canary.metadata.namespace ?? 'default'} template spec to ${target}-primary`,
  );
  return t.done({ phase: 'Promoting' });
}

/** Weighted canary: one step per passing tick, promotion once the weight reaches maxWeight. */
function runCanary(t: Tick, input: DecideInput): Decision {
  const a = analysisOf(input.canary);
  const { primary, canary, mirrored } = input.routes;
  const step = nextStepWeight(a, canary);
  // Flagger asks confirm-traffic-increase whenever a step is configured, promotion included.
  const gated = step > 0 && !mirrored && input.status?.phase !== 'WaitingPromotion';
  const trafficHeld = gated ? holdAtGate(t, input, 'confirm-traffic-increase') : undefined;
  if (trafficHeld) return trafficHeld;
  if (canary >= maxWeight(a)) return holdAtGate(t, input, 'confirm-promotion') ?? promote(t, input);
  if (a?.mirror && canary === 0 && !mirrored) {
    // One interval of mirroring before any live traffic shifts.
    t.setRoutes(100, 0, true);
    t.event('info', `Advance ${input.id} canary weight 0 (mirroring traffic to the canary)`);
    return t.done({ canaryWeight: 0 });
  }
  const next =
    a?.mirror && canary === 0 ? { primary: 100 - step, canary: step } : advance({ primary, canary }, step);
  t.setRoutes(next.primary, next.canary, false);
  t.event('info', `Advance ${input.id} canary weight ${next.canary}`);
  return t.done({ canaryWeight: next.canary });
}

/** Blue/green: N iterations without live traffic, one under full traffic, then promotion. */
function runBlueGreen(t: Tick, input: DecideInput): Decision {
  const a = analysisOf(input.canary);
  const k8s = input.provider === 'kubernetes';
  const n = k8s ? kubernetesIterations(a?.iterations) : (a?.iterations ?? 0);
  const i = input.status?.iterations ?? 0;
  if (i < n) {
    if (!k8s && a?.mirror && !input.routes.mirrored) t.setRoutes(100, 0, true);
    t.event('info', `Advance ${input.id} canary iteration ${i + 1}/${n}`);
    return t.done({ iterations: i + 1 });
  }
  const promotionHeld = holdAtGate(t, input, 'confirm-promotion');
  if (promotionHeld) return promotionHeld;
  if (i === n) {
    if (!k8s) {
      t.setRoutes(0, 100, false);
      const what = input.routes.mirrored ? 'Stop traffic mirroring and route' : 'Routing';
      t.event('info', `${what} all traffic to canary`);
    }
    return t.done({ iterations: i + 1 });
  }
  return promote(t, input);
}

/** A/B testing: matched requests go to the canary for N iterations, then promotion. */
function runAB(t: Tick, input: DecideInput): Decision {
  const n = analysisOf(input.canary)?.iterations ?? 0;
  const i = input.status?.iterations ?? 0;
  if (i < n) {
    t.setRoutes(0, 100, false);
    t.event('info', `Advance ${input.id} canary iteration ${i + 1}/${n}`);
    return t.done({ iterations: i + 1 });
  }
  return holdAtGate(t, input, 'confirm-promotion') ?? promote(t, input);
}
