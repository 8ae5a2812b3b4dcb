/**
 * The shell's side of "applied before analysed": opens the cluster reader once per run (only with
 * `cluster.access` set), and for a canary that may step reads, by name, the applier of its folder
 * and its canary and primary workloads, judging them into the pure `LiveObservation` that decide
 * consumes (src/core/applied.ts). Ancestry of the reported commit comes from Git.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  type ArgoApplication,
  argoApplied,
  argoRevisions,
  type FluxKustomization,
  fluxApplied,
  fluxRevisions,
  type Relation,
} from '../cluster/applied.js';
import { type Applier, applierFor, knownAppliers, under } from '../cluster/appliers.js';
import { openKubeReader } from '../cluster/kube-reader.js';
import { type NudgeResult, type NudgeTarget, nudge } from '../cluster/nudge.js';
import { ClusterError, type ClusterReader, type K8sJson, refs } from '../cluster/port.js';
import {
  type DaemonSetLike,
  type DeploymentLike,
  daemonSetReadiness,
  deploymentReadiness,
} from '../cluster/readiness.js';
import {
  type ApplierReport,
  awaitingLive,
  type LiveObservation,
  liveRelevant,
  mentionsCanary,
  type WorkloadReadiness,
  workloadsNeeded,
} from '../core/applied.js';
import { type DecideInput, isDue } from '../core/decide.js';
import type { ClusterConfig, RepoConfig } from '../inputs/config.js';
import {
  analysisOf,
  apexName,
  parseDuration,
  progressDeadlineSeconds,
  targetName,
} from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { ReconcileContext } from './context.js';
import { ksmReadiness } from './ksm-readiness.js';

const run = promisify(execFile);

/** The run's view of the cluster: a reader, or why there is none. */
export interface ClusterAccess {
  config: ClusterConfig;
  reader?: ClusterReader;
  /** The reader could not be opened (bad kubeconfig, no context): every canary says so. */
  error?: string;
  appliers: Applier[];
}

/** Opens the reader when `cluster.access` asks for one; the adapter is imported only then. */
export async function openCluster(
  config: RepoConfig,
  objects: ReconcileContext['inventory']['objects'],
): Promise<ClusterAccess | undefined> {
  const cluster = config.cluster;
  if (!cluster) return undefined;
  const access: ClusterAccess = { config: cluster, appliers: knownAppliers(cluster, objects) };
  if (cluster.access === 'none') return access;
  try {
    access.reader = await openKubeReader({
      ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
      ...(cluster.context ? { context: cluster.context } : {}),
      inCluster: cluster.access === 'in-cluster',
      timeoutMs: parseDuration(cluster.timeout) ?? 10_000,
      maxBytes: config.limits.responseBytes,
    });
  } catch (e) {
    access.error = `cannot open the cluster reader: ${(e as Error).message}`;
  }
  return access;
}

/**
 * The newest commit that changed the canary's rendered files: from the run's recent log when it is
 * there, otherwise from the whole history (`GitRepo.log`, which deepens a shallow clone), so a canary whose last step is
 * older than the recent window (100 commits) still finds it, at any depth of history.
 */
export async function stepCommit(
  ctx: ReconcileContext,
  renderedDir: string,
): Promise<{ commit: string; time: string } | undefined> {
  const hit =
    ctx.recent.find((e) => e.files.some((f) => under(f, renderedDir))) ??
    (await ctx.history?.log({ paths: [renderedDir], maxCount: 1 }).catch(() => []))?.[0];
  if (!hit) return undefined;
  // gitcanary's own commits say when the run decided them (its clock, not the commit's).
  const evaluated = /^Evaluated at (\S+)\.$/m.exec(hit.message)?.[1];
  const time = evaluated && !Number.isNaN(Date.parse(evaluated)) ? evaluated : hit.date.toISOString();
  return { commit: hit.sha, time };
}

