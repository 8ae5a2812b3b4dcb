/**
 * Annotations for the workflow run: each problem becomes an `::error` / `::warning` pointing at
 * the file and line it is about, so GitHub shows it on the file. Pure: returns command lines.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CanaryReport } from '../reconcile/report.js';
import { command } from './io.js';

/** Where the checkout sits in the workspace, to turn repository paths into workspace paths. */
export interface Place {
  /** Absolute path of the GitOps checkout. */
  root: string;
  /** Absolute path of `GITHUB_WORKSPACE` (annotation files are relative to it). */
  workspace: string;
}

/**
 * The workspace-relative POSIX path of a repository-relative file (the repository path itself
 * when the checkout is outside the workspace).
 *
 * @example workspaceFile({ root: '/w/gitops', workspace: '/w' }, 'apps/a/canary.yaml') // 'gitops/apps/a/canary.yaml'
 */
export function workspaceFile(place: Place, file: string): string {
  const rel = relative(place.workspace, resolve(place.root, file));
  if (rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

/** One problem found in a message: the file and line it starts with, if any. */
export interface Located {
  file?: string;
  line?: number;
  text: string;
}

/**
 * Splits a canary's error into its issues. Validation issues read `file:line: object: path:
 * message` and are joined with `; `; any other error is one issue about the Canary's file.
 *
 * @example splitIssues('a.yaml', 'a.yaml:3: t/x: spec.service: required; a.yaml:9: t/x: spec.analysis: bad')
 * // [{ file: 'a.yaml', line: 3, text: 'a.yaml:3: t/x: spec.service: required' }, { file: 'a.yaml', line: 9, … }]
 */
export function splitIssues(file: string, error: string): Located[] {
  const start = new RegExp(`(?:^|; )(${escapeRegExp(file)}):(\\d+): `, 'g');
  const starts = [...error.matchAll(start)];
  if (starts.length === 0 || starts[0]!.index !== 0) return [{ file, text: error }];
  return starts.map((m, i) => {
    const from = m.index + (m[0].startsWith('; ') ? 2 : 0);
    const to = starts[i + 1]?.index ?? error.length;
    return { file, line: Number(m[2]), text: error.slice(from, to) };
  });
}

/**
 * Reads `file:line: rest` off each line of a message (ConfigurationError lists one problem per
 * line, such as `gitcanary.yaml:3: metricsServer: must be an http(s) URL`).
 */
export function locateLines(message: string): Located[] {
  return message
    .split('\n')
    .filter((l) => l.trim())
    .map((text) => {
      const m = /^([^\s:]+\.ya?ml):(\d+): /.exec(text);
      return m ? { file: m[1]!, line: Number(m[2]), text } : { text };
    });
}

function annotation(kind: 'error' | 'warning', place: Place, title: string, l: Located): string {
  return command(
    kind,
    {
      file: l.file ? workspaceFile(place, l.file) : undefined,
      line: l.line && l.line > 0 ? l.line : undefined,
      title,
    },
    l.text,
  );
}

/** `::error` lines for every canary that could not be reconciled, one per issue. */
export function canaryErrors(place: Place, canaries: CanaryReport[]): string[] {
  return canaries.flatMap((c) => {
    if (!c.error) return [];
    const id = c.namespace ? `${c.namespace}/${c.name}` : c.file;
    return splitIssues(c.file, c.error).map((l) => annotation('error', place, `gitcanary: ${id}`, l));
  });
}

/** `::warning` lines for the run's non-fatal findings (`file:line: object: path: message`). */
export function warningAnnotations(place: Place, warnings: string[]): string[] {
  return warnings.flatMap((w) => locateLines(w).map((l) => annotation('warning', place, 'gitcanary', l)));
}

/** `::error` lines for a configuration error (bad `gitcanary.yaml` or inputs). */
export function configurationErrors(place: Place, message: string): string[] {
  return locateLines(inputNames(message)).map((l) =>
    annotation('error', place, 'gitcanary: configuration', l),
  );
}

/**
 * Names the Action's inputs in the library's override errors.
 *
 * @example inputNames('overrides: metricsServer: must be an http(s) URL') // 'input metrics-server: must be an http(s) URL'
 */
export function inputNames(message: string): string {
  return message
    .replace(/^overrides: metricsServer:/gm, 'input metrics-server:')
    .replace(/^overrides: meshProvider:/gm, 'input mesh-provider:');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
