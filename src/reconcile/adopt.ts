/**
 * `gitcanary adopt`: taking a canary over from a live Flagger. For each Canary of the repository
 * without a status file, reads Flagger's Canary status and `-primary` workload, decides what is
 * promoted (src/adopt/plan.ts) and writes the status file and the rendered files gitcanary will
 * own, in one commit authored by the person. The cluster is only read.
 */

import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LiveObjects } from '../adopt/live.js';
import { type AdoptPlan, planAdoption } from '../adopt/plan.js';
import type { K8sJson } from '../cluster/port.js';
import { idleRoutes } from '../core/types.js';
import { ConfigurationError, PushRejectedError } from '../errors.js';
import { openRepo } from '../git/cli-repo.js';
import type { CommitAuthor, FileChange, GitRepo } from '../git/port.js';
import { formatMessage } from '../git/trailers.js';
import { loadConfig, type RepoConfig } from '../inputs/config.js';
import { targetName } from '../inputs/defaults.js';
import { loadRepo } from '../inputs/load.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { formatIssue } from '../inputs/model.js';
import { resolveSource } from '../inputs/source.js';
import { render } from '../render/render.js';
import type { RenderInput } from '../render/types.js';
import { primaryConfigs } from '../render/workloads.js';
import { formatStatus, statusPath } from '../status/status-file.js';
import { sourceRevision, trackedOf } from './canary-state.js';
import { inventoryLookup } from './context.js';

export interface AdoptOptions {
  repoDir: string;
  /** `namespace/name`, or undefined for every canary without a status file (`-A`). */
  id?: string;
  /** Where Flagger's objects are read; built from gitcanary.yaml's `cluster:` when absent. */
  live: LiveObjects | ((config: RepoConfig) => Promise<LiveObjects>);
  author: CommitAuthor;
  force?: boolean;
  push?: boolean;
  now?: Date;
  git?: GitRepo;
}

export interface AdoptedCanary {
  id: string;
  outcome: AdoptPlan['outcome'] | 'skipped';
  flaggerPhase?: string;
  message: string;
  /** The workload the Canary targets (its `-primary` is Flagger's). */
  target?: string;
  files?: string[];
}

export interface AdoptResult {
  commit: string | null;
  pushed: boolean;
  canaries: AdoptedCanary[];
}

export async function adopt(opts: AdoptOptions): Promise<AdoptResult> {
  const root = resolve(opts.repoDir);
  const git = opts.git ?? (await openRepo(root));
  for (let attempt = 1; ; attempt++) {
    await git.sync();
    const config = await loadConfig(root, {});
    const inv = await loadRepo(root, config);
    const chosen = opts.id
      ? inv.canaries.filter((c) => `${c.ref.namespace}/${c.ref.name}` === opts.id)
      : inv.canaries;
    if (opts.id && chosen.length === 0) {
      const known = inv.canaries.map((c) => `${c.ref.namespace}/${c.ref.name}`).join(', ') || 'none';
      throw new ConfigurationError(`canary ${opts.id} not found in the repository (canaries: ${known})`);
    }
    const live = typeof opts.live === 'function' ? await opts.live(config) : opts.live;
    const now = opts.now ?? new Date();
    const lookup = inventoryLookup(inv);
    const canaries: AdoptedCanary[] = [];
    const changes: FileChange[] = [];
    for (const c of chosen) {
      const r = await adoptOne(root, c, live, { inv, lookup, now, force: opts.force === true });
      canaries.push(r.report);
      changes.push(...r.changes);
    }
    if (changes.length === 0) return { commit: null, pushed: false, canaries };
    const adopted = canaries.filter((c) => c.files);
    const msg = formatMessage(
      `gitcanary adopt ${adopted.map((c) => c.id).join(', ')}`,
      adopted.map((c) => c.message),
      [
        ...adopted.map((c): [string, string] => ['Canary', c.id]),
        ['Canary-Request', 'adopt'],
        ['Requested-By', `${opts.author.name} <${opts.author.email}>`],
      ],
    );
    const commit = await git.commit(changes, msg, opts.author);
    if (!commit || opts.push === false || !(await git.hasUpstream()))
      return { commit, pushed: false, canaries };
    try {
      await git.push();
      return { commit, pushed: true, canaries };
    } catch (e) {
      if (!(e instanceof PushRejectedError) || attempt >= 5) throw e;
      await git.resetToUpstream();
    }
  }
}

