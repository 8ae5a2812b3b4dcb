/**
 * One reconcile run ("tick") over a whole repository: sync, load, reconcile every canary with
 * bounded concurrency, then write one commit and push it. A lost push race re-reads the remote
 * and decides again from scratch; it never rebases an old decision onto new state.
 */
import { resolve } from 'node:path';
import type { NudgeResult } from '../cluster/nudge.js';
import type { HookRecord } from '../core/types.js';
import type { PendingStep } from '../delivery/pending.js';
import { deliverPullRequests, type ListedPull, pendingSteps } from '../delivery/pull-requests.js';
import {
  changedMidRun,
  pullListing,
  type Routed,
  readPulls,
  reportStatuses,
  routePlans,
} from '../delivery/run-delivery.js';
import type { DeliveryMode, PullRequestReport } from '../delivery/types.js';
import { ConfigurationError, errorMessage, PushRejectedError } from '../errors.js';
import type { Forge } from '../forge/port.js';
import { openRepo } from '../git/cli-repo.js';
import type { ChangeEntry, FileChange, GitRepo } from '../git/port.js';
import { loadConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import { formatIssue, type LoadedCanary, refId } from '../inputs/model.js';
import { mapLimit } from '../map-limit.js';
import { show } from '../net/egress.js';
import { type NotifyOptions, notifyAfterPush } from './alerts.js';
import { type CanaryPlan, reconcileCanary } from './canary.js';
import { answerCommands, readCommands, statusReader } from './comments.js';
import { commitMessage } from './commit-message.js';
import { assertConfined } from './confine.js';
import { diskFiles, inventoryLookup, type MetricsFactory, type ReconcileContext } from './context.js';
import { webhookRunner } from './hooks.js';
import { nudgeAfterPush, openCluster } from './live.js';
import { type Logger, silentLogger } from './logger.js';
import { metricsFactory } from './observe.js';
import { ownershipRefusals } from './ownership.js';
import { type CanaryReport, failedReport } from './report.js';
import { readTarget } from './target-branch.js';

export interface ReconcileOptions {
  repoDir: string;
  /** Evaluation time: interval checks, status timestamps, Prometheus `time=`. */
  now?: Date;
  metricsServer?: string;
  meshProvider?: string;
  /** Decide and render, but write nothing (plan). */
  dryRun?: boolean;
  /** Commit but do not push. */
  push?: boolean;
  /** Metrics provider factory (default: Prometheus over HTTP). */
  metrics?: MetricsFactory;
  logger?: Logger;
  /** Canaries reconciled at once. */
  concurrency?: number;
  /** Push attempts before giving up on a busy remote. */
  maxAttempts?: number;
  /** The repository port (default: the git CLI adapter on `repoDir`). */
  git?: GitRepo;
  /** Delivery mode for every canary (overrides `gitcanary.yaml` `delivery.mode`). */
  mode?: DeliveryMode;
  /** The code host, needed by pull-request delivery and commit statuses. */
  forge?: Forge;
  /** Path of the repository config (default `gitcanary.yaml` at the repository root). */
  configFile?: string;
  /** Alerts and event webhooks: the HTTP transport and environment (tests), record-commit attempts. */
  notify?: NotifyOptions;
  /**
   * Webhook hosts sent elsewhere: `host` (or `host:port`) → `host:port`. A test seam (and the
   * CLI's `--hook-host`) that lets a cluster-local hook URL reach a local server, spec unchanged.
   */
  hookHosts?: Readonly<Record<string, string>>;
  /** In a dry run, the branch whose egress policy and credentialed uses apply (target-branch.ts). */
  targetBranch?: string;
}

export interface ReconcileResult {
  canaries: CanaryReport[];
  /** The commit written (pushed unless `push: false`), or null when nothing changed. */
  commit: string | null;
  /** Every file change of the run (also in dry-run, where nothing is written). */
  changes: FileChange[];
  /** Non-fatal findings (unknown fields, deprecated fields). */
  warnings: string[];
  attempts: number;
  /** Step pull requests created, updated or closed by this run (pull-request delivery). */
  pullRequests: PullRequestReport[];
  /** The appliers nudged after the push (`cluster.nudge` in gitcanary.yaml). */
  nudges?: NudgeResult[];
}

export async function reconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const root = resolve(opts.repoDir);
  const logger = opts.logger ?? silentLogger;
  const git = opts.git ?? (await openRepo(root));
  const maxAttempts = opts.maxAttempts ?? 5;
  // Webhook calls outlive an attempt: a lost push race never calls a hook twice for one step.
  const hookCalls = new Map<string, Promise<HookRecord>>();
  for (let attempt = 1; ; attempt++) {
    if (!opts.dryRun) await git.sync({ keepLocal: opts.push === false });
    const loaded = await loadAll(root, opts, logger, git, await git.recentChanges(100), hookCalls);
    await assertBranch(git, loaded.ctx.config.branch);
    const { pulls, plans, warnings, ctx } = await decideWithPulls(loaded, git, opts);
    const routed = routePlans(plans, ctx.config, opts.forge);
    const changes = plans.flatMap((p) => p.changes);
    assertConfined(changes, ctx.inventory.canaries);
    const directChanges = routed.direct.flatMap((p) => p.changes);
    const result: ReconcileResult = {
      canaries: plans.map((p) => p.report),
      changes,
      warnings,
      attempts: attempt,
      commit: null,
      pullRequests: [],
    };
    if (opts.dryRun) return result;
    if (changes.length === 0) {
      if (opts.push !== false) await notifyAfterPush(git, ctx, plans, new Set(), opts.notify);
      return result;
    }
    const message = commitMessage(routed.direct, ctx.now);
    try {
      // An API-backed repository commits and pushes in one compare-and-swap, so a lost race can
      // surface from commit() as well as from push().
      const sha = await git.commit(directChanges, message, ctx.config.author);
      if (opts.push === false) return { ...result, commit: sha };
      if (sha && (await git.hasUpstream())) {
        await git.push();
        result.nudges = await nudgeAfterPush(ctx, sha);
      }
      // Alerts and event messages only once the step is on the branch (src/reconcile/alerts.ts).
      await notifyAfterPush(git, ctx, plans, new Set(sha ? routed.direct : []), opts.notify);
      if (!opts.forge) return { ...result, commit: sha };
      const delivered = await deliver(git, opts.forge, ctx, logger, pulls, routed, sha);
      await answerCommands(opts.forge, plans, logger);
      return { ...result, ...delivered, canaries: plans.map((p) => p.report) };
    } catch (e) {
      if (!(e instanceof PushRejectedError) || attempt >= maxAttempts) throw e;
      logger.warn(`push rejected (the remote moved); re-reading and deciding again (attempt ${attempt + 1})`);
      await git.resetToUpstream();
    }
  }
}

