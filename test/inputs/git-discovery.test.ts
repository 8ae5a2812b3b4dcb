/**
 * Discovery in a git working tree: `git grep` finds every Flagger document and near miss the
 * folder walk finds (the near-miss, source and validate suites run again on git repositories),
 * plus the objects canaries reference; unrelated YAML files are not read at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';
import { formatIssue } from '../../src/inputs/model.js';
import {
  canaryYaml,
  configMapYaml,
  deploymentYaml,
  gitRepos,
  removeTempRepos,
  tempRepo,
} from './temp-repo.js';

gitRepos(true);
await import('./near-miss.test.js');
await import('./source.test.js');
await import('./validate.test.js');

afterAll(removeTempRepos);

const secretYaml =
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: podinfo-secret\n  namespace: test\ndata: {}\n';
const hpaYaml = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: podinfo
  namespace: test
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  minReplicas: 2
  maxReplicas: 4
`;
const scaled = canaryYaml.replace(
  '  service:',
  '  autoscalerRef:\n    apiVersion: autoscaling/v2\n    kind: HorizontalPodAutoscaler\n    name: podinfo\n  service:',
);
/** An unrelated workload: nothing in it is Flagger's or named by a canary. */
const unrelated = (i: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\n  namespace: other\nspec:\n  selector:\n    matchLabels:\n      app: svc-${i}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: example/svc:${i}\n`;

const names = (inv: Awaited<ReturnType<typeof loadRepo>>) =>
  inv.objects.map((o) => `${o.origin.file}:${o.value.kind}/${o.value.metadata.name}`);

describe('git discovery', () => {
  const files: Record<string, string> = {
    'apps/podinfo/canary.yaml': scaled,
    'apps/podinfo/deployment.yaml': deploymentYaml,
    'apps/podinfo/hpa.yaml': hpaYaml,
    'apps/podinfo/config.yaml': configMapYaml,
    'apps/podinfo/secret.yaml': secretYaml,
  };
  for (let i = 0; i < 200; i++) files[`unrelated/svc-${i}.yaml`] = unrelated(i);

  it('reads the canary and what it references, not the unrelated files, and validates the same', async () => {
    const gitInv = await loadRepo(await tempRepo(files), defaultConfig());
    gitRepos(false);
    const plainInv = await loadRepo(await tempRepo(files), defaultConfig());
    gitRepos(true);
    expect(names(gitInv)).toEqual([
      'apps/podinfo/config.yaml:ConfigMap/podinfo-config',
      'apps/podinfo/deployment.yaml:Deployment/podinfo',
      'apps/podinfo/hpa.yaml:HorizontalPodAutoscaler/podinfo',
      'apps/podinfo/secret.yaml:Secret/podinfo-secret',
    ]);
    expect(plainInv.objects).toHaveLength(204);
    expect(gitInv.canaries.map((c) => c.ref.name)).toEqual(['podinfo']);
    expect(validateRepo(gitInv).map(formatIssue)).toEqual(validateRepo(plainInv).map(formatIssue));
    expect(validateRepo(gitInv).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('finds untracked files, skips ignored ones, rendered folders, status files and links', async () => {
    const root = await tempRepo({ 'apps/podinfo/deployment.yaml': deploymentYaml });
    await writeFile(join(root, 'apps/podinfo/canary.yaml'), canaryYaml); // untracked
    await writeFile(join(root, '.gitignore'), 'ignored/\n');
    await mkdir(join(root, 'ignored'));
    await writeFile(
      join(root, 'ignored/canary.yaml'),
      canaryYaml.replace('name: podinfo\n  namespace', 'name: x\n  namespace'),
    );
    await mkdir(join(root, 'apps/podinfo/rendered'));
    await writeFile(
      join(root, 'apps/podinfo/rendered/canary.yaml'),
      canaryYaml.replace('name: podinfo\n  namespace', 'name: r\n  namespace'),
    );
    await writeFile(join(root, 'apps/podinfo/podinfo.status.yaml'), 'kind: Canary\n');
    await symlink('../podinfo/canary.yaml', join(root, 'apps/link.yaml'));
    execFileSync('git', ['add', 'apps/link.yaml'], { cwd: root });
    const inv = await loadRepo(root, defaultConfig());
    expect(inv.errors).toEqual([]);
    expect(inv.canaries.map((c) => c.origin.file)).toEqual(['apps/podinfo/canary.yaml']);
    expect(names(inv)).toEqual(['apps/podinfo/deployment.yaml:Deployment/podinfo']);
  });

  it('a tracked file deleted from the working tree is not read; kustomization namespaces still apply', async () => {
    const noNs = canaryYaml.replace('  namespace: test\n', '');
    const root = await tempRepo({
      'apps/kustomization.yaml': 'namespace: apps\n',
      'apps/podinfo/canary.yaml': noNs,
      'apps/podinfo/deployment.yaml': deploymentYaml.replace('  namespace: test\n', ''),
      'apps/gone.yaml': canaryYaml,
    });
    await rm(join(root, 'apps/gone.yaml'));
    const inv = await loadRepo(root, defaultConfig());
    expect(inv.canaries.map((c) => `${c.ref.namespace}/${c.ref.name}`)).toEqual(['apps/podinfo']);
    expect(validateRepo(inv).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('a referenced name is matched whole: app-1 reads neither app-10 nor my-app-1', async () => {
    const named = (n: string) => deploymentYaml.replaceAll('podinfo', n);
    const root = await tempRepo({
      'c.yaml': canaryYaml.replaceAll('podinfo', 'app-1'),
      'a.yaml': named('app-1'),
      'b.yaml': named('app-10'),
      'd.yaml': named('my-app-1'),
      'e.yaml': named('app-1x').replace('name: app-1x\n  namespace', 'name: "app-1"\n  namespace'),
    });
    const inv = await loadRepo(root, defaultConfig());
    expect(names(inv)).toEqual(['a.yaml:Deployment/app-1', 'e.yaml:Deployment/app-1']);
  });

  it('a canary file with a YAML syntax error is still reported', async () => {
    const inv = await loadRepo(await tempRepo({ 'c.yaml': `${canaryYaml}  bad: [\n` }), defaultConfig());
    expect(inv.errors.map(formatIssue).join('\n')).toMatch(/^c\.yaml:\d+: -: -: YAML syntax error/);
  });
});
