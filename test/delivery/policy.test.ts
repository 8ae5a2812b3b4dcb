import { describe, expect, it } from 'vitest';
import type { CanaryStatus, Decision, Routes } from '../../src/core/types.js';
import { plannedWeights } from '../../src/core/weights.js';
import { type PendingStep, pendingView } from '../../src/delivery/pending.js';
import { type ChangeFacts, changeKind, routeOf } from '../../src/delivery/policy.js';
import { defaultConfig } from '../../src/inputs/config.js';

const split = (canary: number, mirrored = false): Routes => ({ primary: 100 - canary, canary, mirrored });
const status = (over: Partial<CanaryStatus> = {}): CanaryStatus => ({
  phase: 'Progressing',
  canaryWeight: 20,
  failedChecks: 0,
  iterations: 0,
  lastAppliedSpec: 'rev-2',
  lastPromotedSpec: 'rev-1',
  lastTransitionTime: '2026-01-01T10:00:00.000Z',
  lastStepTime: '2026-01-01T10:00:00.000Z',
  trackedConfigs: {},
  conditions: [],
  history: [],
  ...over,
});
const decision = (next: Partial<CanaryStatus>, actions: Decision['actions'] = []): Decision => ({
  status: status(next),
  actions,
  message: '',
  stepped: true,
});
const facts = (over: Partial<ChangeFacts>): ChangeFacts => ({
  changes: true,
  before: status(),
  routesBefore: split(20),
  routesAfter: split(20),
  byPerson: false,
  ...over,
});

describe('changeKind', () => {
  it.each<[string, Partial<ChangeFacts>, string]>([
    ['no file changes', { changes: false }, 'none'],
    ['a re-sync without a step', { decision: { ...decision({}), stepped: false } }, 'bookkeeping'],
    ['a higher weight', { decision: decision({ canaryWeight: 30 }), routesAfter: split(30) }, 'exposure'],
    [
      'mirroring switched on',
      { decision: decision({}), routesBefore: split(0), routesAfter: split(0, true) },
      'exposure',
    ],
    ['a failed check at the same weight', { decision: decision({ failedChecks: 1 }) }, 'bookkeeping'],
    [
      'traffic back to the primary',
      { decision: decision({ phase: 'Finalising' }), routesAfter: split(0) },
      'bookkeeping',
    ],
    [
      'the canary template copied to the primary',
      { decision: decision({ phase: 'Promoting' }, [{ type: 'promote' }]) },
      'promotion',
    ],
    [
      'a rollback',
      { decision: decision({ phase: 'Failed', canaryWeight: 0 }), routesAfter: split(0) },
      'rollback',
    ],
    [
      'a step a person asked for',
      { decision: decision({ phase: 'Succeeded' }, [{ type: 'promote' }]), byPerson: true },
      'bookkeeping',
    ],
  ])('%s → %s', (_, over, kind) => {
    expect(changeKind(facts(over))).toBe(kind);
  });
});

describe('routeOf (the step policy)', () => {
  const policy = (over: object = {}) => ({ ...defaultConfig().delivery, ...over });
  it.each<[string, Parameters<typeof routeOf>, string]>([
    ['commit mode, no policy: every step commits', ['exposure', 80, 'commit', policy()], 'commit'],
    ['pull-request mode: a weight step', ['exposure', 10, 'pull-request', policy()], 'pull-request'],
    ['pull-request mode: a promotion', ['promotion', 0, 'pull-request', policy()], 'pull-request'],
    ['pull-request mode: bookkeeping commits', ['bookkeeping', 10, 'pull-request', policy()], 'commit'],
    [
      'pull-request mode: rollbacks go straight to the branch',
      ['rollback', 0, 'pull-request', policy()],
      'commit',
    ],
    [
      'rollback by PR when configured',
      ['rollback', 0, 'commit', policy({ rollback: 'pull-request' })],
      'pull-request',
    ],
    [
      'weights above 50 need a PR: 60',
      ['exposure', 60, 'commit', policy({ pullRequestFor: { weightAbove: 50, promotion: true } })],
      'pull-request',
    ],
    [
      'weights above 50 need a PR: 50 commits',
      ['exposure', 50, 'commit', policy({ pullRequestFor: { weightAbove: 50, promotion: true } })],
      'commit',
    ],
    [
      'promotions need a PR',
      ['promotion', 0, 'commit', policy({ pullRequestFor: { promotion: true } })],
      'pull-request',
    ],
    [
      'a protected branch: bookkeeping by (auto-merged) PR',
      ['bookkeeping', 0, 'commit', policy({ direct: 'pull-request' })],
      'pull-request',
    ],
    [
      'a protected branch: rollbacks by PR whatever delivery.rollback says',
      ['rollback', 0, 'commit', policy({ direct: 'pull-request' })],
      'pull-request',
    ],
  ])('%s', (_, args, route) => {
    expect(routeOf(...args)).toBe(route);
  });
});

describe('plannedWeights', () => {
  it.each<[object, number[]]>([
    [{ stepWeight: 20, maxWeight: 50 }, [20, 40, 60]],
    [{ stepWeight: 10, maxWeight: 30 }, [10, 20, 30]],
    [{ stepWeights: [1, 10, 80] }, [1, 10, 80]],
    [{ stepWeight: 0 }, []],
  ])('%j → %j', (analysis, weights) => {
    expect(plannedWeights(analysis as never)).toEqual(weights);
  });
});

describe('pendingView', () => {
  const pr = (over: Partial<PendingStep>): PendingStep => ({
    number: 5,
    state: 'open',
    decidedAt: '2026-01-01T10:05:00Z',
    revision: 'rev-2',
    fromWeight: 20,
    ...over,
  });
  it('an open PR: the analysis waits an interval from the decision it carries', () => {
    expect(pendingView(status(), pr({}), 'halt').status?.lastStepTime).toBe('2026-01-01T10:05:00Z');
  });
  it('a merged PR: the interval counts from the merge', () => {
    const view = pendingView(status(), pr({ state: 'merged', at: '2026-01-01T10:30:00Z' }), 'halt');
    expect(view.status?.lastStepTime).toBe('2026-01-01T10:30:00Z');
  });
  it('a PR merged before the last step changes nothing', () => {
    const s = status();
    expect(pendingView(s, pr({ state: 'merged', at: '2026-01-01T09:00:00Z' }), 'halt').status).toBe(s);
  });
  it('closed unmerged by a person for the live weight: rejected', () => {
    const view = pendingView(status(), pr({ state: 'closed', at: '2026-01-01T10:10:00Z' }), 'rollback');
    expect(view.closed).toEqual({ number: 5, by: 'a reviewer', outcome: 'rollback' });
  });
  it.each<[string, Partial<PendingStep>, Partial<CanaryStatus>]>([
    ['closed by gitcanary itself', { closedByGitcanary: true }, {}],
    ['closed before the last step', { at: '2026-01-01T09:59:00Z' }, {}],
    ['for another revision', { revision: 'rev-1' }, {}],
    ['for another weight', { fromWeight: 10 }, {}],
    ['already halted', {}, { halted: 'step pull request #5 was closed' }],
    ['canary not running', {}, { phase: 'Succeeded' }],
  ])('closed but not a rejection: %s', (_, prOver, statusOver) => {
    const view = pendingView(
      status(statusOver),
      pr({ state: 'closed', at: '2026-01-01T10:10:00Z', ...prOver }),
      'halt',
    );
    expect(view.closed).toBeUndefined();
  });
});
