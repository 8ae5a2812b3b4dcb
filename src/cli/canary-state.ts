/**
 * What `status` and `wait` read for each canary: its spec, its status file and the revision of
 * its source workload (as a run computes it), from the checkout at `root`.
 */
import { resolve } from 'node:path';
import type { CanaryStatus } from '../core/types.js';
import { loadConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import { formatIssue, type LoadedCanary } from '../inputs/model.js';
import { resolveSource } from '../inputs/source.js';
import { sourceRevision } from '../reconcile/canary-state.js';
import { diskFiles } from '../reconcile/context.js';
import { parseStatus, statusPath } from '../status/status-file.js';

export interface CanaryState {
  canary: LoadedCanary;
  /** The status file, repository-relative. */
  file: string;
  /** undefined until the first run writes the status file. */
  status?: CanaryStatus;
  /** The revision of the source workload now in the checkout; undefined when it cannot be resolved. */
  revision?: string;
  /** Why the status file could not be read. */
  error?: string;
  /** Why the source workload could not be resolved. */
  sourceError?: string;
}

export const idOf = (c: LoadedCanary): string => `${c.ref.namespace}/${c.ref.name}`;

export async function readCanaries(repoDir: string): Promise<CanaryState[]> {
  const root = resolve(repoDir);
  const inv = await loadRepo(root, await loadConfig(root, {}));
  const files = diskFiles(root);
  const states: CanaryState[] = [];
  for (const c of inv.canaries) {
    const file = statusPath(c.dir, c.ref);
    const state: CanaryState = { canary: c, file };
    const source = resolveSource(inv, c);
    if (Array.isArray(source)) state.sourceError = source.map(formatIssue).join('; ');
    else state.revision = sourceRevision(source);
    try {
      const text = await files.read(file);
      if (text !== undefined) state.status = parseStatus(text, file);
    } catch (e) {
      state.error = e instanceof Error ? e.message : String(e);
    }
    states.push(state);
  }
  return states.sort((a, b) => idOf(a.canary).localeCompare(idOf(b.canary)));
}
