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

  it('warns when a templateRef names no MetricTemplate, using the canary namespace by default', async () => {
    const text = canaryYaml.replace(
      '        interval: 1m\n',
      '        interval: 1m\n      - name: latency\n        templateRef:\n          name: latency\n      - name: shared\n        templateRef:\n          name: shared\n          namespace: flagger\n',
    );
    const template = (name: string, ns: string) =>
      `apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  provider:\n    type: prometheus\n  query: up\n`;
    const missing = await load(text, { 'policies/latency.yaml': template('latency', 'other') });
    expect(missing.canaries).toHaveLength(1);
    expect(missing.canaries[0]?.warnings).toEqual([
      `${p}:25: test/podinfo: spec.analysis.metrics.1.templateRef.name: MetricTemplate test/latency not found in the repository; the check will fail at runtime`,
      `${p}:28: test/podinfo: spec.analysis.metrics.2.templateRef.name: MetricTemplate flagger/shared not found in the repository; the check will fail at runtime`,
    ]);
    expect(missing.errors.every((i) => i.severity === 'warning')).toBe(true);
    const found = await load(text, {
      'policies/latency.yaml': template('latency', 'test'),
      'policies/shared.yaml': template('shared', 'flagger'),
    });
    expect(found.errors).toEqual([]);
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