/** True when this canary's run must read its rendered files and the cluster even though not due. */
export async function watching(
  ctx: ReconcileContext,
  c: LoadedCanary,
  input: Pick<DecideInput, 'status'>,
  renderedDir: string,
): Promise<boolean> {
  if (!ctx.cluster?.reader && !ctx.cluster?.error) return false;
  return awaitingLive(c.canary, input.status, (await stepCommit(ctx, renderedDir))?.commit);
}

/** What the run sees of the canary's last step; undefined without a `cluster:` section. */
export async function observeLive(
  ctx: ReconcileContext,
  c: LoadedCanary,
  input: DecideInput,
  renderedDir: string,
): Promise<LiveObservation | undefined> {
  const access = ctx.cluster;
  if (!access) return undefined;
  if (access.config.access === 'none') {
    if (access.config.fallback === 'assume-interval') return { by: 'assume-interval' };
    if (!liveRelevant(input) || !isDue(c.canary, input.status, ctx.now)) return { by: 'assume-interval' };
    return ksmReadiness(ctx, c, input);
  }
  const step = await stepCommit(ctx, renderedDir);
  const due = isDue(c.canary, input.status, ctx.now);
  if (!liveRelevant(input) || !(due || awaitingLive(c.canary, input.status, step?.commit)))
    return { by: 'cluster' };
  if (!access.reader) return { by: 'cluster', unreachable: access.error ?? 'no reader' };
  try {
    const obs: LiveObservation & { by: 'cluster' } = { by: 'cluster', ...(step ? { step } : {}) };
    if (step) obs.applier = await applierReport(ctx, access, c, step.commit);
    Object.assign(obs, await workloads(access.reader, c, input, ctx.now));
    return obs;
  } catch (e) {
    if (e instanceof ClusterError) return { by: 'cluster', unreachable: e.message };
    throw e;
  }
}

async function applierReport(
  ctx: ReconcileContext,
  access: ClusterAccess,
  c: LoadedCanary,
  commit: string,
): Promise<ApplierReport> {
  const applier = applierFor(access.appliers, c.dir);
  if (!applier) {
    return {
      name: 'no applier',
      state: 'Blocked',
      message: `no Flux Kustomization or Argo CD Application is known to apply ${c.dir || 'the repository root'}: add one under cluster.appliers in gitcanary.yaml`,
      concernsCanary: false,
    };
  }
  const name = `${applier.kind} ${applier.ref.namespace}/${applier.ref.name}`;
  const object = await access.reader!.get(applier.ref);
  if (!object) {
    return {
      name,
      state: 'Blocked',
      message: `${name} (from ${applier.from}) does not exist in the cluster`,
      concernsCanary: false,
    };
  }
  const flux = applier.kind === 'Kustomization';
  const reported = flux
    ? fluxRevisions(object as unknown as FluxKustomization)
    : argoRevisions(object as unknown as ArgoApplication);
  const relations = new Map<string, Relation | undefined>();
  for (const sha of reported) relations.set(sha, await relation(ctx.root, commit, sha));
  const relate = (sha: string) => relations.get(sha);
  const branch = ctx.config.branch ?? (await currentBranch(ctx.root));
  const j = flux
    ? fluxApplied(object as unknown as FluxKustomization, commit, branch, relate)
    : argoApplied(object as unknown as ArgoApplication, commit, relate);
  // Only this canary under the applier's folder: any failure of it is this canary's.
  const exclusive = ctx.inventory.canaries.filter((o) => under(o.dir, applier.path)).length <= 1;
  const ns = c.ref.namespace;
  const target = targetName(c.canary);
  const apex = apexName(c.canary);
  const names = [target, `${target}-primary`, apex, `${apex}-canary`, `${apex}-primary`, c.ref.name];
  const concernsCanary = exclusive || mentionsCanary(j.message, ns, names);
  return { name, state: j.state, message: j.message, concernsCanary };
}

