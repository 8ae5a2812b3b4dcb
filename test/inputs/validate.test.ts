import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo } from '../../src/inputs/load.js';
import { formatIssue } from '../../src/inputs/model.js';
import { canaryYaml, removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

const load = async (canary: string, more: Record<string, string> = {}) =>
  loadRepo(await tempRepo({ 'app/canary.yaml': canary, ...more }), defaultConfig());
const issues = async (canary: string, more: Record<string, string> = {}) =>
  (await load(canary, more)).errors.map(formatIssue);
const p = 'app/canary.yaml';

describe('canary rules', () => {
  it('requires interval, threshold and one of iterations / stepWeight / stepWeights', async () => {
    const text = canaryYaml.replace('    threshold: 5\n', '').replace('    stepWeight: 10\n', '');
    expect(await issues(text)).toEqual([
      `${p}:13: test/podinfo: spec.analysis: must set threshold`,
      `${p}:13: test/podinfo: spec.analysis: must set exactly one of iterations, stepWeight or stepWeights (none is set)`,
    ]);
  });

  it('rejects two progression modes', async () => {
    const inv = await load(canaryYaml.replace('stepWeight: 10', 'stepWeight: 10\n    iterations: 5'));
    expect(inv.canaries).toEqual([]);
    expect(inv.errors.map(formatIssue)).toEqual([
      `${p}:13: test/podinfo: spec.analysis: must set exactly one of iterations, stepWeight or stepWeights (found iterations, stepWeight)`,
    ]);
  });

  it('requires a query or templateRef for non-builtin metrics; warns on deprecated threshold', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n      - name: errors\n        threshold: 1\n',
    );
    expect(await issues(text)).toEqual([
      `${p}:23: test/podinfo: spec.analysis.metrics.1: metric "errors" needs a query or a templateRef (built in: request-success-rate, request-duration)`,
      `${p}:24: test/podinfo: spec.analysis.metrics.1.threshold: deprecated: use thresholdRange`,
    ]);
  });

  it('refuses a canary whose template metric cannot be queried, naming the field', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n      - name: latency\n        interval: 1m\n        templateRef:\n          name: latency\n      - name: shared\n        interval: 1m\n        templateRef:\n          name: shared\n          namespace: flagger\n',
    );
    const template = (name: string, ns: string, type = 'prometheus', query = 'up') =>
      `apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  provider:\n    type: ${type}\n    address: http://prometheus:9090\n  query: ${query}\n`;
    const missing = await load(text, { 'policies/latency.yaml': template('latency', 'other') });
    expect(missing.canaries).toEqual([]);
    expect(missing.errors.map(formatIssue)).toEqual([
      `${p}:26: test/podinfo: spec.analysis.metrics.1.templateRef.name: MetricTemplate test/latency not found; every analysis would fail this check`,
      `${p}:30: test/podinfo: spec.analysis.metrics.2.templateRef.name: MetricTemplate flagger/shared not found; every analysis would fail this check`,
    ]);
    const datadog = await load(text, {
      'policies/latency.yaml': template('latency', 'test', 'datadog'),
      'policies/shared.yaml': template(
        'shared',
        'flagger',
        'prometheus',
        '\'rate(x{a="{{ variables.nope }}"}[1m])\'',
      ),
    });
    expect(datadog.errors.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^app\/canary.yaml:30: test\/podinfo: spec.analysis.metrics.2.templateRef.name: MetricTemplate flagger\/shared: query render error: .*nope.*; every analysis would fail this check$/,
      ),
    ]);
    const found = await load(text, {
      'policies/latency.yaml': template('latency', 'test'),
      'policies/shared.yaml': template('shared', 'flagger'),
    });
    expect(found.errors).toEqual([]);
    expect(found.canaries).toHaveLength(1);
  });

  it('refuses a template metric using {{ interval }} without an interval', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n      - name: latency\n        templateRef:\n          name: latency\n',
    );
    const template =
      'apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata:\n  name: latency\n  namespace: test\nspec:\n  provider:\n    type: prometheus\n    address: http://prometheus:9090\n  query: rate(x[{{ interval }}])\n';
    const inv = await load(text, { 'policies/latency.yaml': template });
    expect(inv.errors.map(formatIssue)).toEqual([
      `${p}:23: test/podinfo: spec.analysis.metrics.1: MetricTemplate test/latency uses {{ interval }} but this metric sets no interval: it renders empty and the query cannot run; set interval (e.g. 1m)`,
    ]);
  });

  it('refuses a thresholdRange no value can satisfy', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n      - name: request-duration\n        interval: 1m\n        thresholdRange:\n          min: 99\n          max: 50\n',
    );
    const inv = await load(text);
    expect(inv.canaries).toEqual([]);
    expect(inv.errors.map(formatIssue)).toEqual([
      expect.stringMatching(
        /spec.analysis.metrics.1.thresholdRange: min 99 is above max 50: no value can pass/,
      ),
    ]);
  });

  it('a confirm gate is a valid webhook: no warning now that webhooks are called', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n    webhooks:\n      - name: approve\n        type: confirm-promotion\n        url: http://loadtester/gate/check\n',
    );
    const inv = await load(text);
    expect(inv.canaries).toHaveLength(1);
    expect(inv.errors).toEqual([]);
  });

  it('rejects equal session-affinity cookie names and warns on unordered stepWeights', async () => {
    const text = canaryYaml.replace(
      '    stepWeight: 10\n',
      '    stepWeights: [5, 20, 10]\n    sessionAffinity:\n      cookieName: c\n      primaryCookieName: c\n',
    );
    expect(await issues(text)).toEqual([
      `${p}:17: test/podinfo: spec.analysis.stepWeights: should be strictly ascending`,
      `${p}:20: test/podinfo: spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName`,
    ]);
  });

  it('reads the deprecated canaryAnalysis with a warning and applies the same rules', async () => {
    const ok = await load(canaryYaml.replace('  analysis:', '  canaryAnalysis:'));
    expect(ok.canaries).toHaveLength(1);
    expect(ok.canaries[0]?.warnings).toEqual([
      `${p}:13: test/podinfo: spec.canaryAnalysis: deprecated: use spec.analysis`,
    ]);
    const bad = canaryYaml.replace('  analysis:', '  canaryAnalysis:').replace('    threshold: 5\n', '');
    expect(await issues(bad)).toEqual([
      `${p}:13: test/podinfo: spec.canaryAnalysis: must set threshold`,
      `${p}:13: test/podinfo: spec.canaryAnalysis: deprecated: use spec.analysis`,
    ]);
  });
});
