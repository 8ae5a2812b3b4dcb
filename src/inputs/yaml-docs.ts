/**
 * YAML text to documents: every document of a file converted to JS with where it came from,
 * syntax errors and duplicate keys reported per document, alias expansion and file size bounded.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isCollection, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { SpecIssue } from './model.js';
import { type DocSource, dotPath } from './validate.js';

/** Largest file read; bigger ones are reported and skipped. */
export const maxFileBytes = 1024 * 1024;
/** Bound on alias expansion per document, so an alias bomb is an error and not a hang. */
export const maxAliasCount = 1000;

export const fileIssue = (file: string, line: number, message: string): SpecIssue => ({
  file,
  line,
  path: '-',
  message,
  severity: 'error',
});

/** One document of a file, converted to JS, with where it came from. */
export interface ParsedDoc {
  src: DocSource;
  value: unknown;
}

/**
 * The documents of `file` (repo-relative), problems pushed to `errors`. A file that is gone or is
 * a symbolic link yields nothing (links are never followed).
 */
export async function readDocs(root: string, file: string, errors: SpecIssue[]): Promise<ParsedDoc[]> {
  const st = await lstat(join(root, file)).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st?.isFile()) return [];
  const size = st.size;
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
