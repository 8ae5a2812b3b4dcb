/**
 * Drives whole rollouts of the fixture repositories `fixtures/repos/provider-<provider>/` (and the
 * A/B and seed ones) through real git and one real Prometheus holding every observer's series:
 * one run per analysis interval, reading back after each run what the remote holds (phase,
 * the split the router reads from the rendered objects, every weight list those objects carry).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { Phase, Routes } from '../../src/core/types.js';
import { loadConfig } from '../../src/inputs/config.js';
import { apexName, targetName } from '../../src/inputs/defaults.js';
import { loadRepo } from '../../src/inputs/load.js';
import type { K8sObject } from '../../src/inputs/model.js';
import { inventoryLookup } from '../../src/reconcile/context.js';
import { reconcile } from '../../src/reconcile/run.js';
import { currentRoutes } from '../../src/render/render.js';
import type { RouterInput } from '../../src/routers/types.js';
import { createGitOps, type GitOps } from './gitops.js';
import { observerMetrics, type RoutedObserver } from './observer-metrics.js';
import { changeAt, OpenMetrics } from './openmetrics.js';

/** The data window (seconds): one hour, healthy for 30 minutes, then 5% of the canary's requests fail. */
export const END = 1_700_000_000;
export const START = END - 3600;
export const DROP = END - 1800;
/** A run started here stays in the healthy half for 25 minutes. */
export const GOOD_START = START + 300;
/** A run started here sees the success rate at 95% for 25 minutes. */
export const BAD_START = DROP + 300;
/** Failed requests per step (of 1000) after DROP: a success rate of 95%. */
export const ERRORS_AFTER_DROP = 50;

/**
 * Which observer's built-in queries each provider gets with the default mesh provider (istio):
 * docs/flagger-behaviour.md §4.1 (`gatewayapi*` and `kubernetes` → http, `smi:*` → istio).
 */
export const expectedObserver: Readonly<Record<string, RoutedObserver>> = {
  apisix: 'apisix',
  appmesh: 'appmesh',
  'appmesh:v1beta2': 'appmesh',
  contour: 'contour',
  'gatewayapi:v1': 'http',
  'gatewayapi:v1beta1': 'http',
  gloo: 'gloo',
  istio: 'istio',
  kubernetes: 'http',
  kuma: 'kuma',
  linkerd: 'linkerd',
  nginx: 'nginx',
  osm: 'osm',
  skipper: 'skipper',
  'smi:v1alpha1': 'istio',
  'smi:v1alpha2': 'istio',
  'smi:v1alpha3': 'istio',
  traefik: 'traefik',
};

/**
 * Folder-safe name of a provider.
 * @example providerSlug('gatewayapi:v1') // 'gatewayapi-v1'
 */
export const providerSlug = (provider: string): string => provider.replace(/[^a-z0-9]+/g, '-');

/** One fixture repository holding one Canary `podinfo` in `apps/podinfo`. */
export interface RolloutFixture {
  /** Folder under fixtures/repos, also the canary's namespace. */
  name: string;
  provider: string;
  observer: RoutedObserver;
  namespace: string;
}

export const fixtureDir = (name: string): string => join(import.meta.dirname, '../../fixtures/repos', name);

/** `fixtures/repos/provider-<slug>`: the canary (or, for kubernetes, blue/green) fixture of a provider. */
export function providerFixture(provider: string): RolloutFixture {
  const name = `provider-${providerSlug(provider)}`;
  return { name, provider, observer: expectedObserver[provider] ?? 'istio', namespace: name };
}

/** `fixtures/repos/ab-<slug>`: A/B testing on a provider that routes on headers. */
export function abFixture(provider: string): RolloutFixture {
  const name = `ab-${providerSlug(provider)}`;
  return { name, provider, observer: expectedObserver[provider] ?? 'istio', namespace: name };
}

/** The seed walkthrough: Traefik in namespace demo-canary. */
export const seedFixture: RolloutFixture = {
  name: 'seed-traefik',
  provider: 'traefik',
  observer: 'traefik',
  namespace: 'demo-canary',
};

/**
 * OpenMetrics for every fixture: each observer's series for its namespace (podinfo, port 80,
 * host app.example.com), healthy until DROP, then ERRORS_AFTER_DROP of 1000 requests per step fail.
 */
