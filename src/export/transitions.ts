/**
 * The Succeeded and Failed transitions of each canary, read back from Git: the commits that
 * touched the status files and carry `Canary-Phase` trailers, oldest first; a commit counts when
 * it moves a canary into Succeeded or Failed from another phase. Only gitcanary's own commits
 * (its configured author) count, so a person's commit with copied trailers is not a rollout.
 */
import type { GitRepo } from '../git/port.js';
import { parseTrailers } from '../git/trailers.js';
import { trailerGroup } from '../reconcile/history.js';
import type { DeploymentStrategy, Transition } from './flagger-metrics.js';

export interface TrackedCanary {
  /** `namespace/name` as in the `Canary:` trailer. */
  id: string;
  namespace: string;
  target: string;
  strategy: DeploymentStrategy;
  statusFile: string;
}

export async function transitionsFromGit(
  repo: GitRepo,
  canaries: TrackedCanary[],
  authorEmail: string,
): Promise<Transition[]> {
  if (canaries.length === 0) return [];
  const entries = await repo.log({ paths: canaries.map((c) => c.statusFile), grep: 'Canary-Phase: ' });
  const last = new Map<string, string>();
  const out: Transition[] = [];
  for (const e of [...entries].reverse()) {
    if (e.authorEmail !== authorEmail) continue;
    const trailers = parseTrailers(e.message);
    for (const c of canaries) {
      const phase = trailerGroup(trailers, c.id)?.phase;
      if (!phase) continue;
      const before = last.get(c.id);
      last.set(c.id, phase);
      if (phase === before || (phase !== 'Succeeded' && phase !== 'Failed')) continue;
      const skipped = phase === 'Succeeded' && /analysis was skipped/i.test(e.message);
      out.push({
        namespace: c.namespace,
        target: c.target,
        strategy: c.strategy,
        outcome: phase === 'Succeeded' ? 'success' : 'failure',
        analysisStatus: skipped ? 'skipped' : 'completed',
      });
    }
  }
  return out;
}
