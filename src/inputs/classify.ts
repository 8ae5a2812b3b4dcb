/**
 * Sorts parsed documents into a `RepoInventory`: Flagger kinds validated against their schemas,
 * near misses reported, other Kubernetes objects kept for lookups; then the repository-wide
 * canary rules. Namespaces not written come from the nearest kustomization.
 */
import { posix } from 'node:path';
import { metricRefRules } from '../metrics/metric-rules.js';
import type { RepoConfig } from './config.js';
import {
  formatIssue,
  type K8sObject,
  type LoadedCanary,
  type RepoInventory,
  type SpecIssue,
} from './model.js';
import { flaggerType } from './near-miss.js';
import { alertProviderSchema, type Canary, canarySchema, metricTemplateSchema } from './schema.js';
import {
  type CanaryDoc,
  canaryDocRules,
  canaryRules,
  type DocSource,
  oneLine,
  parseStrict,
  remember,
  sortIssues,
} from './validate.js';
import type { ParsedDoc } from './yaml-docs.js';

type Raw = Record<string, unknown>;
const isRecord = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

export const dirOf = (file: string): string => {
  const d = posix.dirname(file);
  return d === '.' ? '' : d;
};

/** `namespace:` of each folder's kustomization file (its first document), by repo-relative folder. */
export function kustomizationNamespaces(docs: ReadonlyMap<string, ParsedDoc[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, parsed] of docs) {
    const value = parsed[0]?.value;
    if (isRecord(value) && nonEmpty(value['namespace'])) out.set(dirOf(file), value['namespace']);
  }
  return out;
}

/** Namespace of the kustomization in `dir` or its nearest parent, else `default`. */
export function inheritedNamespace(namespaces: ReadonlyMap<string, string>, dir: string): string {
  for (let d = dir; ; d = dirOf(d)) {
    const ns = namespaces.get(d);
    if (ns) return ns;
    if (d === '') return 'default';
  }
}

export interface PendingCanary {
  /** Set when the document has a name: the repository-wide rules see it even when invalid. */
  doc?: CanaryDoc;
  src: DocSource;
  issues: SpecIssue[];
  canary?: Canary;
}

/**
 * Sorts one document into the inventory (templates, alert providers, objects) or `pending` canaries.
 * A document almost of a Flagger kind (`kind: Canery`, `flagger.app/v1beta2` …) is an error, never
 * taken for an unrelated object.
 */
export function classify(
  d: ParsedDoc,
  inherited: string,
  inv: RepoInventory,
  pending: PendingCanary[],
): void {
  const v = d.value;
  if (!isRecord(v)) return;
  const meta = isRecord(v['metadata']) ? v['metadata'] : undefined;
  const name = nonEmpty(meta?.['name']) ? meta['name'] : undefined;
  const origin = { file: d.src.file, line: d.src.line };
  const nsOf = (): string => (nonEmpty(meta?.['namespace']) ? meta['namespace'] : inherited);
  const type = flaggerType(v, d.src, name ? oneLine(`${nsOf()}/${name}`) : undefined);
  if (type.issues.length > 0) {
    inv.errors.push(...type.issues);
    return;
  }
  const flagger = type.kind !== undefined;
  if (!flagger && (!nonEmpty(v['apiVersion']) || !nonEmpty(v['kind']))) return;
  // Flagger kinds keep a bad namespace for the schema to report; other objects just get the default.
  const unset = flagger ? meta?.['namespace'] == null : !nonEmpty(meta?.['namespace']);
  if (meta && unset) meta['namespace'] = inherited;
  const ns = nsOf();
  const object = name ? oneLine(`${ns}/${name}`) : undefined;
  if (!flagger) {
    if (!meta || !name) return;
    remember(v, d.src);
    inv.objects.push({ origin, value: v as K8sObject });
  } else if (type.kind === 'Canary') {
    const r = parseStrict(canarySchema, v, d.src, object);
    const issues = r.value && object ? [...r.issues, ...canaryRules(r.value, d.src, object)] : r.issues;
    const doc = name
      ? { ref: { namespace: ns, name }, origin, dir: dirOf(d.src.file), src: d.src }
      : undefined;
    pending.push({ src: d.src, issues, ...(doc ? { doc } : {}), ...(r.value ? { canary: r.value } : {}) });
  } else {
    const schema = type.kind === 'MetricTemplate' ? metricTemplateSchema : alertProviderSchema;
    const r = parseStrict(schema, v, d.src, object);
    inv.errors.push(...r.issues);
    if (!r.value) return;
    remember(r.value, d.src);
    if (r.value.kind === 'MetricTemplate') inv.templates.push({ origin, value: r.value });
    else inv.alertProviders.push({ origin, value: r.value });
  }
}

/** Applies the repository-wide rules and keeps the canaries without errors. */
export function settleCanaries(
  pending: readonly PendingCanary[],
  inv: RepoInventory,
  config: RepoConfig,
): void {
  const named = pending.filter((p) => p.doc);
  const crossIssues = canaryDocRules(named.map((p) => p.doc!));
  named.forEach((p, i) => {
    p.issues.push(...(crossIssues[i] ?? []));
  });
  for (const p of pending) {
    inv.errors.push(...p.issues);
    if (!p.canary || !p.doc || p.issues.some((i) => i.severity === 'error')) continue;
    remember(p.canary, p.src);
    const loaded: LoadedCanary = {
      ref: p.doc.ref,
      origin: p.doc.origin,
      dir: p.doc.dir,
      canary: p.canary,
      provider: p.canary.spec.provider ?? config.meshProvider,
      ...(config.contour.ingressClass ? { ingressClass: config.contour.ingressClass } : {}),
      warnings: [],
    };
    const refIssues = metricRefRules(loaded, inv.templates, config.cluster?.access ?? 'none');
    inv.errors.push(...refIssues);
    // A template metric that cannot be queried would fail every analysis: the canary is refused.
    if (refIssues.some((i) => i.severity === 'error')) continue;
    loaded.warnings = sortIssues([...p.issues, ...refIssues]).map(formatIssue);
    inv.canaries.push(loaded);
  }
}
