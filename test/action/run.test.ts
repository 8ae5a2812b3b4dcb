/**
 * One Action run with the library replaced by a small fake: what reaches reconcile(), the log
 * (groups, annotations), outputs, exit codes, and where the token may go.
 */
import { describe, expect, it } from 'vitest';
import type { ActionInputs } from '../../src/action/inputs.js';
import { type ActionDeps, type ForgeOptions, runAction } from '../../src/action/run.js';
import { ConfigurationError } from '../../src/errors.js';
import type { Forge } from '../../src/forge/port.js';
import type { CanaryReport } from '../../src/reconcile/report.js';
import type { ReconcileOptions, ReconcileResult } from '../../src/reconcile/run.js';

const token = 'ghs_unit_secret';
const inputs: ActionInputs = {
  token,
  path: 'gitops',
  repository: { owner: 'acme', repo: 'gitops' },
  dryRun: false,
  logLevel: 'info',
  mode: 'pull-request',
  configFile: 'deploy/gitcanary.yaml',
  metricsServer: 'http://prom:9090',
  apiUrl: 'https://ghe.example.com/api/v3',
  commitVia: 'git',
};
const sha = 'a'.repeat(40);
const podinfo: CanaryReport = {
  namespace: 'test',
  name: 'podinfo',
  file: 'apps/podinfo/canary.yaml',
  phase: 'Progressing',
  canaryWeight: 20,
  failedChecks: 0,
  iterations: 1,
  message: 'Advance test/podinfo canary weight 20',
  stepped: true,
  verdict: {
    result: 'pass',
    reason: 'all checks passed',
    metrics: [{ name: 'request-success-rate', value: 99.9, min: 99, result: 'pass', reason: 'within range' }],
  },
};
const result = (over: Partial<ReconcileResult> = {}): ReconcileResult => ({
  canaries: [podinfo],
  commit: sha,
  changes: [],
  warnings: [],
  attempts: 1,
  pullRequests: [],
  ...over,
});

function harness(reconcile: (opts: ReconcileOptions) => Promise<ReconcileResult>) {
  const lines: string[] = [];
  const forges: ForgeOptions[] = [];
  const calls: ReconcileOptions[] = [];
  const deps: ActionDeps = {
    env: { GITHUB_SERVER_URL: 'https://github.com' },
    write: (l) => lines.push(l),
    cwd: '/ws',
    secrets: [token],
    reconcile: async (opts) => {
      calls.push(opts);
      opts.logger?.info(`pushing with ${token}`);
      return reconcile(opts);
    },
    createForge: (o) => {
      forges.push(o);
      return { repo: o.repo, requests: [] } as unknown as Forge;
    },
  };
  return { deps, lines, forges, calls };
}

describe('runAction', () => {
  it('passes the inputs to reconcile() and the token to the forge only', async () => {
    const h = harness(async () => result());
    const outcome = await runAction(inputs, h.deps);
    expect(outcome.exitCode).toBe(0);
    const { logger, forge, ...opts } = h.calls[0]!;
    expect(opts).toEqual({
      repoDir: '/ws/gitops',
      dryRun: false,
      mode: 'pull-request',
      configFile: 'deploy/gitcanary.yaml',
      metricsServer: 'http://prom:9090',
    });
    expect(forge).toBeDefined();
    expect(h.forges).toEqual([
      {
        token,
        repo: { owner: 'acme', repo: 'gitops' },
        apiUrl: 'https://ghe.example.com/api/v3',
        // /ws/gitops has no .git folder here: ETags kept in memory for the run.
        etags: { get: expect.any(Function), set: expect.any(Function), delete: expect.any(Function) },
      },
    ]);
    expect(h.lines.join('\n')).not.toContain(token);
  });

  it('logs in groups: the run, then one per canary', async () => {
    const h = harness(async () => result());
    await runAction(inputs, h.deps);
    expect(h.lines).toEqual([
      '::group::gitcanary reconcile gitops',
      'pushing with ***',
      '::endgroup::',
      '::group::test/podinfo: Progressing 20%25',
      'Advance test/podinfo canary weight 20',
      '  request-success-rate: 99.9 pass (within range)',
      '::endgroup::',
      `commit ${sha}`,
    ]);
  });

  it('sets the outputs', async () => {
    const pr = {
      canary: 'test/podinfo',
      number: 7,
      url: 'https://github.com/acme/gitops/pull/7',
      action: 'created' as const,
      fromWeight: 0,
      toWeight: 20,
    };
    const outcome = await runAction(inputs, harness(async () => result({ pullRequests: [pr] })).deps);
    expect(outcome.outputs['commit-sha']).toBe(sha);
    expect(JSON.parse(outcome.outputs['pull-requests'])).toEqual([pr]);
    expect(JSON.parse(outcome.outputs.canaries)).toEqual([podinfo]);
    expect(outcome.summary).toContain('[#7](https://github.com/acme/gitops/pull/7) created');
  });

  it('makes no forge without a token', async () => {
    const h = harness(async () => result({ commit: null }));
    const outcome = await runAction({ ...inputs, token: '', mode: 'commit' }, h.deps);
    expect(h.forges).toEqual([]);
    expect(h.calls[0]!.forge).toBeUndefined();
    expect(outcome.outputs['commit-sha']).toBe('');
    expect(h.lines.at(-1)).toBe('nothing changed');
  });

  it('exits 1 with an annotation per canary error and warning', async () => {
    const broken: CanaryReport = {
      ...podinfo,
      name: 'broken',
      file: 'apps/broken/canary.yaml',
      phase: null,
      stepped: false,
      verdict: undefined,
      error: 'apps/broken/canary.yaml:13: test/broken: spec.analysis.stepWeight: expected number',
    };
    const h = harness(async () =>
      result({
        canaries: [podinfo, broken],
        warnings: ['apps/podinfo/canary.yaml:9: test/podinfo: spec.x: unknown field'],
      }),
    );
    const outcome = await runAction(inputs, h.deps);
    expect(outcome.exitCode).toBe(1);
    expect(h.lines).toContain(
      '::warning file=gitops/apps/podinfo/canary.yaml,line=9,title=gitcanary::apps/podinfo/canary.yaml:9: test/podinfo: spec.x: unknown field',
    );
    expect(h.lines).toContain(
      '::error file=gitops/apps/broken/canary.yaml,line=13,title=gitcanary%3A test/broken::apps/broken/canary.yaml:13: test/broken: spec.analysis.stepWeight: expected number',
    );
  });

  it('turns a bad gitcanary.yaml into annotations, empty outputs and exit 1', async () => {
    const h = harness(async () => {
      throw new ConfigurationError('gitcanary.yaml:2: historyLimit: expected number');
    });
    const outcome = await runAction(inputs, h.deps);
    expect(outcome.exitCode).toBe(1);
    expect(h.lines.slice(-2)).toEqual([
      '::endgroup::',
      '::error file=gitops/gitcanary.yaml,line=2,title=gitcanary%3A configuration::gitcanary.yaml:2: historyLimit: expected number',
    ]);
    expect(outcome.outputs).toEqual({ 'commit-sha': '', 'pull-requests': '[]', canaries: '[]' });
    expect(outcome.summary).toContain('The run failed:');
  });

  it('reports any other failure without the token', async () => {
    const h = harness(async () => {
      throw new Error(`401 Bad credentials for ${token}`);
    });
    const outcome = await runAction(inputs, h.deps);
    expect(outcome.exitCode).toBe(1);
    expect(h.lines.at(-1)).toBe('::error title=gitcanary%3A the run failed::401 Bad credentials for ***');
    expect(outcome.summary).not.toContain(token);
  });
});
