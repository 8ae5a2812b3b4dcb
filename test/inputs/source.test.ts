import { afterAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.js';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo } from '../../src/inputs/load.js';
import { formatIssue, type SourceWorkload, type SpecIssue } from '../../src/inputs/model.js';
import { resolveSource, selectorLabel } from '../../src/inputs/source.js';
import { canaryYaml, configMapYaml, deploymentYaml, removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

async function resolve(files: Record<string, string>): Promise<SourceWorkload | SpecIssue[]> {
  const inv = await loadRepo(await tempRepo(files), defaultConfig());
  expect(inv.errors.filter((i) => i.severity === 'error')).toEqual([]);
  expect(inv.canaries).toHaveLength(1);
  return resolveSource(inv, inv.canaries[0]!);
}
async function resolveOk(files: Record<string, string>): Promise<SourceWorkload> {
  const r = await resolve(files);
  if (Array.isArray(r)) throw new Error(r.map(formatIssue).join('\n'));
  return r;
}
async function resolveErr(files: Record<string, string>): Promise<string[]> {
  const r = await resolve(files);
  if (!Array.isArray(r)) throw new Error('expected issues');
  return r.map(formatIssue);
}

const secret = (name: string, type?: string, extra = '') =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: test\n${extra}${type ? `type: ${type}\n` : ''}data: {}\n`;

describe('resolveSource', () => {
  it('finds the workload next to the canary and its tracked ConfigMap and Secret', async () => {
    const src = await resolveOk({
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/deployment.yaml': deploymentYaml,
      'apps/podinfo/configmap.yaml': configMapYaml,
      'shared/secret.yaml': secret('podinfo-secret', 'Opaque'),
    });
    expect(src.origin).toEqual({ file: 'apps/podinfo/deployment.yaml', line: 1 });
    expect(src.object.metadata.name).toBe('podinfo');
    expect(src.configs.map((c) => `${c.value.kind}/${c.value.metadata.name} ${c.origin.file}`)).toEqual([
      'ConfigMap/podinfo-config apps/podinfo/configmap.yaml',
      'Secret/podinfo-secret shared/secret.yaml',
    ]);
    expect(src.autoscaler).toBeUndefined();
    expect(selectorLabel(src.object)).toEqual({ key: 'app', value: 'podinfo' });
  });

  it('tracks volumes, projected sources and init containers; filters secret types and opt-outs', async () => {
    const deployment = deploymentYaml.replace(
      '      containers:\n',
      `      volumes:
        - name: a
          configMap:
            name: vol-cm
        - name: b
          secret:
            secretName: tls
        - name: c
          projected:
            sources:
              - configMap:
                  name: projected-cm
              - secret:
                  name: registry
      initContainers:
        - name: init
          image: busybox
          envFrom:
            - secretRef:
                name: basic
      containers:
`,
    );
    const cm = (name: string, extra = '') =>
      configMapYaml.replace('podinfo-config', name).replace('\ndata:', `\n${extra}data:`);
    const src = await resolveOk({
      'app/canary.yaml': canaryYaml,
      'app/deployment.yaml': deployment,
      'app/configs.yaml': [
        cm('vol-cm'),
        cm('projected-cm'),
        cm('podinfo-config', '  annotations:\n    flagger.app/config-tracking: disabled\n'),
        secret('tls', 'kubernetes.io/tls'),
        secret('registry', 'kubernetes.io/dockerconfigjson'),
        secret('basic', 'kubernetes.io/basic-auth'),
      ].join('---\n'),
    });
    expect(src.configs.map((c) => `${c.value.kind}/${c.value.metadata.name}`)).toEqual([
      'ConfigMap/projected-cm',
      'ConfigMap/vol-cm',
      'Secret/basic',
      'Secret/tls',
    ]);
  });

  it('prefers the folder of the canary, then searches the repository', async () => {
    const src = await resolveOk({
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/deployment.yaml': deploymentYaml,
      'apps/other/deployment.yaml': deploymentYaml,
    });
    expect(src.origin.file).toBe('apps/podinfo/deployment.yaml');
    const far = await resolveOk({
      'apps/podinfo/canary.yaml': canaryYaml,
      'base/deployment.yaml': deploymentYaml,
    });
    expect(far.origin.file).toBe('base/deployment.yaml');
  });

  it('reports a missing target at spec.targetRef.name (other namespaces do not count)', async () => {
    expect(
      await resolveErr({
        'apps/podinfo/canary.yaml': canaryYaml,
        'apps/podinfo/deployment.yaml': deploymentYaml.replace('namespace: test', 'namespace: prod'),
      }),
    ).toEqual([
      "apps/podinfo/canary.yaml:10: test/podinfo: spec.targetRef.name: Deployment test/podinfo not found in the repository (looked in 'apps/podinfo' first)",
    ]);
  });

  it('reports an ambiguous target naming both files', async () => {
    expect(
      await resolveErr({
        'apps/podinfo/canary.yaml': canaryYaml,
        'base/a.yaml': deploymentYaml,
        'overlays/b.yaml': `${configMapYaml}---\n${deploymentYaml}`,
      }),
    ).toEqual([
      'apps/podinfo/canary.yaml:10: test/podinfo: spec.targetRef.name: Deployment test/podinfo is ambiguous: found in base/a.yaml:1 and overlays/b.yaml:9',
    ]);
  });

  it('matches the target kind', async () => {
    const errs = await resolveErr({
      'app/canary.yaml': canaryYaml.replace('kind: Deployment', 'kind: DaemonSet'),
      'app/deployment.yaml': deploymentYaml,
    });
    expect(errs).toEqual([
      "app/canary.yaml:10: test/podinfo: spec.targetRef.name: DaemonSet test/podinfo not found in the repository (looked in 'app' first)",
    ]);
  });

  it('does not support core Service targets yet', async () => {
    const errs = await resolveErr({
      'app/canary.yaml': canaryYaml.replace('kind: Deployment', 'kind: Service'),
      'app/deployment.yaml': deploymentYaml,
    });
    expect(errs).toEqual([
      'app/canary.yaml:9: test/podinfo: spec.targetRef.kind: kind Service targets are not supported yet; use Deployment or DaemonSet (or a Knative Service, apiVersion serving.knative.dev/v1)',
    ]);
  });

  describe('a Knative Service target', () => {
    const knativeCanary = canaryYaml
      .replace(
        'apiVersion: apps/v1\n    kind: Deployment',
        'apiVersion: serving.knative.dev/v1\n    kind: Service',
      )
      .replace('spec:\n', 'spec:\n  provider: knative\n');
    const service = (template: string) =>
      `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: podinfo\n  namespace: test\nspec:\n  template:\n${template}    spec:\n      containers:\n        - image: podinfo:1\n`;
    // A core Service of the same name is not the target.
    const coreService =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\n  namespace: test\nspec:\n  ports:\n    - port: 80\n';

    it('resolves the Knative Service that names its revision, never a core Service', async () => {
      const src = await resolveOk({
        'app/canary.yaml': knativeCanary,
        'app/service.yaml': service('    metadata:\n      name: podinfo-v1\n'),
        'app/core.yaml': coreService,
      });
      expect(src.object.apiVersion).toBe('serving.knative.dev/v1');
      expect(src.origin.file).toBe('app/service.yaml');
      expect(src.configs).toEqual([]);
    });

    it('requires spec.template.metadata.name, with the Service name as prefix', async () => {
      expect(await resolveErr({ 'app/canary.yaml': knativeCanary, 'app/service.yaml': service('') })).toEqual(
        [
          expect.stringMatching(
            /^app\/service\.yaml:\d+: test\/podinfo: spec\.template\.metadata\.name: must name the revision .*cannot read the names Knative generates from Git$/,
          ),
        ],
      );
      expect(
        await resolveErr({
          'app/canary.yaml': knativeCanary,
          'app/service.yaml': service('    metadata:\n      name: web-v1\n'),
        }),
      ).toEqual([
        expect.stringContaining('spec.template.metadata.name: "web-v1" must start with "podinfo-"'),
      ]);
    });

    it('needs provider knative', async () => {
      const errs = await resolveErr({
        'app/canary.yaml': knativeCanary.replace('  provider: knative\n', ''),
        'app/service.yaml': service('    metadata:\n      name: podinfo-v1\n'),
      });
      expect(errs).toEqual([
        expect.stringContaining('spec.provider: a Knative Service target needs provider knative, not istio'),
      ]);
    });
  });

  it('requires a known selector label on the workload', async () => {
    const workload = deploymentYaml.replace(
      '    matchLabels:\n      app: podinfo',
      '    matchLabels:\n      tier: web',
    );
    const errs = await resolveErr({ 'app/canary.yaml': canaryYaml, 'app/deployment.yaml': workload });
    expect(errs).toEqual([
      'app/deployment.yaml:8: test/podinfo: spec.selector.matchLabels: must contain one of app, name, app.kubernetes.io/name',
    ]);
    const inv = await loadRepo(await tempRepo({ 'c.yaml': canaryYaml, 'd.yaml': workload }), defaultConfig());
    expect(() => selectorLabel(inv.objects[0]!.value)).toThrow(SpecError);
  });

  it('picks the first selector label in Flagger order', async () => {
    const workload = deploymentYaml.replace(
      '      app: podinfo',
      '      app.kubernetes.io/name: pi\n      name: podinfo-n',
    );
    const src = await resolveOk({ 'app/canary.yaml': canaryYaml, 'app/deployment.yaml': workload });
    expect(selectorLabel(src.object)).toEqual({ key: 'name', value: 'podinfo-n' });
  });

  it('finds the autoscaler or reports it at spec.autoscalerRef.name', async () => {
    const canary = canaryYaml.replace(
      '  service:\n',
      '  autoscalerRef:\n    apiVersion: autoscaling/v2\n    kind: HorizontalPodAutoscaler\n    name: podinfo\n  service:\n',
    );
    const hpa =
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: podinfo\n  namespace: test\nspec: {}\n';
    const src = await resolveOk({
      'app/canary.yaml': canary,
      'app/deployment.yaml': deploymentYaml,
      'app/hpa.yaml': hpa,
    });
    expect(src.autoscaler?.origin.file).toBe('app/hpa.yaml');
    const errs = await resolveErr({
      'app/canary.yaml': canary,
      'app/deployment.yaml': deploymentYaml,
      'app/hpa.yaml': hpa.replace('HorizontalPodAutoscaler', 'ScaledObject'),
    });
    expect(errs).toEqual([
      "app/canary.yaml:14: test/podinfo: spec.autoscalerRef.name: HorizontalPodAutoscaler test/podinfo not found in the repository (looked in 'app' first)",
    ]);
  });
});
