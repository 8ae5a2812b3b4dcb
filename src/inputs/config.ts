/**
 * The optional repository config `gitcanary.yaml` at the repository root. Every field has a
 * default, so a repository without the file works; flags given on the command line win.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import type { EgressPolicy } from '../net/egress.js';
import { refuseLinks } from '../reconcile/context.js';
import { defaults, parseDuration } from './defaults.js';
import { maxAliasCount, maxFileBytes } from './load.js';
import { providerIds } from './schema.js';
import { type DocSource, dotPath, lineIn } from './validate.js';

/** Name of the config file, at the repository root. */
export const configFileName = 'gitcanary.yaml';

const metricsServer = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const meshProvider = z.enum(providerIds, {
  error: (i) => `unknown provider ${JSON.stringify(i.input)}; valid: ${providerIds.join(', ')}`,
});
const glob = z.string().min(1);
const urlPrefix = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL prefix' });

const nsName = z.string().regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, 'must be namespace/name');
const goDuration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be a Go duration such as 5s or 1m30s');

/** Which Flux Kustomization or Argo CD Application applies the folders under `path`. */
const applierSchema = z
  .strictObject({
    /** Repository-relative folder prefix (`apps/podinfo`, `apps`). */
    path: z.string().min(1),
    kustomization: nsName.optional(),
    application: nsName.optional(),
  })
  .refine((a) => (a.kustomization === undefined) !== (a.application === undefined), {
    error: 'give exactly one of kustomization or application',
  });

const clusterSchema = z.strictObject({
  /**
   * How gitcanary reaches the Kubernetes API: `kubeconfig` (a file and context), `in-cluster`
   * (the pod's ServiceAccount), or `none` (no access: `fallback` says what counts as live).
   */
  access: z.enum(['none', 'kubeconfig', 'in-cluster']).default('none'),
  /** A kubeconfig file (default: KUBECONFIG, then ~/.kube/config). */
  kubeconfig: z.string().min(1).optional(),
  /** A context of the kubeconfig (default: its current context). */
  context: z.string().min(1).optional(),
  /** Go duration for each read of the API. */
  timeout: goDuration.default('10s'),
  /** The applier of each folder, by longest path prefix; consulted before `discover`. */
  appliers: z.array(applierSchema).default(() => []),
  /** Find the applier in the repository's own Flux Kustomizations (`spec.path`) and Argo CD Applications (`spec.source.path`). */
  discover: z.boolean().default(true),
  /**
   * Without access: `assume-interval` (a step is live one interval after its commit), or
   * `kube-state-metrics` (that, plus canary and primary readiness read from kube-state-metrics in Prometheus).
   */
  fallback: z.enum(['assume-interval', 'kube-state-metrics']).default('assume-interval'),
  /** After a push, ask the applier to fetch now (src/cluster/nudge.ts); secrets come from the environment. */
  nudge: z
    .strictObject({
      /** A Flux Receiver of type generic-hmac: its full URL (`…/hook/<digest>`), the token in `tokenEnv`. */
      fluxReceiver: z
        .strictObject({
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
          tokenEnv: z.string().min(1).default('FLUX_RECEIVER_TOKEN'),
        })
        .optional(),
      /** Argo CD's `/api/webhook`, with the repository URL the Applications use and an optional secret. */
      argocdWebhook: z
        .strictObject({
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
          repoUrl: z.string().min(1),
          secretEnv: z.string().min(1).optional(),
        })
        .optional(),
    })
    .prefault({}),
});

