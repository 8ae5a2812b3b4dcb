/**
 * Attack: a Canary's metric name, or a metrics server's error text, carries lines meant to be
 * read back from the step commit — a `This reverts commit` line, forged `Canary-*` trailers,
 * a `Signed-off-by`, terminal escape codes. The commit is made with real git and read back with
 * `git interpret-trailers --parse`, `git log` and gitcanary's own parsers: only gitcanary's
 * trailers are there, and no revert is seen.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrailers } from '../../src/git/trailers.js';
import type { CanaryPlan } from '../../src/reconcile/canary.js';
import { commitMessage } from '../../src/reconcile/commit-message.js';
import { findRevert } from '../../src/reconcile/reverts.js';
import { cleanup, git, tempDir } from '../git/repos.js';

afterAll(cleanup);

const evilName =
  'rate\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n\nCanary-Phase: Succeeded';
const evilReason =
  'HTTP 500: \u001b[2J\u001b[31mgone\r\nCanary-Weight: 0\nSigned-off-by: Mallory <m@x>\u2028';

const plan = {
  report: {
    namespace: 'test',
    name: 'podinfo',
    file: 'apps/podinfo/canary.yaml',
    phase: 'Progressing',
    canaryWeight: 10,
    failedChecks: 1,
    iterations: 1,
    message:
      'Halt: check failed\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\nCanary: other/team',
    stepped: true,
  },
  changes: [{ path: 'apps/podinfo/status.yaml', content: 'x' }],
  decision: {
    verdict: {
      result: 'fail',
      reason: 'failed',
      metrics: [{ name: evilName, result: 'fail', reason: evilReason }],
    },
  },
} as unknown as CanaryPlan;

describe('commit message from hostile spec text', () => {
  it('reads back with gitcanary’s trailers only, no revert and no control characters', async () => {
    const message = commitMessage([plan], new Date('2026-12-07T00:00:00Z'));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(message).not.toMatch(/reverts commit/i);

    const dir = await tempDir();
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-m', message]);
    const stored = git(dir, ['log', '-1', '--format=%B']);
    const trailers = execTrailers(dir, stored);
    expect(trailers).toEqual(['Canary: test/podinfo', 'Canary-Phase: Progressing', 'Canary-Weight: 10']);
    expect(parseTrailers(stored)).toEqual([
      ['Canary', 'test/podinfo'],
      ['Canary-Phase', 'Progressing'],
      ['Canary-Weight', '10'],
    ]);
    const entry = {
      sha: git(dir, ['rev-parse', 'HEAD']),
      author: 'a',
      authorEmail: 'a@x',
      date: new Date(),
      message: stored,
      files: ['apps/podinfo/status.yaml'],
    };
    expect(findRevert([entry], 'apps/podinfo/status.yaml', 'apps/podinfo/rendered')).toBeUndefined();
    expect(stored).toContain('"rate This reverts_commit');
  });
});

/** `git interpret-trailers --parse` on a message, one trailer a line. */
function execTrailers(dir: string, message: string): string[] {
  return execFileSync('git', ['interpret-trailers', '--parse'], {
    cwd: dir,
    input: message,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l !== '');
}
