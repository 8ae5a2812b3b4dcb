/**
 * `/gitcanary …` comments: strict parsing of anyone's text, and what a heard command does to the
 * status (a request, an approval, the comment remembered) and how it is answered.
 */
import { describe, expect, it } from 'vitest';
import { applyCommand, type HeardCommand, parseCommand, safeLogin } from '../../src/core/comment-commands.js';
import { canaryWith, Sim } from '../support/sim.js';

describe('parseCommand', () => {
  it.each([
    ['/gitcanary promote', { verb: 'promote' }],
    ['/gitcanary abort\n', { verb: 'abort' }],
    ['  /gitcanary pause  ', { verb: 'pause' }],
    ['/gitcanary resume\r\n', { verb: 'resume' }],
    ['/gitcanary retry', { verb: 'retry' }],
    ['/gitcanary approve', { verb: 'approve' }],
    ['/gitcanary approve confirm-promotion', { verb: 'approve', gate: 'confirm-promotion' }],
    ['/gitcanary approve confirm-rollout', { verb: 'approve', gate: 'confirm-rollout' }],
  ])('%j is a command', (body, want) => {
    expect(parseCommand(body)).toEqual(want);
  });

  it.each([
    'please /gitcanary abort',
    '/gitcanary abort now',
    '/gitcanary promote\n/gitcanary abort',
    '/gitcanary approve yes',
    '/gitcanary promote confirm-promotion',
    '/GITCANARY promote',
    '/gitcanary deploy',
    '/gitcanary',
    '/gitcanaryabort',
    `/gitcanary abort ${'x'.repeat(300)}`,
    '> /gitcanary abort',
    '',
  ])('%j is not', (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });
});

describe('safeLogin', () => {
  it.each([
    ['ann', 'ann'],
    ['dependabot[bot]', 'dependabot[bot]'],
    ['a-b-c', 'a-b-c'],
    ['-ann', 'unknown'],
    ['ann\nCanary-Request: abort', 'unknown'],
    ['a'.repeat(40), 'unknown'],
  ])('%j → %j', (login, want) => expect(safeLogin(login)).toBe(want));
});

const hook = (type: string) => ({ name: 'ask', type, url: 'http://loadtester/gate/check' });

function held() {
  const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-promotion')] }));
  sim.initAndBump();
  sim.runUntil('WaitingPromotion');
  return sim;
}

const heard = (over: Partial<HeardCommand>): HeardCommand => ({
  verb: 'approve',
  commentId: 77,
  createdAt: '2026-01-01T01:00:00Z',
  pullRequest: 3,
  login: 'ann',
  allowed: true,
  permission: 'write',
  repo: 'acme/gitops',
  ...over,
});

describe('applyCommand', () => {
  const now = new Date('2026-01-01T01:00:05Z');

  it('a writer approves the held gate: the approval for the revision, a +1, and the next tick promotes', () => {
    const sim = held();
    const ctx = { canary: sim.canary, provider: 'istio' as const, revision: sim.revision, now };
    const out = applyCommand(sim.status!, heard({}), ctx);
    expect(out.answer).toEqual({ reaction: '+1' });
    expect(out.status.comments).toEqual({ lastId: 77, lastAt: '2026-01-01T01:00:00Z' });
    expect(out.status.approvals).toEqual([
      {
        gate: 'confirm-promotion',
        revision: 'rev-2',
        approvedBy: '@ann (comment 77 on pull request #3)',
        approvedAt: now.toISOString(),
      },
    ]);
    sim.status = out.status;
    expect(sim.tick().phase).toBe('Promoting');
  });

  it('a reader is refused: only the comment is remembered, and the reply says why', () => {
    const sim = held();
    const ctx = { canary: sim.canary, provider: 'istio' as const, revision: sim.revision, now };
    const out = applyCommand(sim.status!, heard({ verb: 'abort', allowed: false, permission: 'read' }), ctx);
    expect(out.status).toEqual({ ...sim.status, comments: { lastId: 77, lastAt: '2026-01-01T01:00:00Z' } });
    expect(out.answer).toEqual({
      reply:
        'Ignored `/gitcanary abort`: @ann has read permission on acme/gitops; commands need write, maintain or admin.',
    });
  });

  it.each(['promote', 'abort', 'pause', 'resume', 'retry'] as const)(
    '%s becomes the matching request',
    (verb) => {
      const sim = held();
      const ctx = { canary: sim.canary, provider: 'istio' as const, revision: sim.revision, now };
      const out = applyCommand(sim.status!, heard({ verb }), ctx);
      expect(out.answer).toEqual({ reaction: 'rocket' });
      expect(out.status.request).toEqual({
        action: verb,
        requestedBy: '@ann (comment 77 on pull request #3)',
        requestedAt: now.toISOString(),
      });
    },
  );

  it('pause halts the canary; resume lifts the halt', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    const ctx = { canary: sim.canary, provider: 'istio' as const, revision: sim.revision, now };
    sim.status = applyCommand(sim.status!, heard({ verb: 'pause' }), ctx).status;
    const paused = sim.tick();
    expect(sim.status?.halted).toMatch(/^pause requested by @ann/);
    expect(paused.message).toMatch(/halting at canary weight 20/);
    const weight = sim.routes.canary;
    sim.tick();
    expect(sim.routes.canary).toBe(weight);
    sim.status = applyCommand(sim.status!, heard({ verb: 'resume', commentId: 78 }), ctx).status;
    expect(sim.tick().message).toMatch(/halt lifted/);
    expect(sim.status?.halted).toBeUndefined();
  });

  it('approve with no gate held, or a gate the Canary lacks, is answered and changes nothing else', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20 }));
    sim.initAndBump();
    sim.tick();
    const ctx = { canary: sim.canary, provider: 'istio' as const, revision: sim.revision, now };
    const none = applyCommand(sim.status!, heard({}), ctx);
    expect(none.answer).toEqual({
      reply:
        'Nothing to approve: the canary is not held at a gate (phase Progressing). Name one: `/gitcanary approve confirm-promotion`.',
    });
    expect(none.status.approvals).toBeUndefined();
    const lacks = applyCommand(sim.status!, heard({ gate: 'confirm-promotion' }), ctx);
    expect(lacks.answer).toEqual({
      reply: 'Nothing to approve: the Canary has no confirm-promotion webhook.',
    });
  });
});