export function fixtureMetrics(fixtures: readonly RolloutFixture[]): string {
  const om = new OpenMetrics({ start: START, end: END });
  const errors = changeAt(DROP, 0, ERRORS_AFTER_DROP);
  for (const f of fixtures) {
    observerMetrics(
      om,
      f.observer,
      { namespace: f.namespace, target: 'podinfo', port: 80, host: 'app.example.com' },
      errors,
    );
  }
  return om.toString();
}

/** Runs git in `cwd`, feeding `input` (if any) on stdin; resolves with stdout. */
function gitOut(cwd: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args.join(' ')}: ${err}`)),
    );
    if (child.stdin) {
      child.stdin.on('error', reject);
      child.stdin.end(input);
    }
  });
}

/**
 * Files on the remote's main branch, by path (two git processes, whatever the count): every
 * `.yaml` directly in `dir`, plus `extra` paths.
 */
export async function remoteFiles(
  repo: GitOps,
  dir: string,
  extra: string[] = [],
): Promise<Map<string, string>> {
  const listing = (await gitOut(repo.remote, ['ls-tree', '--name-only', `main:${dir}`])).toString('utf8');
  const paths = [
    ...listing
      .split('\n')
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => `${dir}/${n}`),
    ...extra,
  ];
  const batch = await gitOut(repo.remote, ['cat-file', '--batch'], paths.map((p) => `main:${p}\n`).join(''));
  const files = new Map<string, string>();
  let at = 0;
  for (const path of paths) {
    const eol = batch.indexOf(10, at);
    const size = Number(batch.subarray(at, eol).toString('utf8').split(' ')[2]);
    files.set(path, batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return files;
}

/** The Kubernetes objects of some YAML files. */
export function objectsOf(contents: Iterable<string>): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const content of contents)
    for (const d of parseAllDocuments(content)) {
      const o = d.toJS() as K8sObject | null;
      if (o && typeof o === 'object' && 'kind' in o) objects.push(o);
    }
  return objects;
}

const notRouting = new Set([
  'Deployment',
  'DaemonSet',
  'Service',
  'ConfigMap',
  'Secret',
  'HorizontalPodAutoscaler',
  'ScaledObject',
  'Kustomization',
]);

/** The rendered objects that route traffic (everything but workloads, Services, configs, scalers). */
export const routingObjects = (objects: readonly K8sObject[]): K8sObject[] =>
  objects.filter((o) => !notRouting.has(o.kind));

const numeric = (w: unknown): number | undefined =>
  typeof w === 'number' ? w : typeof w === 'string' && /^\d+$/.test(w) ? Number(w) : undefined;

/**
 * Every weighted list in the routing objects, as `where: sum`: each array of objects in which at
 * least one element has a `weight` (a number, or a SMI v1alpha1 quantity string), an element
 * without one counting 0 (Flagger omits zero weights) and a lone element counting 100; plus
 * Skipper's `backend-weights` JSON and NGINX's `canary-weight` (a percentage on its own).
 */
export function weightSums(objects: readonly K8sObject[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const visit = (x: unknown, where: string): void => {
    if (Array.isArray(x)) {
      const weighted = x.filter((e) => typeof e === 'object' && e !== null && 'weight' in e);
      // A lone destination receives all traffic whatever its weight (Istio's A/B fallback route
      // carries the primary alone with weight 0, as Flagger writes it).
      if (weighted.length > 0 && x.length === 1) sums[where] = 100;
      else if (weighted.length > 0)
        sums[where] = x.reduce((s: number, e) => s + (numeric((e as { weight?: unknown })?.weight) ?? 0), 0);
      x.forEach((e, i) => {
        visit(e, `${where}[${i}]`);
      });
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, v] of Object.entries(x)) visit(v, `${where}.${k}`);
    }
  };
  for (const o of routingObjects(objects)) {
    const id = `${o.kind}/${o.metadata.name}`;
    visit(o['spec'], `${id}.spec`);
    const annotations = o.metadata.annotations ?? {};
    const backends = annotations['zalando.org/backend-weights'];
    if (backends !== undefined) {
      const weights = Object.values(JSON.parse(backends) as Record<string, number>);
      sums[`${id} zalando.org/backend-weights`] = weights.reduce((a, b) => a + b, 0);
    }
    const nginx = annotations['nginx.ingress.kubernetes.io/canary-weight'];
    if (nginx !== undefined) {
      const w = Number(nginx);
      // A percentage of its own: the rest goes to the user's Ingress.
      sums[`${id} canary-weight`] = w >= 0 && w <= 100 ? 100 : Number.NaN;
    }
  }
  return sums;
}

/** What one run left on the remote. */
export interface Tick {
  phase: string | null;
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  /** `primary/canary` as the router reads it from the rendered objects on the remote. */
  routes: string;
  commit: string | null;
}

/**
 * `Phase P/C fN`; with `withIterations` (blue/green, A/B) ` iN` too while Progressing, where
 * Flagger keeps the counter.
 */
export const brief = (t: Tick, withIterations = false): string =>
  `${t.phase} ${t.routes} f${t.failedChecks}${withIterations && t.phase === 'Progressing' ? ` i${t.iterations}` : ''}`;

export const statusFile = 'apps/podinfo/podinfo.status.yaml';
export const renderedFolder = 'apps/podinfo/rendered';

export interface HistoryEntry {
  phase: string;
  canaryWeight: number;
  failedChecks: number;
  message: string;
  verdict?: {
    result: 'pass' | 'fail';
    reason: string;
    metrics: Array<{ name: string; query?: string; value?: number; result: string; reason: string }>;
  };
}

/** The canary status file's `status:` map, as far as these tests read it. */
export interface StatusMap {
  phase: string;
  iterations: number;
  canaryWeight: number;
  history: HistoryEntry[];
}

/** A fixture repository being rolled out, run by run. */
export interface Rollout {
  repo: GitOps;
  fixture: RolloutFixture;
  /** The time of the next run. */
  now(): Date;
  /** One reconcile run at the current time, then the clock moves one interval on. */
  tick(): Promise<Tick>;
  /** Runs until `phase` (at most `max` runs), returning every run's result. */
  until(phase: string, max: number): Promise<Tick[]>;
  /** Moves the clock to `seconds` (never backwards). */
  jumpTo(seconds: number): void;
  /** A person bumps the image tag in deployment.yaml and pushes. */
  bump(tag: string): void;
  /** The status file on the remote after the last run. */
  status(): StatusMap;
  /** The rendered objects on the remote after the last run. */
  rendered(): K8sObject[];
  cleanup(): void;
}

/**
 * Seeds a repository from `fixture` and returns its driver: runs `intervalSeconds` apart from
 * `startSeconds`, against `metricsServer`. After each run it reads the remote back and checks
 * that the run reported no error, that the router's reading of the rendered objects sums to 100,
 * and (for every provider but kubernetes, which renders no routing object) that every weighted
 * list in the rendered routing objects sums to 100.
 */
export async function startRollout(
  fixture: RolloutFixture,
  opts: {
    metricsServer: string;
    startSeconds: number;
    intervalSeconds: number;
    /** Webhook hosts mapped to local servers (`ReconcileOptions.hookHosts`). */
    hookHosts?: Record<string, string>;
  },
): Promise<Rollout> {
  const repo = createGitOps(fixture.name);
  let now = opts.startSeconds * 1000;
  const inv = await loadRepo(repo.work, await loadConfig(repo.work, {}));
  const canary = inv.canaries[0];
  if (!canary || inv.canaries.length !== 1) throw new Error(`${fixture.name}: expected one canary`);
  expect(canary.provider).toBe(fixture.provider);
  const base: Omit<RouterInput, 'routes' | 'phase' | 'iterations'> = {
    canary,
    namespace: canary.ref.namespace,
    apex: apexName(canary.canary),
    target: targetName(canary.canary),
    runRevision: '',
    lookup: inventoryLookup(inv)(canary.ref.namespace),
  };
  const percentages = fixture.provider !== 'kubernetes';
  let status: StatusMap | undefined;
  let rendered: K8sObject[] = [];

  const readBack = async (): Promise<Routes> => {
    const files = await remoteFiles(repo, renderedFolder, [statusFile]);
    status = parse(files.get(statusFile) ?? '').status as StatusMap;
    files.delete(statusFile);
    rendered = objectsOf(files.values());
    const routes = currentRoutes(rendered, {
      ...base,
      phase: status.phase as Phase,
      iterations: status.iterations,
    });
    if (percentages) {
      expect(routes, `${fixture.name}: the router reads no split from ${renderedFolder}`).toBeDefined();
      const sums = weightSums(rendered);
      expect(Object.keys(sums).length, `${fixture.name}: no weights in ${renderedFolder}`).toBeGreaterThan(0);
      for (const [where, sum] of Object.entries(sums)) expect(sum, `${fixture.name} ${where}`).toBe(100);
    }
    return routes ?? { primary: 100, canary: 0, mirrored: false };
  };

  const rollout: Rollout = {
    repo,
    fixture,
    now: () => new Date(now),
    async tick() {
      const r = await reconcile({
        repoDir: repo.work,
        now: new Date(now),
        metricsServer: opts.metricsServer,
        ...(opts.hookHosts ? { hookHosts: opts.hookHosts } : {}),
      });
      now += opts.intervalSeconds * 1000;
      const c = r.canaries[0]!;
      expect(c.error, `${fixture.name}: ${c.error}`).toBeUndefined();
      const routes = await readBack();
      expect(routes.primary + routes.canary, `${fixture.name}: split`).toBe(100);
      return {
        phase: c.phase,
        canaryWeight: c.canaryWeight,
        failedChecks: c.failedChecks,
        iterations: c.iterations,
        routes: `${routes.primary}/${routes.canary}`,
        commit: r.commit,
      };
    },
    async until(phase, max) {
      const ticks: Tick[] = [];
      for (let i = 0; i < max; i++) {
        const t = await rollout.tick();
        ticks.push(t);
        if (t.phase === phase) break;
      }
      return ticks;
    },
    jumpTo(seconds) {
      now = Math.max(now, seconds * 1000);
    },
    bump(tag) {
      repo.humanEdit(
        'apps/podinfo/deployment.yaml',
        (s) => s.replace(/podinfo:[0-9.]+/, `podinfo:${tag}`),
        `podinfo ${tag}`,
      );
    },
    status: () => {
      if (!status) throw new Error('no run yet');
      return status;
    },
    rendered: () => rendered,
    cleanup: () => repo.cleanup(),
  };
  return rollout;
}

/** The verdicts recorded in `history` from entry `from` on. */
export const verdictsFrom = (history: HistoryEntry[], from: number) =>
  history.slice(from).flatMap((h) => (h.verdict ? [h.verdict] : []));

/** A file of a fixture as committed (to check gitcanary left the user's own objects alone). */
export const fixtureFile = (fixture: RolloutFixture, path: string): string =>
  readFileSync(join(fixtureDir(fixture.name), path), 'utf8');

/**
 * The canary's inputs and the user's own objects (everything of the fixture's `apps/podinfo/` but
 * the bumped deployment.yaml: canary.yaml, kustomization.yaml, the Ingress, ApisixRoute,
 * IngressRoute …) are on the remote exactly as committed: gitcanary writes only `rendered/` and
 * the status file.
 */
export function expectInputsUntouched(r: Rollout): void {
  const dir = join(fixtureDir(r.fixture.name), 'apps/podinfo');
  for (const name of readdirSync(dir).filter((n) => n !== 'deployment.yaml')) {
    const path = `apps/podinfo/${name}`;
    expect(`${r.repo.remoteFile(path)}\n`, `${r.fixture.name}: ${path}`).toBe(fixtureFile(r.fixture, path));
  }
}

/** A rendered Deployment among `objects`. */
function deployment(objects: K8sObject[], name: string): { replicas: number; image: string } {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as
    | (K8sObject & {
        spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
      })
    | undefined;
  if (!d) throw new Error(`no rendered Deployment ${name}`);
  return { replicas: d.spec.replicas, image: d.spec.template.spec.containers[0]?.image ?? '' };
}

/** Image of the rendered primary Deployment `podinfo-primary` and replicas of the canary `podinfo`. */
export const workloads = (r: Rollout) => ({
  primaryImage: deployment(r.rendered(), 'podinfo-primary').image,
  canaryReplicas: deployment(r.rendered(), 'podinfo').replicas,
});
