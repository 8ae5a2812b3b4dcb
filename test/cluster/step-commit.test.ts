import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/git/cli-repo.js';
import type { LogOptions } from '../../src/git/port.js';
import type { ReconcileContext } from '../../src/reconcile/context.js';
import { stepCommit } from '../../src/reconcile/live.js';

const root = mkdtempSync(join(tmpdir(), 'gc-step-commit-'));
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  }).trim();

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('stepCommit beyond the recent window', () => {
  git('init', '-q', '-b', 'main');
  mkdirSync(join(root, 'apps/podinfo/rendered'), { recursive: true });
  writeFileSync(join(root, 'apps/podinfo/rendered/canary.yaml'), 'weight: 10\n');
  git('add', '.');
  git('commit', '-q', '-m', 'podinfo: step to 10\n\nEvaluated at 2026-01-02T03:04:05.000Z.');
  const step = git('rev-parse', 'HEAD');
  for (let i = 0; i < 150; i++) {
    writeFileSync(join(root, 'other.txt'), `${i}\n`);
    git('add', 'other.txt');
    git('commit', '-q', '-m', `other ${i}`);
  }
  const ctx = {
    root,
    recent: [],
    history: { log: (o: LogOptions) => openRepo(root).then((g) => g.log(o)) },
  } as unknown as ReconcileContext;

  it('finds the step commit 150 commits back, with the time the run decided it', async () => {
    expect(await stepCommit(ctx, 'apps/podinfo/rendered')).toEqual({
      commit: step,
      time: '2026-01-02T03:04:05.000Z',
    });
  });

  it('is undefined for a folder no commit touched', async () => {
    expect(await stepCommit(ctx, 'apps/other/rendered')).toBeUndefined();
  });
});
