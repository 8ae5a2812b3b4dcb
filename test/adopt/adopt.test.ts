/**
 * `gitcanary adopt` against Flagger's live objects: read through the real Kubernetes client from
 * the fake API, or from a saved `kubectl get -o yaml`; committed to a real repository; and the
 * next `gitcanary reconcile` neither promotes nor rolls back what was adopted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { liveFromCluster } from '../../src/adopt/live.js';
import { main } from '../../src/cli/main.js';
import { openKubeReader } from '../../src/cluster/kube-reader.js';
import { adopt } from '../../src/reconcile/adopt.js';
import { reconcile } from '../../src/reconcile/run.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const dir = mkdtempSync(join(tmpdir(), 'gitcanary-adopt-'));
let kube: FakeKube;
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(() => kube.close());

const ann = { name: 'Ann Operator', email: 'ann@example.com' };
const now = new Date('2026-01-01T00:00:00Z');

function kubeconfig(): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "${kube.url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: "${kube.token}" } }]
contexts: [{ name: test, context: { cluster: test, user: u } }]
current-context: test
`,
  );
  return file;
}

/** Flagger's Canary as the API returns it, with the status Flagger keeps. */
function flaggerCanary(phase: string, canaryWeight = 0) {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', uid: 'c-1' },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' } },
    status: {
      phase,
      canaryWeight,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: '5d8f9c7b6',
      lastPromotedSpec: '5d8f9c7b6',
      lastTransitionTime: '2025-12-31T12:00:00Z',
    },
  };
}

/**
 * Flagger's `podinfo-primary` as the API returns it: `-primary` labels and config copies, the
 * `flagger-id` annotation, Flux's reconcile-disabled mark, and the fields the API server defaults.
 */
function flaggerPrimary(image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'podinfo-primary',
      namespace: 'test',
      uid: 'd-1',
      generation: 3,
      labels: { app: 'podinfo-primary' },
      annotations: {
        'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
        'deployment.kubernetes.io/revision': '3',
      },
      ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', uid: 'c-1' }],
    },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'podinfo-primary' } },
      template: {
        metadata: {
          creationTimestamp: null,
          labels: { app: 'podinfo-primary' },
          annotations: { 'flagger-id': '0b6c7a7e-1d3c-4f5e-9a8b-2c1d0e9f8a7b' },
        },
        spec: {
          containers: [
            {
              name: 'podinfod',
              image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 9898, name: 'http', protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name: 'podinfo-config-primary' } }],
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  };
}

function serve(phase: string, image: string, canaryWeight = 0) {
  kube.objects.clear();
  kube.requests.length = 0;
  kube.objects.set(
    '/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo',
    flaggerCanary(phase, canaryWeight),
  );
  kube.objects.set('/apis/apps/v1/namespaces/test/deployments/podinfo-primary', flaggerPrimary(image));
}

