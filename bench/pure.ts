/**
 * The parts of a tick that touch neither git nor Prometheus, timed on their own: loading and
 * validating the repository, and deciding + rendering every canary (reading its status and
 * rendered files from disk, as `reconcile` does). Metrics come from an instant stub here.
 */

import { loadConfig } from '../src/inputs/config.js';
import { loadRepo } from '../src/inputs/load.js';
import { mapLimit } from '../src/map-limit.js';
import { reconcileCanary } from '../src/reconcile/canary.js';
import { diskFiles, inventoryLookup, type ReconcileContext } from '../src/reconcile/context.js';
import { silentLogger } from '../src/reconcile/logger.js';

export interface PureTimes {
  loadMs: number;
  decideRenderMs: number;
  changedFiles: number;
}

/** Every query answers 100: passes both `min: 99` and `max: 500`. */
const stubMetrics: ReconcileContext['metrics'] = () => ({
  query: async () => ({ kind: 'value', value: 100 }),
});

/** Load + validate, then decide + render all canaries of the working tree `root` at `now`. */
export async function timePure(root: string, now: Date, concurrency = 8): Promise<PureTimes> {
  const t0 = performance.now();
  const config = await loadConfig(root, { metricsServer: 'http://stub.invalid' });
  const inventory = await loadRepo(root, config);
  const t1 = performance.now();
  const ctx: ReconcileContext = {
    root,
    now,
    config,
    inventory,
    files: diskFiles(root),
    metrics: stubMetrics,
    logger: silentLogger,
    // No git here: no reverts to find (a tick reads them with one `git log`).
    recent: [],
    lookup: inventoryLookup(inventory),
  };
  const plans = await mapLimit(inventory.canaries, concurrency, (c) => reconcileCanary(ctx, c));
  const t2 = performance.now();
  const failed = plans.filter((p) => p.report.error);
  if (failed.length > 0) throw new Error(`pure run: ${failed[0]!.report.error}`);
  return { loadMs: t1 - t0, decideRenderMs: t2 - t1, changedFiles: plans.flatMap((p) => p.changes).length };
}
