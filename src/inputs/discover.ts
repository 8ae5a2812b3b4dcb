/**
 * Which files the loader reads. In a git working tree, only the files that can matter, found by
 * `git grep` (so 20,000 unrelated YAML files cost a grep, not 20,000 parses):
 * 1. Flagger-like files: any text a Flagger document or a near miss of one must contain
 *    (`flagReadingRegexps`);
 * 2. files naming, as a whole word, an object those documents reference (`*Ref.name`: the target
 *    workload, autoscaler, ingress, upstream, route, secret);
 * 3. files naming a ConfigMap or Secret the target workloads reference (tracked configs);
 * plus every kustomization file (for inherited namespaces). Elsewhere (a plain folder, an
 * API-backed folder) every file is read.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { mapLimit } from '../map-limit.js';
import { type GitFiles, gitFiles } from './git-files.js';
import { configRefs } from './source.js';
import type { ParsedDoc } from './yaml-docs.js';

const skippedDirs = new Set(['.git', 'node_modules', 'rendered']);
export const kustomizationNames = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Outside `.git`, `node_modules` and `rendered` folders, and not a status file. */
export function outsideSkipped(file: string): boolean {
  if (file.endsWith('.status.yaml')) return false;
  return !file.split('/').some((part, i, parts) => i < parts.length - 1 && skippedDirs.has(part));
}

/** Every regular file under root (repo-relative POSIX, sorted), minus skipped folders and status files. */
export async function walk(root: string, dir = ''): Promise<string[]> {
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

/**
 * Text every Flagger document, and every near miss `flaggerType` reports, contains somewhere
 * (matched case-insensitively, byte-wise):
 * - `flag` or `r.app`: a group within one edit of `flagger.app` keeps one of these two pieces
 *   (an edit touches at most two neighbouring characters, and the pieces are two apart);
 * - `canary`, `metrictemplate`, `alertprovider`: a Flagger kind without an apiVersion;
 * - a byte outside printable ASCII (tab, control, any non-ASCII character): an invisible
 *   character may hide inside a key or value and break every piece above;
 * - a backslash after a double quote: a YAML escape may spell any of the above.
 */
export const flaggerRegexps: readonly string[] = [
  'flag',
  'r\\.app',
  'canary',
  'metrictemplate',
  'alertprovider',
  '[^ -~\r]',
  '"[^"]*\\\\',
];

/** A string that can be a Kubernetes object name (what `git grep -w` looks for). */
const nameLike = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

type Raw = Record<string, unknown>;
const isRecord = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `name` of every object under a key ending in `Ref`/`Refs` (Canary refs, template secretRef …). */
export function refNames(value: unknown, out = new Set<string>(), underRef = false): Set<string> {
  if (Array.isArray(value)) for (const v of value) refNames(v, out, underRef);
  else if (isRecord(value)) {
    const name = value['name'];
    if (underRef && typeof name === 'string' && nameLike.test(name)) out.add(name);
    for (const [k, v] of Object.entries(value)) refNames(v, out, k.endsWith('Ref') || k.endsWith('Refs'));
  }
  return out;
}

/** Names of the ConfigMaps and Secrets the pod template of a workload references. */
function configNames(value: unknown): string[] {
  const spec = isRecord(value) && isRecord(value['spec']) ? value['spec'] : {};
  const template = isRecord(spec['template']) ? spec['template'] : {};
  const podSpec = isRecord(template['spec']) ? template['spec'] : {};
  return configRefs(podSpec)
    .map((r) => r.name)
    .filter((n) => nameLike.test(n));
}

/** Reads a file's documents once per load (memoized by the caller). */
export type DocReader = (file: string) => Promise<ParsedDoc[]>;

/**
 * The files to classify (sorted, each accepted by `accept`) and the kustomization files (all of
 * them, accepted or not). `read` parses a file; it is called at most once per file.
 */
export async function discover(
  root: string,
  accept: (file: string) => boolean,
  read: DocReader,
  includes: readonly string[],
): Promise<{ files: string[]; kustomizations: string[] }> {
  const git = await gitFiles(root);
  const all = git ? git.files.filter(outsideSkipped) : await walk(root);
  const kustomizations = all.filter((f) => kustomizationNames.has(posix.basename(f)));
  if (!git) return { files: all.filter(accept), kustomizations };
  // Should git grep fail (an odd pathspec, a broken index), every file is read as in a plain folder.
  const found = await grepRounds(git, accept, read, pathspecsOf(includes)).catch(
    () => new Set(all.filter(accept)),
  );
  return { files: [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), kustomizations };
}

async function grepRounds(
  git: GitFiles,
  accept: (file: string) => boolean,
  read: DocReader,
  pathspecs: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const take = async (files: string[]): Promise<ParsedDoc[]> => {
    const fresh = files.filter((f) => outsideSkipped(f) && accept(f) && !found.has(f));
    for (const f of fresh) found.add(f);
    return (await mapLimit(fresh, 16, read)).flat();
  };
  const flaggerDocs = await take(await git.grep({ regexps: flaggerRegexps }, pathspecs));
  const refs = new Set<string>();
  for (const d of flaggerDocs) refNames(d.value, refs);
  const referenced = await take(await git.grep({ words: [...refs] }, pathspecs));
  const configs = new Set<string>();
  for (const d of [...flaggerDocs, ...referenced]) for (const n of configNames(d.value)) configs.add(n);
  await take(await git.grep({ words: [...configs] }, pathspecs));
  return found;
}

/**
 * Git pathspecs narrowing the grep to the include globs and away from skipped folders. Globs
 * beyond the plain `*`, `**`, `?` syntax are not passed (the loader's own matcher still applies).
 */
function pathspecsOf(includes: readonly string[]): string[] {
  const plain = includes.every(
    (g) => /^[\w\-./*?]+$/.test(g) && !g.startsWith('/') && !g.split('/').includes('..'),
  );
  const positive = plain ? includes.map((g) => `:(glob)${g}`) : ['.'];
  const skipped = [...skippedDirs].flatMap((d) => [`:(exclude,glob)**/${d}/**`]);
  return [...positive, ...skipped, ':(exclude,glob)**/*.status.yaml'];
}
