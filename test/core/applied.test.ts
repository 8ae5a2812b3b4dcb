/**
 * The live gate as a table: the decisions forced by what the applier and the workloads report,
 * with a fixed `now` and no cluster.
 */
import { describe, expect, it } from 'vitest';
import { applierFor, knownAppliers } from '../../src/cluster/appliers.js';
import { type LiveObservation, mentionsCanary, withLiveRecord } from '../../src/core/applied.js';
import { type DecideInput, decide, emptyStatus } from '../../src/core/decide.js';
import type { CanaryStatus } from '../../src/core/types.js';
import { defaultConfig } from '../../src/inputs/config.js';
import { canaryWith, T0 } from '../support/sim.js';

const C = 'c'.repeat(40);
const minute = 60_000;

function input(prev: Partial<CanaryStatus>, live: LiveObservation, nowMs = 2 * minute): DecideInput {
  return {
    id: 'test/podinfo',
    canary: canaryWith({ stepWeight: 20, maxWeight: 60, threshold: 2 }),
    provider: 'istio',
    revision: 'rev-2',
    trackedConfigs: {},
    routes: { primary: 80, canary: 20, mirrored: false },
    now: new Date(T0.getTime() + nowMs),
    live,
    status: {
      ...emptyStatus(),
      phase: 'Progressing',
      canaryWeight: 20,
      lastAppliedSpec: 'rev-2',
      lastPromotedSpec: 'rev-1',
      lastStepTime: T0.toISOString(),
      lastTransitionTime: T0.toISOString(),
      ...prev,
    },
  };
}

const step = { commit: C, time: T0.toISOString() };
const ready = { ready: true, retriable: true, message: 'ready' };
const applier = (
  state: 'Applied' | 'Failed' | 'Blocked' | 'Pending',
  concernsCanary: boolean,
  message = 'm',
) => ({
  name: 'Kustomization flux-system/apps',
  state,
  message,
  concernsCanary,
});

describe('liveGate through decide', () => {
  it('a failure elsewhere in a shared Kustomization holds, said once in the status file', () => {
    const live: LiveObservation = {
      by: 'cluster',
      step,
      applier: applier(
        'Failed',
        false,
        'Kustomization flux-system/apps failed: Deployment/other/web invalid',
      ),
      primary: ready,
      canary: ready,
    };
    const first = decide(input({}, live));
    expect(first.status.failedChecks).toBe(0);
    expect(first.status.live?.message).toBe(
      'holding: Kustomization flux-system/apps failed: Deployment/other/web invalid (a failure elsewhere in a shared applier)',
    );
    const again = decide({ ...input({}, live, 3 * minute), status: first.status });
    expect([again.stepped, again.message]).toEqual([false, first.status.live?.message]);
  });

  it("this canary's failure counts once per interval", () => {
    const live: LiveObservation = {
      by: 'cluster',
      step,
      applier: applier('Failed', true),
      primary: ready,
      canary: ready,
    };
    expect(decide(input({}, live)).status.failedChecks).toBe(1);
    const early = decide(input({}, live, 30_000));
    expect([early.stepped, early.message]).toEqual([false, 'apply failed: m']);
  });

  it('a rollback that is due is never held by the cluster, even unreachable', () => {
    const d = decide(input({ failedChecks: 2 }, { by: 'cluster', unreachable: 'ECONNREFUSED' }));
    expect([d.status.phase, d.message]).toEqual(['Failed', expect.stringContaining('threshold reached 2')]);
  });

  it('a primary past its deadline while Promoting keeps the traffic on the canary (handleFailedPromotion)', () => {
    const stuck = {
      ready: false,
      retriable: false,
      message: 'deployment "podinfo-primary" exceeded its progress deadline',
    };
    const d = decide(
      input(
        { phase: 'Promoting', live: { by: 'cluster', commit: C } },
        { by: 'cluster', step, primary: stuck, canary: ready },
      ),
    );
    expect(d.status.phase).toBe('Failed');
    expect(d.actions).toContainEqual({ type: 'set-routes', primary: 0, canary: 100, mirrored: false });
    expect(d.actions).not.toContainEqual({ type: 'scale-canary', replicas: 0 });
    expect(d.message).toContain(
      'Promotion failed, primary not ready: primary deployment podinfo-primary.test not ready',
    );
  });

  it('the fallback is named in the status of a step; a step observed live dates its verdict', () => {
    const plain = { ...input({}, { by: 'assume-interval' }), observations: [] };
    expect(withLiveRecord(plain, decide(plain)).status.live).toEqual({
      by: 'assume-interval',
    });
    const seen = { by: 'cluster' as const, commit: C, observedAt: T0.toISOString(), afterSeconds: 42 };
    const i = {
      ...input({ live: seen }, { by: 'cluster', step, primary: ready, canary: ready }),
      observations: [],
    };
    const d = withLiveRecord(i, decide(i));
    expect(d.verdict?.live).toEqual({ commit: C, observedAt: T0.toISOString(), afterSeconds: 42 });
    expect(d.status.history.at(-1)?.verdict?.live?.afterSeconds).toBe(42);
  });
});

describe('helpers', () => {
  it('mentionsCanary matches whole object names only', () => {
    expect(mentionsCanary('Deployment/test/podinfo dry-run failed', 'test', ['podinfo'])).toBe(true);
    expect(mentionsCanary('Deployment/test/podinfo-other dry-run failed', 'test', ['podinfo'])).toBe(false);
    expect(mentionsCanary('Service/test/podinfo-canary invalid', 'test', ['podinfo', 'podinfo-canary'])).toBe(
      true,
    );
  });

  it('the applier: configured by longest prefix first, else discovered from Flux and Argo CD manifests', () => {
    const config = defaultConfig();
    const cluster = {
      access: 'kubeconfig' as const,
      timeout: '10s',
      discover: true,
      fallback: 'assume-interval' as const,
      nudge: {},
      appliers: [
        { path: './apps', kustomization: 'flux-system/apps' },
        { path: 'apps/podinfo/', application: 'argocd/podinfo' },
      ],
    };
    const objects = [
      {
        value: {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'infra', namespace: 'flux-system' },
          spec: { path: './infra' },
        },
        origin: { file: 'clusters/prod/infra.yaml', line: 1 },
      },
      {
        value: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'web' },
          spec: { source: { path: 'web' } },
        },
        origin: { file: 'argo/web.yaml', line: 1 },
      },
    ];
    const all = knownAppliers({ ...config, cluster }.cluster, objects);
    expect(applierFor(all, 'apps/podinfo')?.ref.name).toBe('podinfo');
    expect(applierFor(all, 'apps/other')?.ref.name).toBe('apps');
    expect(applierFor(all, 'infra/redis')).toMatchObject({
      kind: 'Kustomization',
      path: 'infra',
      from: 'clusters/prod/infra.yaml',
    });
    expect(applierFor(all, 'web')?.ref).toMatchObject({
      namespace: 'argocd',
      resource: 'applications',
      name: 'web',
    });
    expect(applierFor(all, 'elsewhere')).toBeUndefined();
  });
});