/**
 * Decides every canary, listing the step PRs first when a decision may depend on them, or after
 * deciding when a canary changed mid-run without being due; then only the canaries a step PR
 * speaks for are decided again (the others' inputs are unchanged).
 */
async function decideWithPulls(loaded: Loaded, git: GitRepo, opts: ReconcileOptions) {
  const { config, files, now } = loaded.ctx;
  const forge = opts.forge;
  const listing = await pullListing(forge, config, loaded.inventory.canaries, files, now);
  if (!forge || listing === 'never')
    return { pulls: new Map<string, ListedPull>(), ...(await decideAll(loaded, new Map(), opts)) };
  let first: Map<string, CanaryPlan> | undefined;
  if (listing === 'if-changed') {
    const decided = await decideAll(loaded, new Map(), opts);
    if (!decided.plans.some(changedMidRun)) return { pulls: new Map<string, ListedPull>(), ...decided };
    first = new Map(decided.plans.flatMap((p) => (p.canary ? [[refId(p.canary.ref), p] as const] : [])));
  }
  const pulls = await readPulls(git, forge, config);
  loaded.ctx.commands = await readCommands(forge, pulls, statusReader(loaded.ctx), loaded.ctx.logger);
  return { pulls, ...(await decideAll(loaded, pendingSteps(pulls), opts, first)) };
}

/** Step pull requests and commit statuses, after the direct commit is on the branch. */
async function deliver(
  git: GitRepo,
  forge: Forge,
  ctx: ReconcileContext,
  logger: Logger,
  pulls: Map<string, ListedPull>,
  routed: Routed,
  commit: string | null,
): Promise<{ commit: string | null; pullRequests: PullRequestReport[] }> {
  const dctx = {
    git,
    forge,
    base: (ctx.config.branch ?? (await git.branch())) || 'main',
    now: ctx.now,
    author: ctx.config.author,
    logger,
    pulls,
    mergeMethod: ctx.config.delivery.mergeMethod,
  };
  const pullRequests = await deliverPullRequests(
    dctx,
    routed.proposed,
    routed.direct,
    await git.head(),
    commit,
  );
  if (commit) await reportStatuses(dctx, routed.direct, commit);
  return { commit, pullRequests };
}

/** With `branch:` in gitcanary.yaml, refuse to write on any other branch. */
async function assertBranch(git: GitRepo, expected: string | undefined): Promise<void> {
  if (!expected) return;
  const actual = await git.branch();
  if (actual !== expected) {
    throw new ConfigurationError(
      `gitcanary.yaml: branch: ${expected}, but ${git.dir} has ${actual ?? 'a detached HEAD'} checked out`,
    );
  }
}

