/**
 * Test support for cluster timelines: a GitOps repository (real git), the fake Kubernetes API
 * answering the real @kubernetes/client-node, and a simulated Flux that applies the remote's head
 * when told to. Each tick is one `reconcile` run at a simulated time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiPath, refs } from '../../src/cluster/port.js';
import type { MetricsFactory } from '../../src/reconcile/context.js';
import { reconcile } from '../../src/reconcile/run.js';
import type { FakeKube } from '../support/fake-kube.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const dir = mkdtempSync(join(tmpdir(), 'gitcanary-timeline-'));

/** A kubeconfig with a reachable `test` context and an unreachable `other` one. */
export function kubeconfig(server: string, token: string): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: { server: "${server}", insecure-skip-tls-verify: true }
  - name: other
    cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true }
users:
  - name: gitcanary
    user: { token: "${token}" }
contexts:
  - name: test
    context: { cluster: test, user: gitcanary }
  - name: other
    context: { cluster: other, user: gitcanary }
current-context: test
`,
  );
  return file;
}

/** Every metric answers 100: within the seeds' ranges (success rate ≥ 99, duration ≤ 500 ms). */
export const passingMetrics: MetricsFactory = () => ({ query: async () => ({ kind: 'value', value: 100 }) });

export interface Deploy {
  generation: number;
  observed: number;
  replicas: number;
  updated: number;
  available: number;
  conditions?: Array<Record<string, string>>;
}

export const ready = (generation = 1): Deploy => ({
  generation,
  observed: generation,
  replicas: 2,
  updated: 2,
  available: 2,
});

export interface Timeline {
  repo: GitOps;
  /** Current simulated time (ms). */
  now: number;
  /** One reconcile run, then the clock moves on by `stepMs`. */
  tick(): Promise<Tick>;
  /** Flux applies the remote's head: lastAppliedRevision and Ready=True. */
  apply(): string;
  /** Flux tried the head and failed with `reason` and `message`. */
  fail(reason: string, message: string): void;
  deployment(name: string, d: Deploy): void;
  status(): Record<string, unknown> & { live?: Record<string, unknown>; history: History[] };
  weights(): string;
  cleanup(): void;
}

export interface History {
  message: string;
  phase: string;
  verdict?: { live?: { afterSeconds: number; commit: string } };
}

export interface Tick {
  phase: string | null;
  weight: number;
  failedChecks: number;
  message: string;
  commit: string | null;
}

export function timeline(
  kube: FakeKube,
  fixture: string,
  opts: { canaryDir: string; ns: string; stepMs: number; config: string; routes: (repo: GitOps) => string },
): Timeline {
  const repo = createGitOps(fixture);
  repo.humanEdit('gitcanary.yaml', () => opts.config, 'gitcanary sees the cluster');
  const kustomization = apiPath(refs.kustomization('flux-system', 'apps'));
  const head = () => git(repo.remote, 'rev-parse', 'main');
  const flux = (status: Record<string, unknown>) =>
    kube.objects.set(kustomization, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system', generation: 1 },
      spec: {
        path: './apps',
        interval: '1m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
      status: { observedGeneration: 1, ...status },
    });
  let applied = head();
  const t: Timeline = {
    repo,
    now: Date.UTC(2026, 0, 5, 9, 0, 0),
    async tick() {
      const r = await reconcile({ repoDir: repo.work, now: new Date(t.now), metrics: passingMetrics });
      t.now += opts.stepMs;
      const c = r.canaries[0]!;
      if (c.error) throw new Error(c.error);
      return {
        phase: c.phase,
        weight: c.canaryWeight,
        failedChecks: c.failedChecks,
        message: c.message,
        commit: r.commit,
      };
    },
    apply() {
      applied = head();
      flux({
        lastAppliedRevision: `main@sha1:${applied}`,
        lastAttemptedRevision: `main@sha1:${applied}`,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: `Applied revision: main@sha1:${applied}`,
          },
        ],
      });
      return applied;
    },
    fail(reason, message) {
      flux({
        lastAppliedRevision: `main@sha1:${applied}`,
        lastAttemptedRevision: `main@sha1:${head()}`,
        conditions: [{ type: 'Ready', status: 'False', reason, message }],
      });
    },
    deployment(name, d) {
      kube.objects.set(apiPath(refs.deployment(opts.ns, name)), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: opts.ns, generation: d.generation },
        spec: { replicas: d.replicas },
        status: {
          observedGeneration: d.observed,
          replicas: d.replicas,
          updatedReplicas: d.updated,
          availableReplicas: d.available,
          conditions: d.conditions ?? [],
        },
      });
    },
    status: () => parse(repo.remoteFile(`${opts.canaryDir}/podinfo.status.yaml`)).status,
    weights: () => opts.routes(repo),
    cleanup: () => repo.cleanup(),
  };
  t.apply();
  return t;
}
