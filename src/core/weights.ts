/**
 * Weight arithmetic of Flagger's canary strategy (`pkg/controller/scheduler.go`). Pure.
 * The total weight is always 100; weights are integers; there is no rounding anywhere.
 */
import type { AnalysisSpec } from '../inputs/schema.js';

/**
 * The weight at which the canary is promoted.
 * - stepWeights set: min(100, last element) (maxWeight is ignored);
 * - else maxWeight when > 0; else 100.
 * @example maxWeight({ stepWeights: [10, 20, 60], maxWeight: 50 }) === 60
 * @example maxWeight({ stepWeight: 10 }) === 100
 */
export function maxWeight(a: AnalysisSpec | undefined): number {
  const list = a?.stepWeights ?? [];
  if (list.length > 0) return Math.min(100, list[list.length - 1]!);
  return a?.maxWeight && a.maxWeight > 0 ? a.maxWeight : 100;
}

/**
 * How much to add to the canary weight this step (Flagger `nextStepWeight`).
 * - stepWeight > 0, or no stepWeights: stepWeight (0 means the canary never advances);
 * - stepWeights: the difference to the next list element, capped by 100 − current; a current
 *   weight not in the list jumps to 100; at 100 the step is 1.
 * @example nextStepWeight({ stepWeights: [1, 2, 10, 80] }, 2) === 8
 * @example nextStepWeight({ stepWeights: [1, 2, 10, 80] }, 7) === 93  // 7 not in list: jump to 100
 * @example nextStepWeight({ stepWeights: [1, 2, 10, 200] }, 10) === 90
 */
export function nextStepWeight(a: AnalysisSpec | undefined, current: number): number {
  const step = a?.stepWeight ?? 0;
  const list = a?.stepWeights ?? [];
  if (step > 0 || list.length === 0) return step;
  const maxStep = 100 - current;
  if (maxStep === 0) return 1;
  if (current === 0) return Math.min(maxStep, list[0]!);
  for (let i = 0; i < list.length - 1; i++) {
    if (list[i] === current) return Math.min(maxStep, list[i + 1]! - current);
  }
  return maxStep;
}

/**
 * The next (primary, canary) split: canary + step capped at 100, primary − step floored at 0.
 * Overshoot past maxWeight is allowed, exactly as Flagger (maxWeight 50, step 20: 20, 40, 60).
 * @example advance({ primary: 60, canary: 40 }, 20) → { primary: 40, canary: 60 }
 */
export function advance(
  routes: { primary: number; canary: number },
  step: number,
): { primary: number; canary: number } {
  return { primary: Math.max(0, routes.primary - step), canary: Math.min(100, routes.canary + step) };
}

/**
 * The canary weights a whole run steps through (the PR body, `gitcanary status NS/NAME`).
 * @example plannedWeights({ stepWeight: 20, maxWeight: 50 }) → [20, 40, 60]
 * @example plannedWeights({ stepWeights: [1, 10, 80] }) → [1, 10, 80]
 */
export function plannedWeights(a: AnalysisSpec | undefined): number[] {
  const out: number[] = [];
  const max = maxWeight(a);
  for (let w = 0; w < max && out.length < 100; ) {
    const step = nextStepWeight(a, w);
    if (step <= 0) break;
    w = Math.min(100, w + step);
    out.push(w);
  }
  return out;
}
