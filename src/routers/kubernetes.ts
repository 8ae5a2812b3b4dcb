/**
 * `kubernetes` provider (Flagger `NopRouter`; docs/flagger-behaviour.md §3.5, §5.11): Services only, no
 * routing object. The core always runs blue/green for it without traffic switching; promotion is
 * the primary's rolling update.
 */

import type { Routes } from '../core/types.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

/**
 * Flagger `NopRouter.GetRoutes`: nothing to read, so the split is made up from the run's progress,
 * 0/100 once `status.iterations > 0`, else 100/0.
 * @example readRoutes([], { ...input, iterations: 2 }) // { primary: 0, canary: 100, mirrored: false }
 */
function readRoutes(_rendered: unknown, input: Omit<RouterInput, 'routes'>): Routes {
  return input.iterations > 0
    ? { primary: 0, canary: 100, mirrored: false }
    : { primary: 100, canary: 0, mirrored: false };
}

/**
 * Kubernetes: renders no routing objects. `analysis.match`, `mirror` and `sessionAffinity` are
 * validation errors: Flagger clears `match` with a warning and ignores the others, gitcanary refuses
 * config it would silently drop.
 */
export const kubernetesRouter: Router = {
  render: () => [],
  readRoutes,
  validate: (c) => lackingFeatures(c, 'kubernetes', ['match', 'mirror', 'sessionAffinity']),
};
