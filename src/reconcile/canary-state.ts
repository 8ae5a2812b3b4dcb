/**
 * Reading one canary's state for a decision: its source workload, status file, rendered objects,
 * a person's revert, what its step pull request says; all of it becomes a `DecideInput`. Nothing
 * here writes. A canary that is not due and asked nothing reads its status file and no more.
 */
import { parseAllDocuments } from 'yaml';
import { applyCommand, type CommandAnswer, type HeardCommand } from '../core/comment-commands.js';
import { type DecideInput, isDue } from '../core/decide.js';
import { configChecksum, revisionOf, trackedConfigKey } from '../core/revision.js';
import { type CanaryStatus, idleRoutes, type Routes } from '../core/types.js';
import { pendingView } from '../delivery/pending.js';
import { canaryMode } from '../delivery/policy.js';
import { apexName, targetName } from '../inputs/defaults.js';
import { formatIssue, type K8sObject, type LoadedCanary, type SourceWorkload } from '../inputs/model.js';
import { resolveSource } from '../inputs/source.js';
import { currentRoutes } from '../render/render.js';
import { readOwnYaml } from '../render/yaml.js';
import { routerFor } from '../routers/registry.js';
import type { RouterInput } from '../routers/types.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import type { ReconcileContext } from './context.js';
import { observeLive, watching } from './live.js';
import { requesterFromGit } from './requester.js';
import { findRevert } from './reverts.js';

/** What a canary's decision and its writes are made from. */
export interface CanaryState {
  c: LoadedCanary;
  id: string;
  source: SourceWorkload;
  /** Path of the status file, and its text as read (undefined: none yet). */
  statusPath: string;
  statusText: string | undefined;
  /** The status as the decision sees it (a step PR's time folded in). */
  status: CanaryStatus | undefined;
  renderedDir: string;
  /** The rendered files as read (only when a step may be taken), and the objects in them. */
  existing: Array<{ path: string; content: string }>;
  objects: K8sObject[];
  routerInput: Omit<RouterInput, 'routes'>;
  /** The split in the routing object now. */
  routes: Routes;
  /** A person asked, reverted or closed the step PR. */
  byPerson: boolean;
  input: DecideInput;
  /** A `/gitcanary …` comment handled this run: the status carries it, the run answers it. */
  heard?: HeardAnswer;
}

/** A comment command applied to the status, and what to answer after the push. */
export interface HeardAnswer {
  command: HeardCommand;
  answer: CommandAnswer;
  /** `lastStepTime` as the status file has it (the status seen may carry a step PR's time). */
  lastStepTime: string;
  /**
   * The command asked for no request (an approval, a refusal): this run writes only the status
   * to the branch, so the remembered comment never waits in an unmerged step PR.
   */
  bookkeepingOnly: boolean;
}

