/**
 * People edit what gitcanary rendered: a hand edit is reported as drift and overwritten only
 * where a step needs the file; reverting a promotion brings the previous primary back and the
 * reverted revision is not promoted again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runSimulate } from '../../src/cli/simulate.js';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const primaryFile = 'apps/podinfo/rendered/deployment-podinfo-primary.yaml';
const vsFile = 'apps/podinfo/rendered/virtualservice-podinfo.yaml';

/** A podinfo canary without metrics (every analysis passes), one run per interval. */
function rollout() {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  r.humanEdit('apps/podinfo/canary.yaml', (s) => s.slice(0, s.indexOf('    metrics:')), 'no metrics');
  let now = Date.parse('2026-01-01T00:00:00Z');
  const tick = async () => {
    const res = await reconcile({ repoDir: r.work, now: new Date(now) });
    now += 60_000;
    expect(res.canaries[0]!.error).toBeUndefined();
    return { ...res.canaries[0]!, commit: res.commit };
  };
  return { r, tick };
}

const primaryImage = (r: GitOps): string =>
  parse(r.remoteFile(primaryFile)).spec.template.spec.containers[0].image;
const canaryWeight = (r: GitOps): number => {
  const vs = parse(r.remoteFile(vsFile));
  return vs.spec.http[0].route.find(
    (x: { destination: { host: string } }) => x.destination.host === 'podinfo-canary',
  ).weight;
};

describe('hand edits of rendered files (drift)', () => {
  it('are reported, kept while steps do not need the file, and overwritten by the step that does', async () => {
    const { r, tick } = rollout();
    await tick();
    await tick();
    r.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'),
      'podinfo 6.1.6',
    );
    await tick();
    expect(await tick()).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const edit = r.humanEdit(
      primaryFile,
      (s) => s.replace('  labels:\n', '  labels:\n    team: payments\n'),
      'label the primary for the cost report',
    );
    expect(r.remoteFile(primaryFile)).toContain('team: payments');

    const step = await tick();
    expect(step).toMatchObject({ phase: 'Progressing', canaryWeight: 40 });
    expect(step.notes).toContain(
      `drift: ${primaryFile} edited by Human <human@example.com> in ${edit.slice(0, 7)}`,
    );
    expect(step.message).toContain(`drift kept (this step does not change it): ${primaryFile}`);
    expect(r.remoteFile(primaryFile)).toContain('team: payments');
    expect(canaryWeight(r)).toBe(40);
    expect(r.remoteLog()[0]).toContain(`drift kept (this step does not change it): ${primaryFile}`);

    expect(await tick()).toMatchObject({ canaryWeight: 60 });
    expect(r.remoteFile(primaryFile)).toContain('team: payments');
    const promoted = await tick();
    expect(promoted.phase).toBe('Promoting');
    expect(promoted.message).toContain(`drift overwritten (this step changes it): ${primaryFile}`);
    expect(r.remoteFile(primaryFile)).not.toContain('team: payments');
    expect(primaryImage(r)).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');
    // Overwritten by gitcanary: no longer drift.
    expect((await tick()).notes ?? []).not.toContainEqual(expect.stringMatching(/^drift:/));
    expect((await runSimulate(r.work, 'test/podinfo', { fromStatus: true })).reproduced).toBe(true);
  });

  it('a due run without a step keeps a hand edit and says it is drift', async () => {
    const { r, tick } = rollout();
    await tick();
    await tick();
    const edit = r.humanEdit(
      vsFile,
      (s) => s.replace('  hosts:\n', '  hosts:\n    - extra.example.com\n'),
      'add a host',
    );
    const idle = await tick();
    expect(idle).toMatchObject({ phase: 'Initialized', commit: null });
    expect(idle.notes).toContain(
      `drift: ${vsFile} edited by Human <human@example.com> in ${edit.slice(0, 7)}`,
    );
    expect(r.remoteFile(vsFile)).toContain('extra.example.com');
  });
});

describe('reverting a promotion', () => {
  it('brings the previous primary back, rolls traffic to it, and does not promote that revision again', async () => {
    const { r, tick } = rollout();
    await tick();
    await tick();
    r.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'),
      'podinfo 6.1.6',
    );
    const lines = [];
    for (let i = 0; i < 12; i++) {
      const line = await tick();
      lines.push(line);
      if (line.phase === 'Succeeded') break;
    }
    expect(lines.at(-1)?.phase).toBe('Succeeded');
    expect(primaryImage(r)).toBe('ghcr.io/stefanprodan/podinfo:6.1.6');

    // The person reverts every commit of the promotion (Promoting, Finalising, Succeeded).
    git(r.human, 'pull', '-q', '--ff-only');
    const promotion = git(r.human, 'log', '--format=%H', '--grep=Canary-Phase: Promoting', '-1');
    git(r.human, 'revert', '--no-edit', `${promotion}~1..HEAD`);
    git(r.human, 'push', '-q');
    expect(primaryImage(r)).toBe('ghcr.io/stefanprodan/podinfo:6.1.5');

    const back = await tick();
    expect(back.phase).toBe('Failed');
    expect(back.message).toMatch(
      /manual rollback: Human <human@example.com> reverted [0-9a-f]{7} in [0-9a-f]{7}/,
    );
    expect(primaryImage(r)).toBe('ghcr.io/stefanprodan/podinfo:6.1.5');
    expect(canaryWeight(r)).toBe(0);
    const canary = parseAllDocuments(
      r.remoteFile('apps/podinfo/rendered/deployment-podinfo.yaml'),
    )[0]!.toJS();
    expect(canary.spec.replicas).toBe(0);
    for (let i = 0; i < 3; i++) expect(await tick()).toMatchObject({ phase: 'Failed', commit: null });
    expect(primaryImage(r)).toBe('ghcr.io/stefanprodan/podinfo:6.1.5');
  });
});
