/** Succeeded / Failed transitions counted from a real rollout's Git history (the demo's repository). */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/demo.js';
import { transitionsFromGit } from '../../src/export/transitions.js';
import { openRepo } from '../../src/git/cli-repo.js';

let work = '';
beforeAll(async () => {
  const lines: string[] = [];
  await runDemo({ keep: true, out: (s) => lines.push(s) });
  work = /kept: (.*)/.exec(lines.join('\n'))?.[1] ?? '';
}, 120_000);
afterAll(() => {
  if (work) rmSync(dirname(work), { recursive: true, force: true });
});

const podinfo = {
  id: 'demo/podinfo',
  namespace: 'demo',
  target: 'podinfo',
  strategy: 'canary' as const,
  statusFile: 'apps/podinfo/podinfo.status.yaml',
};

describe('transitions from Git', () => {
  it('one success (the good release) then one failure (the bad one), each counted once', async () => {
    const author = execFileSync('git', ['-C', work, 'log', '-1', '--format=%ae', '--', podinfo.statusFile], {
      encoding: 'utf8',
    }).trim();
    const t = await transitionsFromGit(await openRepo(work), [podinfo], author);
    expect(t.map((x) => `${x.outcome}/${x.analysisStatus}`)).toEqual([
      'success/completed',
      'failure/completed',
    ]);
  });

  it("a person's commit with copied trailers is not a rollout", async () => {
    const author = execFileSync('git', ['-C', work, 'log', '-1', '--format=%ae', '--', podinfo.statusFile], {
      encoding: 'utf8',
    }).trim();
    writeFileSync(
      join(work, podinfo.statusFile),
      `${execFileSync('cat', [join(work, podinfo.statusFile)], { encoding: 'utf8' })}# edited\n`,
    );
    const id = ['-c', 'user.name=Mallory', '-c', 'user.email=mallory@example.com'];
    execFileSync('git', [
      '-C',
      work,
      ...id,
      'commit',
      '-qam',
      'fake\n\nCanary: demo/podinfo\nCanary-Phase: Succeeded',
    ]);
    const t = await transitionsFromGit(await openRepo(work), [podinfo], author);
    expect(t).toHaveLength(2);
  });
});