function repo(): GitOps {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  return r;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const statusFile = 'apps/podinfo/podinfo.status.yaml';
const primaryFile = 'apps/podinfo/rendered/deployment-podinfo-primary.yaml';

describe('gitcanary adopt', () => {
  it('adopts a Succeeded canary whose primary runs the repository template; the next run changes nothing', async () => {
    const r = repo();
    serve('Succeeded', 'ghcr.io/stefanprodan/podinfo:6.1.5');
    const live = liveFromCluster(await openKubeReader({ kubeconfig: kubeconfig(), context: 'test' }));
    const res = await adopt({ repoDir: r.work, live, author: ann, now });
    expect(res.canaries).toEqual([
      expect.objectContaining({ id: 'test/podinfo', outcome: 'promoted', flaggerPhase: 'Succeeded' }),
    ]);
    expect(res.pushed).toBe(true);
    // One GET per object by name; never a write, never a list.
    expect(kube.requests).toEqual([
      { method: 'GET', path: '/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo' },
      { method: 'GET', path: '/apis/apps/v1/namespaces/test/deployments/podinfo-primary' },
    ]);
    expect(kube.violations).toEqual([]);

    const [message] = r.remoteLog();
    expect(message).toMatch(/^gitcanary adopt test\/podinfo\n/);
    expect(message).toContain(
      'Canary: test/podinfo\nCanary-Request: adopt\nRequested-By: Ann Operator <ann@example.com>',
    );
    expect(git(r.remote, 'log', '-1', '--format=%an <%ae>', 'main')).toBe('Ann Operator <ann@example.com>');
    const status = parse(r.remoteFile(statusFile)).status;
    expect(status).toMatchObject({ phase: 'Succeeded', canaryWeight: 0, failedChecks: 0 });
    expect(status.lastAppliedSpec).toBe(status.lastPromotedSpec);
    // gitcanary's own revision of the source, never Flagger's hash.
    expect(status.lastAppliedSpec).toMatch(/^[0-9a-f]{16}$/);
    expect(status.lastAppliedSpec).not.toBe('5d8f9c7b6');
    const primaryBefore = r.remoteFile(primaryFile);
    expect(parse(primaryBefore).spec.template.spec.containers[0].image).toBe(
      'ghcr.io/stefanprodan/podinfo:6.1.5',
    );

    // One interval later the run is due: nothing to promote, nothing to roll back.
    const head = git(r.remote, 'rev-parse', 'main');
    const run = await reconcile({ repoDir: r.work, now: new Date(now.getTime() + 120_000) });
    expect(run.canaries[0]).toMatchObject({
      namespace: 'test',
      name: 'podinfo',
      phase: 'Succeeded',
      canaryWeight: 0,
    });
    expect(run.canaries[0]?.error).toBeUndefined();
    expect(git(r.remote, 'rev-parse', 'main')).toBe(head);
    expect(parse(r.remoteFile(statusFile)).status).toEqual(status);
    expect(r.remoteFile(primaryFile)).toBe(primaryBefore);

    // A second adopt finds the status file and leaves the canary alone.
    const again = await adopt({ repoDir: r.work, live, author: ann, now });
    expect(again).toMatchObject({ commit: null, canaries: [{ id: 'test/podinfo', outcome: 'skipped' }] });
  });

  it('from a saved kubectl List: a primary on another build is recorded as promoted, the repository revision is analysed', async () => {
    const r = repo();
    const saved = join(dir, 'live.yaml');
    writeFileSync(
      saved,
      stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [flaggerCanary('Succeeded'), flaggerPrimary('ghcr.io/stefanprodan/podinfo:6.1.4')],
        metadata: { resourceVersion: '' },
      }),
    );
    const res = await cli(
      'adopt',
      'test/podinfo',
      '--from',
      saved,
      '--repo',
      r.work,
      '--author',
      'Ann Operator <ann@example.com>',
      '-o',
      'json',
    );
    expect(res.code).toBe(0);
    const json = JSON.parse(res.out);
    expect(json.canaries[0]).toMatchObject({ id: 'test/podinfo', outcome: 'primary-differs' });
    expect(json.canaries[0].message).toContain('podinfod=ghcr.io/stefanprodan/podinfo:6.1.4');
    expect(json.canaries[0].message).toContain('the next run analyses the repository');
    expect(json.cutover.join('\n')).toContain('--cascade=orphan');
    expect(res.err).toContain(
      'kubectl -n test annotate deployment/podinfo-primary service/podinfo service/podinfo-primary service/podinfo-canary kustomize.toolkit.fluxcd.io/reconcile-',
    );

    const primary = parse(r.remoteFile(primaryFile));
    expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.4');
    expect(primary.metadata.annotations?.['kustomize.toolkit.fluxcd.io/reconcile']).toBeUndefined();
    expect(primary.status).toBeUndefined();
    // The config copy it points at is rendered too, from the repository's ConfigMap.
    expect(parse(r.remoteFile('apps/podinfo/rendered/configmap-podinfo-config-primary.yaml'))).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'podinfo-config-primary', namespace: 'test' },
      data: { PODINFO_UI_MESSAGE: 'hello' },
    });

    const run = await reconcile({ repoDir: r.work, now: new Date(Date.now() + 120_000) });
    expect(run.canaries[0]?.error).toBeUndefined();
    // A new revision: the canary scales up for analysis; the primary keeps the adopted build.
    expect(run.canaries[0]).toMatchObject({ phase: 'Progressing', canaryWeight: 0 });
    expect(parse(r.remoteFile(primaryFile)).spec.template.spec.containers[0].image).toBe(
      'ghcr.io/stefanprodan/podinfo:6.1.4',
    );
  });

  it('refuses a canary Flagger is running, and --force adopts its primary as promoted', async () => {
    const r = repo();
    serve('Progressing', 'ghcr.io/stefanprodan/podinfo:6.1.4', 20);
    const live = liveFromCluster(await openKubeReader({ kubeconfig: kubeconfig(), context: 'test' }));
    const head = git(r.remote, 'rev-parse', 'main');
    const res = await adopt({ repoDir: r.work, live, author: ann, now });
    expect(res.commit).toBeNull();
    expect(res.canaries[0]).toMatchObject({ outcome: 'refused', flaggerPhase: 'Progressing' });
    expect(res.canaries[0]?.message).toContain('wait until it is Succeeded or Failed, or pass --force');
    expect(git(r.remote, 'rev-parse', 'main')).toBe(head);

    const forced = await adopt({ repoDir: r.work, live, author: ann, now, force: true });
    expect(forced.canaries[0]).toMatchObject({ outcome: 'primary-differs' });
    expect(parse(r.remoteFile(statusFile)).status.phase).toBe('Succeeded');
  });

  it('-A through the cluster: section of gitcanary.yaml, text output, --no-push', async () => {
    const r = repo();
    r.humanEdit(
      'gitcanary.yaml',
      () => `cluster:\n  access: kubeconfig\n  kubeconfig: ${kubeconfig()}\n  context: test\n`,
      'read the cluster',
    );
    git(r.work, 'pull', '-q');
    serve('Succeeded', 'ghcr.io/stefanprodan/podinfo:6.1.5');
    const head = git(r.remote, 'rev-parse', 'main');
    const res = await cli(
      'adopt',
      '-A',
      '--repo',
      r.work,
      '--no-push',
      '--author',
      'Ann Operator <ann@example.com>',
    );
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^test\/podinfo: promoted: adopted from Flagger \(phase Succeeded\)/);
    expect(res.out).toMatch(/commit [0-9a-f]{40} \(not pushed\)$/);
    expect(res.err).toContain('kubectl -n test delete canaries.flagger.app podinfo --cascade=orphan');
    expect(git(r.remote, 'rev-parse', 'main')).toBe(head);
    expect(git(r.work, 'show', `HEAD:${statusFile}`)).toContain('phase: Succeeded');
    expect(kube.requests.map((q) => q.path)).toEqual([
      '/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo',
      '/apis/apps/v1/namespaces/test/deployments/podinfo-primary',
    ]);

    expect((await cli('adopt', '--repo', r.work)).code).not.toBe(0);
  });
});