/** Flagger's IsPrimaryReady / IsCanaryReady on the workloads read by name. */
async function workloads(reader: ClusterReader, c: LoadedCanary, input: DecideInput, now: Date) {
  const need = workloadsNeeded(input);
  const ns = c.ref.namespace;
  const target = targetName(c.canary);
  const a = analysisOf(c.canary);
  const deadline = progressDeadlineSeconds(c.canary);
  const daemon = c.canary.spec.targetRef.kind === 'DaemonSet';
  const since = new Date(input.status?.lastTransitionTime || now.toISOString());
  const judge = async (name: string, threshold: number): Promise<WorkloadReadiness> => {
    const ref = daemon ? refs.daemonSet(ns, name) : refs.deployment(ns, name);
    const o: K8sJson | undefined = await reader.get(ref);
    if (!o)
      return {
        ready: false,
        retriable: true,
        message: `${daemon ? 'daemonset' : 'deployment'} ${name} not found`,
      };
    return daemon
      ? daemonSetReadiness(o as unknown as DaemonSetLike, deadline, threshold, since, now)
      : deploymentReadiness(o as unknown as DeploymentLike, deadline, threshold, now);
  };
  const out: { primary?: WorkloadReadiness; canary?: WorkloadReadiness } = {};
  if (need.primary) out.primary = await judge(`${target}-primary`, a?.primaryReadyThreshold ?? 100);
  if (need.canary) out.canary = await judge(target, a?.canaryReadyThreshold ?? 100);
  return out;
}

/** How C relates to the reported commit L, from the working tree's Git history. */
async function relation(root: string, c: string, l: string): Promise<Relation | undefined> {
  if (c === l) return 'identical';
  const ancestor = async (a: string, b: string) =>
    run('git', ['merge-base', '--is-ancestor', a, b], { cwd: root }).then(
      () => true,
      (e: { code?: number }) => (e.code === 1 ? false : undefined),
    );
  const ahead = await ancestor(c, l);
  if (ahead === undefined) return undefined; // L is not in the clone (not fetched yet, or foreign)
  if (ahead) return 'ahead';
  return (await ancestor(l, c)) ? 'behind' : 'diverged';
}

async function currentBranch(root: string): Promise<string> {
  const { stdout } = await run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: root });
  return stdout.trim();
}

/**
 * After a push: the configured nudges (Flux Receiver, Argo CD webhook) for the pushed commit, each
 * result logged. Never throws: the applier's own poll still applies the step.
 */
export async function nudgeAfterPush(
  ctx: ReconcileContext,
  commit: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NudgeResult[]> {
  const n = ctx.config.cluster?.nudge;
  if (!n) return [];
  const targets: NudgeTarget[] = [];
  if (n.fluxReceiver) {
    const secret = env[n.fluxReceiver.tokenEnv];
    targets.push({ kind: 'flux-receiver', url: n.fluxReceiver.url, ...(secret ? { secret } : {}) });
  }
  if (n.argocdWebhook) {
    const secret = n.argocdWebhook.secretEnv ? env[n.argocdWebhook.secretEnv] : undefined;
    const { url, repoUrl } = n.argocdWebhook;
    targets.push({ kind: 'argocd-webhook', url, repoUrl, ...(secret ? { secret } : {}) });
  }
  if (targets.length === 0) return [];
  const parent = await run('git', ['rev-parse', `${commit}^`], { cwd: ctx.root }).then(
    (r) => r.stdout.trim(),
    () => '0'.repeat(40),
  );
  const paths = await run('git', ['diff-tree', '--no-commit-id', '--name-only', '-r', commit], {
    cwd: ctx.root,
  }).then(
    (r) => r.stdout.split('\n').filter(Boolean),
    () => [],
  );
  const branch = ctx.config.branch ?? (await currentBranch(ctx.root));
  const results = await nudge(
    targets,
    { branch, before: parent, after: commit, paths },
    {
      timeoutMs: parseDuration(ctx.config.cluster?.timeout ?? '10s') ?? 10_000,
      maxBytes: ctx.config.limits.responseBytes,
    },
  );
  for (const r of results) {
    const line = `nudged ${r.kind} ${r.url}: ${r.outcome} in ${r.ms} ms`;
    if (r.ok) ctx.logger.info(line);
    else ctx.logger.warn(line);
  }
  return results;
}
