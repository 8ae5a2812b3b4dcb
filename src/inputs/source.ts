/**
 * Finds a canary's inputs in the repository: the workload named by `spec.targetRef`, the
 * ConfigMaps and Secrets its pod template references (Flagger's tracked configs) and the
 * autoscaler named by `spec.autoscalerRef`.
 */

import { SpecError } from '../errors.js';
import { defaults } from './defaults.js';
import {
  type K8sObject,
  type LoadedCanary,
  type Located,
  type RepoInventory,
  refId,
  type SourceWorkload,
  type SpecIssue,
} from './model.js';
import { isKnativeTarget, k8sName } from './schema.js';
import { canaryError, dotPath, fileOf, lineOf, type Path } from './validate.js';

type Raw = Record<string, unknown>;
const rec = (x: unknown): Raw => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Raw) : {});
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const name = (x: unknown): string | undefined => {
  const n = rec(x)['name'];
  return typeof n === 'string' && n.length > 0 ? n : undefined;
};

const dirOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

/**
 * The selector label Flagger uses for a workload: the first of `defaults.selectorLabels`
 * (`app`, `name`, `app.kubernetes.io/name`) present in `spec.selector.matchLabels`.
 * Throws SpecError when there is none (resolveSource reports that case first).
 * @example selectorLabel(podinfo) // { key: 'app', value: 'podinfo' }
 */
export function selectorLabel(workload: K8sObject): { key: string; value: string } {
  const labels = rec(rec(rec(workload['spec'])['selector'])['matchLabels']);
  for (const key of defaults.selectorLabels) {
    const value = labels[key];
    if (typeof value === 'string') return { key, value };
  }
  throw new SpecError(
    `spec.selector.matchLabels must contain one of ${defaults.selectorLabels.join(', ')}`,
    fileOf(workload) ?? '',
    `${workload.metadata.namespace ?? 'default'}/${workload.metadata.name}`,
    'spec.selector.matchLabels',
  );
}

/**
 * Objects of `kind` named `name` in `namespace`: those in `dir` when there are any, else every
 * match in the repository.
 */
function candidates(inv: RepoInventory, kind: string, name: string, namespace: string, dir: string) {
  const all = indexOf(inv).get(`${namespace}\0${kind}\0${name}`) ?? [];
  const near = all.filter((o) => dirOf(o.origin.file) === dir);
  return near.length > 0 ? near : all;
}

/**
 * The other canary whose folder holds `file` (not also holding `c`'s folder), if any.
 * @example canary in 'team-a' naming a Deployment in 'team-b/deploy.yaml' next to 'team-b/canary.yaml' → team-b's canary
 */
function otherCanaryFolder(inv: RepoInventory, c: LoadedCanary, file: string): LoadedCanary | undefined {
  const within = (path: string, dir: string) => dir === '' || path === dir || path.startsWith(`${dir}/`);
  return inv.canaries.find(
    (o) => o !== c && refId(o.ref) !== refId(c.ref) && within(file, o.dir) && !within(c.dir, o.dir),
  );
}

/** The inventory's objects by namespace, kind and name, built once per inventory (N canaries: O(N)). */
const indexes = new WeakMap<RepoInventory, { size: number; index: Map<string, Located<K8sObject>[]> }>();
function indexOf(inv: RepoInventory): Map<string, Located<K8sObject>[]> {
  const cached = indexes.get(inv);
  if (cached?.size === inv.objects.length) return cached.index;
  const index = new Map<string, Located<K8sObject>[]>();
  for (const o of inv.objects) {
    const key = `${o.value.metadata.namespace}\0${o.value.kind}\0${o.value.metadata.name}`;
    const list = index.get(key);
    if (list) list.push(o);
    else index.set(key, [o]);
  }
  indexes.set(inv, { size: inv.objects.length, index });
  return index;
}

