/**
 * The command line as a user runs it: exit codes, `-o json`, status, validate, plan and the
 * bundled binary's demo. Metrics come from a real Prometheus-compatible HTTP API only where a
 * run analyses; these runs stop before any analysis.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { run } from './cli-support.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

function repo(): GitOps {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  return r;
}

describe('gitcanary reconcile', () => {
  it('prints the documented JSON and exits 0', async () => {
    const r = repo();
    const { code, out } = await run(
      'reconcile',
      '--repo',
      r.work,
      '--now',
      '2026-01-01T00:00:00Z',
      '-o',
      'json',
    );
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(json.canaries).toEqual([
      {
        namespace: 'test',
        name: 'podinfo',
        phase: 'Initializing',
        canaryWeight: 0,
        failedChecks: 0,
        iterations: 0,
        message: 'New Deployment detected, starting initialization of podinfo.test',
        nextStepAt: '2026-01-01T00:00:54.000Z',
      },
    ]);
    expect(git(r.remote, 'rev-parse', 'main')).toBe(json.commit);
  });

  it('exits 1 for a bad canary while the good one is still reconciled', async () => {
    const r = repo();
    mkdirSync(join(r.work, 'apps/broken'), { recursive: true });
    writeFileSync(
      join(r.work, 'apps/broken/canary.yaml'),
      'apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata:\n  name: broken\n  namespace: test\nspec:\n  targetRef: {kind: Deployment, name: nope}\n  service:\n    port: 80\n  analysis:\n    interval: 1m\n    threshold: 1\n    stepWeight: "ten"\n',
    );
    git(r.work, 'add', '-A');
    git(r.work, 'commit', '-qm', 'broken canary');
    git(r.work, 'push', '-q');
    const { code, out } = await run(
      'reconcile',
      '--repo',
      r.work,
      '--now',
      '2026-01-01T00:00:00Z',
      '-o',
      'json',
    );
    expect(code).toBe(1);
    const json = JSON.parse(out);
    const broken = json.canaries.find((c: { name: string }) => c.name === 'broken');
    expect(broken.error).toContain('apps/broken/canary.yaml:13: test/broken: spec.analysis.stepWeight:');
    expect(json.canaries.find((c: { name: string }) => c.name === 'podinfo').phase).toBe('Initializing');
    expect(json.commit).not.toBeNull();
  });

  it('exits 2 on usage and configuration errors', async () => {
    const r = repo();
    expect((await run('reconcile', '--repo', r.work, '--now', 'yesterday')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('status', '-o', 'xml')).code).toBe(2);
    expect((await run('reconcile', '--repo', r.work, '--mesh-provider', 'envoy')).err).toMatch(
      /unknown provider "envoy"/,
    );
    writeFileSync(join(r.work, 'gitcanary.yaml'), 'meshProvider: istio\nhistoryLimit: lots\n');
    const bad = await run('reconcile', '--repo', r.work, '--dry-run');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/gitcanary\.yaml:2: historyLimit: /);
    expect(bad.out).toBe('');
  });

  it('--no-push commits locally only; plan writes nothing and shows the diff', async () => {
    const r = repo();
    const before = git(r.remote, 'rev-parse', 'main');
    const plan = await run('plan', '--repo', r.work, '--now', '2026-01-01T00:00:00Z');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('+++ b/apps/podinfo/rendered/virtualservice-podinfo.yaml');
    expect(git(r.work, 'status', '--porcelain')).toBe('');
    const asJson = JSON.parse(
      (await run('plan', '--repo', r.work, '--now', '2026-01-01T00:00:00Z', '-o', 'json')).out,
    );
    const asYaml = parse(
      (await run('plan', '--repo', r.work, '--now', '2026-01-01T00:00:00Z', '-o', 'yaml')).out,
    );
    expect(asYaml).toEqual(asJson);
    expect(asYaml.canaries[0]).toMatchObject({ name: 'podinfo', phase: 'Initializing' });
    const local = await run(
      'reconcile',
      '--repo',
      r.work,
      '--now',
      '2026-01-01T00:00:00Z',
      '--no-push',
      '-o',
      'json',
    );
    expect(JSON.parse(local.out).commit).toBe(git(r.work, 'rev-parse', 'HEAD'));
    expect(git(r.remote, 'rev-parse', 'main')).toBe(before);
  });
});

describe('gitcanary status and validate', () => {
  it('status prints kubectl-like columns', async () => {
    const r = repo();
    expect((await run('status', '--repo', r.work)).out).toContain('test        podinfo   New');
    await run('reconcile', '--repo', r.work, '--now', '2026-01-01T00:00:00Z');
    const { code, out } = await run('status', '--repo', r.work);
    expect(code).toBe(0);
    const [header, row] = out.split('\n');
    expect(header!.split(/\s+/)).toEqual([
      'NAMESPACE',
      'NAME',
      'STATUS',
      'WEIGHT',
      'FAILEDCHECKS',
      'LASTTRANSITIONTIME',
    ]);
    expect(row!.split(/\s+/)).toEqual([
      'test',
      'podinfo',
      'Initializing',
      '0',
      '0',
      '2026-01-01T00:00:00.000Z',
    ]);
    const json = JSON.parse((await run('status', '--repo', r.work, '-o', 'json')).out);
    expect(json.canaries[0]).toMatchObject({ namespace: 'test', name: 'podinfo', status: 'Initializing' });
  });

  it('validate reports file:line: object: path: message and exits 1 on errors', async () => {
    const r = repo();
    expect((await run('validate', '--repo', r.work)).code).toBe(0);
    const file = join(r.work, 'apps/podinfo/canary.yaml');
    execFileSync('sed', ['-i', 's/stepWeight: 20/stepWieght: 20/', file]);
    const { code, out } = await run('validate', '--repo', r.work);
    expect(code).toBe(1);
    expect(out).toContain('warning: apps/podinfo/canary.yaml:24: test/podinfo: spec.analysis.stepWieght: ');
    expect(out).toMatch(/apps\/podinfo\/canary.yaml:\d+: test\/podinfo: spec.analysis: .*exactly one of/);
  });
});

describe('the bundled binary', () => {
  it('runs the demo: one rollout succeeds, one rolls back', () => {
    const res = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/cli.mjs'), 'demo'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/Succeeded\s+weight\s+0\s+Promotion completed!/);
    expect(res.stdout).toMatch(
      /Failed\s+weight\s+0\s+Rolling back demo\/podinfo failed checks threshold reached 2/,
    );
    expect(res.stdout).toContain('request-success-rate=97.2 fail');
  });
});

describe('gitcanary simulate', () => {
  it('plays recorded observations through the spec, tick by tick', async () => {
    const r = repo();
    const obs = join(r.base, 'observations.yaml');
    writeFileSync(
      obs,
      'ticks:\n  - metrics: { request-success-rate: 99.9, request-duration: 120 }\n' +
        '  - metrics: { request-success-rate: 98, request-duration: 120 }\n' +
        '  - metrics: { request-success-rate: null, request-duration: 120 }\n',
    );
    const { code, out } = await run(
      'simulate',
      'test/podinfo',
      '--repo',
      r.work,
      '--observations',
      obs,
      '-o',
      'json',
    );
    expect(code).toBe(0);
    const lines = JSON.parse(out).lines as Array<{
      phase: string;
      routes: { canary: number };
      failedChecks: number;
    }>;
    expect(lines.map((l) => `${l.phase} ${l.routes.canary} f${l.failedChecks}`)).toEqual([
      'Progressing 0 f0',
      'Progressing 20 f0',
      'Progressing 40 f0',
      'Progressing 40 f1',
      'Progressing 40 f2',
      'Failed 0 f0',
    ]);
    const text = (await run('simulate', 'test/podinfo', '--repo', r.work, '--observations', obs)).out;
    expect(text).toContain('no values found for metric request-success-rate');
  });
});