async function adoptOne(
  root: string,
  c: LoadedCanary,
  live: LiveObjects,
  ctx: {
    inv: Awaited<ReturnType<typeof loadRepo>>;
    lookup: ReturnType<typeof inventoryLookup>;
    now: Date;
    force: boolean;
  },
): Promise<{ report: AdoptedCanary; changes: FileChange[] }> {
  const id = `${c.ref.namespace}/${c.ref.name}`;
  const skip = (message: string, outcome: AdoptedCanary['outcome'] = 'skipped', flaggerPhase?: string) => ({
    report: { id, outcome, message, ...(flaggerPhase ? { flaggerPhase } : {}) },
    changes: [],
  });
  const sPath = statusPath(c.dir, c.ref);
  if (await exists(join(root, sPath)))
    return skip(`${id}: ${sPath} exists; gitcanary already runs this canary`);
  if (c.provider === 'knative')
    return skip(`${id}: the Knative provider has no -primary workload to adopt`, 'refused');
  const source = resolveSource(ctx.inv, c);
  if (Array.isArray(source)) return skip(source.map(formatIssue).join('; '), 'refused');
  const liveCanary = await live.canary(c.ref.namespace, c.ref.name);
  if (!liveCanary)
    return skip(
      `${id}: no Flagger Canary ${id} in ${live.from}; gitcanary reconcile initializes it from scratch`,
    );
  const kind = c.canary.spec.targetRef.kind;
  const primaryName = `${targetName(c.canary)}-primary`;
  const livePrimary = await live.workload(kind, c.ref.namespace, primaryName);
  const plan = planAdoption({
    id,
    liveCanary,
    livePrimary,
    sourceTemplate: (source.object.spec as { template?: unknown } | undefined)?.template,
    sourceRevision: sourceRevision(source),
    trackedConfigs: trackedOf(source),
    force: ctx.force,
    now: ctx.now,
  });
  if (plan.outcome === 'refused') return skip(plan.message, 'refused', plan.flaggerPhase);
  const base: RenderInput = {
    canary: c,
    source,
    primary: { from: 'source' },
    canaryReplicas: 0,
    routes: idleRoutes,
    phase: plan.status.phase,
    iterations: 0,
    revision: sourceRevision(source),
    runRevision: plan.status.lastAppliedSpec,
    lookup: ctx.lookup(c.ref.namespace),
  };
  // A primary on another build keeps its live template; its `-primary` ConfigMap/Secret copies
  // come from the repository (a Secret is never read from the cluster, nor written from it).
  const files = render(
    plan.outcome === 'promoted' || !livePrimary
      ? base
      : {
          ...base,
          primary: { from: 'existing', objects: [asRendered(livePrimary), ...primaryConfigs(base)] },
        },
  );
  const changes: FileChange[] = [
    ...files.map((f) => ({ path: f.path, content: f.content })),
    { path: sPath, content: formatStatus(c.ref, plan.status) },
  ];
  return {
    report: {
      id,
      outcome: plan.outcome,
      flaggerPhase: plan.flaggerPhase,
      message: plan.message,
      target: targetName(c.canary),
      files: changes.map((f) => f.path),
    },
    changes,
  };
}

/** Annotations the cluster or Flagger put on the live primary; never written back to Git. */
const liveOnly = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'kustomize.toolkit.fluxcd.io/reconcile',
];

/** The live primary as a file would declare it: no status, no server-set metadata, no Flagger marks. */
function asRendered(o: K8sJson): K8sObject {
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  const annotations = Object.fromEntries(
    Object.entries((meta.annotations ?? {}) as Record<string, string>).filter(([k]) => !liveOnly.includes(k)),
  );
  const labels = meta.labels as Record<string, string> | undefined;
  return {
    apiVersion: String(o.apiVersion),
    kind: String(o.kind),
    metadata: {
      name: String(meta.name),
      namespace: String(meta.namespace),
      ...(labels ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: o.spec,
  } as K8sObject;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
