/**
 * `--hook-host HOST=HOST:PORT` on `reconcile` and `plan`: cluster-local hook hosts reach two
 * loopback load testers (Flagger's API) while the spec stays as written; repeated and
 * comma-separated forms; a malformed value is a usage error naming the flag. These runs stop at
 * the confirm-rollout gate, before any analysis, so no Prometheus is needed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';
import { run } from './cli-support.js';

let qa: LoadTester;
let sre: LoadTester;
beforeAll(async () => {
  [qa, sre] = await Promise.all([startLoadTester(), startLoadTester()]);
});
afterAll(async () => {
  await Promise.all([qa?.close(), sre?.close()]);
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  expect(qa.violations).toEqual([]);
  expect(sre.violations).toEqual([]);
});

const gates = `    webhooks:
      - name: qa
        type: confirm-rollout
        url: http://flagger-loadtester.flagger-system/gate/check
      - name: sre
        type: confirm-rollout
        url: http://sre-loadtester.ops:8080/gate/check
`;

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
const checks = (lt: LoadTester) => lt.requests.filter((q) => q.path === '/gate/check').length;

describe('gitcanary reconcile/plan --hook-host', () => {
  it('maps the spec’s hook hosts to local servers, repeated or comma-separated', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    r.humanEdit(
      'apps/podinfo/canary.yaml',
      (s) => s.replace('    metrics:\n', `${gates}    metrics:\n`),
      'gates',
    );
    for (const m of [0, 1]) expect((await run('reconcile', '--repo', r.work, '--now', at(m))).code).toBe(0);
    r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6'), 'bump');
    const qaHost = new URL(qa.url).host;
    const sreHost = new URL(sre.url).host;
    qa.setGate('podinfo', 'test', true);
    git(r.work, 'pull', '-q', '--ff-only'); // plan reads the checkout as it is

    const plan = await run(
      'plan',
      '--repo',
      r.work,
      '--now',
      at(2),
      '--hook-host',
      `flagger-loadtester.flagger-system=${qaHost},sre-loadtester.ops:8080=${sreHost}`,
      '-o',
      'json',
    );
    expect(plan.err).not.toMatch(/error/);
    const planned = JSON.parse(plan.out).canaries[0];
    expect(planned.phase).toBe('Waiting');
    expect(planned.hooks.map((h: { name: string; status: number }) => `${h.name} ${h.status}`)).toEqual([
      'qa 200',
      'sre 403',
    ]);
    expect([checks(qa), checks(sre)]).toEqual([1, 1]);

    sre.setGate('podinfo', 'test', true);
    const done = await run(
      'reconcile',
      '--repo',
      r.work,
      '--now',
      at(2),
      '--hook-host',
      `flagger-loadtester.flagger-system=${qaHost}`,
      '--hook-host',
      `sre-loadtester.ops:8080=${sreHost}`,
    );
    expect(done.code).toBe(0);
    expect(parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status.phase).toBe('Progressing');
    expect([checks(qa), checks(sre)]).toEqual([2, 2]);
    // The spec is as written: only the run's flags pointed the calls elsewhere.
    expect(r.remoteFile('apps/podinfo/canary.yaml')).toContain(
      'http://flagger-loadtester.flagger-system/gate/check',
    );
  }, 60_000);

  it('refuses a malformed value with a usage error naming the flag', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    for (const bad of ['flagger-loadtester', 'a=127.0.0.1', 'a=127.0.0.1:99999', 'a=b:1=c:2']) {
      const res = await run('reconcile', '--repo', r.work, '--hook-host', bad);
      expect(res.code).toBe(2);
      expect(res.err).toContain(`--hook-host must be HOST=HOST:PORT`);
      expect(res.err).toContain(`got ${bad}`);
    }
  });

  it('is documented in the help of reconcile and plan', async () => {
    for (const cmd of ['reconcile', 'plan']) {
      const help = await run(cmd, '--help');
      expect(help.out).toMatch(/--hook-host HOST=HOST:PORT\s+send webhooks for HOST to HOST:PORT instead/);
    }
  });
});
