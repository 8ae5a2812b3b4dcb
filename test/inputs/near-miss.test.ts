/**
 * Documents almost of a Flagger kind (a wrong version, a misspelt kind, invisible characters in the
 * `apiVersion`/`kind` keys or values) are errors naming the file, line, object and field with a
 * hint, never taken for unrelated objects; unrelated objects stay silent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';
import { formatIssue } from '../../src/inputs/model.js';
import { editDistance, flaggerKindLike } from '../../src/inputs/near-miss.js';
import { canaryYaml, deploymentYaml, gitMode, removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

/** The valid podinfo canary renamed `bad`: `apiVersion` on line 1, `kind` on line 2. */
const bad = canaryYaml.replace('name: podinfo\n  namespace', 'name: bad\n  namespace');
const withApiVersion = (v: string) => bad.replace('apiVersion: flagger.app/v1beta1', `apiVersion: ${v}`);
const withKind = (k: string) => bad.replace('kind: Canary\n', `kind: ${k}\n`);

/** Loads `text` as bad/doc.yaml next to the valid podinfo canary and its Deployment. */
async function loadNextToPodinfo(text: string) {
  const inv = await loadRepo(
    await tempRepo({
      'bad/doc.yaml': text,
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/deployment.yaml': deploymentYaml,
    }),
    defaultConfig(),
  );
  return { inv, issues: validateRepo(inv).map(formatIssue) };
}

