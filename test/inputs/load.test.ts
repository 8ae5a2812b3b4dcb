import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, maxFileBytes, validateRepo } from '../../src/inputs/load.js';
import { formatIssue } from '../../src/inputs/model.js';
import { canaryYaml, configMapYaml, deploymentYaml, removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

const load = async (files: Record<string, string>) => loadRepo(await tempRepo(files), defaultConfig());
const formatted = (inv: { errors: Parameters<typeof formatIssue>[0][] }) => inv.errors.map(formatIssue);

describe('loadRepo', () => {
  it('loads a valid Istio canary with defaults', async () => {
    const inv = await load({
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/deployment.yaml': deploymentYaml,
      'apps/podinfo/configmap.yaml': configMapYaml,
    });
    expect(inv.errors).toEqual([]);
    expect(inv.canaries).toHaveLength(1);
    const c = inv.canaries[0]!;
    expect(c.ref).toEqual({ namespace: 'test', name: 'podinfo' });
    expect(c.origin).toEqual({ file: 'apps/podinfo/canary.yaml', line: 1 });
    expect(c.dir).toBe('apps/podinfo');
    expect(c.provider).toBe('istio');
    expect(c.warnings).toEqual([]);
    expect(c.canary.spec.analysis?.stepWeight).toBe(10);
    expect(inv.objects.map((o) => `${o.value.kind}/${o.value.metadata.name}`).sort()).toEqual([
      'ConfigMap/podinfo-config',
      'Deployment/podinfo',
    ]);
  });

  it('reads every document of a multi-document file with its own start line', async () => {
    const text = `# podinfo\n---\n${canaryYaml}---\n${deploymentYaml}---\n${configMapYaml}`;
    const inv = await load({ 'podinfo.yaml': text });
    expect(inv.errors).toEqual([]);
    expect(inv.canaries[0]?.origin).toEqual({ file: 'podinfo.yaml', line: 3 });
    expect(inv.canaries[0]?.dir).toBe('');
    const lines = inv.objects.map((o) => o.origin.line);
    const deploymentLine = 3 + canaryYaml.split('\n').length;
    expect(lines).toEqual([deploymentLine, deploymentLine + deploymentYaml.split('\n').length]);
  });

  it('reports a wrong type at the line of the field and drops that canary', async () => {
    const inv = await load({
      'apps/podinfo/canary.yaml': canaryYaml.replace('stepWeight: 10', 'stepWeight: ten'),
    });
    expect(inv.canaries).toEqual([]);
    expect(formatted(inv)).toEqual([
      'apps/podinfo/canary.yaml:17: test/podinfo: spec.analysis.stepWeight: Invalid input: expected number, received string',
    ]);
  });

  it('reports a missing required field at the nearest existing parent', async () => {
    const inv = await load({ 'c.yaml': canaryYaml.replace('    port: 9898\n', '    name: web\n') });
    expect(formatted(inv)).toEqual([
      'c.yaml:11: test/podinfo: spec.service.port: Invalid input: expected number, received undefined',
    ]);
  });

  it('warns about an unknown field but still loads the canary', async () => {
    const inv = await load({
      'c.yaml': canaryYaml.replace('stepWeight: 10', 'stepWeight: 10\n    stepWieght: 5'),
    });
    const expected = 'c.yaml:18: test/podinfo: spec.analysis.stepWieght: unknown field (ignored)';
    expect(inv.canaries).toHaveLength(1);
    expect(inv.canaries[0]?.warnings).toEqual([expected]);
    expect(inv.errors).toEqual([
      expect.objectContaining({ severity: 'warning', line: 18, path: 'spec.analysis.stepWieght' }),
    ]);
    expect(inv.canaries[0]?.canary.spec.analysis).not.toHaveProperty('stepWieght');
  });

  it('keeps an unknown field an error-free warning even next to a real error', async () => {
    const text = canaryYaml
      .replace('stepWeight: 10', 'stepWeight: 10\n    bogus: 1')
      .replace('port: 9898', 'port: -1');
    const inv = await load({ 'c.yaml': text });
    expect(inv.canaries).toEqual([]);
    expect(inv.errors.map((i) => [i.severity, i.line, i.path])).toEqual([
      ['error', 12, 'spec.service.port'],
      ['warning', 18, 'spec.analysis.bogus'],
    ]);
  });

  it('loads the good canary when another one is bad', async () => {
    const inv = await load({
      'apps/bad/canary.yaml': canaryYaml
        .replace('name: podinfo\n  namespace', 'name: bad\n  namespace')
        .replace('interval: 1m\n    threshold', 'interval: soon\n    threshold'),
      'apps/good/canary.yaml': canaryYaml,
    });
    expect(inv.canaries.map((c) => c.ref.name)).toEqual(['podinfo']);
    expect(formatted(inv)).toEqual([
      'apps/bad/canary.yaml:14: test/bad: spec.analysis.interval: must start with digits followed by m or s (Flagger\'s pattern ^[0-9]+(m|s)), e.g. 30s, 1m or 1m30s; got "soon"',
    ]);
  });

  it('reports YAML syntax errors with file and line and keeps the other documents', async () => {
    const inv = await load({
      'broken.yaml': `${configMapYaml}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\ndata: {}\n`,
    });
    expect(inv.objects.map((o) => o.value.metadata.name)).toEqual(['podinfo-config']);
    expect(inv.errors.length).toBeGreaterThan(0);
    expect(inv.errors[0]).toMatchObject({ file: 'broken.yaml', severity: 'error', path: '-' });
    expect(inv.errors[0]?.line).toBeGreaterThanOrEqual(11);
    expect(inv.errors[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it('bounds alias expansion: an alias bomb is an error, quickly', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  ${levels.join('\n  ')}\n`;
    const started = Date.now();
    const inv = await load({ 'bomb.yaml': bomb, 'cm.yaml': configMapYaml });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(inv.objects.map((o) => o.value.metadata.name)).toEqual(['podinfo-config']);
    expect(formatted(inv)).toEqual([
      'bomb.yaml:1: -: -: cannot read document: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('skips a file over the size limit', async () => {
    const huge = `${configMapYaml}  padding: "${'x'.repeat(maxFileBytes)}"\n`;
    const inv = await load({ 'huge.yaml': huge, 'apps/podinfo/canary.yaml': canaryYaml });
    expect(inv.objects).toEqual([]);
    expect(inv.canaries).toHaveLength(1);
    expect(inv.errors).toEqual([
      expect.objectContaining({
        file: 'huge.yaml',
        line: 1,
        severity: 'error',
        message: expect.stringMatching(/limit; skipped$/),
      }),
    ]);
  });

  it('rejects duplicate canaries in both files, naming the other', async () => {
    const inv = await load({ 'a/canary.yaml': canaryYaml, 'b/canary.yaml': canaryYaml });
    expect(inv.canaries).toEqual([]);
    expect(formatted(inv)).toEqual([
      'a/canary.yaml:4: test/podinfo: metadata.name: duplicate Canary test/podinfo: also defined in b/canary.yaml:1',
      'b/canary.yaml:4: test/podinfo: metadata.name: duplicate Canary test/podinfo: also defined in a/canary.yaml:1',
    ]);
  });

  it('allows one canary per folder', async () => {
    const other = canaryYaml.replace('name: podinfo\n  namespace', 'name: other\n  namespace');
    const inv = await load({ 'app/a.yaml': canaryYaml, 'app/b.yaml': other });
    expect(inv.canaries.map((c) => c.ref.name)).toEqual(['podinfo']);
    expect(formatted(inv)).toEqual([
      'app/b.yaml:4: test/other: metadata.name: one Canary per folder: app/a.yaml already holds test/podinfo',
    ]);
  });

  it('inherits the namespace of the nearest kustomization.yaml, else default', async () => {
    const noNs = (s: string) => s.replace('  namespace: test\n', '');
    const inv = await load({
      'apps/kustomization.yaml': 'namespace: apps\nresources: []\n',
      'apps/podinfo/canary.yaml': noNs(canaryYaml),
      'apps/podinfo/deployment.yaml': noNs(deploymentYaml),
      'apps/other/kustomization.yml': 'namespace: other\n',
      'apps/other/cm.yaml': noNs(configMapYaml),
      'loose/cm.yaml': noNs(configMapYaml).replace('podinfo-config', 'loose'),
      'explicit.yaml': configMapYaml.replace('podinfo-config', 'explicit'),
    });
    expect(inv.errors).toEqual([]);
    expect(inv.canaries[0]?.ref).toEqual({ namespace: 'apps', name: 'podinfo' });
    expect(inv.canaries[0]?.canary.metadata.namespace).toBe('apps');
    const ns = Object.fromEntries(
      inv.objects.map((o) => [o.value.metadata.name, o.value.metadata.namespace]),
    );
    expect(ns).toEqual({ podinfo: 'apps', 'podinfo-config': 'other', loose: 'default', explicit: 'test' });
  });

  it('ignores rendered folders, status files, .git, node_modules and excluded globs', async () => {
    const root = await tempRepo({
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/rendered/deployment.yaml': deploymentYaml,
      'apps/podinfo/podinfo.status.yaml': 'phase: [\n',
      '.git/x.yaml': 'bad: [\n',
      'node_modules/x/y.yaml': 'bad: [\n',
      'charts/t/deployment.yaml': 'bad: {{ .Values }}\n',
      'README.md': '# not yaml',
    });
    const inv = await loadRepo(root, { ...defaultConfig(), exclude: ['charts/**'] });
    expect(inv.errors).toEqual([]);
    expect(inv.objects).toEqual([]);
    expect(inv.canaries).toHaveLength(1);
  });

  it('uses spec.provider, else the configured mesh provider', async () => {
    const root = await tempRepo({
      'a/canary.yaml': canaryYaml,
      'b/canary.yaml': canaryYaml
        .replace('name: podinfo\n  namespace', 'name: b\n  namespace')
        .replace('spec:\n', 'spec:\n  provider: nginx\n'),
    });
    const inv = await loadRepo(root, { ...defaultConfig(), meshProvider: 'linkerd' });
    expect(inv.canaries.map((c) => c.provider)).toEqual(['linkerd', 'nginx']);
  });

  it('loads MetricTemplates and AlertProviders and validates them', async () => {
    const inv = await load({
      'policies/templates.yaml': `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: latency
spec:
  provider:
    type: prometheus
  query: histogram_quantile(0.99, rate(x[{{ interval }}]))
---
apiVersion: flagger.app/v1beta1
kind: AlertProvider
metadata:
  name: slack
spec:
  type: pager
`,
    });
    expect(inv.templates.map((t) => `${t.value.metadata.namespace}/${t.value.metadata.name}`)).toEqual([
      'default/latency',
    ]);
    expect(inv.alertProviders).toEqual([]);
    expect(inv.errors).toEqual([
      expect.objectContaining({
        file: 'policies/templates.yaml',
        line: 15,
        object: 'default/slack',
        path: 'spec.type',
      }),
    ]);
  });

  it('validateRepo adds source problems, sorted by file and line', async () => {
    const inv = await load({
      'b/canary.yaml': canaryYaml
        .replace('name: podinfo\n  namespace', 'name: b\n  namespace')
        .replace('    name: podinfo\n  service', '    name: missing\n  service'),
      'a/canary.yaml': canaryYaml.replace('stepWeight: 10', 'stepWeight: 10\n    typo: 1'),
      'a/deployment.yaml': deploymentYaml,
    });
    expect(validateRepo(inv).map(formatIssue)).toEqual([
      'a/canary.yaml:18: test/podinfo: spec.analysis.typo: unknown field (ignored)',
      "b/canary.yaml:10: test/b: spec.targetRef.name: Deployment test/missing not found in the repository (looked in 'b' first)",
    ]);
  });
});