/** Names of the ConfigMaps and Secrets a pod spec references (volumes, projected, env, envFrom). */
export function configRefs(podSpec: Raw): { kind: 'ConfigMap' | 'Secret'; name: string }[] {
  const refs: { kind: 'ConfigMap' | 'Secret'; name: string }[] = [];
  const add = (kind: 'ConfigMap' | 'Secret', n: string | undefined) => {
    if (n && !refs.some((r) => r.kind === kind && r.name === n)) refs.push({ kind, name: n });
  };
  for (const v of list(podSpec['volumes']).map(rec)) {
    add('ConfigMap', name(v['configMap']));
    const secretName = rec(v['secret'])['secretName'];
    add('Secret', typeof secretName === 'string' ? secretName : undefined);
    for (const s of list(rec(v['projected'])['sources']).map(rec)) {
      add('ConfigMap', name(s['configMap']));
      add('Secret', name(s['secret']));
    }
  }
  for (const c of [...list(podSpec['initContainers']), ...list(podSpec['containers'])].map(rec)) {
    for (const e of list(c['env']).map(rec)) {
      const from = rec(e['valueFrom']);
      add('ConfigMap', name(from['configMapKeyRef']));
      add('Secret', name(from['secretKeyRef']));
    }
    for (const e of list(c['envFrom']).map(rec)) {
      add('ConfigMap', name(e['configMapRef']));
      add('Secret', name(e['secretRef']));
    }
  }
  return refs;
}

const configKey = (o: Located<K8sObject>): string => `${o.value.kind}/${o.value.metadata.name}`;

const trackedSecretTypes = new Set([
  'Opaque',
  'kubernetes.io/basic-auth',
  'kubernetes.io/ssh-auth',
  'kubernetes.io/tls',
]);

/** Flagger's config tracker filter: secret types it hashes, minus `flagger.app/config-tracking: disable*`. */
function isTracked(o: K8sObject): boolean {
  if (o.metadata.annotations?.['flagger.app/config-tracking']?.startsWith('disable')) return false;
  if (o.kind !== 'Secret') return true;
  const type = o['type'];
  return type === undefined || type === null || (typeof type === 'string' && trackedSecretTypes.has(type));
}

/**
 * Resolves a loaded canary's source workload, tracked configs and autoscaler, or returns every
 * problem found. Lookups stay in the canary's namespace, prefer the canary's folder, then search
 * the whole repository; two candidates are an error naming both files. ConfigMaps/Secrets without
 * a manifest in the repository are not tracked; tracked ones are sorted by kind, then name.
 */
export function resolveSource(inv: RepoInventory, c: LoadedCanary): SourceWorkload | SpecIssue[] {
  const { namespace } = c.ref;
  const at = (path: Path, message: string): SpecIssue => canaryError(c, path, message);
  const find = (kind: string, n: string, path: Path): Located<K8sObject> | SpecIssue => {
    const found = candidates(inv, kind, n, namespace, c.dir);
    if (found.length === 1 && found[0]) {
      const holder = otherCanaryFolder(inv, c, found[0].origin.file);
      if (!holder) return found[0];
      return at(
        path,
        `${kind} ${namespace}/${n} is in ${found[0].origin.file}, inside the folder of Canary ` +
          `${refId(holder.ref)} (${holder.origin.file}); a canary may not take another canary's objects`,
      );
    }
    if (found.length === 0) {
      return at(path, `${kind} ${namespace}/${n} not found in the repository (looked in '${c.dir}' first)`);
    }
    const files = found.map((o) => `${o.origin.file}:${o.origin.line}`).join(' and ');
    return at(path, `${kind} ${namespace}/${n} is ambiguous: found in ${files}`);
  };
  const isIssue = (x: Located<K8sObject> | SpecIssue): x is SpecIssue => 'message' in x;

  const target = c.canary.spec.targetRef;
  if (isKnativeTarget(target) !== (c.provider === 'knative')) {
    // Flagger's verifyKnativeCanary: a Knative Service target and provider knative go together.
    return [
      isKnativeTarget(target)
        ? at(['spec', 'provider'], `a Knative Service target needs provider knative, not ${c.provider}`)
        : at(
            ['spec', 'targetRef'],
            `provider knative needs a Knative Service target (apiVersion serving.knative.dev/v1, kind Service)`,
          ),
    ];
  }
  if (isKnativeTarget(target)) return resolveKnative(inv, c);
  if (target.kind === 'Service') {
    return [
      at(
        ['spec', 'targetRef', 'kind'],
        'kind Service targets are not supported yet; use Deployment or DaemonSet (or a Knative Service, apiVersion serving.knative.dev/v1)',
      ),
    ];
  }
  const issues: SpecIssue[] = [];
  const workload = find(target.kind, target.name, ['spec', 'targetRef', 'name']);
  let autoscaler: Located<K8sObject> | undefined;
  const scalerRef = c.canary.spec.autoscalerRef;
  if (scalerRef) {
    const found = find(scalerRef.kind, scalerRef.name, ['spec', 'autoscalerRef', 'name']);
    if (isIssue(found)) issues.push(found);
    else autoscaler = found;
  }
  if (isIssue(workload)) return [workload, ...issues];

  const w = workload.value;
  const selectorPath = ['spec', 'selector', 'matchLabels'];
  const labels = rec(rec(rec(w['spec'])['selector'])['matchLabels']);
  /** An error at `path` of the source workload itself. */
  const onWorkload = (path: Path, message: string): SpecIssue => ({
    file: workload.origin.file,
    line: lineOf(w, path, workload.origin.line),
    object: `${namespace}/${w.metadata.name}`,
    path: dotPath(path),
    message,
    severity: 'error',
  });
  if (!defaults.selectorLabels.some((k) => typeof labels[k] === 'string')) {
    issues.push(onWorkload(selectorPath, `must contain one of ${defaults.selectorLabels.join(', ')}`));
  }

  const configs: Located<K8sObject>[] = [];
  const podSpecPath = ['spec', 'template', 'spec'];
  const podSpec = rec(rec(rec(w['spec'])['template'])['spec']);
  for (const ref of configRefs(podSpec)) {
    if (!k8sName.safeParse(ref.name).success) {
      // The name becomes a rendered file name (`<name>-primary`): it must be a Kubernetes name.
      issues.push(
        onWorkload(
          podSpecPath,
          `referenced ${ref.kind} name ${JSON.stringify(ref.name)} is not a valid Kubernetes name`,
        ),
      );
      continue;
    }
    const found = candidates(inv, ref.kind, ref.name, namespace, c.dir);
    if (found.length > 1) {
      const files = found.map((o) => `${o.origin.file}:${o.origin.line}`).join(' and ');
      issues.push(
        onWorkload(
          podSpecPath,
          `referenced ${ref.kind} ${namespace}/${ref.name} is ambiguous: found in ${files}`,
        ),
      );
    } else if (found[0] && isTracked(found[0].value)) {
      configs.push(found[0]);
    }
  }
  if (issues.length > 0) return issues;
  configs.sort((a, b) => (configKey(a) < configKey(b) ? -1 : configKey(a) > configKey(b) ? 1 : 0));
  return { origin: workload.origin, object: w, configs, ...(autoscaler ? { autoscaler } : {}) };
}