describe('near-miss Flagger documents', () => {
  it.each([
    [
      'apiVersion flagger.app/v1beta2',
      withApiVersion('flagger.app/v1beta2'),
      '1: test/bad: apiVersion: apiVersion: flagger.app/v1beta2 is not served by Flagger; use flagger.app/v1beta1',
    ],
    [
      'apiVersion flagger.app/v1',
      withApiVersion('flagger.app/v1'),
      '1: test/bad: apiVersion: apiVersion: flagger.app/v1 is not served by Flagger; use flagger.app/v1beta1',
    ],
    [
      'apiVersion flagger.app without a version',
      withApiVersion('flagger.app'),
      '1: test/bad: apiVersion: apiVersion: flagger.app is not served by Flagger; use flagger.app/v1beta1',
    ],
    [
      'a one-edit typo of the group',
      withApiVersion('flager.app/v1beta1'),
      '1: test/bad: apiVersion: apiVersion: flager.app/v1beta1 is not served by Flagger; use flagger.app/v1beta1',
    ],
    [
      'the group in another case',
      withApiVersion('Flagger.app/v1beta1'),
      '1: test/bad: apiVersion: apiVersion: Flagger.app/v1beta1 is not served by Flagger; use flagger.app/v1beta1',
    ],
    [
      'no apiVersion at all',
      bad.replace('apiVersion: flagger.app/v1beta1\n', ''),
      '1: test/bad: apiVersion: apiVersion is missing; use flagger.app/v1beta1',
    ],
    [
      'kind Canery',
      withKind('Canery'),
      '2: test/bad: kind: kind: "Canery" is not a Flagger kind; did you mean Canary?',
    ],
    [
      'kind canary',
      withKind('canary'),
      '2: test/bad: kind: kind: "canary" is not a Flagger kind; did you mean Canary?',
    ],
    [
      'kind Canaries',
      withKind('Canaries'),
      '2: test/bad: kind: kind: "Canaries" is not a Flagger kind; did you mean Canary?',
    ],
    [
      'kind Cnaary (two letters swapped)',
      withKind('Cnaary'),
      '2: test/bad: kind: kind: "Cnaary" is not a Flagger kind; did you mean Canary?',
    ],
    [
      'kind AlertProvidr',
      withKind('AlertProvidr'),
      '2: test/bad: kind: kind: "AlertProvidr" is not a Flagger kind; did you mean AlertProvider?',
    ],
    [
      'an unknown kind in the flagger.app group',
      withKind('Rollout'),
      '2: test/bad: kind: kind: "Rollout" is not a Flagger kind; Flagger kinds are Canary, MetricTemplate, AlertProvider',
    ],
    [
      'no kind at all',
      bad.replace('kind: Canary\n', ''),
      '1: test/bad: kind: kind is missing; Flagger kinds are Canary, MetricTemplate, AlertProvider',
    ],
    [
      'key Kind',
      bad.replace('kind: Canary', 'Kind: Canary'),
      '2: test/bad: kind: key "Kind" must be spelled kind',
    ],
    [
      'BOM inside the apiVersion key',
      bad.replace('apiVersion:', 'api\uFEFFVersion:'),
      '1: test/bad: apiVersion: key "api\\uFEFFVersion" contains an invisible character U+FEFF',
    ],
    [
      'soft hyphen inside the kind key',
      bad.replace('kind:', 'ki\u00ADnd:'),
      '2: test/bad: kind: key "ki\\u00ADnd" contains an invisible character U+00AD',
    ],
    [
      'zero-width space after the kind',
      withKind('Canary\u200B'),
      '2: test/bad: kind: kind: "Canary\\u200B" contains an invisible character U+200B',
    ],
    [
      'NBSP after the kind',
      withKind('Canary\u00A0'),
      '2: test/bad: kind: kind: "Canary\\u00A0" contains an invisible character U+00A0',
    ],
    [
      'zero-width joiner inside the apiVersion',
      withApiVersion('flagger\u200D.app/v1beta1'),
      '1: test/bad: apiVersion: apiVersion: "flagger\\u200D.app/v1beta1" contains an invisible character U+200D',
    ],
    [
      'a tag character (outside the BMP) inside the kind',
      withKind('Can\u{E0061}ary'),
      '2: test/bad: kind: kind: "Can\\u{E0061}ary" contains an invisible character U+E0061',
    ],
  ])('%s', async (_title, text, expected) => {
    const { inv, issues } = await loadNextToPodinfo(text);
    expect(issues).toEqual([`bad/doc.yaml:${expected}`]);
    expect(inv.errors).toEqual([expect.objectContaining({ file: 'bad/doc.yaml', severity: 'error' })]);
    expect(inv.canaries.map((c) => c.ref.name)).toEqual(['podinfo']);
    expect(inv.objects.map((o) => o.value.kind)).toEqual(['Deployment']);
  });

  it('a MetricTemplate under flagger.app/v1alpha1', async () => {
    const text = `apiVersion: flagger.app/v1alpha1
kind: MetricTemplate
metadata:
  name: latency
  namespace: istio-system
spec:
  provider: { type: prometheus }
  query: up
`;
    const { inv, issues } = await loadNextToPodinfo(text);
    expect(issues).toEqual([
      'bad/doc.yaml:1: istio-system/latency: apiVersion: apiVersion: flagger.app/v1alpha1 is not served by Flagger; use flagger.app/v1beta1',
    ]);
    expect(inv.templates).toEqual([]);
    expect(inv.canaries).toHaveLength(1);
  });

  it('reports each problem of one document, and the namespace of the kustomization', async () => {
    const text = bad.replace('  namespace: test\n', '').replace('kind: Canary', 'kind: Canery\u200B');
    const inv = await loadRepo(
      await tempRepo({ 'bad/kustomization.yaml': 'namespace: apps\n', 'bad/doc.yaml': text }),
      defaultConfig(),
    );
    expect(inv.errors.map(formatIssue)).toEqual([
      'bad/doc.yaml:2: apps/bad: kind: kind: "Canery\\u200B" contains an invisible character U+200B',
      'bad/doc.yaml:2: apps/bad: kind: kind: "Canery" is not a Flagger kind; did you mean Canary?',
    ]);
  });

  it('cuts a long value in the message', async () => {
    const { issues } = await loadNextToPodinfo(withApiVersion(`flagger.app/v${'9'.repeat(5000)}`));
    expect(issues).toEqual([
      `bad/doc.yaml:1: test/bad: apiVersion: apiVersion: flagger.app/v${'9'.repeat(67)}… is not served by Flagger; use flagger.app/v1beta1`,
    ]);
  });

  it('names no object when the document has no name', async () => {
    const { issues } = await loadNextToPodinfo('apiVersion: flagger.app/v1beta2\nkind: Canary\nspec: {}\n');
    expect(issues).toEqual([
      'bad/doc.yaml:1: -: apiVersion: apiVersion: flagger.app/v1beta2 is not served by Flagger; use flagger.app/v1beta1',
    ]);
  });

  it('reports a near miss in a multi-document file at its own line and loads the rest', async () => {
    const text = `${deploymentYaml.replace('name: podinfo\n  namespace', 'name: other\n  namespace')}---\n${withKind('Canery')}`;
    const { inv, issues } = await loadNextToPodinfo(text);
    // The Deployment's lines, `---`, `apiVersion:`, then `kind:`.
    const line = deploymentYaml.split('\n').length - 1 + 3;
    expect(issues).toEqual([
      `bad/doc.yaml:${line}: test/bad: kind: kind: "Canery" is not a Flagger kind; did you mean Canary?`,
    ]);
    expect(inv.objects.map((o) => o.value.metadata.name).sort()).toEqual(['other', 'podinfo']);
  });
});

