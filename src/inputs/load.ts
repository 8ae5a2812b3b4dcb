/**
 * Reads every Canary, MetricTemplate, AlertProvider and Kubernetes object of a GitOps repository
 * into a `RepoInventory`. A bad file or a bad canary becomes a SpecIssue and never stops the others.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { type Document, isCollection, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
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
import { resolveSource } from './source.js';
import {
  type CanaryDoc,
  canaryDocRules,
  canaryRules,
  type DocSource,
  dotPath,
  oneLine,
  parseStrict,
  remember,
  sortIssues,
} from './validate.js';

/** Largest file read; bigger ones are reported and skipped. */
export const maxFileBytes = 1024 * 1024;
/** Bound on alias expansion per document, so an alias bomb is an error and not a hang. */
export const maxAliasCount = 1000;

const skippedDirs = new Set(['.git', 'node_modules', 'rendered']);
const kustomizationNames = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

type Raw = Record<string, unknown>;
const isRecord = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** Every regular file under root (repo-relative POSIX, sorted), minus skipped folders and status files. */
async function walk(root: string, dir = ''): Promise<string[]> {
  const entries: Dirent[] = await readdir(join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory() && !skippedDirs.has(e.name)) out.push(...(await walk(root, rel)));
    else if (e.isFile() && !e.name.endsWith('.status.yaml')) out.push(rel);
  }
  return out;
}

const dirOf = (file: string): string => {
  const d = posix.dirname(file);
  return d === '.' ? '' : d;
};

const fileIssue = (file: string, line: number, message: string): SpecIssue => ({
  file,
  line,
  path: '-',
  message,
  severity: 'error',
});

/** One document of a file, converted to JS, with where it came from. */
interface ParsedDoc {
  src: DocSource;
  value: unknown;
}

async function readDocs(root: string, file: string, errors: SpecIssue[]): Promise<ParsedDoc[]> {
  const size = (await stat(join(root, file))).size;
  if (size > maxFileBytes) {
    errors.push(fileIssue(file, 1, `file is ${size} bytes, over the ${maxFileBytes}-byte limit; skipped`));
    return [];
  }
  const text = await readFile(join(root, file), 'utf8');
  const lineCounter = new LineCounter();
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const out: ParsedDoc[] = [];
  // `uniqueKeys: false`: yaml's own check compares each key with every earlier one (quadratic).
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false })) {
    const line = lineAt(doc.contents?.range?.[0] ?? doc.range[0]);
    const duplicates = duplicateKeys(doc);
    if (doc.errors.length > 0 || duplicates.length > 0) {
      for (const e of doc.errors)
        errors.push(fileIssue(file, lineAt(e.pos[0]), `YAML syntax error: ${e.message}`));
      for (const d of duplicates) {
        errors.push({
          ...fileIssue(file, lineAt(d.offset), `YAML syntax error: ${d.message}`),
          path: dotPath(d.path),
        });
      }
      continue;
    }
    try {
      out.push({ src: { file, line, doc, lineCounter }, value: doc.toJS({ maxAliasCount }) });
    } catch (e) {
      errors.push(fileIssue(file, line, `cannot read document: ${(e as Error).message}`));
    }
  }
  return out;
}

/** Duplicate keys reported per document; a summary stands for the rest. */
export const maxDuplicateKeys = 100;

/** A stack entry of `duplicateKeys`: a node and how its parent reaches it (list index or key node). */
interface Frame {
  node: unknown;
  parent?: Frame;
  via?: number | { key: unknown };
}
/** The path segment of `via`: the index, or the key as `lineIn` reads it. */
const segOf = (via: number | { key: unknown }): PropertyKey =>
  typeof via === 'number' ? via : String(isScalar(via.key) ? via.key.value : via.key);

/**
 * Every key that repeats an earlier key of its mapping, with its offset and path, in text order;
 * past `maxDuplicateKeys`, one summary. Keys compare as yaml's `uniqueKeys` does: scalars by value
 * (so `1` and `"1"` differ, `~` and `null` do not), other keys never; aliases are not followed.
 * Linear: one Set per mapping, an explicit stack (no recursion), paths built only when reported.
 * @example duplicateKeys(parseDocument('a: {b: 1, b: 2}', { uniqueKeys: false }))
 *   // [{ offset: 10, path: ['a', 'b'], message: 'Map keys must be unique' }]
 */
