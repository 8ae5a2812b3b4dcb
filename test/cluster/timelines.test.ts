/**
 * Applied before analysed, run by run: real git (bare remote + clones), the real
 * @kubernetes/client-node against the fake Kubernetes API, and a simulated Flux moved by the test.
 * Timelines: apply slow (three intervals), apply failed, canary never ready (the seed's
 * `progressDeadlineSeconds: 60` → rollback), primary not ready at promotion, cluster unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiPath, refs } from '../../src/cluster/port.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube.js';
import type { GitOps } from '../support/gitops.js';
import { kubeconfig, ready, type Timeline, timeline } from './kube-timelines.js';

let kube: FakeKube;
let config: string;
beforeAll(async () => {
  kube = await startFakeKube();
  config = kubeconfig(kube.url, kube.token);
});
afterAll(async () => {
  expect(kube.violations).toEqual([]);
  await kube.close();
});

const clusterYaml = (context = 'test') => `cluster:
  access: kubeconfig
  kubeconfig: ${config}
  context: ${context}
  appliers:
    - path: apps
      kustomization: flux-system/apps
`;

const vs = (repo: GitOps) => {
  const v = parse(repo.remoteFile('apps/podinfo/rendered/virtualservice-podinfo.yaml'));
  const route = v.spec.http[0].route as Array<{ destination: { host: string }; weight: number }>;
  const w = (h: string) => route.find((r) => r.destination.host === h)!.weight;
  return `${w('podinfo-primary')}/${w('podinfo-canary')}`;
};
const image = (v: string) => (s: string) => s.replace(/podinfo:[0-9.]+/, `podinfo:${v}`);

function istio(): Timeline {
  const t = timeline(kube, 'istio-podinfo', {
    canaryDir: 'apps/podinfo',
    ns: 'test',
    stepMs: 60_000,
    config: clusterYaml(),
    routes: vs,
  });
  t.deployment('podinfo', ready());
  t.deployment('podinfo-primary', ready());
  return t;
}

/** Flux applies what is on the remote; the run observes it live, then decides the next step. */
async function appliedTick(t: Timeline) {
  t.apply();
  const seen = await t.tick();
  if (!/observed live/.test(seen.message)) return seen;
  return t.tick();
}

/** Initialized, then a new image scaled up and its first traffic step (20%) taken. */
async function toFirstStep(t: Timeline) {
  expect((await t.tick()).phase).toBe('Initializing');
  expect((await appliedTick(t)).phase).toBe('Initialized');
  t.repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.6'), 'podinfo 6.1.6');
  expect((await appliedTick(t)).phase).toBe('Progressing');
  const first = await appliedTick(t);
  expect([first.phase, t.weights()]).toEqual(['Progressing', '80/20']);
  return first;
}

