/** Which commits are gitcanary's steps, and which rendered files a person edited. */
import { describe, expect, it } from 'vitest';
import { pullRequestBody } from '../../src/forge/pr-body.js';
import type { ChangeEntry } from '../../src/git/port.js';
import { handEdits, isStepCommit } from '../../src/reconcile/reverts.js';

const body = pullRequestBody({
  canary: { namespace: 'test', name: 'podinfo', file: 'apps/podinfo/canary.yaml' },
  revision: 'abc',
  from: { phase: 'Progressing', weight: 20 },
  to: { phase: 'Progressing', weight: 40 },
  message: 'Advance test/podinfo canary weight 40',
  failedChecks: 0,
  threshold: 2,
  plannedWeights: [20, 40, 60],
  history: [],
  decidedAt: '2026-12-06T10:00:00Z',
  baseSha: 'f'.repeat(40),
}).body;

describe('isStepCommit', () => {
  it.each([
    [
      'its own commit',
      'gitcanary: test/podinfo Progressing 40%\n\nCanary: test/podinfo\nCanary-Phase: Progressing\n',
      true,
    ],
    ['squashed with the title', 'gitcanary: test/podinfo 20% → 40% (#2)\n', true],
    ['squashed with title and description', `Step (#2)\n\n${body}\n`, true],
    ['a person', 'tune the canary\n', false],
    ['a person quoting a trailer inline', 'see Canary-Phase: Progressing\n', false],
    ['a title without a PR number', 'gitcanary: by hand\n', false],
  ])('%s', (_, message, expected) => {
    expect(isStepCommit(message)).toBe(expected);
  });
});

describe('handEdits', () => {
  const entry = (sha: string, message: string, files: string[]): ChangeEntry => ({
    sha,
    message,
    files,
    author: 'Ann',
    authorEmail: 'ann@example.com',
    date: new Date('2026-12-06T10:00:00Z'),
  });
  it('names the newest commit of each rendered file when it is not a step', () => {
    const recent = [
      entry('c3', 'tune the route\n', ['apps/p/rendered/vs.yaml']),
      entry('c2', 'gitcanary: test/p 0% → 20% (#1)\n', [
        'apps/p/rendered/vs.yaml',
        'apps/p/rendered/svc.yaml',
      ]),
      entry('c1', 'by hand\n', ['apps/p/rendered/svc.yaml', 'apps/p/canary.yaml']),
    ];
    expect(handEdits(recent, 'apps/p/rendered')).toEqual(
      new Map([['apps/p/rendered/vs.yaml', { by: 'Ann <ann@example.com>', commit: 'c3' }]]),
    );
  });
});
