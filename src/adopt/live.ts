/**
 * Where `gitcanary adopt` reads Flagger's live objects: the cluster reader (one GET per object,
 * never a list), or a saved `kubectl get canaries,deployments -o yaml` (a v1 List, or several
 * documents) given with `--from`.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { ClusterReader, K8sJson } from '../cluster/port.js';
import { refs } from '../cluster/port.js';
import { ConfigurationError } from '../errors.js';

/** Flagger's live objects of one canary, by name. */
export interface LiveObjects {
  /** What is read, for messages: `the cluster` or the file's name. */
  readonly from: string;
  /** The Flagger Canary, or undefined when there is none. */
  canary(namespace: string, name: string): Promise<K8sJson | undefined>;
  /** The workload (`Deployment` or `DaemonSet`), or undefined when there is none. */
  workload(kind: string, namespace: string, name: string): Promise<K8sJson | undefined>;
}

/** Flagger's Canary resource (`flagger.app/v1beta1`). */
export const canaryRef = (namespace: string, name: string) => ({
  group: 'flagger.app',
  version: 'v1beta1',
  resource: 'canaries',
  namespace,
  name,
});

export function liveFromCluster(reader: ClusterReader): LiveObjects {
  return {
    from: 'the cluster',
    canary: (namespace, name) => reader.get(canaryRef(namespace, name)),
    workload: (kind, namespace, name) =>
      reader.get(kind === 'DaemonSet' ? refs.daemonSet(namespace, name) : refs.deployment(namespace, name)),
  };
}

/** The objects of a saved `kubectl get … -o yaml` (or `-o json`: JSON is YAML). */
export async function liveFromFile(file: string): Promise<LiveObjects> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ConfigurationError(`--from ${file}: cannot be read (${e.code ?? e.message})`);
  });
  const items: K8sJson[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (!('toJS' in doc) || doc.errors.length > 0)
      throw new ConfigurationError(`--from ${file}: document ${i + 1} is not valid YAML`);
    const o = doc.toJS({ maxAliasCount: 100 }) as K8sJson | null;
    if (!o) continue;
    if (o.kind === 'List' || Array.isArray(o.items)) {
      if (!Array.isArray(o.items))
        throw new ConfigurationError(`--from ${file}: document ${i + 1}: items is not a list`);
      items.push(...(o.items as K8sJson[]));
    } else items.push(o);
  }
  const find = (kind: string, namespace: string, name: string) =>
    items.find((o) => {
      const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
      return o.kind === kind && meta.name === name && (meta.namespace ?? 'default') === namespace;
    });
  return {
    from: file,
    canary: async (namespace, name) =>
      find('Canary', namespace, name) &&
      String(find('Canary', namespace, name)?.apiVersion).startsWith('flagger.app/')
        ? find('Canary', namespace, name)
        : undefined,
    workload: async (kind, namespace, name) => find(kind, namespace, name),
  };
}
