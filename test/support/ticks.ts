/**
 * Reconcile runs on a test clock: each `tick()` reconciles the repository at the clock's time,
 * then moves the clock one minute, and returns the first canary's report.
 */
import { type ReconcileOptions, reconcile } from '../../src/reconcile/run.js';
import type { GitOps } from './gitops.js';

export interface Ticker {
  tick(): Promise<Awaited<ReturnType<typeof reconcile>>['canaries'][number]>;
  /** The clock's time (ms): the time of the next tick. */
  now(): number;
}

export function ticker(
  repoDir: string,
  opts: Omit<ReconcileOptions, 'repoDir' | 'now'> = {},
  start = '2026-01-01T00:00:00Z',
): Ticker {
  let now = Date.parse(start);
  return {
    async tick() {
      const res = await reconcile({ ...opts, repoDir, now: new Date(now) });
      now += 60_000;
      return res.canaries[0]!;
    },
    now: () => now,
  };
}

/**
 * The istio-podinfo fixture's first rollout step: initialise, bump the image, and return the
 * report of the tick that takes the first step (weight 20).
 */
export async function firstStep(r: GitOps, t: Ticker): ReturnType<Ticker['tick']> {
  await t.tick();
  await t.tick();
  r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
  await t.tick();
  return t.tick();
}
