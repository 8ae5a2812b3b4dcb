/**
 * Gates and hooks through real git and a real Prometheus: the loopback load tester (Flagger's
 * API) answers a confirm-rollout gate, opened with `POST /gate/open`, and a rollout hook that
 * fails costs failed checks, then a rollback with post-rollout called once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps } from '../support/gitops.js';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';
import { GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
let lt: LoadTester;
beforeAll(async () => {
  prom = await startPrometheus(podinfoMetrics());
  lt = await startLoadTester();
});
afterAll(async () => {
  await prom?.stop();
  await lt?.close();
});

const hooks = `    webhooks:
      - name: ask
        type: confirm-rollout
        url: http://loadtester.test/gate/check
      - name: smoke
        type: rollout
        url: http://loadtester.test/
        metadata: { type: bash, cmd: "curl -s podinfo-canary.test:9898" }
      - name: tell
        type: post-rollout
        url: http://loadtester.test/
        metadata: { type: bash, cmd: "notify done" }
`;

describe('webhooks in real runs', () => {
  it('confirm-rollout closed → Waiting, opened → Progressing; a failing rollout hook rolls back; post-rollout once', async () => {
    const repo = createGitOps('istio-podinfo');
    try {
      let now = GOOD_START * 1000;
      const hookHosts = { 'loadtester.test': new URL(lt.url).host };
      const run = async () => {
        const r = await reconcile({
          repoDir: repo.work,
          now: new Date(now),
          metricsServer: prom.url,
          hookHosts,
        });
        now += 60_000;
        expect(r.canaries[0]?.error).toBeUndefined();
        return r.canaries[0]!;
      };
      repo.humanEdit(
        'apps/podinfo/canary.yaml',
        (s) => s.replace('    metrics:\n', `${hooks}    metrics:\n`),
        'hooks',
      );
      expect((await run()).phase).toBe('Initializing');
      expect((await run()).phase).toBe('Initialized');
      repo.humanEdit(
        'apps/podinfo/deployment.yaml',
        (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6'),
        'bump',
      );
      expect((await run()).phase).toBe('Waiting');
      expect((await run()).phase).toBe('Waiting');
      // A person opens the gate the way Flagger's docs say: POST /gate/open.
      const opened = await fetch(`${lt.url}/gate/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'podinfo', namespace: 'test', phase: 'Waiting', checksum: '' }),
      });
      expect(opened.status).toBe(202);
      expect((await run()).phase).toBe('Progressing');
      const first = await run();
      expect(first.canaryWeight).toBe(20);
      lt.bash = (cmd) => (cmd.startsWith('curl') ? 'connection refused' : undefined);
      const failed = [await run(), await run(), await run()];
      expect(failed.map((c) => `${c.phase} ${c.failedChecks}`)).toEqual([
        'Progressing 1',
        'Progressing 2',
        'Failed 0',
      ]);
      expect(failed[0]?.message).toBe(
        'Halt test/podinfo advancement external check smoke failed status 500: connection refused',
      );
      expect(lt.commands.filter((c) => c === 'notify done')).toHaveLength(1);
      const status = parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
      const last = status.history.at(-1);
      expect(last.hooks.map((h: { type: string; ok: boolean }) => `${h.type} ${h.ok}`)).toEqual([
        'post-rollout true',
      ]);
      expect(repo.remoteLog()[0]).toContain('webhook tell (post-rollout): 200 ok');
      expect(lt.violations).toEqual([]);
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});
