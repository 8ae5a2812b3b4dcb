/**
 * Everything one run shares across canaries: time, config, inventory, file access and the
 * metrics provider factory.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeardCommand } from '../core/comment-commands.js';
import type { PendingStep } from '../delivery/pending.js';
import type { ChangeEntry, GitRepo } from '../git/port.js';
import type { RepoConfig } from '../inputs/config.js';
import type { K8sObject, RepoInventory } from '../inputs/model.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { WebhookRunner } from './hooks.js';
import type { ClusterAccess } from './live.js';
import type { Logger } from './logger.js';

/** Read access to the working tree (repository-relative POSIX paths). */
export interface RepoFiles {
  /** A file's content, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** The `.yaml`/`.yml` files directly inside a folder (none when it does not exist), sorted. */
  list(dir: string): Promise<Array<{ path: string; content: string }>>;
  /** Throws when the path, or a folder on the way to it, is a symbolic link. */
  refuseLinks(path: string): Promise<void>;
}

/** Where and how a metric query is sent. */
export interface MetricsTarget {
  address: string;
  /** Who chose the address: a spec (`spec.metricsServer`, `provider.address`) or the operator. */
  from: 'spec' | 'operator';
  /** MetricTemplate `provider.secretRef`, in the template's namespace. */
  secret?: { namespace: string; name: string };
  headers?: Record<string, string[]>;
  /** A vendor MetricTemplate's `provider.type` (undefined: Prometheus). */
  type?: string;
  /** `provider.region` (cloudwatch). */
  region?: string;
  /** The metric's interval as written (vendor query windows). */
  interval?: string;
}

export type MetricsFactory = (target: MetricsTarget) => MetricsProvider;

export interface ReconcileContext {
  /** Absolute path of the working tree. */
  root: string;
  now: Date;
  config: RepoConfig;
  inventory: RepoInventory;
  files: RepoFiles;
  metrics: MetricsFactory;
  logger: Logger;
  /** The newest commits with the files they touched (to see a person's `git revert`). */
  recent: ChangeEntry[];
  /** The whole history beyond `recent` (a shallow clone is deepened when the answer needs it). */
  history?: Pick<GitRepo, 'log'>;
  /** Looks up a user-owned object (e.g. an Ingress) by namespace, kind and name. */
  lookup(namespace: string): (kind: string, name: string, namespace?: string) => K8sObject | undefined;
  /** What step pull requests say about each canary (`namespace/name`), in pull-request delivery. */
  pending?: ReadonlyMap<string, PendingStep>;
  /** The cluster reader and appliers (only with a `cluster:` section in gitcanary.yaml). */
  cluster?: ClusterAccess;
  /** The first unhandled `/gitcanary …` comment on each canary's open step pull request. */
  commands?: ReadonlyMap<string, HeardCommand>;
  /** Webhook calls of the run (made from `config` when absent). */
  webhooks?: WebhookRunner;
}

export type { PendingStep } from '../delivery/pending.js';

/**
 * RepoFiles over a working tree on disk, for one attempt of a run: what it reads is read once
 * (nothing writes the working tree before the commit, and each attempt makes a new one).
 */
export function diskFiles(root: string): RepoFiles {
  // Folders already seen not to be links in this run: a run reads many files in the same folders.
  const verified = new Set<string>();
  const reads = new Map<string, Promise<string | undefined>>();
  const read = async (path: string): Promise<string | undefined> => {
    try {
      await refuseLinks(root, path, verified);
      return await readFile(join(root, path), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EISDIR') throw new Error(`${path}: is a folder, not a file`);
      throw e;
    }
  };
  return {
    read(path) {
      let r = reads.get(path);
      if (!r) {
        r = read(path);
        reads.set(path, r);
      }
      return r;
    },
    async list(dir) {
      let entries: Dirent[];
      try {
        await refuseLinks(root, dir, verified);
        entries = await readdir(join(root, dir), { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      // A symlink among the rendered files is neither read nor ever written through.
      const yaml = entries
        .filter((d) => !d.isSymbolicLink() && (d.name.endsWith('.yaml') || d.name.endsWith('.yml')))
        .map((d) => d.name)
        .sort();
      return Promise.all(
        yaml.map(async (n) => ({ path: `${dir}/${n}`, content: await readFile(join(root, dir, n), 'utf8') })),
      );
    },
    refuseLinks: (path) => refuseLinks(root, path, verified),
  };
}

/**
 * Refuses a repository path when it, or any folder on the way to it, is a symbolic link: what
 * gitcanary reads and writes must be the repository's own files. `verified` holds folders already
 * checked in this run (added to as folders are found); writes check every component afresh.
 */
export async function refuseLinks(root: string, path: string, verified?: Set<string>): Promise<void> {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    if (verified?.has(sub)) continue;
    const st = await lstat(join(root, sub)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!st) return;
    if (st.isSymbolicLink())
      throw new Error(`${sub}: is a symlink; gitcanary reads and writes only the repository's own files`);
    if (st.isDirectory()) verified?.add(sub);
  }
}

/** Builds the object lookup used by routers that read user-owned objects. */
export function inventoryLookup(inv: RepoInventory): ReconcileContext['lookup'] {
  const index = new Map<string, K8sObject>();
  for (const { value } of inv.objects) {
    index.set(`${value.metadata.namespace ?? 'default'}/${value.kind}/${value.metadata.name}`, value);
  }
  return (namespace) =>
    (kind, name, other = namespace) =>
      index.get(`${other}/${kind}/${name}`);
}
