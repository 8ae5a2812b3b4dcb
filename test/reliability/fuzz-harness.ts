/**
 * Runs generated Canary texts through the real `loadRepo` + `validateRepo`, a batch per temporary
 * repository (one folder per spec, plus a valid sibling canary with its Deployment), and checks the
 * properties every result must have whatever the input.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, LineCounter, parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';
import { formatIssue, type RepoInventory, type SpecIssue } from '../../src/inputs/model.js';
import { canarySchema } from '../../src/inputs/schema.js';
import { resolveSource } from '../../src/inputs/source.js';
import { canaryRules, type DocSource, oneLine, parseStrict } from '../../src/inputs/validate.js';

export const siblingFile = 'sibling/canary.yaml';
export const siblingCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: sibling
  namespace: sibling-ns
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: sibling }
  service: { port: 9898 }
  analysis: { interval: 1m, threshold: 2, maxWeight: 50, stepWeight: 10 }
`;
export const siblingDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: sibling, namespace: sibling-ns }
spec:
  selector: { matchLabels: { app: sibling } }
  template:
    metadata: { labels: { app: sibling } }
    spec: { containers: [{ name: app, image: 'sibling:1' }] }
`;

export const specFile = (i: number): string => `c${i}/canary.yaml`;

export interface BatchResult {
  inv: RepoInventory;
  /** `validateRepo(inv)`: the inventory's issues plus the source problems. */
  all: SpecIssue[];
  texts: Map<string, string>;
}

