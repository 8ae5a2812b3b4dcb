/**
 * What a run does for Flagger's metrics once it has written Git: records the ticks it measured
 * (tick-durations.ts) and, when the operator gave a Pushgateway, pushes the whole exposition
 * there. Neither can fail the run: a problem is a warning.
 */
import type { ReconcileResult } from '../reconcile/run.js';
import { repoMetrics } from './collect.js';
import { pushMetrics } from './pushgateway.js';
import { recordDurations } from './tick-durations.js';

export interface AfterRunOptions {
  version: string;
  /** The operator's Pushgateway (`--pushgateway`, the Action's `pushgateway` input). */
  pushgateway?: string;
  configFile?: string;
  warn: (message: string) => void;
  info?: (message: string) => void;
}

/**
 * The ticks that reached a decision (a step, or an analysis that held), in seconds by canary
 * `namespace/name`, as Flagger records the ticks that reach its analysis.
 */
export function measuredTicks(result: ReconcileResult): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of result.canaries) {
    if (c.error || c.durationSeconds === undefined || !(c.stepped || c.verdict)) continue;
    out.set(`${c.namespace}/${c.name}`, [c.durationSeconds]);
  }
  return out;
}

export async function afterRun(
  repoDir: string,
  result: ReconcileResult,
  opts: AfterRunOptions,
): Promise<void> {
  let durations: Awaited<ReturnType<typeof recordDurations>> | undefined;
  try {
    durations = await recordDurations(repoDir, measuredTicks(result));
  } catch (e) {
    opts.warn(`tick durations not recorded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!opts.pushgateway) return;
  try {
    const text = await repoMetrics(repoDir, {
      version: opts.version,
      warn: opts.warn,
      ...(opts.configFile ? { configFile: opts.configFile } : {}),
      ...(durations ? { durations } : {}),
    });
    const pushed = await pushMetrics(opts.pushgateway, text);
    if (pushed.ok) opts.info?.(`metrics pushed to the Pushgateway (HTTP ${pushed.status})`);
    else opts.warn(`metrics not pushed: ${pushed.message}`);
  } catch (e) {
    opts.warn(`metrics not pushed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
