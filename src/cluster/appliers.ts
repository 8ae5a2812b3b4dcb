/**
 * Which Flux Kustomization or Argo CD Application applies a canary's folder: the longest
 * configured path prefix in `gitcanary.yaml` (`cluster.appliers`), else the repository's own Flux
 * Kustomizations (`spec.path`) and Argo CD Applications (`spec.source.path`) with the longest path
 * that contains the folder. Pure.
 */
import type { ClusterConfig } from '../inputs/config.js';
import type { K8sObject, Located } from '../inputs/model.js';
import { type ObjectRef, refs } from './port.js';

export interface Applier {
  kind: 'Kustomization' | 'Application';
  ref: ObjectRef;
  /** The folder it applies (repository-relative, no leading `./`, '' for the root). */
  path: string;
  /** Where it came from: `gitcanary.yaml` or the manifest's file. */
  from: string;
}

/** `./apps/podinfo/` → `apps/podinfo`; `.` and `./` → ''. */
export const normalisePath = (p: string): string =>
  p
    .replace(/^\.\/?/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');

/** True when `dir` is `prefix` or inside it. */
export const under = (dir: string, prefix: string): boolean =>
  prefix === '' || dir === prefix || dir.startsWith(`${prefix}/`);

const split = (nsName: string): [string, string] => {
  const at = nsName.indexOf('/');
  return [nsName.slice(0, at), nsName.slice(at + 1)];
};

/** Every applier the config names and the repository declares (configured first). */
export function knownAppliers(config: ClusterConfig, objects: Located<K8sObject>[]): Applier[] {
  const out: Applier[] = config.appliers.map((a) => {
    const kind = a.kustomization ? 'Kustomization' : 'Application';
    const [ns, name] = split(a.kustomization ?? a.application!);
    const ref = kind === 'Kustomization' ? refs.kustomization(ns, name) : refs.application(ns, name);
    return { kind, ref, path: normalisePath(a.path), from: 'gitcanary.yaml' };
  });
  if (!config.discover) return out;
  for (const { value, origin } of objects) {
    const spec = value.spec as { path?: unknown; source?: { path?: unknown } } | undefined;
    const ns = value.metadata.namespace;
    if (value.kind === 'Kustomization' && value.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/')) {
      if (typeof spec?.path !== 'string') continue;
      const ref = refs.kustomization(ns ?? 'flux-system', value.metadata.name);
      out.push({ kind: 'Kustomization', ref, path: normalisePath(spec.path), from: origin.file });
    } else if (value.kind === 'Application' && value.apiVersion?.startsWith('argoproj.io/')) {
      if (typeof spec?.source?.path !== 'string') continue;
      const ref = refs.application(ns ?? 'argocd', value.metadata.name);
      out.push({ kind: 'Application', ref, path: normalisePath(spec.source.path), from: origin.file });
    }
  }
  return out;
}

/**
 * The applier of `dir`: a configured one with the longest prefix, else a discovered one.
 * @example applierFor([{ path: 'apps', … }, { path: 'apps/podinfo', … }], 'apps/podinfo/base') // the second
 */
export function applierFor(appliers: Applier[], dir: string): Applier | undefined {
  const longest = (list: Applier[]) =>
    list.filter((a) => under(dir, a.path)).sort((a, b) => b.path.length - a.path.length)[0];
  return longest(appliers.filter((a) => a.from === 'gitcanary.yaml')) ?? longest(appliers);
}
