/**
 * Attack: a team with write access to its own folder adds a Canary that reaches into another
 * team's rollout — naming the other team's Deployment as its target, or a `service.name` equal to
 * the other canary's apex Service, so its rendered Services would replace the other team's. The
 * newcomer is refused, naming both canaries' files and the field; the owner (its status file
 * exists) carries on. Real git, a real run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/validate.js';
import { loadConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const t0 = Date.parse('2026-01-01T00:00:00Z');

const intruder = (extra: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: intruder
  namespace: test
spec:
${extra}  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 2
    maxWeight: 50
    stepWeight: 10
`;
const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: test
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: app
          image: example/${name}:1
`;

async function owned(): Promise<GitOps> {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  await reconcile({ repoDir: r.work, now: new Date(t0) });
  return r;
}
const byName = (res: Awaited<ReturnType<typeof reconcile>>, name: string) =>
  res.canaries.find((c) => c.name === name);

describe('one team cannot reach another team’s objects', () => {
  it('a target in another canary’s folder is refused; the owner carries on', async () => {
    const r = await owned();
    r.humanEdit(
      'apps/intruder/canary.yaml',
      () => intruder('  targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: podinfo\n'),
      'intruder',
    );
    const res = await reconcile({ repoDir: r.work, now: new Date(t0 + 60_000) });
    expect(byName(res, 'intruder')?.error).toBe(
      'apps/intruder/canary.yaml: spec.targetRef: Deployment podinfo in namespace test is owned by Canary test/podinfo (apps/podinfo/canary.yaml); refused',
    );
    git(r.work, 'pull', '-q', '--ff-only');
    const issues = validateRepo(await loadRepo(r.work, await loadConfig(r.work, {}))).map((i) => i.message);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /Deployment test\/podinfo is in apps\/podinfo\/deployment\.yaml, inside the folder of Canary test\/podinfo \(apps\/podinfo\/canary\.yaml\)/,
      ),
    );
    expect(byName(res, 'podinfo')?.error).toBeUndefined();
    expect(byName(res, 'podinfo')?.phase).toBe('Initialized');
  });

  it('a service.name colliding with another canary’s rendered Services is refused, naming both', async () => {
    const r = await owned();
    r.humanEdit('apps/intruder/deployment.yaml', () => deployment('other'), 'other app');
    r.humanEdit(
      'apps/intruder/canary.yaml',
      () =>
        intruder('  targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: other\n').replace(
          '    port: 9898\n',
          '    name: podinfo\n    port: 9898\n',
        ),
      'intruder',
    );
    const res = await reconcile({ repoDir: r.work, now: new Date(t0 + 60_000) });
    expect(byName(res, 'intruder')?.error).toBe(
      'apps/intruder/canary.yaml: spec.service.name: Service podinfo in namespace test is owned by Canary test/podinfo (apps/podinfo/canary.yaml); refused',
    );
    expect(byName(res, 'podinfo')?.error).toBeUndefined();
    expect(res.changes.some((c) => c.path.startsWith('apps/intruder/'))).toBe(false);
    // validate says the same before any run: the newcomer's file, field, and the owner's file.
    const found = await runValidate(r.work);
    expect(found.issues).toContainEqual({
      file: 'apps/intruder/canary.yaml',
      line: 1,
      object: 'test/intruder',
      path: 'spec.service.name',
      message:
        'Service podinfo in namespace test is owned by Canary test/podinfo (apps/podinfo/canary.yaml); refused',
      severity: 'error',
    });
    expect(found.issues.filter((i) => i.object === 'test/podinfo' && i.severity === 'error')).toEqual([]);
  });
});
