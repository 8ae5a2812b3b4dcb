/**
 * The pure half of the cluster reader: Flux revisions in every format Flux has written, Flux and
 * Argo CD "is C applied and healthy?", and Flagger's readiness rule, as tables.
 */
import { describe, expect, it } from 'vitest';
import {
  type ArgoApplication,
  argoApplied,
  argoRevisions,
  type FluxKustomization,
  fluxApplied,
  fluxRevisions,
  type Relation,
} from '../../src/cluster/applied.js';
import { daemonSetReadiness, deploymentReadiness, thresholdCount } from '../../src/cluster/readiness.js';
import { parseFluxRevision } from '../../src/cluster/revision.js';

const C = '450796ddb2ab6724ee1cc32a4be56da032d1cca0';
const L = '9f3c2b1a00000000000000000000000000000001';
const OLD = '1111111111111111111111111111111111111111';
const sha256 = 'a'.repeat(64);

describe('Flux revision strings', () => {
  it.each([
    [`main@sha1:${C}`, { pointer: 'main', sha: C }],
    [`feature/x@sha1:${C}`, { pointer: 'feature/x', sha: C }],
    [`v1.0.0@sha1:${C}`, { pointer: 'v1.0.0', sha: C }],
    [`refs/heads/main@sha1:${C}`, { pointer: 'refs/heads/main', sha: C }],
    [`sha1:${C}`, { sha: C }],
    [`main/${C}`, { pointer: 'main', sha: C }],
    [`feature/x/${C}`, { pointer: 'feature/x', sha: C }],
    [`HEAD/${C}`, { sha: C }],
    [`main@sha256:${sha256}`, { pointer: 'main', sha: sha256 }],
    [`main@sha1:${C.toUpperCase()}`, { pointer: 'main', sha: C }],
  ])('%s', (rev, expected) => {
    expect(parseFluxRevision(rev)).toEqual(expected);
  });

  it.each([undefined, '', 'main', '6.0.3+4e5cbb7b97d0', `main@sha1:${C.slice(0, 12)}`, 'latest@sha256:abc'])(
    '%j names no commit',
    (rev) => {
      expect(parseFluxRevision(rev)).toBeUndefined();
    },
  );
});

const kustomization = (
  status: FluxKustomization['status'],
  extra: Partial<FluxKustomization> = {},
): FluxKustomization => ({
  metadata: { name: 'apps', namespace: 'flux-system', generation: 3 },
  status: { observedGeneration: 3, ...status },
  ...extra,
});
const ready = (
  status: 'True' | 'False' | 'Unknown',
  reason = 'ReconciliationSucceeded',
  message?: string,
) => [{ type: 'Ready', status, reason, ...(message ? { message } : {}) }];
/** Ancestry as Git answers it: C itself is identical, L descends from C, OLD is behind C. */
const rel = (sha: string): Relation | undefined =>
  sha === C ? 'identical' : sha === L ? 'ahead' : sha === OLD ? 'behind' : undefined;

