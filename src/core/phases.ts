/**
 * Every named set of canary phases, in one table. Each set says which phases share one
 * behaviour; the modules that act on that behaviour import the set by name.
 */
import type { Phase } from './types.js';

const set = (...p: Phase[]): ReadonlySet<string> => new Set<string>(p);

/** Phases in which Flagger keeps advancing without a new revision (`shouldAdvance`). */
export const advancingPhases = set('Progressing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising');

/**
 * A run is under way and a step PR can be open, just merged or just closed: the advancing
 * phases before routing goes back to the primary.
 */
export const midRunPhases = set('Progressing', 'Waiting', 'WaitingPromotion', 'Promoting');

/** Phases in which a person's promote or abort applies (analysis or a gate still pending). */
export const analysingPhases = set('Progressing', 'Waiting', 'WaitingPromotion');

/** Phases in which the canary workload is scaled up. */
export const canaryUpPhases = set('Progressing', 'WaitingPromotion', 'Promoting', 'Finalising');

/** Phases whose status keeps canaryWeight and iterations (`setStatusPhase` zeroes them otherwise). */
export const weightPhases = set('Progressing', 'Waiting', 'Promoting');

/**
 * Phases whose status keeps iterations: the weight phases and WaitingPromotion, so a blue/green
 * canary held at its confirm-promotion gate stays at its last iteration (Flagger instead resets
 * it to `iterations - 1` and counts it up again every other tick).
 */
export const iterationPhases = set('Progressing', 'Waiting', 'Promoting', 'WaitingPromotion');

/** Phases in which a canary weight of 0 means the run is over (Finalising onwards). */
export const afterRunPhases = set('Finalising', 'Succeeded', 'Failed');

/** The phases a run ends in. */
export const terminalPhases = set('Succeeded', 'Failed');
