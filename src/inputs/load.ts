/**
 * Reads the Canary, MetricTemplate and AlertProvider documents of a GitOps repository and the
 * Kubernetes objects they reference into a `RepoInventory`. A bad file or a bad canary becomes a
 * SpecIssue and never stops the others. Which files are read: `discover.ts`; parsing:
 * `yaml-docs.ts`; sorting documents into the inventory: `classify.ts`.
 */

import picomatch from 'picomatch';
import {
  classify,
  dirOf,
  inheritedNamespace,
  kustomizationNamespaces,
  type PendingCanary,
  settleCanaries,
} from './classify.js';
import { compareIssues } from './compare-spec.js';
import type { RepoConfig } from './config.js';
import { discover } from './discover.js';
import { metricPolicyIssues } from './metric-policies.js';
import type { RepoInventory, SpecIssue } from './model.js';
import { resolveSource } from './source.js';
import { sortIssues } from './validate.js';
import { type ParsedDoc, readDocs } from './yaml-docs.js';

export { duplicateKeys, maxAliasCount, maxDuplicateKeys, maxFileBytes } from './yaml-docs.js';

/**
 * Reads the repository at `root`: the files matching `config.include` and not `config.exclude`
 * (repo-relative POSIX globs), outside `.git`, `node_modules` and `rendered` folders, except
 * `*.status.yaml`; symbolic links are not followed. In a git working tree only the files that
 * can hold a Flagger document or an object one references are read (`discover`), and files git
 * ignores are not. Documents without `metadata.namespace` get the namespace of the nearest
 * kustomization (same folder or a parent), else `default`. Problems land in `errors`, sorted.
 */
export async function loadRepo(root: string, config: RepoConfig): Promise<RepoInventory> {
  const include = picomatch(config.include);
  const exclude = config.exclude.length > 0 ? picomatch(config.exclude) : () => false;
  const parsed = new Map<string, Promise<{ docs: ParsedDoc[]; errors: SpecIssue[] }>>();
  const read = (file: string) => {
    let p = parsed.get(file);
    if (!p) {
      const errors: SpecIssue[] = [];
      p = readDocs(root, file, errors).then((docs) => ({ docs, errors }));
      parsed.set(file, p);
    }
    return p;
  };
  const accept = (file: string) => include(file) && !exclude(file);
  const { files, kustomizations } = await discover(
    root,
    accept,
    async (f) => (await read(f)).docs,
    config.include,
  );
  const kustomized = new Map<string, ParsedDoc[]>();
  for (const k of kustomizations) kustomized.set(k, (await read(k)).docs);
  const namespaces = kustomizationNamespaces(kustomized);
  const inv: RepoInventory = { canaries: [], templates: [], alertProviders: [], objects: [], errors: [] };
  const pending: PendingCanary[] = [];
  for (const file of files) {
    const ns = inheritedNamespace(namespaces, dirOf(file));
    const { docs, errors } = await read(file);
    inv.errors.push(...errors);
    for (const d of docs) classify(d, ns, inv, pending);
  }
  settleCanaries(pending, inv, config);
  inv.errors = sortIssues(inv.errors);
  return inv;
}

/**
 * Everything `gitcanary validate` reports: the inventory's issues plus, for each loaded canary,
 * the problems finding its source workload, tracked configs and autoscaler. Sorted by file and line.
 */
export function validateRepo(inv: RepoInventory): SpecIssue[] {
  const sourceIssues = inv.canaries.flatMap((c) => {
    const r = resolveSource(inv, c);
    return Array.isArray(r) ? r : [];
  });
  const comparisons = inv.canaries.flatMap(compareIssues);
  const policies = inv.canaries.flatMap(metricPolicyIssues);
  return sortIssues([...inv.errors, ...sourceIssues, ...comparisons, ...policies]);
}
