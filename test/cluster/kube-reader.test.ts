/**
 * The ClusterReader on the real @kubernetes/client-node (kubeconfig, context, bearer token)
 * against a loopback server that behaves as the Kubernetes API: gets only, 404 as absent, 403
 * naming the missing RBAC, 410, unreachable, late and oversized answers as errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxApplied } from '../../src/cluster/applied.js';
import { openKubeReader } from '../../src/cluster/kube-reader.js';
import { apiPath, type ClusterReader, refs } from '../../src/cluster/port.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube.js';

const dir = mkdtempSync(join(tmpdir(), 'gitcanary-kube-'));
let kube: FakeKube;
let reader: ClusterReader;
const C = '450796ddb2ab6724ee1cc32a4be56da032d1cca0';

function kubeconfig(server: string, token: string): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: other
    cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true }
  - name: test
    cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
  - name: gitcanary
    user: { token: "${token}" }
contexts:
  - name: other
    context: { cluster: other, user: gitcanary }
  - name: test
    context: { cluster: test, user: gitcanary, namespace: flux-system }
current-context: other
`,
  );
  return file;
}

beforeAll(async () => {
  kube = await startFakeKube();
  kube.objects.set(apiPath(refs.kustomization('flux-system', 'apps')), {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system', generation: 4 },
    spec: {
      path: './apps',
      interval: '1m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
    status: {
      observedGeneration: 4,
      lastAppliedRevision: `main@sha1:${C}`,
      lastAttemptedRevision: `main@sha1:${C}`,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: main@sha1:${C}`,
        },
      ],
    },
  });
  reader = await openKubeReader({
    kubeconfig: kubeconfig(kube.url, kube.token),
    context: 'test',
    timeoutMs: 1000,
  });
});
afterAll(async () => {
  await kube.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kube reader', () => {
  it('gets the Kustomization through the chosen context, and the applied state follows from it', async () => {
    const k = await reader.get(refs.kustomization('flux-system', 'apps'));
    expect(k?.kind).toBe('Kustomization');
    expect((k?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion).toMatch(/^\d+$/);
    expect(fluxApplied(k as never, C, 'main', (sha) => (sha === C ? 'identical' : undefined)).state).toBe(
      'Applied',
    );
    expect(kube.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps',
    });
  });

  it('an object that does not exist is undefined', async () => {
    expect(await reader.get(refs.deployment('test', 'podinfo-primary'))).toBeUndefined();
  });

  it('403 names the resource the role cannot get; 410 is retriable; 401 is not', async () => {
    const denied = refs.application('argocd', 'podinfo');
    kube.forbidden.add(apiPath(denied));
    await expect(reader.get(denied)).rejects.toMatchObject({
      retriable: false,
      status: 403,
      message: expect.stringMatching(
        /^forbidden \(403\): the role lacks get on applications\.argoproj\.io argocd\/podinfo/,
      ),
    });
    const old = refs.daemonSet('test', 'agent');
    kube.gone.add(apiPath(old));
    await expect(reader.get(old)).rejects.toMatchObject({ retriable: true, status: 410 });
    const wrong = await openKubeReader({ kubeconfig: kubeconfig(kube.url, 'wrong-token'), context: 'test' });
    await expect(wrong.get(refs.deployment('test', 'podinfo'))).rejects.toMatchObject({
      retriable: false,
      status: 401,
    });
  });

  it('unreachable, late or oversized answers are errors, never objects', async () => {
    const down = await openKubeReader({ kubeconfig: kubeconfig('http://127.0.0.1:9', 't'), context: 'test' });
    await expect(down.get(refs.deployment('test', 'podinfo'))).rejects.toMatchObject({
      retriable: true,
      message: 'the API at 127.0.0.1:9 is unreachable: ECONNREFUSED',
    });
    kube.delayMs = 1500;
    await expect(reader.get(refs.kustomization('flux-system', 'apps'))).rejects.toMatchObject({
      message:
        'no answer from the API within 1000 ms for kustomizations.kustomize.toolkit.fluxcd.io flux-system/apps',
    });
    kube.delayMs = 0;
    kube.objects.set(apiPath(refs.deployment('test', 'huge')), {
      kind: 'Deployment',
      metadata: { name: 'huge' },
      pad: 'x'.repeat(5 << 20),
    });
    await expect(reader.get(refs.deployment('test', 'huge'))).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/larger than 4194304 bytes/),
    });
  });

  it('it only ever reads', () => {
    expect(kube.violations).toEqual([]);
    expect(new Set(kube.requests.map((r) => r.method))).toEqual(new Set(['GET']));
  });
});
