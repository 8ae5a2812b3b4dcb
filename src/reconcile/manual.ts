/**
 * Manual operations as commits: `promote`, `abort`, `retry` write a request into the canary's
 * status file, `approve` an approval of a gate (`approve.ts`); `pause` and `resume` set `spec.suspend` in the Canary file (comments kept). The
 * next run obeys. The commit is authored by the person and carries `Canary-Request` trailers.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { GateType } from '../core/gates.js';
import type { CanaryStatus, ManualRequest } from '../core/types.js';
import { canaryMode } from '../delivery/policy.js';
import type { DeliveryMode } from '../delivery/types.js';
import { ConfigurationError, PushRejectedError } from '../errors.js';
import type { Forge } from '../forge/port.js';
import { openRepo } from '../git/cli-repo.js';
import type { CommitAuthor, FileChange, GitRepo } from '../git/port.js';
import { formatMessage } from '../git/trailers.js';
import { loadConfig, type RepoConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import type { LoadedCanary, RepoInventory } from '../inputs/model.js';
import { formatStatus, parseStatus, statusPath } from '../status/status-file.js';
import { approvalChange } from './approve.js';

export type ManualAction = ManualRequest['action'] | 'pause' | 'resume' | 'approve';
export const manualActions: readonly ManualAction[] = [
  'promote',
  'abort',
  'retry',
  'pause',
  'resume',
  'approve',
];

export interface ManualOptions {
  repoDir: string;
  /** `namespace/name` */
  id: string;
  action: ManualAction;
  author: CommitAuthor;
  message?: string;
  now?: Date;
  push?: boolean;
  git?: GitRepo;
  /** `pull-request`: propose the request as a pull request instead of committing it. */
  mode?: DeliveryMode;
  forge?: Forge;
  /** `approve`: the gate to open (default: the gate the canary is held at now). */
  gate?: GateType;
}

export async function requestOperation(
  opts: ManualOptions,
): Promise<{ commit: string | null; file: string; pullRequest?: string; gate?: GateType }> {
  const root = resolve(opts.repoDir);
  const git = opts.git ?? (await openRepo(root));
  for (let attempt = 1; ; attempt++) {
    await git.sync();
    const config = await loadConfig(root, opts.mode ? { mode: opts.mode } : {});
    const { canary, inv } = await findCanary(root, opts.id);
    const { changes, gate } = await changesFor(root, inv, canary, opts);
    const body = opts.message ? [opts.message] : [];
    const msg = formatMessage(`gitcanary ${opts.action} ${opts.id}${gate ? ` ${gate}` : ''}`, body, [
      ['Canary', opts.id],
      ['Canary-Request', opts.action],
      ...(gate ? ([['Canary-Gate', gate]] as Array<[string, string]>) : []),
      ['Requested-By', `${opts.author.name} <${opts.author.email}>`],
    ]);
    const file = changes.map((c) => c.path).join(', ');
    if (canaryMode(canary.canary, config) === 'pull-request' && opts.push !== false) {
      if (!opts.forge)
        throw new ConfigurationError(
          `${opts.id} is delivered by pull request: set GITHUB_TOKEN and --github-repository (or --mode commit)`,
        );
      const proposed = await proposeRequest(git, opts.forge, config, opts, changes, msg, gate);
      return { ...proposed, ...(gate ? { gate } : {}) };
    }
    const commit = await git.commit(changes, msg, opts.author);
    const done = { commit, file, ...(gate ? { gate } : {}) };
    if (!commit || opts.push === false || !(await git.hasUpstream())) return done;
    try {
      await git.push();
      return done;
    } catch (e) {
      if (!(e instanceof PushRejectedError) || attempt >= 5) throw e;
      await git.resetToUpstream();
    }
  }
}