/**
 * The source of a Knative canary: the Knative Service named by targetRef (never a core `v1`
 * Service of the same name), which must name its revisions in `spec.template.metadata.name`, as
 * Knative requires, prefixed with `<service name>-`. Flagger reads the generated revision names
 * from the cluster; Git holds only the names written, so a template without one is an error.
 * Config tracking does not apply (Flagger's Knative controller tracks none).
 */
function resolveKnative(inv: RepoInventory, c: LoadedCanary): SourceWorkload | SpecIssue[] {
  const { namespace } = c.ref;
  const { name: target, apiVersion } = c.canary.spec.targetRef;
  const found = candidates(inv, 'Service', target, namespace, c.dir).filter(
    (o) => o.value.apiVersion === apiVersion,
  );
  const [service, second] = found;
  if (!service)
    return [
      canaryError(
        c,
        ['spec', 'targetRef', 'name'],
        `Knative Service ${namespace}/${target} (${apiVersion}) not found in the repository (looked in '${c.dir}' first)`,
      ),
    ];
  if (second) {
    const files = found.map((o) => `${o.origin.file}:${o.origin.line}`).join(' and ');
    return [
      canaryError(
        c,
        ['spec', 'targetRef', 'name'],
        `Knative Service ${namespace}/${target} is ambiguous: found in ${files}`,
      ),
    ];
  }
  const path = ['spec', 'template', 'metadata', 'name'];
  const at = (message: string): SpecIssue[] => [
    {
      file: service.origin.file,
      line: lineOf(service.value, path, service.origin.line),
      object: `${namespace}/${target}`,
      path: dotPath(path),
      message,
      severity: 'error',
    },
  ];
  const revision = rec(rec(rec(service.value['spec'])['template'])['metadata'])['name'];
  if (typeof revision !== 'string' || revision.length === 0)
    return at(
      `must name the revision (e.g. ${target}-v1, renamed with every template change): gitcanary routes traffic by revision name and cannot read the names Knative generates from Git`,
    );
  if (!revision.startsWith(`${target}-`))
    return at(
      `${JSON.stringify(revision)} must start with "${target}-" (Knative requires the Service name as prefix)`,
    );
  return { origin: service.origin, object: service.value, configs: [] };
}