describe('Flux: is C applied and healthy?', () => {
  it.each([
    ['C applied and Ready', { lastAppliedRevision: `main@sha1:${C}`, conditions: ready('True') }, 'Applied'],
    [
      'a descendant of C applied (another commit landed after)',
      { lastAppliedRevision: `main@sha1:${L}`, conditions: ready('True') },
      'Applied',
    ],
    ['the old format', { lastAppliedRevision: `main/${L}`, conditions: ready('True') }, 'Applied'],
    [
      'an older commit still applied',
      {
        lastAppliedRevision: `main@sha1:${OLD}`,
        lastAttemptedRevision: `main@sha1:${OLD}`,
        conditions: ready('True'),
      },
      'Pending',
    ],
    [
      'C being applied (Ready Unknown)',
      {
        lastAppliedRevision: `main@sha1:${OLD}`,
        lastAttemptedRevision: `main@sha1:${C}`,
        conditions: ready('Unknown', 'Progressing'),
      },
      'Pending',
    ],
    [
      'C applied but Ready not yet True',
      { lastAppliedRevision: `main@sha1:${C}`, conditions: ready('Unknown', 'Progressing') },
      'Pending',
    ],
  ] as const)('%s → %s', (_, status, state) => {
    expect(fluxApplied(kustomization(status), C, 'main', rel).state).toBe(state);
  });

  it('a build that failed on C is an apply failure, with the reason and message', () => {
    const j = fluxApplied(
      kustomization({
        lastAppliedRevision: `main@sha1:${OLD}`,
        lastAttemptedRevision: `main@sha1:${C}`,
        conditions: ready('False', 'BuildFailed', 'kustomize build failed: accumulating resources'),
      }),
      C,
      'main',
      rel,
    );
    expect(j).toMatchObject({ state: 'Failed', failure: 'apply', reason: 'BuildFailed', revision: C });
    expect(j.message).toBe(
      'Kustomization flux-system/apps failed on 450796ddb2ab: BuildFailed: kustomize build failed: accumulating resources',
    );
  });

  it('a failed health check on C is a readiness failure; a dependency not ready only waits', () => {
    const at = (reason: string) =>
      fluxApplied(
        kustomization({ lastAttemptedRevision: `main@sha1:${C}`, conditions: ready('False', reason) }),
        C,
        'main',
        rel,
      );
    expect(at('HealthCheckFailed')).toMatchObject({ state: 'Failed', failure: 'readiness' });
    expect(at('DependencyNotReady')).toMatchObject({ state: 'Pending', reason: 'DependencyNotReady' });
  });

  it('suspended, another branch, a spec not yet observed, a diverged history', () => {
    expect(fluxApplied(kustomization({}, { spec: { suspend: true } }), C, 'main', rel)).toMatchObject({
      state: 'Blocked',
      reason: 'suspended',
    });
    expect(
      fluxApplied(
        kustomization({ lastAppliedRevision: `v1.0.0@sha1:${C}`, conditions: ready('True') }),
        C,
        'main',
        rel,
      ),
    ).toMatchObject({
      state: 'Blocked',
      reason: 'other-ref',
    });
    expect(
      fluxApplied(
        kustomization({
          lastAppliedRevision: `main@sha1:${C}`,
          conditions: ready('True'),
          observedGeneration: 2,
        }),
        C,
        'main',
        rel,
      ).state,
    ).toBe('Pending');
    expect(
      fluxApplied(
        kustomization({ lastAppliedRevision: `main@sha1:${OLD}`, conditions: ready('True') }),
        C,
        'main',
        () => 'diverged',
      ),
    ).toMatchObject({ state: 'Blocked', reason: 'diverged' });
  });

  it('the commits to ask Git about', () => {
    expect(
      fluxRevisions(
        kustomization({ lastAppliedRevision: `main@sha1:${OLD}`, lastAttemptedRevision: `main/${C}` }),
      ),
    ).toEqual([OLD, C]);
  });
});

const application = (
  status: ArgoApplication['status'],
  extra: Partial<ArgoApplication> = {},
): ArgoApplication => ({
  metadata: { name: 'podinfo', namespace: 'argocd' },
  spec: { syncPolicy: { automated: {} } },
  status,
  ...extra,
});

describe('Argo CD: is C synced and healthy?', () => {
  it.each([
    [
      'a sync of a descendant succeeded, health fresh and Healthy',
      {
        operationState: {
          phase: 'Succeeded',
          finishedAt: '2026-01-01T12:00:00Z',
          syncResult: { revision: L },
        },
        reconciledAt: '2026-01-01T12:00:05Z',
        health: { status: 'Healthy' },
      },
      'Applied',
    ],
    [
      'a no-op commit: compared at C, Synced, no operation',
      { sync: { status: 'Synced', revision: C }, health: { status: 'Healthy' } },
      'Applied',
    ],
    [
      'synced but health older than the sync',
      {
        operationState: {
          phase: 'Succeeded',
          finishedAt: '2026-01-01T12:00:10Z',
          syncResult: { revision: C },
        },
        reconciledAt: '2026-01-01T12:00:05Z',
        health: { status: 'Healthy' },
      },
      'Pending',
    ],
    [
      'synced, Progressing',
      { sync: { status: 'Synced', revision: C }, health: { status: 'Progressing' } },
      'Pending',
    ],
    [
      'still at an older commit',
      { sync: { status: 'OutOfSync', revision: OLD }, health: { status: 'Healthy' } },
      'Pending',
    ],
    [
      'OutOfSync at C',
      { sync: { status: 'OutOfSync', revision: C }, health: { status: 'Healthy' } },
      'Pending',
    ],
    [
      'a branch name instead of a SHA',
      { sync: { status: 'Synced', revision: 'main' }, health: { status: 'Healthy' } },
      'Pending',
    ],
  ] as const)('%s → %s', (_, status, state) => {
    expect(argoApplied(application(status), C, rel).state).toBe(state);
  });

  it('failures: a failed sync of C, Degraded health, a comparison error', () => {
    expect(
      argoApplied(
        application({
          operationState: {
            phase: 'Failed',
            message: 'one or more objects failed to apply',
            syncResult: { revision: C },
          },
        }),
        C,
        rel,
      ),
    ).toMatchObject({
      state: 'Failed',
      failure: 'apply',
      reason: 'SyncFailed',
    });
    expect(
      argoApplied(
        application({
          sync: { status: 'Synced', revision: C },
          health: { status: 'Degraded', message: 'Deployment "podinfo" exceeded its progress deadline' },
        }),
        C,
        rel,
      ),
    ).toMatchObject({
      state: 'Failed',
      failure: 'readiness',
      message: 'Application argocd/podinfo is Degraded: Deployment "podinfo" exceeded its progress deadline',
    });
    expect(
      argoApplied(
        application({ conditions: [{ type: 'ComparisonError', status: 'True', message: 'rpc error' }] }),
        C,
        rel,
      ),
    ).toMatchObject({
      state: 'Failed',
      failure: 'apply',
      reason: 'ComparisonError',
    });
  });

  it('in flight, no automated sync, skip-reconcile', () => {
    expect(argoApplied(application({ operationState: { phase: 'Running' } }), C, rel).state).toBe('Pending');
    expect(argoApplied(application({}, { operation: { sync: {} } }), C, rel).state).toBe('Pending');
    expect(
      argoApplied(application({ sync: { status: 'OutOfSync', revision: OLD } }, { spec: {} }), C, rel),
    ).toMatchObject({ state: 'Blocked', reason: 'manual-sync' });
    expect(
      argoApplied(
        application(
          {},
          { metadata: { name: 'podinfo', annotations: { 'argocd.argoproj.io/skip-reconcile': 'true' } } },
        ),
        C,
        rel,
      ),
    ).toMatchObject({ state: 'Blocked' });
    expect(
      argoRevisions(
        application({ sync: { revision: 'main' }, operationState: { syncResult: { revision: C } } }),
      ),
    ).toEqual([C]);
  });
});

