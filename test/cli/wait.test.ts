/**
 * `gitcanary wait` as the bundled binary, polling a real clone while reconcile runs advance the
 * remote in between polls: it waits for the revision in the source it read, never returns on
 * an earlier revision's promoted state, and says why when it fails or times out.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { judge } from '../../src/cli/commands/wait.js';
import { emptyStatus } from '../../src/core/decide.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { run, start, symlinkedBin } from './cli-support.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** istio-podinfo initialized at t0+1m (its first revision promoted), then a new image pushed. */
async function rolledOutThenBumped(metrics: boolean): Promise<{ r: GitOps; waiter: string; before: string }> {
  const r = createGitOps('istio-podinfo');
  cleanups.push(() => r.cleanup());
  if (!metrics)
    r.humanEdit('apps/podinfo/canary.yaml', (s) => s.replace(/ {4}metrics:[\s\S]*$/, ''), 'no metrics');
  for (const m of [0, 1]) expect((await run('reconcile', '--repo', r.work, '--now', at(m))).code).toBe(0);
  const before = statusOnRemote(r).lastPromotedSpec;
  r.humanEdit(
    'apps/podinfo/deployment.yaml',
    (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'),
    'bump podinfo',
  );
  const waiter = join(r.base, 'waiter');
  execFileSync('git', ['clone', '-q', r.remote, waiter]);
  return { r, waiter, before };
}

function statusOnRemote(r: GitOps) {
  return parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status as {
    phase: string;
    lastAppliedSpec: string;
    lastPromotedSpec: string;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `gitcanary wait test/podinfo` through the symlinked binary, polling every 100 ms for up to 5 minutes. */
function startWait(waiter: string, ...extra: string[]) {
  const bin = symlinkedBin();
  cleanups.push(bin.cleanup);
  const w = start(bin.path, [
    'wait',
    'test/podinfo',
    '--repo',
    waiter,
    '--interval',
    '100ms',
    '--timeout',
    '5m',
    ...extra,
  ]);
  cleanups.push(() => w.child.kill());
  return w;
}

describe('gitcanary wait', () => {
  it('returns on the new revision’s Succeeded, not on the earlier one’s', async () => {
    const { r, waiter, before } = await rolledOutThenBumped(false);
    const w = startWait(waiter, '-o', 'json');
    await w.stderrMatches(
      /waiting for test\/podinfo revision [0-9a-f]{16} to reach Succeeded \(timeout 5m0s\)/,
    );
    const revision = /revision ([0-9a-f]{16})/.exec(w.stderr())![1]!;
    expect(revision).not.toBe(before);
    // The earlier revision is promoted (Initialized): no return on it.
    await sleep(500);
    expect(w.child.exitCode).toBeNull();
    for (let m = 2; m <= 8; m++) {
      expect((await run('reconcile', '--repo', r.work, '--now', at(m))).code).toBe(0);
      if (m < 8) {
        await sleep(400);
        expect(w.child.exitCode, `exited after the reconcile at minute ${m}`).toBeNull();
      }
    }
    expect(await w.exited).toBe(0);
    expect(statusOnRemote(r)).toMatchObject({ phase: 'Succeeded', lastPromotedSpec: revision });
    const result = JSON.parse(w.stdout());
    expect(result).toMatchObject({
      canary: 'test/podinfo',
      revision,
      phase: 'Succeeded',
      commit: git(r.remote, 'rev-parse', 'main'),
      result: `revision ${revision} reached Succeeded at commit ${git(r.remote, 'rev-parse', 'main').slice(0, 12)}`,
    });
    // Progress on stderr as the polls saw it, while stdout holds the JSON only.
    expect(w.stderr()).toMatch(
      /test\/podinfo: Progressing weight 20 \(status about [0-9a-f]{16}, commit [0-9a-f]{7}\)/,
    );
    expect(w.stderr()).toMatch(/test\/podinfo: Promoting weight 60/);
  }, 120_000);

  it('exits 1 saying Failed when the revision is rolled back', async () => {
    const { r, waiter } = await rolledOutThenBumped(true);
    const w = startWait(waiter);
    await w.stderrMatches(/waiting for test\/podinfo/);
    // Prometheus refuses connections: every analysis fails, and threshold 2 rolls back.
    for (let m = 2; m <= 8 && w.child.exitCode === null; m++) {
      await run('reconcile', '--repo', r.work, '--now', at(m), '--metrics-server', 'http://127.0.0.1:9');
      await sleep(400);
    }
    expect(await w.exited).toBe(1);
    expect(statusOnRemote(r).phase).toBe('Failed');
    expect(w.stdout()).toBe('');
    expect(w.stderr()).toMatch(/^error: test\/podinfo: revision [0-9a-f]{16} Failed \(rolled back\): .+$/m);
  }, 120_000);

  it('keeps polling through a remote that cannot be reached for a while', async () => {
    const { r, waiter } = await rolledOutThenBumped(false);
    git(waiter, 'remote', 'set-url', 'origin', 'http://127.0.0.1:1/gitops.git');
    const w = startWait(waiter);
    await w.stderrMatches(/waiting for test\/podinfo/);
    await w.stderrMatches(/^warning: test\/podinfo: .*Failed to connect.*; polling again$/m);
    expect(w.child.exitCode).toBeNull();
    for (let m = 2; m <= 8; m++) await run('reconcile', '--repo', r.work, '--now', at(m));
    git(waiter, 'remote', 'set-url', 'origin', r.remote);
    expect(await w.exited).toBe(0);
    expect(w.stdout()).toMatch(
      /^test\/podinfo: revision [0-9a-f]{16} reached Succeeded at commit [0-9a-f]{12}\n$/,
    );
  }, 120_000);

  it('times out with exit 1, naming the phase it was left in', async () => {
    const { waiter } = await rolledOutThenBumped(false);
    const r = await run('wait', 'test/podinfo', '--repo', waiter, '--interval', '50ms', '--timeout', '.3s');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      'error: test/podinfo: timed out after 300ms waiting for Succeeded; now Initialized',
    );
  }, 60_000);

  it('returns at once when the revision in the source is the promoted one', async () => {
    const r = createGitOps('istio-podinfo');
    cleanups.push(() => r.cleanup());
    for (const m of [0, 1]) await run('reconcile', '--repo', r.work, '--now', at(m));
    const done = await run('wait', 'test/podinfo', '--repo', r.work, '--timeout', '1s');
    expect(done.code).toBe(0);
    expect(done.out).toMatch(
      /^test\/podinfo: revision [0-9a-f]{16} reached Succeeded at commit [0-9a-f]{12}$/,
    );
  }, 60_000);
});

describe('judge', () => {
  const status = (over: Partial<ReturnType<typeof emptyStatus>>) => ({ ...emptyStatus(), ...over });
  it('only a status about the revision counts', () => {
    const old = status({ phase: 'Succeeded', lastAppliedSpec: 'a', lastPromotedSpec: 'a' });
    expect(judge(old, 'b', 'Succeeded')).toBe('waiting');
    expect(
      judge(status({ phase: 'Failed', lastAppliedSpec: 'a', lastPromotedSpec: 'z' }), 'b', 'Succeeded'),
    ).toBe('waiting');
    expect(
      judge(status({ phase: 'Failed', lastAppliedSpec: 'b', lastPromotedSpec: 'a' }), 'b', 'Succeeded'),
    ).toBe('failed');
    expect(
      judge(status({ phase: 'Failed', lastAppliedSpec: 'b', lastPromotedSpec: 'a' }), 'b', 'Failed'),
    ).toBe('reached');
    expect(
      judge(
        status({ phase: 'WaitingPromotion', lastAppliedSpec: 'b', lastPromotedSpec: 'a' }),
        'b',
        'WaitingPromotion',
      ),
    ).toBe('reached');
    expect(
      judge(status({ phase: 'Succeeded', lastAppliedSpec: 'b', lastPromotedSpec: 'b' }), 'b', 'Progressing'),
    ).toBe('passed');
    // The source put back to what runs as primary after a failure: that revision is live.
    expect(
      judge(status({ phase: 'Failed', lastAppliedSpec: 'x', lastPromotedSpec: 'b' }), 'b', 'Succeeded'),
    ).toBe('reached');
    expect(judge(undefined, 'b', 'Succeeded')).toBe('waiting');
  });
});
