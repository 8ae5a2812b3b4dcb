/**
 * The remaining webhook types of flagger-semantics §6.2 through real git and a real Prometheus,
 * each against the loopback load tester (Flagger's API): confirm-traffic-increase holds the
 * weight without a failed check, confirm-promotion holds in WaitingPromotion while the analysis
 * runs, a rollback hook opened with `POST /rollback/open` rolls back, a failing pre-rollout hook
 * costs one failed check and no traffic; a lost push race calls the rollout hook once while
 * the gate is asked again; and a step pull request (fake GitHub) shows the step's calls.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openRepo } from '../../src/git/cli-repo.js';
import type { GitRepo } from '../../src/git/port.js';
import { type ReconcileResult, reconcile } from '../../src/reconcile/run.js';
import { createGitHubOps } from '../support/github-ops.js';
import { createGitOps, type GitOps } from '../support/gitops.js';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';
import { GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
/** Flagger's load tester keeps one gate per canary, so each gate type gets its own server. */
let traffic: LoadTester;
let promotion: LoadTester;
beforeAll(async () => {
  [prom, traffic, promotion] = await Promise.all([
    startPrometheus(podinfoMetrics()),
    startLoadTester(),
    startLoadTester(),
  ]);
});
afterAll(async () => {
  await Promise.all([prom?.stop(), traffic?.close(), promotion?.close()]);
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const lt of [traffic, promotion]) {
    expect(lt.violations).toEqual([]);
    lt.requests.length = 0;
    lt.commands.length = 0;
    lt.bash = () => undefined;
    lt.setGate('podinfo', 'test', false);
    lt.setGate('podinfo', 'test', false, true);
  }
});

const vsFile = 'apps/podinfo/rendered/virtualservice-podinfo.yaml';
const statusFile = 'apps/podinfo/podinfo.status.yaml';

