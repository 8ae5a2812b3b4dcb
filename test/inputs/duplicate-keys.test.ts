/**
 * Duplicate mapping keys: found by the loader's own linear check (yaml's `uniqueKeys` is quadratic),
 * reported as before (`YAML syntax error: Map keys must be unique`, the document skipped) with the
 * line and dot path of the repeated key; and documents of 100,000 keys or items load.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { defaultConfig } from '../../src/inputs/config.js';
import { duplicateKeys, loadRepo, maxDuplicateKeys, validateRepo } from '../../src/inputs/load.js';
import { formatIssue } from '../../src/inputs/model.js';
import { canaryYaml, configMapYaml, deploymentYaml, removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

const load = async (files: Record<string, string>) => {
  const inv = await loadRepo(await tempRepo(files), defaultConfig());
  return { inv, issues: validateRepo(inv).map(formatIssue) };
};

describe('duplicate keys', () => {
  it('reports the repeated key with its line and path and skips that document only', async () => {
    const text = `${canaryYaml.replace('stepWeight: 10', 'stepWeight: 10\n    stepWeight: 20')}---\n${configMapYaml}`;
    const { inv, issues } = await load({ 'c.yaml': text });
    expect(issues).toEqual([
      'c.yaml:18: -: spec.analysis.stepWeight: YAML syntax error: Map keys must be unique',
    ]);
    expect(inv.canaries).toEqual([]);
    expect(inv.objects.map((o) => o.value.metadata.name)).toEqual(['podinfo-config']);
  });

  it('inside flow mappings and list items', async () => {
    const text = canaryYaml
      .replace('  service:\n    port: 9898', '  service: {port: 9898, port: 9899}')
      .replace('- name: request-success-rate', '- name: request-success-rate\n        name: x');
    const { issues } = await load({ 'apps/podinfo/canary.yaml': text });
    expect(issues).toEqual([
      'apps/podinfo/canary.yaml:11: -: spec.service.port: YAML syntax error: Map keys must be unique',
      'apps/podinfo/canary.yaml:19: -: spec.analysis.metrics.0.name: YAML syntax error: Map keys must be unique',
    ]);
  });

  it('next to a syntax error, both are reported', async () => {
    const { issues } = await load({ 'x.yaml': 'a: 1\na: 2\nb: [\n' });
    expect(issues).toEqual([
      'x.yaml:2: -: a: YAML syntax error: Map keys must be unique',
      expect.stringMatching(/^x\.yaml:\d: -: -: YAML syntax error: /),
    ]);
  });

  it(`lists ${maxDuplicateKeys} duplicates of a document, then one summary`, async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `  k${i}: 1\n  k${i}: 2\n`).join('');
    const { issues } = await load({ 'cm.yaml': `${configMapYaml}${keys}` });
    expect(issues).toHaveLength(maxDuplicateKeys + 1);
    expect(issues[0]).toBe('cm.yaml:9: -: data.k0: YAML syntax error: Map keys must be unique');
    expect(issues[maxDuplicateKeys]).toBe(
      'cm.yaml:209: -: data.k100: YAML syntax error: Map keys must be unique; 50 duplicate keys from here on not listed',
    );
  });

  // What yaml's own `uniqueKeys` check reports, at the same offsets.
  it.each([
    ['block mapping', 'a: 1\nb: 2\na: 3\n'],
    ['nested', 'a:\n  b: 1\n  b: 2\nc: {d: 1, d: 2}\n'],
    ['in a list', '- {a: 1, a: 2}\n- a: 1\n  a: 2\n'],
    ['number and string keys differ', '1: a\n"1": b\n1.0: c\n'],
    ['null keys', '~: a\nnull: b\n: c\n'],
    ['booleans', 'true: a\nTrue: b\n"true": c\n'],
    ['NaN keys', '.nan: a\n.NaN: b\n'],
    ['complex keys never equal', '? [a]\n: 1\n? [a]\n: 2\n? {b: 1, b: 2}\n: 3\n'],
    ['anchors and aliases', 'a: &x {k: 1}\nb: *x\n&y c: 1\n*y : 2\nc: 3\n'],
    ['flow pairs in a list', '[a: 1, a: 2, {a: 1, a: 2}]\n'],
    ['YAML 1.1 merge keys', '%YAML 1.1\n---\nbase: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n  x: 2\n'],
    ['YAML 1.2 "<<" keys are plain', 'm:\n  <<: 1\n  <<: 2\n'],
    ['several documents', 'a: 1\na: 2\n---\nb: 1\nb: 2\n'],
  ])('the same duplicates as yaml: %s', (_title, text) => {
    const theirs = parseAllDocuments(text, { prettyErrors: false }).map((d) =>
      d.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]),
    );
    const ours = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false }).map((d) =>
      duplicateKeys(d).map((x) => x.offset),
    );
    expect(ours).toEqual(theirs);
  });

  it('names the path of each duplicate', () => {
    const doc = parseDocument('a: {b: [x, {c: 1, c: 2}]}\n"": 1\n"": 2\n', { uniqueKeys: false });
    expect(duplicateKeys(doc).map((d) => d.path)).toEqual([['a', 'b', 1, 'c'], ['']]);
  });
});

describe('documents of 100,000 keys or items', () => {
  const n = 100_000;
  const keys = Array.from({ length: n }, (_, i) => `q${i.toString(36)}`);

  it('a mapping of 100,000 keys with one repeated at the end: the duplicate is reported', {
    timeout: 60_000,
  }, async () => {
    const data = `${keys.map((k) => ` ${k}: v\n`).join('')} q0: w\n`;
    const text = configMapYaml.replace('data:\n  color: blue\n', `data:\n${data}`);
    const { inv, issues } = await load({
      'big/cm.yaml': text,
      'apps/podinfo/canary.yaml': canaryYaml,
      'apps/podinfo/deployment.yaml': deploymentYaml,
    });
    expect(issues).toEqual([`big/cm.yaml:${n + 7}: -: data.q0: YAML syntax error: Map keys must be unique`]);
    expect(inv.canaries.map((c) => c.ref.name)).toEqual(['podinfo']);
  });

  it('a Canary with 100,000 unknown keys loads, each key a warning at its line', {
    timeout: 60_000,
  }, async () => {
    const text = `${canaryYaml}${keys.map((k) => `${k}: 1\n`).join('')}`;
    const { inv } = await load({
      'apps/podinfo/canary.yaml': text,
      'apps/podinfo/deployment.yaml': deploymentYaml,
    });
    expect(inv.canaries).toHaveLength(1);
    expect(inv.errors).toHaveLength(n);
    expect(inv.errors.every((i) => i.severity === 'warning')).toBe(true);
    const first = canaryYaml.split('\n').length;
    expect(inv.errors.at(-1)).toMatchObject({ line: first + n - 1, path: keys.at(-1) });
  });

  it('a flat list of 100,000 items loads without an issue', { timeout: 60_000 }, async () => {
    const text = `${configMapYaml}items:\n${keys.map((k) => `- ${k}\n`).join('')}`;
    const { inv, issues } = await load({ 'big/cm.yaml': text });
    expect(issues).toEqual([]);
    expect(inv.objects[0]?.value['items']).toHaveLength(n);
  });
});
