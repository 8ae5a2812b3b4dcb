/**
 * Gathers what Flagger's metrics are built from, for one checkout: every canary and its status
 * file, the Succeeded/Failed transitions in its Git history, and the tick durations the runs
 * recorded (tick-durations.ts). The exposition itself is pure (flagger-metrics.ts).
 */
import { resolve } from 'node:path';
import { openRepo } from '../git/cli-repo.js';
import { loadConfig } from '../inputs/config.js';
import { strategyOf } from '../inputs/defaults.js';
import { loadRepo } from '../inputs/load.js';
import { diskFiles } from '../reconcile/context.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import { type ExportedCanary, type FlaggerMetricsInput, flaggerMetrics } from './flagger-metrics.js';
import { type Durations, readDurations } from './tick-durations.js';
import { type TrackedCanary, transitionsFromGit } from './transitions.js';

export interface CollectOptions {
  version: string;
  /** Path of the repository config (default `gitcanary.yaml`). */
  configFile?: string;
  /** Durations by canary `namespace/name`, already at hand (a run that just recorded them); else the store's. */
  durations?: Durations;
  /** Problems that did not stop the export (an unreadable status file). */
  warn?: (message: string) => void;
}

/** The inputs of the exposition for the checkout at `repoDir`. */
export async function collectMetrics(repoDir: string, opts: CollectOptions): Promise<FlaggerMetricsInput> {
  const root = resolve(repoDir);
  const config = await loadConfig(root, {}, opts.configFile);
  const inventory = await loadRepo(root, config);
  const files = diskFiles(root);
  const canaries: ExportedCanary[] = [];
  const tracked: TrackedCanary[] = [];
  for (const c of inventory.canaries) {
    const file = statusPath(c.dir, c.ref);
    const target = c.canary.spec.targetRef.name;
    let status: ExportedCanary['status'];
    try {
      const text = await files.read(file);
      if (text !== undefined) status = parseStatus(text, file);
    } catch (e) {
      opts.warn?.(e instanceof Error ? e.message : String(e));
    }
    canaries.push({ namespace: c.ref.namespace, target, status });
    tracked.push({
      id: `${c.ref.namespace}/${c.ref.name}`,
      namespace: c.ref.namespace,
      target,
      strategy: strategyOf(c.canary),
      statusFile: file,
    });
  }
  const repo = await openRepo(root).catch(() => undefined);
  const transitions = repo
    ? await transitionsFromGit(repo, tracked, config.author.email).catch((e: unknown) => {
        opts.warn?.(`git history not read, counters left out: ${e instanceof Error ? e.message : String(e)}`);
        return [];
      })
    : [];
  return {
    version: opts.version,
    meshProvider: config.meshProvider,
    canaries,
    transitions,
    durations: byTarget(opts.durations ?? (await readDurations(root)), tracked),
  };
}

/** The Prometheus textfile for the checkout at `repoDir`. */
export async function repoMetrics(repoDir: string, opts: CollectOptions): Promise<string> {
  return flaggerMetrics(await collectMetrics(repoDir, opts));
}

/** The store is keyed by canary (`namespace/name`); Flagger labels the histogram with the target. */
function byTarget(durations: Durations, tracked: TrackedCanary[]): Durations {
  const out: Durations = new Map();
  for (const c of tracked) {
    const h = durations.get(c.id);
    if (h) out.set(`${c.namespace}/${c.target}`, h);
  }
  return out;
}
