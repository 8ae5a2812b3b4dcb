/**
 * Built-in metrics (`request-success-rate`, `request-duration`) as data: ordinary MetricTemplate
 * documents in the package's `policies/builtin/<observer>.yaml`, labelled
 * `gitcanary.dev/observer: <observer>`, loaded and validated like users' own templates. Also
 * Flagger's rule for which observer's queries a canary gets.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ConfigurationError } from '../errors.js';
import type { Located } from '../inputs/model.js';
import { type MetricTemplate, metricTemplateSchema } from '../inputs/schema.js';

/** Observers with built-in queries (Flagger `pkg/metrics/observers`); `http` serves kubernetes and gatewayapi. */
export const observers = [
  'istio',
  'linkerd',
  'nginx',
  'http',
  'appmesh',
  'contour',
  'gloo',
  'traefik',
  'osm',
  'kuma',
  'apisix',
  'skipper',
  'knative',
] as const;
export type Observer = (typeof observers)[number];

export const builtinMetricNames = ['request-success-rate', 'request-duration'] as const;
export type BuiltinMetricName = (typeof builtinMetricNames)[number];

/** Label that says which observer a built-in template belongs to. */
export const observerLabel = 'gitcanary.dev/observer';
/** Annotation `non-word-to-underscore`: render names with `\W` → `_` (Flagger's skipper observer). */
export const modelEncodingAnnotation = 'gitcanary.dev/model-encoding';

export type Builtins = Readonly<
  Record<Observer, Readonly<Record<BuiltinMetricName, Located<MetricTemplate>>>>
>;

const isObserver = (s: string): s is Observer => (observers as readonly string[]).includes(s);
const isBuiltinName = (s: string): s is BuiltinMetricName =>
  (builtinMetricNames as readonly string[]).includes(s);

/**
 * The folder holding the package's package.json, found by walking up from `from` (this module's
 * URL by default). Works from `src/metrics/*.ts` and from the bundled `dist/cli.mjs` alike.
 * @throws ConfigurationError when no package.json is found up to the filesystem root.
 */
export function packageRoot(from: string = import.meta.url): string {
  const start = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new ConfigurationError(`no package.json found above ${start}`);
  }
}

/**
 * Loads and validates every `*.yaml` in `dir` (default `<package>/policies/builtin`). Each document
 * must be a valid MetricTemplate named `request-success-rate` or `request-duration`, labelled with a
 * known observer; every observer must have both. Origins are relative to the package root.
 * @throws ConfigurationError listing every problem as `file:line: message`.
 */
export function loadBuiltins(dir: string = join(packageRoot(), 'policies', 'builtin')): Builtins {
  const root = rootOf(dir);
  const found = new Map<string, Located<MetricTemplate>>();
  const problems: string[] = [];
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
    : [];
  for (const name of files) {
    const path = join(dir, name);
    const file = relative(root, path).split(sep).join('/');
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'), { lineCounter: lines })) {
      const line = lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
      const where = `${file}:${line}`;
      if (doc.errors.length > 0) {
        problems.push(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const parsed = metricTemplateSchema.safeParse(doc.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push(`${where}: ${issue.path.join('.')}: ${issue.message}`);
        continue;
      }
      const template = parsed.data;
      const observer = template.metadata.labels?.[observerLabel] ?? '';
      const metric = template.metadata.name;
      if (!isObserver(observer))
        problems.push(`${where}: label ${observerLabel} "${observer}" is not a known observer`);
      else if (!isBuiltinName(metric)) problems.push(`${where}: ${metric} is not a built-in metric name`);
      else if (found.has(`${observer}/${metric}`)) problems.push(`${where}: duplicate ${observer} ${metric}`);
      else found.set(`${observer}/${metric}`, { origin: { file, line }, value: template });
    }
  }
  const result: Partial<Record<Observer, Record<BuiltinMetricName, Located<MetricTemplate>>>> = {};
  for (const observer of observers) {
    const rate = found.get(`${observer}/request-success-rate`);
    const duration = found.get(`${observer}/request-duration`);
    if (rate && duration) result[observer] = { 'request-success-rate': rate, 'request-duration': duration };
    else
      problems.push(
        `${dir}: observer ${observer} lacks ${rate ? 'request-duration' : 'request-success-rate'}`,
      );
  }
  if (problems.length > 0) throw new ConfigurationError(`invalid built-in metrics:\n${problems.join('\n')}`);
  return result as Builtins;
}

function rootOf(dir: string): string {
  try {
    return packageRoot(join(dir, 'x'));
  } catch {
    return dirname(dir);
  }
}

/** Observers picked by exact provider name (Flagger observer factory). */
const exact = new Set<string>([
  'linkerd',
  'istio',
  'contour',
  'nginx',
  'skipper',
  'traefik',
  'osm',
  'kuma',
  'apisix',
  'knative',
]);

/**
 * Which observer's built-in queries a canary uses (Flagger `runBuiltinMetricChecks` + observer factory):
 * 1. start from the global mesh provider, or `crossover` when it contains that word;
 * 2. if the canary sets `spec.provider`, use it — except when the global provider contains
 *    `linkerd`, then `linkerd`;
 * 3. if the target is a (non-Knative) `Service`, append `:service`;
 * 4. prefix `appmesh` → appmesh, `gloo` → gloo, `gatewayapi` → http; exactly `kubernetes` → http;
 *    exactly one of linkerd, istio, contour, nginx, skipper, traefik, osm, kuma, apisix, knative →
 *    itself; anything else (`linkerd:service`, `smi:v1alpha3`, `crossover` …) → istio.
 * @example observerFor('istio', 'nginx', 'Deployment') === 'nginx'
 * @example observerFor('linkerd', 'kubernetes', 'Deployment') === 'linkerd'
 * @example observerFor('linkerd', undefined, 'Service') === 'istio' // 'linkerd:service'
 * @example observerFor('istio', 'gatewayapi:v1', 'Service') === 'http' // 'gatewayapi:v1:service'
 */
export function observerFor(
  globalProvider: string,
  specProvider: string | undefined,
  targetKind: string,
  targetApiVersion?: string,
): Observer {
  let provider = globalProvider.includes('crossover') ? 'crossover' : globalProvider;
  if (specProvider) provider = globalProvider.includes('linkerd') ? 'linkerd' : specProvider;
  const knative = targetApiVersion?.startsWith('serving.knative.dev') ?? false;
  if (targetKind === 'Service' && !knative) provider += ':service';
  if (provider.startsWith('appmesh')) return 'appmesh';
  if (provider.startsWith('gloo')) return 'gloo';
  if (provider.startsWith('gatewayapi') || provider === 'kubernetes') return 'http';
  return exact.has(provider) && isObserver(provider) ? provider : 'istio';
}
