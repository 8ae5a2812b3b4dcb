/**
 * The optional repository config `gitcanary.yaml` at the repository root. Every field has a
 * default, so a repository without the file works; flags given on the command line win.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { defaults, parseDuration } from './defaults.js';
import { providerIds } from './schema.js';
import { type DocSource, dotPath, lineIn } from './validate.js';

/** Name of the config file, at the repository root. */
export const configFileName = 'gitcanary.yaml';

const metricsServer = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const meshProvider = z.enum(providerIds, {
  error: (i) => `unknown provider ${JSON.stringify(i.input)}; valid: ${providerIds.join(', ')}`,
});
const glob = z.string().min(1);

export const configSchema = z.strictObject({
  metricsServer: metricsServer.default(defaults.metricsServer),
  meshProvider: meshProvider.default(defaults.meshProvider),
  /** Files read for Canary, MetricTemplate, AlertProvider and workload documents (repo-relative globs). */
  include: z
    .array(glob)
    .min(1)
    .default(() => ['**/*.yaml', '**/*.yml']),
  exclude: z.array(glob).default(() => []),
  /** Author of gitcanary's commits. */
  author: z
    .strictObject({
      name: z.string().min(1).default('gitcanary'),
      email: z.email().default('gitcanary@users.noreply.github.com'),
    })
    .prefault({}),
  /** Branch gitcanary commits to; the checked-out branch when unset. */
  branch: z.string().min(1).optional(),
  /** Runs kept in each status file's history. */
  historyLimit: z.number().int().min(1).default(defaults.historyLimit),
  /** How steps reach Git: direct commits, or a pull request per step (see src/delivery). */
  delivery: z
    .strictObject({
      /** Default for every canary; the Canary annotation `gitcanary.dev/delivery` overrides it. */
      mode: z.enum(['commit', 'pull-request']).default('commit'),
      /** The step policy: in commit mode, the steps that still need a pull request. */
      pullRequestFor: z
        .strictObject({
          /** Steps that raise the canary weight above this percentage. */
          weightAbove: z.number().int().min(0).max(100).optional(),
          /** Promotions (the canary template copied onto the primary). */
          promotion: z.boolean().default(false),
        })
        .prefault({}),
      /** Rollbacks: straight to the branch (safety first), or a pull request with auto-merge. */
      rollback: z.enum(['commit', 'pull-request']).default('commit'),
      /**
       * Changes that need no review (bookkeeping, scaling, traffic back to the primary): a commit,
       * or — where branch protection refuses gitcanary's pushes — an auto-merged pull request
       * (rollbacks then too).
       */
      direct: z.enum(['commit', 'pull-request']).default('commit'),
      /** A step pull request closed unmerged: halt the canary, or roll it back. */
      onClosed: z.enum(['halt', 'rollback']).default('halt'),
      /** Merge method for auto-merged rollback pull requests. */
      mergeMethod: z.enum(['merge', 'squash', 'rebase']).default('merge'),
    })
    .prefault({}),
  /** Go duration (`5s`, `1m30s`) for each Prometheus query. */
  prometheusTimeout: z
    .string()
    .refine((s) => parseDuration(s) !== undefined, 'must be a Go duration such as 5s or 1m30s')
    .default('5s'),
});

export type RepoConfig = z.output<typeof configSchema>;

const overridesSchema = z.strictObject({
  metricsServer: metricsServer.optional(),
  meshProvider: meshProvider.optional(),
  mode: z.enum(['commit', 'pull-request']).optional(),
});

/** The config of a repository without `gitcanary.yaml`. */
export const defaultConfig = (): RepoConfig => configSchema.parse({});

async function readConfigText(root: string, file?: string): Promise<string | undefined> {
  try {
    return await readFile(resolve(root, file ?? configFileName), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && file === undefined) return undefined;
    throw new ConfigurationError(`${file ?? configFileName}: cannot read: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function parseConfigText(text: string, name: string): RepoConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const fail = (lines: string[]): never => {
    throw new ConfigurationError(lines.map((l) => `${name}:${l}`).join('\n'));
  };
  if (doc.errors.length > 0) {
    fail(doc.errors.map((e) => `${lineCounter.linePos(e.pos[0]).line}: -: ${e.message}`));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    return fail([`1: -: ${(e as Error).message}`]);
  }
  const src: DocSource = { file: name, line: 1, doc, lineCounter };
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail(['1: -: must be a mapping']);
  const r = configSchema.safeParse(raw);
  if (r.success) return r.data;
  return fail(
    r.error.issues
      .flatMap((i) => {
        const paths = i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : [i.path];
        const message = i.code === 'unrecognized_keys' ? 'unknown field' : i.message;
        return paths.map((p) => ({ line: lineIn(src, p), text: `${dotPath(p)}: ${message}` }));
      })
      .sort((a, b) => a.line - b.line)
      .map((i) => `${i.line}: ${i.text}`),
  );
}

/**
 * Reads `gitcanary.yaml` at `root` (optional) and applies defaults, then the command-line
 * overrides. Throws ConfigurationError listing every problem as `gitcanary.yaml:<line>: <path>: <message>`
 * (overrides: `overrides: <path>: <message>`).
 */
export async function loadConfig(
  root: string,
  overrides: { metricsServer?: string; meshProvider?: string; mode?: 'commit' | 'pull-request' },
  file?: string,
): Promise<RepoConfig> {
  const text = await readConfigText(root, file);
  const config = text === undefined ? defaultConfig() : parseConfigText(text, file ?? configFileName);
  const o = overridesSchema.safeParse(
    Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  );
  if (!o.success) {
    throw new ConfigurationError(
      o.error.issues.map((i) => `overrides: ${dotPath(i.path)}: ${i.message}`).join('\n'),
    );
  }
  const { mode, ...rest } = o.data;
  return { ...config, ...rest, delivery: { ...config.delivery, ...(mode ? { mode } : {}) } };
}
