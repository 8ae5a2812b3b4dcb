/**
 * Validation at the edge: zod issues and gitcanary's extra rules become `SpecIssue`s that carry the
 * file, the 1-based line of the offending YAML node and a dot path. Unknown fields are warnings so
 * a typo is seen without stopping the canary; everything else that Flagger's CRD or controller
 * would reject is an error.
 */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { type CanaryRef, type LoadedCanary, type Origin, refId, type SpecIssue } from './model.js';
import type { AnalysisSpec, Canary } from './schema.js';

export type Path = readonly PropertyKey[];

/** One parsed YAML document: enough to map a path inside it back to a line. */
export interface DocSource {
  /** Repository-relative POSIX path. */
  file: string;
  /** 1-based line of the document start. */
  line: number;
  doc: Document;
  lineCounter: LineCounter;
}

/** Metrics Flagger knows without a query or template (Flagger `builtinMetrics`). */
export const builtinMetrics = ['request-success-rate', 'request-duration'] as const;

/** `spec.analysis.stepWeight`; `-` for the empty path. */
/** One printable line: line breaks escaped, an empty segment quoted (so issues cannot forge lines). */
export const oneLine = (s: string): string =>
  s === ''
    ? '""'
    : /[\n\r\u2028\u2029]/.test(s)
      ? JSON.stringify(s)
          .replace(/\u2028/g, '\\u2028')
          .replace(/\u2029/g, '\\u2029')
      : s;

export const dotPath = (path: Path): string =>
  path.length > 0 ? path.map((p) => oneLine(String(p))).join('.') : '-';

const keyText = (p: Pair): string => String(isScalar(p.key) ? p.key.value : p.key);
const pairIndexes = new WeakMap<YAMLMap, { size: number; pairs: Map<string, Pair> }>();

/**
 * The first pair of `map` whose key reads `key`. Big maps are indexed once (again if they grew or
 * shrank), so reporting every key of a 100,000-key mapping stays linear.
 */
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  if (map.items.length < 16) return map.items.find((p) => keyText(p) === key);
  let index = pairIndexes.get(map);
  if (index?.size !== map.items.length) {
    const pairs = new Map<string, Pair>();
    for (const p of map.items) if (!pairs.has(keyText(p))) pairs.set(keyText(p), p);
    index = { size: map.items.length, pairs };
    pairIndexes.set(map, index);
  }
  return index.pairs.get(key);
}

/**
 * 1-based line of the node at `path` inside a document. For a map entry this is the line of its
 * key (so `analysis:` points at the key, not at the first nested field); for a list item, the
 * item's first line. When the path does not exist the nearest existing parent's line is returned.
 * @example lineIn(src, ['spec', 'analysis', 'stepWeight']) === 17 // `    stepWeight: "x"` on line 17
 */
export function lineIn(src: DocSource, path: Path): number {
  const lineAt = (offset: number): number => src.lineCounter.linePos(offset).line;
  let node: unknown = src.doc.contents;
  let line = src.line;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) return line;
      const at = isScalar(pair.key) ? pair.key.range : undefined;
      if (at) line = lineAt(at[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      const at = isScalar(item) || isMap(item) || isSeq(item) ? item.range : undefined;
      if (!at) return line;
      line = lineAt(at[0]);
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

const sources = new WeakMap<object, DocSource>();

/** Remembers the document a loaded value came from, so later checks can report exact lines. */
export function remember(value: object, src: DocSource): void {
  sources.set(value, src);
}

/** Line of `path` inside a value returned by `loadRepo`; `fallback` for values it did not load. */
export function lineOf(value: object, path: Path, fallback: number): number {
  const src = sources.get(value);
  return src ? lineIn(src, path) : fallback;
}

/** Repository-relative file a loaded value came from, when known. */
export const fileOf = (value: object): string | undefined => sources.get(value)?.file;

/** An error at `path` of a loaded canary, on the line of the Canary's file that holds it. */
export const canaryError = (c: LoadedCanary, path: Path, message: string): SpecIssue => ({
  file: c.origin.file,
  line: lineOf(c.canary, path, c.origin.line),
  object: refId(c.ref),
  path: dotPath(path),
  message,
  severity: 'error',
});

const issue = (
  src: DocSource,
  object: string | undefined,
  path: Path,
  message: string,
  severity: SpecIssue['severity'] = 'error',
): SpecIssue => ({ file: src.file, line: lineIn(src, path), object, path: dotPath(path), message, severity });

/** Converts zod issues to SpecIssues; `unrecognized_keys` becomes one warning per key. */
export function zodIssues(src: DocSource, issues: readonly z.core.$ZodIssue[], object?: string): SpecIssue[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => issue(src, object, [...i.path, k], 'unknown field (ignored)', 'warning'))
      : [issue(src, object, i.path, i.message)],
  );
}

function stripKeys(input: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy: unknown = structuredClone(input);
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    let at: unknown = copy;
    for (const seg of i.path)
      at = at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[seg] : undefined;
    if (at && typeof at === 'object') for (const k of i.keys) delete (at as Record<string, unknown>)[k];
  }
  return copy;
}

/**
 * Parses strictly. When the only problems are unknown fields they are stripped and the value
 * parsed again, so it still loads; the unknown fields come back as warnings either way.
 */