const now = new Date('2026-01-01T12:10:00Z');
const deployment = (spec: number, status: Record<string, unknown>, generation = 2) => ({
  metadata: { name: 'podinfo', generation },
  spec: { replicas: spec },
  status: { observedGeneration: 2, ...status },
});

describe("Flagger's readiness rule", () => {
  it.each([
    [
      'generation not observed',
      deployment(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 3),
      false,
      true,
      'waiting for rollout to finish: observed deployment generation less than desired generation',
    ],
    [
      'updated < spec',
      deployment(2, { replicas: 2, updatedReplicas: 1, availableReplicas: 1 }),
      false,
      true,
      'waiting for rollout to finish: 1 out of 2 new replicas have been updated',
    ],
    [
      'old replicas terminating',
      deployment(2, { replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
      false,
      true,
      'waiting for rollout to finish: 1 old replicas are pending termination',
    ],
    [
      'too few available',
      deployment(4, { replicas: 4, updatedReplicas: 4, availableReplicas: 3 }),
      false,
      true,
      'waiting for rollout to finish: 3 of 4 (readyThreshold 100%) updated replicas are available',
    ],
    [
      'all available',
      deployment(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      true,
      true,
      'ready',
    ],
    [
      'progress deadline exceeded: stuck',
      deployment(2, {
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 0,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
      false,
      false,
      'deployment "podinfo" exceeded its progress deadline',
    ],
  ] as const)('%s', (_, d, ready, retriable, message) => {
    expect(deploymentReadiness(d, 600, 100, now)).toEqual({ ready, retriable, message });
  });

  it('minimum replicas unavailable for longer than the deadline is no longer retriable', () => {
    const stuck = (since: string) =>
      deploymentReadiness(
        deployment(2, {
          replicas: 2,
          updatedReplicas: 1,
          conditions: [
            { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
            {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              lastUpdateTime: since,
            },
          ],
        }),
        60,
        100,
        now,
      );
    expect(stuck('2026-01-01T12:09:30Z').retriable).toBe(true);
    expect(stuck('2026-01-01T12:08:00Z').retriable).toBe(false);
  });

  it('the ready threshold in float32 as Go computes it', () => {
    expect(thresholdCount(4, 50)).toBe(2);
    expect(thresholdCount(3, 70)).toBe(2);
    expect(thresholdCount(10, 99)).toBe(9);
    expect(
      deploymentReadiness(
        deployment(4, { replicas: 4, updatedReplicas: 4, availableReplicas: 2 }),
        600,
        50,
        now,
      ).ready,
    ).toBe(true);
  });

  it('DaemonSets: the deadline counts from the canary status transition', () => {
    const ds = {
      metadata: { name: 'agent', generation: 1 },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
      },
    };
    expect(daemonSetReadiness(ds, 600, 100, new Date('2026-01-01T12:05:00Z'), now)).toEqual({
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: 2 out of 3 new pods have been updated',
    });
    expect(daemonSetReadiness(ds, 60, 100, new Date('2026-01-01T12:05:00Z'), now)).toEqual({
      ready: false,
      retriable: false,
      message: 'exceeded its progressDeadlineSeconds: 60',
    });
    expect(
      daemonSetReadiness(
        { ...ds, status: { ...ds.status, updatedNumberScheduled: 3, numberAvailable: 3 } },
        60,
        100,
        new Date(0),
        now,
      ).ready,
    ).toBe(true);
  });
});