describe('applied before analysed', () => {
  it('apply slow: three intervals unapplied hold the analysis; the interval counts from observed live', async () => {
    const t = istio();
    try {
      const first = await toFirstStep(t);
      const before = t.status();
      for (let i = 0; i < 3; i++) {
        const held = await t.tick();
        expect(held.commit).toBeNull();
        expect(held.message).toMatch(
          /^waiting for the step to be applied: Kustomization flux-system\/apps has not applied [0-9a-f]{12} yet/,
        );
        expect([held.phase, held.weight]).toEqual(['Progressing', 20]);
      }
      expect(t.status()).toEqual(before);
      t.apply();
      const seen = await t.tick();
      expect(seen.message).toMatch(/^Step [0-9a-f]{12} observed live 240s after its commit$/);
      const live = t.status().live!;
      expect(live).toMatchObject({ by: 'cluster', commit: first.commit, afterSeconds: 240 });
      expect(live.applier).toBe('Kustomization flux-system/apps');
      const analysed = await t.tick();
      expect([analysed.phase, t.weights()]).toEqual(['Progressing', '60/40']);
      const verdicts = t.status().history.filter((h) => h.verdict);
      expect(verdicts.at(-1)!.verdict!.live).toMatchObject({ commit: first.commit, afterSeconds: 240 });
      // Only gets, each of one object: the Kustomization and the two Deployments.
      const paths = new Set(kube.requests.map((r) => r.path));
      expect(paths).toEqual(
        new Set([
          apiPath(refs.kustomization('flux-system', 'apps')),
          apiPath(refs.deployment('test', 'podinfo')),
          apiPath(refs.deployment('test', 'podinfo-primary')),
        ]),
      );
    } finally {
      t.cleanup();
    }
  });

  it("apply failed on this canary's objects: failed checks, then Flagger's rollback", async () => {
    const t = istio();
    try {
      await toFirstStep(t);
      t.fail('ReconciliationFailed', 'Deployment/test/podinfo dry-run failed: spec.replicas: Invalid value');
      const one = await t.tick();
      expect(one.failedChecks).toBe(1);
      expect(one.message).toMatch(
        /^Halt test\/podinfo advancement apply failed: Kustomization flux-system\/apps failed on [0-9a-f]{12}: ReconciliationFailed: Deployment\/test\/podinfo dry-run failed/,
      );
      expect(t.status().live!.message).toMatch(/^apply failed: /);
      expect((await t.tick()).failedChecks).toBe(2);
      const rolledBack = await t.tick();
      expect(rolledBack.message).toContain('Rolling back test/podinfo failed checks threshold reached 2');
      expect([rolledBack.phase, t.weights()]).toEqual(['Failed', '100/0']);
    } finally {
      t.cleanup();
    }
  });

  it('primary not ready at promotion: Promoting holds the traffic until the new template is rolled out', async () => {
    const t = istio();
    try {
      await toFirstStep(t);
      expect((await appliedTick(t)).weight).toBe(40);
      expect((await appliedTick(t)).weight).toBe(60);
      expect((await appliedTick(t)).phase).toBe('Promoting');
      // Flux applies the promotion; the primary's new ReplicaSet is still rolling.
      t.deployment('podinfo-primary', { ...ready(2), observed: 2, updated: 1 });
      t.apply();
      for (let i = 0; i < 2; i++) {
        const held = await t.tick();
        expect(held.message).toBe(
          'primary deployment podinfo-primary.test not ready: waiting for rollout to finish: 1 out of 2 new replicas have been updated',
        );
        expect([held.phase, held.commit, t.weights()]).toEqual(['Promoting', null, '40/60']);
      }
      t.deployment('podinfo-primary', ready(2));
      expect((await t.tick()).message).toMatch(/observed live/);
      const routed = await t.tick();
      expect([routed.phase, t.weights()]).toEqual(['Finalising', '100/0']);
    } finally {
      t.cleanup();
    }
  });

  it('cluster unreachable, or the role cannot get: never advances, says so', async () => {
    const t = istio();
    try {
      await toFirstStep(t);
      t.repo.humanEdit('gitcanary.yaml', () => clusterYaml('other'), 'point at a cluster that is down');
      t.apply();
      for (let i = 0; i < 2; i++) {
        const held = await t.tick();
        expect(held.message).toBe(
          'not advancing: the cluster cannot be read: the API at 127.0.0.1:9 is unreachable: ECONNREFUSED',
        );
        expect([held.phase, held.commit, t.weights()]).toEqual(['Progressing', null, '80/20']);
      }
      t.repo.humanEdit('gitcanary.yaml', () => clusterYaml(), 'back to the live cluster');
      t.apply();
      const path = apiPath(refs.kustomization('flux-system', 'apps'));
      kube.forbidden.add(path);
      try {
        const held = await t.tick();
        expect(held.message).toMatch(
          /^not advancing: the cluster cannot be read: forbidden \(403\): the role lacks get on kustomizations\.kustomize\.toolkit\.fluxcd\.io flux-system\/apps/,
        );
        expect(held.commit).toBeNull();
      } finally {
        kube.forbidden.delete(path);
      }
      expect((await t.tick()).message).toMatch(/observed live/);
    } finally {
      t.cleanup();
    }
  });
});