/** The request as a pull request on `gitcanary-request/<ns>/<name>/<action>`; merging it asks. */
async function proposeRequest(
  git: GitRepo,
  forge: Forge,
  config: RepoConfig,
  opts: ManualOptions,
  changes: FileChange[],
  message: string,
  gate: GateType | undefined,
): Promise<{ commit: string; file: string; pullRequest: string }> {
  const branch = `gitcanary-request/${opts.id}/${opts.action}${gate ? `-${gate}` : ''}`;
  const base = (config.branch ?? (await git.branch())) || 'main';
  const commit = await git.proposeBranch({
    branch,
    base: await git.head(),
    changes,
    message,
    author: opts.author,
  });
  const body = [
    `${opts.author.name} asks gitcanary to **${opts.action}${gate ? ` ${gate}` : ''}** \`${opts.id}\`${opts.message ? `: ${opts.message}` : '.'}`,
    '',
    'Merging this pull request commits the request; the next gitcanary run after the merge obeys it.',
  ].join('\n');
  const pr = await forge.createPull({
    head: branch,
    base,
    title: `gitcanary ${opts.action} ${opts.id}${gate ? ` ${gate}` : ''}`,
    body,
  });
  return { commit, file: changes.map((c) => c.path).join(', '), pullRequest: pr.url };
}

async function findCanary(root: string, id: string): Promise<{ canary: LoadedCanary; inv: RepoInventory }> {
  const inv = await loadRepo(root, await loadConfig(root, {}));
  const found = inv.canaries.find((c) => `${c.ref.namespace}/${c.ref.name}` === id);
  if (!found) {
    const known = inv.canaries.map((c) => `${c.ref.namespace}/${c.ref.name}`).join(', ') || 'none';
    throw new ConfigurationError(`canary ${id} not found (canaries: ${known})`);
  }
  return { canary: found, inv };
}

/**
 * The files the operation changes. `resume` lifts both kinds of pause: `spec.suspend` in the
 * Canary file, and a halt recorded in the status file (a step pull request closed unmerged).
 */
async function changesFor(
  root: string,
  inv: RepoInventory,
  c: LoadedCanary,
  opts: ManualOptions,
): Promise<{ changes: FileChange[]; gate?: GateType }> {
  if (opts.action === 'pause') return { changes: [await suspendChange(root, c, true)] };
  const path = statusPath(c.dir, c.ref);
  const text = await readFile(join(root, path), 'utf8').catch(() => undefined);
  if (opts.action === 'resume') {
    const status = text === undefined ? undefined : parseStatus(text, path);
    const changes = [await suspendChange(root, c, false)];
    if (status?.halted) changes.push(statusRequest(c, path, status, 'resume', opts));
    return { changes };
  }
  if (text === undefined)
    throw new ConfigurationError(`${path}: no status yet; run gitcanary reconcile first`);
  const status = parseStatus(text, path);
  if (opts.action === 'approve') {
    const { change, approval } = approvalChange(inv, c, path, status, {
      ...(opts.gate ? { gate: opts.gate } : {}),
      approvedBy: `${opts.author.name} <${opts.author.email}>`,
      approvedAt: (opts.now ?? new Date()).toISOString(),
      ...(opts.message ? { message: opts.message } : {}),
    });
    return { changes: [change], gate: approval.gate };
  }
  return { changes: [statusRequest(c, path, status, opts.action, opts)] };
}

function statusRequest(
  c: LoadedCanary,
  path: string,
  status: CanaryStatus,
  action: ManualRequest['action'],
  opts: ManualOptions,
): FileChange {
  const request: ManualRequest = {
    action,
    requestedBy: `${opts.author.name} <${opts.author.email}>`,
    requestedAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.message ? { message: opts.message } : {}),
  };
  return { path, content: formatStatus(c.ref, { ...status, request }) };
}

/** Sets (or removes) `spec.suspend` in the Canary's own document, keeping the file's comments. */
async function suspendChange(root: string, c: LoadedCanary, suspend: boolean): Promise<FileChange> {
  const path = c.origin.file;
  const docs = parseAllDocuments(await readFile(join(root, path), 'utf8'));
  if (!Array.isArray(docs)) throw new ConfigurationError(`${path}: cannot be parsed`);
  const doc = docs.find((d) => d.get('kind') === 'Canary' && d.getIn(['metadata', 'name']) === c.ref.name);
  if (!doc) throw new ConfigurationError(`${path}: Canary ${c.ref.name} not found`);
  if (suspend) doc.setIn(['spec', 'suspend'], true);
  else doc.deleteIn(['spec', 'suspend']);
  return { path, content: docs.map((d) => d.toString({ lineWidth: 0 })).join('') };
}
