/**
 * The in-cluster way to run: the kustomize base under deploy/ builds with kubectl and every
 * object it yields is valid against the Kubernetes schemas; the image's entry point
 * (deploy/image/gitcanary-run) clones the repository and runs one tick with the gitcanary bin.
 * No container runtime runs here, so the Dockerfile itself is only read, not built.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createGitOps, git } from '../support/gitops.js';

const root = resolve(import.meta.dirname, '../..');
const base = mkdtempSync(join(tmpdir(), 'gitcanary-deploy-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const models = { CronJob, ConfigMap, ServiceAccount, ClusterRole, ClusterRoleBinding } as const;

function built(): Record<string, unknown>[] {
  const r = spawnSync('kubectl', ['kustomize', join(root, 'deploy/base')], { encoding: 'utf8' });
  if (r.error)
    throw new Error(`kubectl not found: install Debian package kubernetes-client (${r.error.message})`);
  expect(r.status, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout).map((d) => d.toJS());
}

describe('deploy/base', () => {
  it('builds with kubectl kustomize into a ServiceAccount, a ConfigMap, a CronJob and the read-only cluster role, each schema-valid', () => {
    const objects = built();
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'CronJob',
      'ServiceAccount',
    ]);
    for (const o of objects) {
      const Model = models[o.kind as keyof typeof models];
      expect(() => new Model(o as never).validate(), `${o.kind}`).not.toThrow();
    }
  });

  it('the cluster role only gets, by name, the appliers, the workloads and Flagger Canaries (no list, watch, write or Secrets)', () => {
    const role = built().find((o) => o.kind === 'ClusterRole') as unknown as ClusterRole;
    const rules = role.rules ?? [];
    expect(rules.flatMap((r) => r.verbs)).toEqual(['get', 'get', 'get', 'get']);
    expect(rules.flatMap((r) => r.resources ?? []).sort()).toEqual([
      'applications',
      'canaries',
      'daemonsets',
      'deployments',
      'kustomizations',
    ]);
  });

  it('never runs two ticks at once, runs unprivileged on a read-only root, within limits', () => {
    const cron = built().find((o) => o.kind === 'CronJob') as unknown as CronJob;
    expect(cron.spec?.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec?.jobTemplate.spec?.template.spec;
    expect(pod?.serviceAccountName).toBe('gitcanary');
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    const [c] = pod?.containers ?? [];
    expect(c?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(c?.resources?.limits).toMatchObject({ cpu: '1', memory: '512Mi' });
    expect(c?.env?.find((e) => e.name === 'GIT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'gitcanary-git',
      key: 'token',
    });
    // Everything written lives on the mounted volumes.
    expect(c?.volumeMounts?.map((m) => m.mountPath).sort()).toEqual(['/tmp', '/work']);
  });

  it('the Dockerfile installs the published package and runs as a non-root user', () => {
    const docker = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');
    expect(docker).toMatch(/npm install -g [^\n]*"gitcanary@\$\{GITCANARY_VERSION\}"/);
    expect(docker).toMatch(/^USER 1000:1000$/m);
    expect(docker).toMatch(/^ENTRYPOINT \["gitcanary-run"\]$/m);
  });
});

describe('the image entry point', () => {
  it('clones the repository, runs one tick, and keeps the token out of the clone', () => {
    // dist/cli.mjs is built once by the test setup (test/support/global-setup.ts).
    const bin = join(base, 'bin');
    mkdirSync(bin);
    symlinkSync(join(root, 'dist/cli.mjs'), join(bin, 'gitcanary'));
    const repo = createGitOps('istio-podinfo');
    const work = join(base, 'work');
    mkdirSync(work);
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: base,
      GIT_URL: `file://${repo.remote}`,
      GIT_BRANCH: 'main',
      GIT_TOKEN: 'tok-entrypoint-secret',
      WORK_DIR: work,
    };
    const run = () =>
      spawnSync(join(root, 'deploy/image/gitcanary-run'), ['--now', '2026-01-01T12:00:00Z'], {
        env,
        encoding: 'utf8',
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(repo.remoteLog()[0]).toMatch(/^gitcanary: /);
    // A second run fetches into the kept clone instead of cloning again.
    const second = run();
    expect(second.status, second.stderr).toBe(0);
    const clone = join(work, 'repo');
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(git(repo.remote, 'rev-parse', 'main'));
    const config = readFileSync(join(clone, '.git/config'), 'utf8');
    expect(config).toContain('credential');
    expect(`${config}${first.stdout}${first.stderr}${second.stdout}${second.stderr}`).not.toContain(
      'tok-entrypoint-secret',
    );
    repo.cleanup();
  }, 120_000);
});