export type ClusterConfig = z.output<typeof clusterSchema>;

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
  /**
   * The egress policy (src/net/egress.ts): which URLs specs may send queries to, and where each
   * credential may go. Read from this file on the target branch, flags and environment; never a spec.
   */
  egress: z
    .strictObject({
      /** URL prefixes spec URLs (`spec.metricsServer`, `provider.address`) must be under; unset: any. */
      allowedUrls: z.array(urlPrefix).min(1).optional(),
      /** More URL prefixes the operator's PROMETHEUS_* credentials may go to (besides metricsServer). */
      prometheusCredentials: z.array(urlPrefix).default(() => []),
      secrets: z
        .strictObject({
          /** `namespaced`: `<dir>/<namespace>/<name>/<key>`; `flat` (the old layout, opt-in): `<dir>/<name>/<key>`. */
          layout: z.enum(['namespaced', 'flat']).default('namespaced'),
          /** Per secret (`namespace/name`): the URL prefixes it may go to. */
          urls: z
            .record(
              z.string().regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, 'must be namespace/name'),
              z.array(urlPrefix),
            )
            .default(() => ({})),
        })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Alerts (src/notify): `fallback` is the operator's AlertProvider for canaries that list no
   * `spec.analysis.alerts` (Flagger's `-slack-url`/`-msteams-url`); it receives every severity.
   */
  alerts: z
    .strictObject({
      fallback: z
        .strictObject({
          type: z.enum(['slack', 'msteams', 'discord', 'rocket', 'gchat']),
          /** The webhook URL in plain text (it is a secret: prefer `secretRef`). */
          address: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
          /** A secret whose key `address` holds the URL (GITCANARY_SECRETS_DIR or GITCANARY_SECRET_* env). */
          secretRef: z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) }).optional(),
          channel: z.string().min(1).optional(),
          username: z.string().min(1).optional(),
          proxy: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
        })
        .refine((f) => (f.address === undefined) !== (f.secretRef === undefined), {
          error: 'set exactly one of address and secretRef',
        })
        .optional(),
    })
    .prefault({}),
  /** Contour: the HTTPProxy `ingressClassName` (Flagger's `-ingress-class`); the annotation `gitcanary.dev/ingress-class` overrides it. */
  contour: z
    .strictObject({
      ingressClass: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name')
        .optional(),
    })
    .prefault({}),
  /** Manual requests (promote, abort, retry, resume, pause) written to a status file. */
  requests: z
    .strictObject({
      /**
       * Obey a request only when the commit that wrote it carries a good signature from a key the
       * runner's git trusts (`%G?` = G), or when it came through a pull request merged on GitHub.
       */
      requireSigned: z.boolean().default(false),
    })
    .prefault({}),
  /** Bounds on what gitcanary reads from the network. */
  limits: z
    .strictObject({
      /** Largest HTTP response read (bytes); a larger one fails the check, read no further. */
      responseBytes: z
        .number()
        .int()
        .min(1024)
        .max(256 * 1024 * 1024)
        .default(4 * 1024 * 1024),
    })
    .prefault({}),
  /** Seeing the cluster, read-only (src/cluster): absent, steps count one interval after their commit. */
  cluster: clusterSchema.optional(),
  /** Go duration (`5s`, `1m30s`) for each Prometheus query. */
  prometheusTimeout: z
    .string()
    .refine((s) => parseDuration(s) !== undefined, 'must be a Go duration such as 5s or 1m30s')
    .default('5s'),
});

export type RepoConfig = z.output<typeof configSchema> & {
  /**
   * Set when a flag or Action input replaced the `metricsServer` that `gitcanary.yaml` names: the
   * operator's PROMETHEUS_* credentials still go only to this one (and `egress.prometheusCredentials`),
   * so a flag changes where queries go but never widens where credentials go.
   */
  credentialServer?: string;
};

const overridesSchema = z.strictObject({
  metricsServer: metricsServer.optional(),
  meshProvider: meshProvider.optional(),
  mode: z.enum(['commit', 'pull-request']).optional(),
});

/** The config of a repository without `gitcanary.yaml`. */
export const defaultConfig = (): RepoConfig => configSchema.parse({});

/**
 * The config file's text, bounded like specs (`maxFileBytes`) and refused when it, or a folder on
 * the way to it, is a symbolic link (a link could point outside the repository).
 */
async function readConfigText(root: string, file?: string): Promise<string | undefined> {
  const name = file ?? configFileName;
  try {
    const rel = relative(root, resolve(root, name));
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new ConfigurationError(`${name}: outside the repository; refused`);
    await refuseLinks(root, rel.split(sep).join('/'));
    const size = (await stat(resolve(root, rel))).size;
    if (size > maxFileBytes)
      throw new ConfigurationError(`${name}: file is ${size} bytes, over the ${maxFileBytes}-byte limit`);
    return await readFile(resolve(root, rel), 'utf8');
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && file === undefined) return undefined;
    throw new ConfigurationError(`${name}: cannot read: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether the config text sets `metricsServer` itself (not the default). */
const setsMetricsServer = (text: string): boolean => {
  const raw: unknown = parseDocument(text).toJS({ maxAliasCount });
  return typeof raw === 'object' && raw !== null && 'metricsServer' in raw;
};

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
    raw = doc.toJS({ maxAliasCount }) ?? {};
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
  const replaced =
    rest.metricsServer !== undefined &&
    rest.metricsServer !== config.metricsServer &&
    text !== undefined &&
    setsMetricsServer(text);
  return {
    ...config,
    ...rest,
    delivery: { ...config.delivery, ...(mode ? { mode } : {}) },
    ...(replaced ? { credentialServer: config.metricsServer } : {}),
  };
}

/**
 * The egress policy of a config: the operator's metrics server and the `egress` section.
 * `targetUses`: in `plan` on a branch, the uses (URL and secret) the target branch has.
 */
export function egressPolicy(config: RepoConfig, targetUses?: ReadonlySet<string>): EgressPolicy {
  return {
    metricsServer: config.credentialServer ?? config.metricsServer,
    ...(config.egress.allowedUrls ? { allowedUrls: config.egress.allowedUrls } : {}),
    prometheusCredentials: config.egress.prometheusCredentials,
    secretUrls: config.egress.secrets.urls,
    ...(targetUses ? { targetUses } : {}),
  };
}