export function duplicateKeys(doc: Document): { offset: number; path: PropertyKey[]; message: string }[] {
  const found: { offset: number; at: Frame }[] = [];
  const stack: Frame[] = [{ node: doc.contents }];
  for (let f = stack.pop(); f; f = stack.pop()) {
    const node = f.node;
    if (isSeq(node))
      for (const [i, item] of node.items.entries()) stack.push({ node: item, parent: f, via: i });
    if (!isMap(node)) continue;
    const seen = new Set<unknown>();
    for (const { key, value } of node.items) {
      const via = { key };
      if (isScalar(key) && !Number.isNaN(key.value)) {
        const offset = key.range?.[0] ?? node.range?.[0] ?? 0;
        if (seen.has(key.value)) found.push({ offset, at: { node: value, parent: f, via } });
        else seen.add(key.value);
      }
      if (isCollection(key)) stack.push({ node: key, parent: f, via });
      stack.push({ node: value, parent: f, via });
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  const pathOf = (frame: Frame): PropertyKey[] => {
    const path: PropertyKey[] = [];
    for (let x: Frame | undefined = frame; x?.via !== undefined; x = x.parent) path.push(segOf(x.via));
    return path.reverse();
  };
  const unique = 'Map keys must be unique';
  const out = found
    .slice(0, maxDuplicateKeys)
    .map((d) => ({ offset: d.offset, path: pathOf(d.at), message: unique }));
  const rest = found[maxDuplicateKeys];
  if (rest) {
    const more = found.length - maxDuplicateKeys;
    out.push({
      offset: rest.offset,
      path: pathOf(rest.at),
      message: `${unique}; ${more} duplicate keys from here on not listed`,
    });
  }
  return out;
}

/** `namespace:` of each folder's kustomization file, by repo-relative folder. */
async function kustomizationNamespaces(root: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of files) {
    if (!kustomizationNames.has(posix.basename(file))) continue;
    const errors: SpecIssue[] = [];
    const docs = await readDocs(root, file, errors);
    const value = docs[0]?.value;
    if (isRecord(value) && nonEmpty(value['namespace'])) out.set(dirOf(file), value['namespace']);
  }
  return out;
}

/** Namespace of the kustomization in `dir` or its nearest parent, else `default`. */
function inheritedNamespace(namespaces: ReadonlyMap<string, string>, dir: string): string {
  for (let d = dir; ; d = dirOf(d)) {
    const ns = namespaces.get(d);
    if (ns) return ns;
    if (d === '') return 'default';
  }
}

interface PendingCanary {
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
function classify(d: ParsedDoc, inherited: string, inv: RepoInventory, pending: PendingCanary[]): void {
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
function settleCanaries(pending: readonly PendingCanary[], inv: RepoInventory, config: RepoConfig): void {
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
      warnings: [],
    };
    const refIssues = metricRefRules(loaded, inv.templates);
    inv.errors.push(...refIssues);
    // A template metric that cannot be queried would fail every analysis: the canary is refused.
    if (refIssues.some((i) => i.severity === 'error')) continue;
    loaded.warnings = sortIssues([...p.issues, ...refIssues]).map(formatIssue);
    inv.canaries.push(loaded);
  }
}

/**
 * Reads the repository at `root`: every file matching `config.include` and not `config.exclude`
 * (repo-relative POSIX globs), outside `.git`, `node_modules` and `rendered` folders, except
 * `*.status.yaml`; symbolic links are not followed. Documents without `metadata.namespace` get the namespace of the nearest
 * kustomization (same folder or a parent), else `default`. Problems land in `errors`, sorted.
 */
export async function loadRepo(root: string, config: RepoConfig): Promise<RepoInventory> {
  const files = await walk(root);
  const namespaces = await kustomizationNamespaces(root, files);
  const include = picomatch(config.include);
  const exclude = config.exclude.length > 0 ? picomatch(config.exclude) : () => false;
  const inv: RepoInventory = { canaries: [], templates: [], alertProviders: [], objects: [], errors: [] };
  const pending: PendingCanary[] = [];
  for (const file of files) {
    if (!include(file) || exclude(file)) continue;
    const ns = inheritedNamespace(namespaces, dirOf(file));
    for (const d of await readDocs(root, file, inv.errors)) classify(d, ns, inv, pending);
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
  return sortIssues([...inv.errors, ...sourceIssues]);
}
