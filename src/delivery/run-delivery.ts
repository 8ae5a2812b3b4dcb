/**
 * The run-level glue of delivery: which canaries need the step-PR listing, which plans go to
 * the direct commit and which to pull requests, and the commit statuses of direct commits.
 */
import { isDue } from '../core/decide.js';
import { midRunPhases as runPhases } from '../core/phases.js';
import { type CanaryStatus, idleRoutes } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { CommitState, Forge } from '../forge/port.js';
import { statusDescription } from '../forge/pr-body.js';
import type { GitRepo } from '../git/port.js';
import type { RepoConfig } from '../inputs/config.js';
import { analysisThreshold } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { CanaryPlan } from '../reconcile/canary.js';
import type { RepoFiles } from '../reconcile/context.js';
import type { Logger } from '../reconcile/logger.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import { canaryMode, changeKind, routeOf } from './policy.js';
import { contextOf, type ListedPull, listStepPulls } from './pull-requests.js';

/** Whether any canary can ever need a pull request under this config. */
export function mayPropose(config: RepoConfig, canaries: LoadedCanary[]): boolean {
  const d = config.delivery;
  if (d.mode === 'pull-request' || d.rollback === 'pull-request' || d.direct === 'pull-request') return true;
  if (d.pullRequestFor.weightAbove !== undefined || d.pullRequestFor.promotion) return true;
  return canaries.some((c) => {
    try {
      return canaryMode(c.canary, config) === 'pull-request';
    } catch {
      return false;
    }
  });
}

/**
 * When a run must list the step PRs (one API call), in a repository where some step may need a
 * pull request:
 * - `before`: a canary is mid-run and due at `now`, or carries a person's request, so its decision
 *   may depend on its step PR;
 * - `if-changed`: canaries are mid-run but none is due: a step PR only ever moves a canary's next
 *   step later (an open one to its decision, a merged one to the merge), so none of them can take
 *   a step; the PRs matter only if one of them changes anyway (a person's `git revert`), to close
 *   its open PR, and are listed then ({@link changedMidRun});
 * - `never`: no canary is mid-run, or no step can need a pull request: idle ticks cost no API
 *   call. A PR closed unmerged is seen when its canary is next due.
 */
export type PullListing = 'before' | 'if-changed' | 'never';

export async function pullListing(
  forge: Forge | undefined,
  config: RepoConfig,
  canaries: LoadedCanary[],
  files: RepoFiles,
  now: Date,
): Promise<PullListing> {
  if (!forge || !mayPropose(config, canaries)) return 'never';
  let listing: PullListing = 'never';
  for (const c of canaries) {
    const path = statusPath(c.dir, c.ref);
    const text = await files.read(path).catch(() => undefined);
    if (text === undefined) continue;
    let status: CanaryStatus;
    try {
      status = parseStatus(text, path);
    } catch {
      continue; // A broken status file fails its canary later, with the reason.
    }
    if (!runPhases.has(status.phase)) continue;
    if (status.request || isDue(c.canary, status, now)) return 'before';
    listing = 'if-changed';
  }
  return listing;
}

/** A plan that changes a canary that was mid-run: its open step PR (if any) must be superseded. */
export const changedMidRun = (p: CanaryPlan): boolean =>
  p.changes.length > 0 && runPhases.has(p.before?.status?.phase ?? '');

/** The step PRs of this repository (one listing), against the target branch. */
export async function readPulls(
  git: GitRepo,
  forge: Forge,
  config: RepoConfig,
): Promise<Map<string, ListedPull>> {
  const base = (config.branch ?? (await git.branch())) || 'main';
  return listStepPulls(forge, base);
}

export interface Routed {
  direct: CanaryPlan[];
  /** `autoMerge`: a change that needs no review (rollback, bookkeeping) merges itself. */
  proposed: { plan: CanaryPlan; autoMerge: boolean; rollback: boolean }[];
}

/** Splits the plans by the step policy. A PR needed without a forge fails that canary. */
export function routePlans(plans: CanaryPlan[], config: RepoConfig, forge: Forge | undefined): Routed {
  const out: Routed = { direct: [], proposed: [] };
  for (const plan of plans) {
    if (!plan.canary || plan.changes.length === 0 || plan.report.error) {
      out.direct.push(plan);
      continue;
    }
    const routesAfter = plan.routes ?? idleRoutes;
    const kind = changeKind({
      changes: true,
      ...(plan.decision ? { decision: plan.decision } : {}),
      ...(plan.before?.status ? { before: plan.before.status } : {}),
      routesBefore: plan.before?.routes ?? idleRoutes,
      routesAfter,
      byPerson: plan.byPerson ?? false,
    });
    const mode = canaryMode(plan.canary.canary, config);
    if (routeOf(kind, routesAfter.canary, mode, config.delivery) === 'commit') {
      out.direct.push(plan);
    } else if (!forge) {
      plan.report.error = `${plan.report.file}: ${plan.report.namespace}/${plan.report.name}: this step needs a pull request (delivery ${mode}), but no GitHub access was given (GITHUB_TOKEN and --github-repository)`;
      plan.changes = [];
      out.direct.push(plan);
    } else {
      plan.report.delivery = 'pull-request';
      const rollback = kind === 'rollback';
      out.proposed.push({ plan, rollback, autoMerge: rollback || kind === 'bookkeeping' });
    }
  }
  return out;
}

const transitions: Partial<Record<string, CommitState>> = {
  Progressing: 'pending',
  Succeeded: 'success',
  Failed: 'failure',
};

/**
 * Commit statuses on a direct commit, one per canary whose phase changed to Progressing
 * (pending), Succeeded (success) or Failed (failure). Failures to post are warnings.
 */
export async function reportStatuses(
  ctx: { forge: Forge; logger: Logger },
  plans: CanaryPlan[],
  commit: string,
): Promise<void> {
  for (const p of plans) {
    const d = p.decision;
    if (!d?.stepped || !p.canary || p.changes.length === 0) continue;
    const state = transitions[d.status.phase];
    if (!state || p.before?.status?.phase === d.status.phase) continue;
    const id = `${p.report.namespace}/${p.report.name}`;
    const threshold = analysisThreshold(p.canary.canary);
    try {
      await ctx.forge.setStatus(commit, {
        context: contextOf(id),
        state,
        description: statusDescription(
          d.status.phase,
          d.status.canaryWeight,
          d.status.failedChecks,
          threshold,
        ),
      });
    } catch (e) {
      ctx.logger.warn(`commit status for ${id}: ${errorMessage(e)}`);
    }
  }
}