/** Loads the config and the repository. */
async function loadAll(
  root: string,
  opts: ReconcileOptions,
  logger: Logger,
  history: Pick<GitRepo, 'log'>,
  recent: ChangeEntry[],
  runCalls: Map<string, Promise<HookRecord>>,
) {
  const overrides: { metricsServer?: string; meshProvider?: string; mode?: DeliveryMode } = {};
  if (opts.metricsServer) overrides.metricsServer = opts.metricsServer;
  if (opts.meshProvider) overrides.meshProvider = opts.meshProvider;
  if (opts.mode) overrides.mode = opts.mode;
  const config = await loadConfig(root, overrides, opts.configFile);
  if (config.credentialServer)
    logger.warn(
      `metrics server ${show(config.metricsServer)} (flag) replaces gitcanary.yaml's ${show(config.credentialServer)}: ` +
        'PROMETHEUS_* credentials still go only to the latter (list the flag in egress.prometheusCredentials to send them)',
    );
  const inventory = await loadRepo(root, config);
  const target =
    opts.dryRun && !opts.metrics
      ? await readTarget(root, {
          overrides,
          logger,
          explicit: opts.targetBranch,
          configFile: opts.configFile,
        })
      : undefined;
  const ctx: ReconcileContext = {
    root,
    now: opts.now ?? new Date(),
    config,
    inventory,
    files: diskFiles(root),
    metrics: opts.metrics ?? metricsFactory(config, target),
    logger,
    recent,
    history,
    lookup: inventoryLookup(inventory),
    webhooks: webhookRunner(config, {
      runCalls,
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.hookHosts ? { hostMap: opts.hookHosts } : {}),
    }),
  };
  const cluster = await openCluster(config, inventory.objects);
  if (cluster) ctx.cluster = cluster;
  return { ctx, inventory };
}

type Loaded = Awaited<ReturnType<typeof loadAll>>;

/**
 * Reconciles every canary; bad canaries become failed reports. A plan in `previous` is kept for a
 * canary no pending step speaks for (its decision would be the same).
 */
async function decideAll(
  { ctx, inventory }: Loaded,
  pending: Map<string, PendingStep>,
  opts: ReconcileOptions,
  previous?: ReadonlyMap<string, CanaryPlan>,
) {
  if (pending.size > 0) ctx.pending = pending;
  else delete ctx.pending;
  const { logger } = ctx;
  const refusals = await ownershipRefusals(ctx.files, inventory.canaries);
  const plans = await mapLimit(inventory.canaries, opts.concurrency ?? 8, async (c) => {
    const refused = refusals.get(refId(c.ref));
    if (refused) return { report: failedReport(c, refused), changes: [] } satisfies CanaryPlan;
    const kept = pending.has(refId(c.ref)) ? undefined : previous?.get(refId(c.ref));
    if (kept) return kept;
    try {
      const began = performance.now();
      const plan = await reconcileCanary(ctx, c);
      plan.report.durationSeconds = (performance.now() - began) / 1000;
      return plan;
    } catch (e) {
      if (e instanceof ConfigurationError) throw e;
      return { report: failedReport(c, errorMessage(e)), changes: [] } satisfies CanaryPlan;
    }
  });
  const invalid = invalidCanaries(inventory.errors, inventory.canaries);
  const reused = new Set(previous?.values());
  for (const p of plans)
    if (p.report.error && !reused.has(p))
      logger.error(`${p.report.namespace}/${p.report.name}: ${p.report.error}`);
  const warnings = inventory.errors.filter((i) => i.severity === 'warning').map(formatIssue);
  return { plans: [...plans, ...invalid], warnings, ctx };
}

/** Reports for documents that failed validation (they never reach the decision), one per object. */
function invalidCanaries(
  errors: ReconcileContext['inventory']['errors'],
  loaded: LoadedCanary[],
): CanaryPlan[] {
  const ok = new Set(loaded.map((c) => `${c.ref.namespace}/${c.ref.name}`));
  const byObject = new Map<string, { object?: string; file: string; lines: string[] }>();
  for (const e of errors) {
    if (e.severity !== 'error' || (e.object && ok.has(e.object))) continue;
    const key = e.object ?? e.file;
    const entry = byObject.get(key) ?? { file: e.file, lines: [], ...(e.object ? { object: e.object } : {}) };
    entry.lines.push(formatIssue(e));
    byObject.set(key, entry);
  }
  return [...byObject.values()].map(({ object, file, lines }) => {
    const slash = object?.indexOf('/') ?? -1;
    const ref =
      object && slash > 0
        ? { namespace: object.slice(0, slash), name: object.slice(slash + 1) }
        : { namespace: '', name: file };
    return { report: failedReport({ ref, origin: { file } }, lines.join('; ')), changes: [] };
  });
}