/** A person's call to the load tester, as Flagger's docs show it: only name and namespace. */
async function personCalls(lt: LoadTester, path: string): Promise<void> {
  const res = await fetch(`${lt.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'podinfo', namespace: 'test' }),
  });
  expect(res.status).toBe(202);
}

/**
 * The istio podinfo repository with `webhooks` added to its canary, and a run at a clock that
 * moves one interval per run. `analysing()` bootstraps, bumps the image and scales the canary
 * up: the next run decides the first traffic step.
 */
function setup(webhooks: string) {
  const repo = createGitOps('istio-podinfo');
  repos.push(repo);
  repo.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) => s.replace('    metrics:\n', `    webhooks:\n${webhooks}    metrics:\n`),
    'webhooks',
  );
  let now = GOOD_START * 1000;
  const hookHosts = {
    'traffic-gate.test': new URL(traffic.url).host,
    'promotion-gate.test': new URL(promotion.url).host,
  };
  const runWith = async (git?: GitRepo): Promise<ReconcileResult> => {
    const r = await reconcile({
      repoDir: repo.work,
      now: new Date(now),
      metricsServer: prom.url,
      hookHosts,
      ...(git ? { git } : {}),
    });
    now += 60_000;
    expect(r.canaries[0]?.error).toBeUndefined();
    return r;
  };
  const run = async () => (await runWith()).canaries[0]!;
  const analysing = async () => {
    expect((await run()).phase).toBe('Initializing');
    expect((await run()).phase).toBe('Initialized');
    repo.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6'),
      'bump',
    );
    expect((await run()).phase).toBe('Progressing');
  };
  const liveWeight = (): number =>
    parse(repo.remoteFile(vsFile)).spec.http[0].route.find(
      (x: { destination: { host: string } }) => x.destination.host === 'podinfo-canary',
    ).weight;
  const status = () => parse(repo.remoteFile(statusFile)).status;
  return { repo, run, runWith, analysing, liveWeight, status };
}

const at = (c: { phase: string | null; canaryWeight: number; failedChecks: number }) =>
  `${c.phase} ${c.canaryWeight} ${c.failedChecks}`;

describe('webhook gates and checks in real runs', () => {
  it('confirm-traffic-increase holds the weight with no failed check; confirm-promotion holds in WaitingPromotion', async () => {
    const { run, analysing, liveWeight, repo } = setup(`      - name: more-traffic
        type: confirm-traffic-increase
        url: http://traffic-gate.test/gate/check
      - name: promote
        type: confirm-promotion
        url: http://promotion-gate.test/gate/check
`);
    await analysing();
    const held = [await run(), await run()];
    expect(held.map(at)).toEqual(['Progressing 0 0', 'Progressing 0 0']);
    expect(held[0]?.message).toBe(
      'Halt test/podinfo advancement waiting for traffic increase approval more-traffic',
    );
    expect(held[1]?.stepped).toBe(false);
    expect(liveWeight()).toBe(0);
    const commits = repo.remoteLog().length;
    await personCalls(traffic, '/gate/open');
    const stepped = [await run(), await run(), await run()];
    expect(stepped.map(at)).toEqual(['Progressing 20 0', 'Progressing 40 0', 'Progressing 60 0']);
    expect(repo.remoteLog().length).toBe(commits + 3);
    // At max weight the promotion gate is closed: WaitingPromotion once, then held with the
    // analysis still running every interval. The status weight reads 0 in WaitingPromotion
    // (Flagger's setStatusPhase); the live routes stay at 60%.
    const waiting = [await run(), await run()];
    expect(waiting.map(at)).toEqual(['WaitingPromotion 0 0', 'WaitingPromotion 0 0']);
    expect(waiting[0]?.message).toBe('Halt test/podinfo advancement waiting for promotion approval promote');
    expect(waiting[1]?.verdict?.result).toBe('pass');
    expect(waiting[1]?.verdict?.metrics.map((m) => m.name)).toEqual([
      'request-success-rate',
      'request-duration',
    ]);
    expect(liveWeight()).toBe(60);
    await personCalls(promotion, '/gate/open');
    expect((await run()).phase).toBe('Promoting');
    const asked = (lt: LoadTester) => lt.requests.filter((q) => q.path === '/gate/check').length;
    // Traffic: held twice, three steps, and the tick at max weight (not asked in WaitingPromotion).
    expect(asked(traffic)).toBe(2 + 3 + 1);
    // Promotion: re-asked on each of the three ticks at max weight, as Flagger re-asks each tick.
    expect(asked(promotion)).toBe(3);
  }, 120_000);

  it('a rollback hook opened with POST /rollback/open rolls the canary back to Failed', async () => {
    const { run, analysing, liveWeight, status } = setup(`      - name: stop
        type: rollback
        url: http://traffic-gate.test/rollback/check
`);
    await analysing();
    expect(at(await run())).toBe('Progressing 20 0');
    expect(liveWeight()).toBe(20);
    await personCalls(traffic, '/rollback/open');
    const failed = await run();
    expect(at(failed)).toBe('Failed 0 0');
    expect(failed.message).toContain('Rolling back test/podinfo manual webhook invoked');
    expect(liveWeight()).toBe(0);
    const last = status().history.at(-1);
    expect(
      last.hooks.map((h: { name: string; ok: boolean; status: number }) => `${h.name} ${h.ok} ${h.status}`),
    ).toEqual(['stop true 200']);
    expect(traffic.requests.map((q) => q.path)).toEqual([
      '/rollback/check',
      '/rollback/open',
      '/rollback/check',
    ]);
  }, 60_000);

  it('a failing pre-rollout hook is one failed check with no traffic change', async () => {
    const { run, analysing, liveWeight, status } = setup(`      - name: db-migrated
        type: pre-rollout
        url: http://traffic-gate.test/
        metadata: { type: bash, cmd: "check-migrations" }
`);
    await analysing();
    traffic.bash = () => 'migration 42 pending';
    const failed = await run();
    expect(at(failed)).toBe('Progressing 0 1');
    expect(failed.message).toContain(
      'Halt test/podinfo advancement pre-rollout check db-migrated failed status 500: migration 42 pending',
    );
    expect(liveWeight()).toBe(0);
    const last = status().history.at(-1);
    expect(
      last.hooks.map((h: { type: string; ok: boolean; status: number }) => `${h.type} ${h.ok} ${h.status}`),
    ).toEqual(['pre-rollout false 500']);
    traffic.bash = () => undefined;
    expect(at(await run())).toBe('Progressing 20 1');
    expect(liveWeight()).toBe(20);
    expect(traffic.commands).toEqual(['check-migrations', 'check-migrations']);
  }, 60_000);

  it('a lost push race calls the rollout hook once for the step and asks the gate again', async () => {
    const { repo, run, runWith, analysing } = setup(`      - name: load
        type: rollout
        url: http://traffic-gate.test/
        metadata: { type: cmd, cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/" }
      - name: more-traffic
        type: confirm-traffic-increase
        url: http://promotion-gate.test/gate/check
`);
    promotion.setGate('podinfo', 'test', true);
    await analysing();
    expect(at(await run())).toBe('Progressing 20 0');
    traffic.commands.length = 0;
    promotion.requests.length = 0;
    // A person pushes between this run's decision and its push: the run re-reads and decides again.
    const real = await openRepo(repo.work);
    let raced = false;
    const racing: GitRepo = Object.assign(Object.create(real) as GitRepo, {
      push: async () => {
        if (!raced) {
          raced = true;
          repo.humanEdit('apps/podinfo/kustomization.yaml', (s) => `${s}# reviewed\n`, 'human edit');
        }
        return real.push();
      },
    });
    const r = await runWith(racing);
    expect(r.attempts).toBe(2);
    expect(at(r.canaries[0]!)).toBe('Progressing 40 0');
    expect(traffic.commands).toHaveLength(1);
    expect(promotion.requests.filter((q) => q.path === '/gate/check')).toHaveLength(2);
    expect(repo.remoteFile('apps/podinfo/kustomization.yaml')).toContain('# reviewed');
  }, 60_000);

  it('the step pull request shows the webhook calls of its step', async () => {
    const canaryFile = 'apps/podinfo/canary.yaml';
    const o = await createGitHubOps('istio-podinfo', {
      start: GOOD_START * 1000,
      extraFiles: { 'gitcanary.yaml': 'delivery:\n  mode: pull-request\n' },
    });
    try {
      o.humanPush(
        {
          [canaryFile]: o.remoteFile(canaryFile).replace(
            '    metrics:\n',
            `    webhooks:
      - name: migrations
        type: pre-rollout
        url: http://traffic-gate.test/
        metadata: { type: bash, cmd: "check-migrations" }
      - name: more-traffic
        type: confirm-traffic-increase
        url: http://promotion-gate.test/gate/check
    metrics:\n`,
          ),
        },
        'webhooks',
      );
      promotion.setGate('podinfo', 'test', true);
      const hookHosts = {
        'traffic-gate.test': new URL(traffic.url).host,
        'promotion-gate.test': new URL(promotion.url).host,
      };
      const tick = async () => {
        const r = await reconcile({
          repoDir: o.work,
          now: new Date(o.clock.now),
          metricsServer: prom.url,
          forge: o.forge,
          hookHosts,
        });
        o.clock.now += 60_000;
        expect(r.canaries[0]?.error).toBeUndefined();
        return r;
      };
      await tick();
      await tick();
      const deployment = 'apps/podinfo/deployment.yaml';
      o.humanPush(
        { [deployment]: o.remoteFile(deployment).replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6') },
        'bump',
      );
      await tick();
      const r = await tick();
      expect(r.pullRequests.map((p) => p.action)).toContain('created');
      const pr = o.fake.pulls(o.owner, o.repo).find((p) => p.state === 'open')!;
      expect(pr.body).toContain('| Webhook | Type | Status | Result | Attempts | Answer |');
      expect(pr.body).toContain('| migrations | pre-rollout | 200 | ✅ pass | 1 | — |');
      expect(pr.body).toContain('| more-traffic | confirm-traffic-increase | 200 | ✅ pass | 1 | Approved |');
      expect(o.fake.schemaViolations).toEqual([]);
    } finally {
      await o.close();
    }
  }, 90_000);
});