/** Temporary folders, one per test file; each batch gets a sub-folder removed after loading. */
export async function fuzzWorkspace(): Promise<{
  load(texts: string[]): Promise<BatchResult>;
  dispose(): Promise<void>;
}> {
  const base = await mkdtemp(join(tmpdir(), 'gitcanary-fuzz-'));
  let n = 0;
  return {
    async load(texts) {
      const root = join(base, `r${n++}`);
      const files = new Map<string, string>([
        [siblingFile, siblingCanary],
        ['sibling/deployment.yaml', siblingDeployment],
      ]);
      for (const [i, t] of texts.entries()) files.set(specFile(i), t);
      for (const [path, content] of files) {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), content);
      }
      try {
        const inv = await loadRepo(root, defaultConfig());
        return { inv, all: validateRepo(inv), texts: files };
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
    dispose: () => rm(base, { recursive: true, force: true }),
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** A `flagger.app/v1beta1` Canary by apiVersion and kind (what the loader treats as a Canary). */
export const isCanaryDocument = (v: unknown): boolean =>
  isRecord(v) && v['apiVersion'] === 'flagger.app/v1beta1' && v['kind'] === 'Canary';

const fileLevel = /^(YAML syntax error: |cannot read document: |file is \d+ bytes)/;

/**
 * What is wrong with one issue, as short strings (none when it is `file:line: ns/name: path: message`
 * on one line, with a file of the repository, a line within it, a field path and a message).
 */
export function issueViolations(i: SpecIssue, texts: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const text = texts.get(i.file);
  if (text === undefined) out.push('names no file of the repository');
  if (!Number.isInteger(i.line) || i.line < 1) out.push('line < 1');
  else if (i.line > (text ?? '').split('\n').length + 1) out.push('line beyond the end of the file');
  if (typeof i.path !== 'string' || i.path.length === 0) out.push('empty path');
  if (i.message.trim().length === 0) out.push('empty message');
  if (i.path === '-' && i.severity === 'error' && i.object === undefined && !fileLevel.test(i.message)) {
    out.push("'-' path on a problem that is not file-level");
  }
  const line = formatIssue(i);
  if (/[\n\r\u2028\u2029]/.test(line)) out.push('formatted on several lines');
  if (!line.startsWith(`${i.file}:${i.line}: ${i.object ?? '-'}: ${i.path}: `))
    out.push('not file:line: object: path: message');
  return out.map((v) => `${v}: ${JSON.stringify(i).slice(0, 400)}`);
}

/** The start of a generated text, for failure messages. */
const excerpt = (text: string | undefined): string =>
  JSON.stringify((text ?? '').length > 1500 ? `${text!.slice(0, 1500)}…` : text);

/** Documents of a text that are a Canary by apiVersion and kind, or `syntax` when a document is broken. */
export function canaryIntents(text: string): number | 'syntax' {
  let n = 0;
  for (const doc of parseAllDocuments(text, { lineCounter: new LineCounter(), prettyErrors: false })) {
    if (doc.errors.length > 0) return 'syntax';
    let v: unknown;
    try {
      v = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      return 'syntax';
    }
    if (isCanaryDocument(v)) n++;
  }
  return n;
}

/**
 * Everything wrong with one batch (empty when all is well): the sibling must load and resolve with
 * no issue; every issue must be well formed; every Canary document that did not load must have an
 * error naming its file and a field (or a file-level problem).
 */
export function batchViolations(r: BatchResult, specCount: number): string[] {
  const { inv, all, texts } = r;
  const out: string[] = [];
  const sibling = inv.canaries.find((c) => c.ref.namespace === 'sibling-ns' && c.ref.name === 'sibling');
  if (!sibling) out.push('the sibling canary did not load');
  else if (Array.isArray(resolveSource(inv, sibling))) out.push('the sibling canary does not resolve');
  for (const i of all) {
    if (i.file.startsWith('sibling/')) out.push(`issue on the sibling: ${formatIssue(i)}`);
    out.push(...issueViolations(i, texts).map((v) => `${v}\n  in ${excerpt(texts.get(i.file))}`));
  }
  for (let k = 0; k < specCount; k++) {
    const file = specFile(k);
    const text = texts.get(file)!;
    const errors = all.filter((i) => i.file === file && i.severity === 'error');
    if (Buffer.byteLength(text) > 1024 * 1024) {
      if (!errors.some((i) => /over the .*limit/.test(i.message)))
        out.push(`${file}: too big without an error`);
      continue;
    }
    const loaded = inv.canaries.filter((c) => c.origin.file === file).length;
    // A file with an error naming a field (or a file-level problem) is fine whatever it holds;
    // otherwise every Canary document in it must have loaded (parsing again only then: it is slow).
    if (errors.some((i) => i.path !== '-' || fileLevel.test(i.message))) continue;
    const intents = canaryIntents(text);
    if (intents === 'syntax')
      out.push(`${file}: broken YAML without a file-level error\n  in ${excerpt(text)}`);
    else if (loaded < intents && errors.length === 0) {
      out.push(`${file}: a Canary was dropped without an error\n  in ${excerpt(text)}`);
    } else if (loaded < intents) {
      out.push(`${file}: the rejection names no field: ${errors.map(formatIssue).join(' | ')}`);
    }
  }
  return out;
}

/**
 * The loader's validation of one Canary value, in memory and without YAML text: what `loadRepo`
 * does for a `flagger.app/v1beta1` Canary document (strict schema, then the extra rules), on a
 * Document built from the value (every line is then the document's line, 1).
 */
export function validateCanaryValue(value: unknown, file: string): { issues: SpecIssue[]; loaded: boolean } {
  const src: DocSource = { file, line: 1, doc: new Document(value), lineCounter: new LineCounter() };
  const meta = isRecord(value) && isRecord(value['metadata']) ? value['metadata'] : undefined;
  if (meta && meta['namespace'] == null) meta['namespace'] = 'default';
  const name = typeof meta?.['name'] === 'string' && meta['name'] ? meta['name'] : undefined;
  const ns = typeof meta?.['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : 'default';
  const object = name ? oneLine(`${ns}/${name}`) : undefined; // as loadRepo names it
  const r = parseStrict(canarySchema, value, src, object);
  const issues = r.value && object ? [...r.issues, ...canaryRules(r.value, src, object)] : r.issues;
  return { issues, loaded: Boolean(r.value && object) && !issues.some((i) => i.severity === 'error') };
}

/**
 * Whether an issue path names the touched field, one of its parents or one of its children. List
 * indexes match any index: a later mutation may have shifted the list.
 */
export function relatedPath(issuePath: string, touched: string): boolean {
  const norm = (p: string): string => p.replace(/(^|\.)\d+(?=\.|$)/g, '$1#');
  const [p, t] = [norm(issuePath), norm(touched)];
  return issuePath !== '-' && (p === t || t.startsWith(`${p}.`) || p.startsWith(`${t}.`));
}
