import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { defaultConfig, loadConfig } from '../../src/inputs/config.js';
import { removeTempRepos, tempRepo } from './temp-repo.js';

afterAll(removeTempRepos);

const withConfig = async (text: string) => tempRepo({ 'gitcanary.yaml': text });
const failure = async (root: string, overrides = {}) => {
  const e = await loadConfig(root, overrides).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ConfigurationError);
  return (e as Error).message;
};

describe('loadConfig', () => {
  it('uses the defaults without gitcanary.yaml', async () => {
    const config = await loadConfig(await tempRepo({}), {});
    expect(config).toEqual({
      metricsServer: 'http://prometheus:9090',
      meshProvider: 'istio',
      include: ['**/*.yaml', '**/*.yml'],
      exclude: [],
      author: { name: 'gitcanary', email: 'gitcanary@users.noreply.github.com' },
      historyLimit: 50,
      prometheusTimeout: '5s',
      egress: { prometheusCredentials: [], secrets: { layout: 'namespaced', urls: {} } },
      limits: { responseBytes: 4 * 1024 * 1024 },
      contour: {},
      requests: { requireSigned: false },
      alerts: {},
      delivery: {
        mode: 'commit',
        pullRequestFor: { promotion: false },
        rollback: 'commit',
        direct: 'commit',
        onClosed: 'halt',
        mergeMethod: 'merge',
      },
    });
    expect(defaultConfig()).toEqual(config);
  });

  it('reads the file, fills the rest with defaults, and lets overrides win', async () => {
    const root = await withConfig(
      '# repo config\nmeshProvider: linkerd\nmetricsServer: http://prom.monitoring:9090\nexclude: [charts/**]\nauthor:\n  name: bot\nbranch: main\nhistoryLimit: 10\nprometheusTimeout: 1m30s\n',
    );
    const config = await loadConfig(root, {});
    expect(config).toMatchObject({
      meshProvider: 'linkerd',
      metricsServer: 'http://prom.monitoring:9090',
      exclude: ['charts/**'],
      author: { name: 'bot', email: 'gitcanary@users.noreply.github.com' },
      branch: 'main',
      historyLimit: 10,
      prometheusTimeout: '1m30s',
    });
    const overridden = await loadConfig(root, { meshProvider: 'nginx', metricsServer: undefined });
    expect(overridden.meshProvider).toBe('nginx');
    expect(overridden.metricsServer).toBe('http://prom.monitoring:9090');
    expect((await loadConfig(root, { metricsServer: 'https://m:443' })).metricsServer).toBe('https://m:443');
  });

  it('an empty file is the defaults', async () => {
    expect(await loadConfig(await withConfig('# nothing yet\n'), {})).toEqual(defaultConfig());
  });

  it('names the line and path of a bad provider and lists the valid ones', async () => {
    const message = await failure(await withConfig('historyLimit: 5\nmeshProvider: gatewayapi\n'));
    expect(message).toMatch(
      /^gitcanary\.yaml:2: meshProvider: unknown provider "gatewayapi"; valid: apisix, appmesh, /,
    );
    expect(message).toContain('gatewayapi:v1, gatewayapi:v1beta1');
  });

  it('lists every problem: unknown keys, nested fields, durations', async () => {
    const message = await failure(
      await withConfig('author:\n  name: bot\n  mail: x@y.z\nprometheusTimeout: soon\nhistoryLimit: 0\n'),
    );
    expect(message.split('\n')).toEqual([
      'gitcanary.yaml:3: author.mail: unknown field',
      'gitcanary.yaml:4: prometheusTimeout: must be a Go duration such as 5s or 1m30s',
      'gitcanary.yaml:5: historyLimit: Too small: expected number to be >=1',
    ]);
  });

  it('reports YAML syntax errors and a non-mapping file', async () => {
    expect(await failure(await withConfig('include: [a\nexclude: []\n'))).toMatch(
      /^gitcanary\.yaml:\d+: -: /,
    );
    expect(await failure(await withConfig('- a\n- b\n'))).toBe('gitcanary.yaml:1: -: must be a mapping');
  });

  it('validates overrides too', async () => {
    expect(await failure(await tempRepo({}), { meshProvider: 'envoy' })).toMatch(
      /^overrides: meshProvider: unknown provider "envoy"; valid: apisix, /,
    );
    expect(await failure(await tempRepo({}), { metricsServer: 'prometheus' })).toBe(
      'overrides: metricsServer: must be an http(s) URL',
    );
  });

  it('reads the delivery policy; --mode overrides its mode; a bad value names the field', async () => {
    const root = await withConfig(
      'delivery:\n  mode: pull-request\n  pullRequestFor:\n    weightAbove: 50\n    promotion: true\n  rollback: pull-request\n  onClosed: rollback\n',
    );
    expect((await loadConfig(root, {})).delivery).toEqual({
      mode: 'pull-request',
      pullRequestFor: { weightAbove: 50, promotion: true },
      rollback: 'pull-request',
      direct: 'commit',
      onClosed: 'rollback',
      mergeMethod: 'merge',
    });
    expect((await loadConfig(root, { mode: 'commit' })).delivery.mode).toBe('commit');
    const bad = await withConfig('delivery:\n  pullRequestFor:\n    weightAbove: 150\n');
    await expect(loadConfig(bad, {})).rejects.toThrow(
      /^gitcanary.yaml:3: delivery.pullRequestFor.weightAbove: /,
    );
  });

  it('reads the alerts fallback: one of address and secretRef, a known type', async () => {
    const root = await withConfig(
      'alerts:\n  fallback:\n    type: msteams\n    secretRef: { namespace: ops, name: teams }\n',
    );
    expect((await loadConfig(root, {})).alerts.fallback).toEqual({
      type: 'msteams',
      secretRef: { namespace: 'ops', name: 'teams' },
    });
    const both = await withConfig(
      'alerts:\n  fallback:\n    type: slack\n    address: https://hooks.slack.com/x\n    secretRef: { namespace: ops, name: s }\n',
    );
    await expect(loadConfig(both, {})).rejects.toThrow(
      /gitcanary.yaml:\d+: alerts.fallback: set exactly one of address and secretRef/,
    );
    const unknown = await withConfig('alerts:\n  fallback:\n    type: pager\n    address: https://p/\n');
    await expect(loadConfig(unknown, {})).rejects.toThrow(/alerts.fallback.type/);
  });

  it('reads another config file when asked, and names it in errors', async () => {
    const root = await tempRepo({ 'ops/canary.yaml': 'historyLimit: 0\n' });
    await expect(loadConfig(root, {}, 'ops/canary.yaml')).rejects.toThrow(
      /^ops\/canary.yaml:1: historyLimit: /,
    );
    await expect(loadConfig(root, {}, 'ops/missing.yaml')).rejects.toThrow(/ops\/missing.yaml: cannot read/);
  });
});

describe('cluster', () => {
  it('absent by default; an applier names exactly one of kustomization or application', async () => {
    expect(defaultConfig().cluster).toBeUndefined();
    const ok = await loadConfig(await withConfig('cluster:\n  access: in-cluster\n'), {});
    expect(ok.cluster).toMatchObject({
      access: 'in-cluster',
      fallback: 'assume-interval',
      discover: true,
      appliers: [],
    });
    const both = await withConfig(
      'cluster:\n  appliers:\n    - path: apps\n      kustomization: flux-system/apps\n      application: argocd/apps\n',
    );
    expect(await failure(both)).toBe(
      'gitcanary.yaml:3: cluster.appliers.0: give exactly one of kustomization or application',
    );
    const bad = await withConfig('cluster:\n  access: sometimes\n  fallback: live-weights\n');
    expect(await failure(bad)).toMatch(
      /^gitcanary.yaml:2: cluster.access: .*\ngitcanary.yaml:3: cluster.fallback: /,
    );
  });
});