describe('unrelated objects stay silent', () => {
  it.each([
    ['a Deployment', deploymentYaml.replace('name: podinfo\n  namespace', 'name: web\n  namespace')],
    [
      'a HorizontalPodAutoscaler',
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: web }\nspec: { minReplicas: 1, maxReplicas: 3 }\n',
    ],
    [
      'a Service',
      'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n',
    ],
    [
      'an Argo Rollouts Rollout',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: web }\nspec: { replicas: 1 }\n',
    ],
    [
      'a kind Canary of another group',
      'apiVersion: argoproj.io/v1alpha1\nkind: Canary\nmetadata: { name: web }\nspec: {}\n',
    ],
    [
      'a kind Canary of a group two edits from flagger.app',
      'apiVersion: flagr.app/v1beta1\nkind: Canary\nmetadata: { name: web }\nspec: {}\n',
    ],
    [
      'a Flux Alert and Provider',
      'apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata: { name: slack }\n---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: { name: web }\n',
    ],
    [
      "Flagger's own CustomResourceDefinition",
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: canaries.flagger.app }\nspec:\n  group: flagger.app\n  names: { kind: Canary, plural: canaries }\n',
    ],
    [
      'an invisible character in an unrelated kind',
      'apiVersion: v1\nkind: ConfigMap\u200B\nmetadata: { name: web }\n',
    ],
  ])('%s', async (_title, text) => {
    const { inv, issues } = await loadNextToPodinfo(text);
    expect(issues).toEqual([]);
    // In a git working tree, objects no canary references are not read at all.
    expect(inv.objects.length).toBeGreaterThan(gitMode() ? 0 : 1);
    expect(inv.canaries).toHaveLength(1);
  });

  it('a kustomization and plain data files', async () => {
    const { inv, issues } = await loadNextToPodinfo(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\n---\nkind: values\nimage: { tag: "1.0" }\n---\n- a\n- b\n',
    );
    expect(issues).toEqual([]);
    expect(inv.objects.map((o) => o.value.kind)).toEqual(['Deployment']);
  });
});

describe('the helpers', () => {
  it.each([
    ['same', 'canary', 'canary', 0],
    ['one substitution', 'canery', 'canary', 1],
    ['two neighbours swapped', 'cnaary', 'canary', 1],
    ['a swap in the group', 'flgager.app', 'flagger.app', 1],
    ['over the bound', 'canaries', 'canary', 3],
    ['10,000 characters, at once', 'x'.repeat(10_000), 'canary', 3],
  ])('editDistance, %s', (_title, a, b, d) => {
    expect(editDistance(a, b, 2)).toBe(d);
  });

  it.each([
    ['Canary', 'Canary'],
    ['CANARY', 'Canary'],
    ['Canaries', 'Canary'],
    ['canarys', 'Canary'],
    ['MetricTemplates', 'MetricTemplate'],
    ['metric-template', 'MetricTemplate'],
    ['alertprovider', 'AlertProvider'],
    ['Cnry', undefined],
    ['Deployment', undefined],
    ['Rollout', undefined],
    ['Provider', undefined],
  ])('flaggerKindLike(%j) === %j', (kind, expected) => {
    expect(flaggerKindLike(kind)).toBe(expected);
  });
});
