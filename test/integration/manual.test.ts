/**
 * People act through Git: promote / abort / pause / resume are commits the next run obeys, and
 * `history` rebuilds the timeline from the commits alone.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

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

/** A repository whose canary sits at weight 20 of a run, and a clock one interval per run. */
async function midRun() {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  let now = Date.parse('2026-01-01T00:00:00Z');
  const tick = async (advance = 60_000) => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now) });
    now += advance;
    return res.canaries[0]!;
  };
  await tick();
  await tick();
  r.humanEdit(
    'apps/podinfo/deployment.yaml',
    (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'),
    'podinfo 6.1.6',
  );
  await tick();
  expect(await tick(5_000)).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
  return { r, tick };
}

const ann = ['--author', 'Ann Operator <ann@example.com>'];

describe('manual operations', () => {
  it('promote is obeyed by the next run, before the interval has passed, and shows in history', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    const res = await cli(
      'promote',
      'test/podinfo',
      '--repo',
      r.human,
      '-m',
      'hotfix, verified by hand',
      ...ann,
    );
    expect(res.code).toBe(0);
    expect(res.out).toMatch(
      /^promote test\/podinfo: commit [0-9a-f]{40} \(apps\/podinfo\/podinfo.status.yaml\)/,
    );
    expect(await tick()).toMatchObject({ phase: 'Succeeded' });
    const primary = parse(r.remoteFile('apps/podinfo/rendered/deployment-podinfo-primary.yaml'));
    expect(primary.spec.template.spec.containers[0].image).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');

    const { out } = await cli('history', 'test/podinfo', '--repo', r.work, '-o', 'json');
    const rows = JSON.parse(out).history as Array<Record<string, unknown>>;
    expect(rows.map((x) => [x.kind, x.phase ?? x.request ?? null, x.author])).toEqual([
      ['human', null, 'Human'],
      ['gitcanary', 'Initializing', 'gitcanary'],
      ['gitcanary', 'Initialized', 'gitcanary'],
      ['human', null, 'Human'],
      ['gitcanary', 'Progressing', 'gitcanary'],
      ['gitcanary', 'Progressing', 'gitcanary'],
      ['request', 'promote', 'Ann Operator'],
      ['gitcanary', 'Succeeded', 'gitcanary'],
    ]);
    expect(rows.at(-1)!.message).toMatch(
      /^promote requested by Ann Operator <ann@example\.com> \(unverified, commit [0-9a-f]{7}\): hotfix, verified by hand; skipping analysis, promotion finished\.$/,
    );
    const text = (await cli('history', 'test/podinfo', '--repo', r.work)).out;
    expect(text.split('\n')[0]!.split(/\s+/)).toEqual([
      'TIME',
      'AUTHOR',
      'PHASE',
      'WEIGHT',
      'COMMIT',
      'MESSAGE',
    ]);
  });

  it('abort rolls back on the next run', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    expect((await cli('abort', 'test/podinfo', '--repo', r.human, ...ann)).code).toBe(0);
    expect(await tick()).toMatchObject({ phase: 'Failed' });
    const vs = parse(r.remoteFile('apps/podinfo/rendered/virtualservice-podinfo.yaml'));
    expect(vs.spec.http[0].route.map((x: { weight: number }) => x.weight)).toEqual([100, 0]);
  });

  it('pause sets spec.suspend keeping comments; resume removes it', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    expect((await cli('pause', 'test/podinfo', '--repo', r.human, ...ann)).code).toBe(0);
    const canary = r.remoteFile('apps/podinfo/canary.yaml');
    expect(canary).toMatch(/^# A Flagger canary for podinfo on Istio/);
    expect(parse(canary).spec.suspend).toBe(true);
    expect(await tick()).toMatchObject({
      message: 'skipping canary run as object is suspended',
      canaryWeight: 20,
    });
    expect((await cli('resume', 'test/podinfo', '--repo', r.human, ...ann)).code).toBe(0);
    expect(parse(r.remoteFile('apps/podinfo/canary.yaml')).spec.suspend).toBeUndefined();
  });

  it('rejects an unknown canary and a malformed name', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    expect((await cli('promote', 'test/nope', '--repo', r.human, ...ann)).out).toMatch(
      /canary test\/nope not found/,
    );
    expect((await cli('abort', '../etc', '--repo', r.human, ...ann)).code).toBe(2);
  });
});

describe('manual rollback in Git', () => {
  it('git revert of a step commit rolls back on the next run, and the revision stays failed', async () => {
    const { r, tick } = await midRun();
    git(r.human, 'pull', '-q');
    const step = git(r.human, 'rev-parse', 'HEAD');
    git(r.human, 'revert', '--no-edit', step);
    git(r.human, 'push', '-q');
    const c = await tick();
    expect(c).toMatchObject({ phase: 'Failed' });
    expect(c.message).toMatch(
      /^manual rollback: Human <human@example.com> reverted [0-9a-f]{7} in [0-9a-f]{7}/,
    );
    const vs = parse(r.remoteFile('apps/podinfo/rendered/virtualservice-podinfo.yaml'));
    expect(vs.spec.http[0].route.map((x: { weight: number }) => x.weight)).toEqual([100, 0]);
    expect((await tick()).message).toBe('Failed: no new revision');
  });

  it('editing the rendered weight down by hand rolls back', async () => {
    const { r, tick } = await midRun();
    r.humanEdit(
      'apps/podinfo/rendered/virtualservice-podinfo.yaml',
      (s) => s.replace(/weight: 80/, 'weight: 100').replace(/weight: 20/, 'weight: 0'),
      'emergency: all traffic to primary',
    );
    // A hand-edited weight is seen when the next step is due (the revert of a commit at once).
    expect((await tick()).message).toMatch(/^waiting: next step due at/);
    const c = await tick();
    expect(c.phase).toBe('Failed');
    expect(c.message).toMatch(/edited down to 0 \(status said 20\)/);
  });
});