export function parseStrict<S extends z.ZodType>(
  schema: S,
  input: unknown,
  src: DocSource,
  object?: string,
): { value?: z.output<S>; issues: SpecIssue[] } {
  const warnings: SpecIssue[] = [];
  let current = input;
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = schema.safeParse(current);
    if (r.success) return { value: r.data, issues: warnings };
    const unknown = r.error.issues.filter((i) => i.code === 'unrecognized_keys');
    if (unknown.length === 0 || unknown.length < r.error.issues.length) {
      return { issues: [...warnings, ...zodIssues(src, r.error.issues, object)] };
    }
    warnings.push(...zodIssues(src, unknown, object));
    current = stripKeys(current, unknown);
  }
  return { issues: [...warnings, issue(src, object, [], 'too many unknown fields')] };
}

function analysisRules(a: AnalysisSpec, base: Path, src: DocSource, object: string): SpecIssue[] {
  const out: SpecIssue[] = [];
  const missing = (['interval', 'threshold'] as const).filter((k) => a[k] === undefined);
  if (missing.length > 0) out.push(issue(src, object, base, `must set ${missing.join(' and ')}`));
  const modes = (['iterations', 'stepWeight', 'stepWeights'] as const).filter((k) => a[k] !== undefined);
  if (modes.length !== 1) {
    const found = modes.length === 0 ? 'none is set' : `found ${modes.join(', ')}`;
    out.push(
      issue(src, object, base, `must set exactly one of iterations, stepWeight or stepWeights (${found})`),
    );
  }
  const steps = a.stepWeights ?? [];
  if (steps.some((w, i) => i > 0 && w <= (steps[i - 1] ?? 0))) {
    out.push(issue(src, object, [...base, 'stepWeights'], 'should be strictly ascending', 'warning'));
  }
  const sa = a.sessionAffinity;
  if (sa && sa.cookieName === sa.primaryCookieName) {
    out.push(
      issue(src, object, [...base, 'sessionAffinity', 'primaryCookieName'], 'must differ from cookieName'),
    );
  }
  (a.metrics ?? []).forEach((m, i) => {
    const at = [...base, 'metrics', i];
    if (!(builtinMetrics as readonly string[]).includes(m.name) && !m.query && !m.templateRef) {
      out.push(
        issue(
          src,
          object,
          at,
          `metric "${m.name}" needs a query or a templateRef (built in: ${builtinMetrics.join(', ')})`,
        ),
      );
    }
    if (m.threshold !== undefined) {
      out.push(issue(src, object, [...at, 'threshold'], 'deprecated: use thresholdRange', 'warning'));
    }
    const range = m.thresholdRange;
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
      out.push(
        issue(
          src,
          object,
          [...at, 'thresholdRange'],
          `min ${range.min} is above max ${range.max}: no value can pass, every analysis would fail`,
        ),
      );
    }
  });
  return out;
}

/**
 * Rules zod cannot express for one schema-valid Canary: the analysis `oneOf`, metric sources,
 * session-affinity cookies, ascending stepWeights, deprecated fields.
 */
export function canaryRules(c: Canary, src: DocSource, object: string): SpecIssue[] {
  const out: SpecIssue[] = [];
  if (c.spec.canaryAnalysis) {
    const ignored = c.spec.analysis ? ' (ignored: spec.analysis is set)' : '';
    out.push(
      issue(src, object, ['spec', 'canaryAnalysis'], `deprecated: use spec.analysis${ignored}`, 'warning'),
    );
  }
  const key = c.spec.analysis ? 'analysis' : c.spec.canaryAnalysis ? 'canaryAnalysis' : undefined;
  const a = key ? c.spec[key] : undefined;
  if (key && a) out.push(...analysisRules(a, ['spec', key], src, object));
  return out;
}

/** A Canary document as seen by the repository-wide rules, valid or not. */
export interface CanaryDoc {
  ref: CanaryRef;
  origin: Origin;
  dir: string;
  src: DocSource;
}

/**
 * Repository-wide rules over every Canary document with a name, in file order: the same
 * namespace/name twice is an error on both; a second Canary in one folder is an error on it.
 * Returns the issues of each document, index for index.
 */
export function canaryDocRules(docs: readonly CanaryDoc[]): SpecIssue[][] {
  const out = docs.map((): SpecIssue[] => []);
  const at = (d: CanaryDoc, message: string): SpecIssue =>
    issue(d.src, refId(d.ref), ['metadata', 'name'], message);
  const where = (d: CanaryDoc): string => `${d.origin.file}:${d.origin.line}`;
  docs.forEach((d, i) => {
    const others = docs.filter((o, j) => j !== i && refId(o.ref) === refId(d.ref));
    for (const o of others)
      out[i]?.push(at(d, `duplicate Canary ${refId(d.ref)}: also defined in ${where(o)}`));
    const first = docs.findIndex((o) => o.dir === d.dir);
    const holder = docs[first];
    if (first < i && holder) {
      out[i]?.push(at(d, `one Canary per folder: ${holder.origin.file} already holds ${refId(holder.ref)}`));
    }
  });
  return out;
}

/** Sorted by file, then line, then errors before warnings, then path. */
export function sortIssues(issues: readonly SpecIssue[]): SpecIssue[] {
  const rank = (i: SpecIssue): number => (i.severity === 'error' ? 0 : 1);
  return [...issues].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      rank(a) - rank(b) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
