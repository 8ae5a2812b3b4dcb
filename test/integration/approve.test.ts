/**
 * Gates a person opens through Git, on real git and a real Prometheus: `gitcanary approve` writes
 * an approval commit authored by the person; the next due run passes the gate; a new revision
 * finds the gate closed again; `history` shows who approved.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
beforeAll(async () => {
  prom = await startPrometheus(podinfoMetrics());
});
afterAll(async () => {
  await prom?.stop();
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(
    args,
    (s) => lines.push(s),
    (s) => lines.push(s),
  );
  return { code, out: lines.join('\n') };
}

const ann = ['--author', 'Ann Operator <ann@example.com>'];
const statusFile = 'apps/podinfo/podinfo.status.yaml';

/** The istio-podinfo repository with one gate webhook (nothing answers it: the gate is closed). */
function gated(gate: string) {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  r.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      `${s}    webhooks:\n      - name: ask-a-person\n        type: ${gate}\n        url: http://127.0.0.1:9/gate/check\n`,
    `${gate} gate`,
  );
  let now = GOOD_START * 1000;
  const tick = async () => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now), metricsServer: prom.url });
    now += 60_000;
    expect(res.canaries[0]!.error).toBeUndefined();
    return res.canaries[0]!;
  };
  let image = 5;
  const bump = () => {
    const from = `podinfo:6.1.${image}`;
    image++;
    r.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace(from, `podinfo:6.1.${image}`),
      `6.1.${image}`,
    );
  };
  return { r, tick, bump };
}

const held: Record<string, { phase: string; weight: number; message: RegExp }> = {
  'confirm-rollout': { phase: 'Waiting', weight: 0, message: /waiting for approval ask-a-person/ },
  'confirm-traffic-increase': {
    phase: 'Progressing',
    weight: 0,
    message: /waiting for traffic increase approval ask-a-person/,
  },
  'confirm-promotion': { phase: 'WaitingPromotion', weight: 0, message: /waiting for promotion approval/ },
};

describe('gitcanary approve', () => {
  it.each(Object.keys(held))(
    '%s: held, approved by a person, passed; a new revision closes it',
    async (gate) => {
      const { r, tick, bump } = gated(gate);
      expect((await tick()).phase).toBe('Initializing');
      expect((await tick()).phase).toBe('Initialized');
      bump();
      let c = await tick();
      for (let i = 0; i < 6; i++) c = await tick();
      const want = held[gate]!;
      expect(c).toMatchObject({ phase: want.phase, canaryWeight: want.weight });
      expect(c.message).toMatch(want.message);

      git(r.human, 'pull', '-q');
      const res = await cli(
        'approve',
        'test/podinfo',
        '--repo',
        r.human,
        '-m',
        'dashboards look fine',
        ...ann,
      );
      expect(res).toMatchObject({ code: 0 });
      expect(res.out).toMatch(
        new RegExp(
          `^approve ${gate} test/podinfo: commit [0-9a-f]{40} \\(apps/podinfo/podinfo.status.yaml\\)`,
        ),
      );
      const status = parse(r.remoteFile(statusFile)).status;
      expect(status.approvals).toEqual([
        {
          gate,
          revision: status.phase === 'Waiting' ? expect.any(String) : status.lastAppliedSpec,
          approvedBy: 'Ann Operator <ann@example.com>',
          approvedAt: expect.any(String),
          message: 'dashboards look fine',
        },
      ]);
      const log = git(r.human, 'log', '-1', '--format=%an <%ae>%n%B');
      expect(log).toMatch(/^Ann Operator <ann@example\.com>\ngitcanary approve test\/podinfo /);
      expect(log).toContain(`Canary-Gate: ${gate}`);

      const phases: string[] = [];
      for (let i = 0; i < 12 && phases.at(-1) !== 'Succeeded'; i++) phases.push((await tick()).phase!);
      expect(phases.at(-1)).toBe('Succeeded');
      const primary = parse(r.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'));
      expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');

      // The next revision: the approval was for the one before, so the gate holds again.
      bump();
      for (let i = 0; i < 8; i++) c = await tick();
      expect(c).toMatchObject({ phase: want.phase, canaryWeight: want.weight });
      const primaryAfter = parse(r.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'));
      expect(primaryAfter.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');

      const { out } = await cli('history', 'test/podinfo', '--repo', r.work, '-o', 'json');
      const rows = JSON.parse(out).history as Array<Record<string, unknown>>;
      expect(rows.filter((x) => x.kind === 'request').map((x) => [x.request, x.author, x.message])).toEqual([
        ['approve', 'Ann Operator', `gitcanary approve test/podinfo ${gate}`],
      ]);
    },
  );

  it('without --gate, a canary held at no gate is an error naming it; a gate the spec lacks too', async () => {
    const { r, tick } = gated('confirm-promotion');
    await tick();
    await tick();
    git(r.human, 'pull', '-q');
    const none = await cli('approve', 'test/podinfo', '--repo', r.human, ...ann);
    expect(none.code).toBe(2);
    expect(none.out).toMatch(
      /test\/podinfo is not held at a gate \(phase Initialized\); name one with --gate/,
    );
    const lacks = await cli(
      'approve',
      'test/podinfo',
      '--gate',
      'confirm-rollout',
      '--repo',
      r.human,
      ...ann,
    );
    expect(lacks.out).toMatch(/test\/podinfo: spec.analysis.webhooks has no confirm-rollout webhook/);
    const bad = await cli('approve', 'test/podinfo', '--gate', 'yes', '--repo', r.human, ...ann);
    expect(bad.out).toMatch(/--gate: "yes" is not a gate; use confirm-rollout, confirm-traffic-increase/);
    // Approving ahead of time with --gate: the run of the next revision passes it without waiting.
    const ahead = await cli(
      'approve',
      'test/podinfo',
      '--gate',
      'confirm-promotion',
      '--repo',
      r.human,
      ...ann,
    );
    expect(ahead.code).toBe(0);
  });
});