describe('Argo CD', () => {
  it('an Application applies the folder: synced to the step and Healthy after the sync, then live', async () => {
    const t = timeline(kube, 'istio-podinfo', {
      canaryDir: 'apps/podinfo',
      ns: 'test',
      stepMs: 60_000,
      config: `cluster:
  access: kubeconfig
  kubeconfig: ${config}
  appliers: [{ path: apps/podinfo, application: argocd/podinfo }]
`,
      routes: vs,
    });
    const app = apiPath(refs.application('argocd', 'podinfo'));
    const argo = (revision: string, health: string, reconciledAt: string) =>
      kube.objects.set(app, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'podinfo', namespace: 'argocd' },
        spec: {
          source: { repoURL: 'https://example.com/gitops.git', path: 'apps/podinfo', targetRevision: 'main' },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'test' },
          syncPolicy: { automated: { prune: true } },
        },
        status: {
          sync: { status: 'Synced', revision },
          health: { status: health },
          operationState: {
            phase: 'Succeeded',
            finishedAt: '2026-01-05T09:01:30Z',
            syncResult: { revision },
          },
          reconciledAt,
        },
      });
    try {
      t.deployment('podinfo', ready());
      t.deployment('podinfo-primary', ready());
      const init = await t.tick();
      expect(init.phase).toBe('Initializing');
      // Synced to the step, but the health is older than the sync: not yet.
      argo(init.commit!, 'Healthy', '2026-01-05T09:01:00Z');
      const stale = await t.tick();
      expect(stale.message).toMatch(
        /^waiting for the step to be applied: Application argocd\/podinfo synced [0-9a-f]{12}; its health is older than the sync$/,
      );
      argo(init.commit!, 'Progressing', '2026-01-05T09:02:00Z');
      expect((await t.tick()).message).toMatch(/health Progressing$/);
      argo(init.commit!, 'Healthy', '2026-01-05T09:03:00Z');
      const seen = await t.tick();
      expect(seen.message).toMatch(/^Step [0-9a-f]{12} observed live 180s after its commit$/);
      expect(t.status().live).toMatchObject({
        by: 'cluster',
        commit: init.commit,
        applier: 'Application argocd/podinfo',
      });
      expect((await t.tick()).phase).toBe('Initialized');
    } finally {
      kube.objects.delete(app);
      t.cleanup();
    }
  });
});

describe('the seed: progressDeadlineSeconds 60', () => {
  it('a canary that never becomes ready rolls back with Flagger message and phase', async () => {
    const t = timeline(kube, 'seed-traefik', {
      canaryDir: 'apps/podinfo',
      ns: 'demo-canary',
      stepMs: 10_000,
      config: clusterYaml(),
      routes: () => '',
    });
    const deploy = (name: string, d: ReturnType<typeof ready>) => {
      kube.objects.set(apiPath(refs.deployment('demo-canary', name)), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'demo-canary', generation: d.generation },
        spec: { replicas: d.replicas },
        status: {
          observedGeneration: d.observed,
          replicas: d.replicas,
          updatedReplicas: d.updated,
          availableReplicas: d.available,
          conditions: d.conditions ?? [],
        },
      });
    };
    try {
      deploy('podinfo-primary', ready());
      deploy('podinfo', ready());
      expect((await t.tick()).phase).toBe('Initializing');
      expect((await appliedTick(t)).phase).toBe('Initialized');
      t.repo.humanEdit('apps/podinfo/deployment.yaml', image('6.0.1'), 'podinfo 6.0.1');
      t.apply();
      expect((await t.tick()).phase).toBe('Progressing');
      // The new canary pods crash-loop: none becomes available.
      const since = new Date(t.now).toISOString();
      deploy('podinfo', {
        ...ready(2),
        available: 0,
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: since },
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastUpdateTime: since },
        ],
      });
      t.apply();
      const waits: string[] = [];
      let last = await t.tick();
      while (last.phase === 'Progressing' && waits.length < 10) {
        waits.push(last.message);
        last = await t.tick();
      }
      expect(waits.length).toBeGreaterThanOrEqual(6);
      expect(new Set(waits)).toEqual(
        new Set([
          'canary deployment podinfo.demo-canary not ready: waiting for rollout to finish: 0 of 2 (readyThreshold 100%) updated replicas are available',
        ]),
      );
      expect(last.phase).toBe('Failed');
      expect(last.message).toBe(
        'canary deployment podinfo.demo-canary not ready: waiting for rollout to finish: 0 of 2 (readyThreshold 100%) updated replicas are available; Canary failed! Scaling down podinfo.demo-canary',
      );
      const canary = parse(t.repo.remoteFile('apps/podinfo/rendered/deployment-podinfo.yaml'));
      expect(canary.spec.replicas).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