/** The state of `c`, or the error that stops it before any decision (reported, never thrown). */
export async function readCanary(ctx: ReconcileContext, c: LoadedCanary): Promise<CanaryState | string> {
  const source = resolveSource(ctx.inventory, c);
  if (Array.isArray(source)) return source.map(formatIssue).join('; ');
  const routerIssues = routerFor(c.provider).validate(c);
  if (routerIssues.length > 0) {
    return routerIssues
      .map(
        (i) => `${c.origin.file}:${c.origin.line}: ${c.ref.namespace}/${c.ref.name}: ${i.path}: ${i.message}`,
      )
      .join('; ');
  }
  const id = `${c.ref.namespace}/${c.ref.name}`;
  try {
    canaryMode(c.canary, ctx.config);
  } catch (e) {
    return `${c.origin.file}:${c.origin.line}: ${id}: ${(e as Error).message}`;
  }
  const sPath = statusPath(c.dir, c.ref);
  const statusText = await ctx.files.read(sPath);
  const seen = pendingView(
    statusText === undefined ? undefined : parseStatus(statusText, sPath, ctx.now),
    ctx.pending?.get(id),
    ctx.config.delivery.onClosed,
  );
  const heardCmd = ctx.commands?.get(id);
  // Who asked is read from the commit that wrote the request, not from the file's text.
  const asked = requesterFromGit(seen.status, ctx.recent, sPath, {
    requireSigned: ctx.config.requests.requireSigned,
  });
  if (asked.refused) ctx.logger.warn(`${id}: ${asked.refused}`);
  const fromFile = asked.status;
  const applied =
    heardCmd && fromFile
      ? applyCommand(fromFile, heardCmd, {
          canary: c.canary,
          provider: c.provider,
          revision: sourceRevision(source),
          now: ctx.now,
        })
      : undefined;
  const status = applied?.status ?? fromFile;
  const renderedDir = c.dir ? `${c.dir}/rendered` : 'rendered';
  const reverted = findRevert(ctx.recent, sPath, renderedDir, id);
  const byPerson = status?.request !== undefined || reverted !== undefined || seen.closed !== undefined;
  // Most canaries are idle in a run: read and parse the rendered files only when a step may be taken.
  const mayStep =
    !status ||
    byPerson ||
    isDue(c.canary, status, ctx.now) ||
    (await watching(ctx, c, { status }, renderedDir));
  const existing = mayStep ? await ctx.files.list(renderedDir) : [];
  const objects = existing.flatMap((f) => parseObjects(f.content));
  const routerInput: Omit<RouterInput, 'routes'> = {
    canary: c,
    namespace: c.ref.namespace,
    apex: apexName(c.canary),
    target: targetName(c.canary),
    phase: status?.phase ?? 'Initializing',
    iterations: status?.iterations ?? 0,
    runRevision: status?.lastAppliedSpec ?? '',
    lookup: ctx.lookup(c.ref.namespace),
  };
  const routes = currentRoutes(objects, routerInput) ?? idleRoutes;
  const trackedConfigs = trackedOf(source);
  const input: DecideInput = {
    id,
    canary: c.canary,
    provider: c.provider,
    revision: revisionOf(podTemplate(source), trackedConfigs),
    trackedConfigs,
    routes,
    now: ctx.now,
    historyLimit: ctx.config.historyLimit,
    ...(status ? { status } : {}),
  };
  if (reverted) input.revertedByHand = reverted;
  if (seen.closed) input.closedPullRequest = seen.closed;
  const live = mayStep ? await observeLive(ctx, c, input, renderedDir) : undefined;
  if (live) input.live = live;
  return {
    c,
    id,
    source,
    statusPath: sPath,
    statusText,
    status,
    renderedDir,
    existing,
    objects,
    routerInput,
    routes,
    byPerson,
    input,
    ...(applied && heardCmd && statusText !== undefined
      ? {
          heard: {
            command: heardCmd,
            answer: applied.answer,
            lastStepTime: parseStatus(statusText, sPath).lastStepTime,
            bookkeepingOnly: applied.status.request === seen.status?.request,
          },
        }
      : {}),
  };
}

/** The objects of a rendered file: gitcanary's own output read directly, anything else by the library. */
function parseObjects(content: string): K8sObject[] {
  const own = readOwnYaml(content);
  if (own) return own.filter((o): o is K8sObject => 'kind' in o);
  return parseAllDocuments(content)
    .flatMap((d) => ('toJS' in d ? [d.toJS({ maxAliasCount: 100 }) as unknown] : []))
    .filter((o): o is K8sObject => typeof o === 'object' && o !== null && 'kind' in o);
}

/** The revision of the source workload, as a run compares it with `lastAppliedSpec` (`gitcanary wait`). */
export const sourceRevision = (source: SourceWorkload): string =>
  revisionOf(podTemplate(source), trackedOf(source));

function podTemplate(source: SourceWorkload): unknown {
  return (source.object.spec as { template?: unknown } | undefined)?.template;
}

/** Checksums of the ConfigMaps/Secrets the source tracks, by `trackedConfigKey`. */
export function trackedOf(source: SourceWorkload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { value } of source.configs) {
    const { data, stringData, binaryData } = value as {
      data?: unknown;
      stringData?: unknown;
      binaryData?: unknown;
    };
    out[trackedConfigKey(value.kind, value.metadata.name)] = configChecksum({ data, stringData, binaryData });
  }
  return out;
}
