/**
 * Gates opened through Git: an approval in the status file opens its gate for one revision, as
 * an `open` webhook answer would; a new revision finds its gates closed again.
 */
import { describe, expect, it } from 'vitest';
import { addApproval, approvalRevision, heldGate, withApprovals } from '../../src/core/approvals.js';
import type { GateType } from '../../src/core/gates.js';
import type { CanaryStatus, GateApproval } from '../../src/core/types.js';
import { brief, canaryWith, Sim } from '../support/sim.js';

const hook = (type: string) => ({ name: `${type}-gate`, type, url: 'http://loadtester/gate/check' });
const ann = 'Ann Operator <ann@example.com>';
const approval = (gate: GateType, revision: string): GateApproval => ({
  gate,
  revision,
  approvedBy: ann,
  approvedAt: '2026-01-01T00:00:00Z',
});
const approve = (sim: Sim, gate: GateType, revision = sim.revision) => {
  sim.status = { ...sim.status!, approvals: addApproval(sim.status!.approvals, approval(gate, revision)) };
};

describe('an approval opens its gate for the current revision', () => {
  it.each([
    ['confirm-rollout', 'Waiting', 'Progressing 100/0 i0 f0'],
    ['confirm-traffic-increase', 'Progressing', 'Progressing 50/50 i0 f0'],
    ['confirm-promotion', 'WaitingPromotion', 'Promoting 0/100 i0 f0 A'],
  ] as const)('%s: held in %s, approved, passes on the next tick', (gate, heldPhase, next) => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook(gate)] }));
    sim.initAndBump();
    const held = Array.from({ length: 5 }, () => sim.tick());
    expect(held.at(-1)?.phase).toBe(heldPhase);
    expect(heldGate(sim.canary, 'istio', sim.status, sim.revision)).toBe(gate);
    approve(sim, gate, approvalRevision(sim.status, sim.revision));
    expect(heldGate(sim.canary, 'istio', sim.status, sim.revision)).toBeUndefined();
    expect(brief([sim.tick()])).toEqual([next]);
    expect(sim.runUntil('Succeeded').at(-1)?.phase).toBe('Succeeded');
    expect(sim.status?.lastPromotedSpec).toBe('rev-2');
  });

  it('the approval is kept by every step of the run: a traffic gate approved once opens each step', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20, webhooks: [hook('confirm-traffic-increase')] }));
    sim.initAndBump();
    sim.tick();
    approve(sim, 'confirm-traffic-increase');
    expect(brief(sim.runUntil('Succeeded')).slice(0, 5)).toEqual([
      'Progressing 80/20 i0 f0',
      'Progressing 60/40 i0 f0 A',
      'Progressing 40/60 i0 f0 A',
      'Progressing 20/80 i0 f0 A',
      'Progressing 0/100 i0 f0 A',
    ]);
  });

  it('a new revision closes the gate again', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-promotion')] }));
    sim.initAndBump();
    approve(sim, 'confirm-promotion'); // approved ahead of time, for rev-2
    expect(sim.runUntil('Succeeded').map((l) => l.phase)).not.toContain('WaitingPromotion');
    sim.revision = 'rev-3';
    const ticks = Array.from({ length: 8 }, () => sim.tick());
    expect(ticks.at(-1)?.phase).toBe('WaitingPromotion');
    expect(sim.status?.lastPromotedSpec).toBe('rev-2');
    // mid-run, the approval's revision is the one under analysis
    expect(approvalRevision(sim.status, 'rev-4')).toBe('rev-3');
  });

  it('an approval of one gate leaves the others closed', () => {
    const sim = new Sim(
      canaryWith({ stepWeight: 50, webhooks: [hook('confirm-rollout'), hook('confirm-promotion')] }),
    );
    sim.initAndBump();
    sim.tick();
    approve(sim, 'confirm-rollout');
    expect(sim.runUntil('WaitingPromotion').at(-1)?.message).toMatch(/waiting for promotion approval/);
    expect(heldGate(sim.canary, 'istio', sim.status, sim.revision)).toBe('confirm-promotion');
  });

  it('the webhook answer alone also opens the gate: either one suffices', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-promotion')] }));
    sim.initAndBump();
    sim.runUntil('WaitingPromotion');
    sim.gates = { 'confirm-promotion': 'open' };
    expect(sim.tick().phase).toBe('Promoting');
  });
});

describe('withApprovals', () => {
  const base = {
    id: 'test/podinfo',
    canary: canaryWith({ webhooks: [hook('confirm-promotion')] }),
    provider: 'istio' as const,
    revision: 'r2',
    trackedConfigs: {},
    routes: { primary: 100, canary: 0, mirrored: false },
    now: new Date('2026-01-01T00:00:00Z'),
  };
  const status = (approvals: GateApproval[]): CanaryStatus => ({
    phase: 'WaitingPromotion',
    canaryWeight: 100,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: 'r2',
    lastPromotedSpec: 'r1',
    lastTransitionTime: '',
    lastStepTime: '',
    trackedConfigs: {},
    conditions: [],
    history: [],
    approvals,
  });
  it.each([
    [
      'approved for this revision',
      [approval('confirm-promotion', 'r2')],
      undefined,
      { 'confirm-promotion': 'open' },
    ],
    ['approved for another revision', [approval('confirm-promotion', 'r1')], undefined, undefined],
    [
      'webhook closed, approved',
      [approval('confirm-promotion', 'r2')],
      { 'confirm-promotion': 'closed' },
      { 'confirm-promotion': 'open' },
    ],
    ['webhook open, no approval', [], { 'confirm-promotion': 'open' }, { 'confirm-promotion': 'open' }],
    [
      'webhook closed, other gate approved',
      [approval('confirm-rollout', 'r2')],
      { 'confirm-promotion': 'closed' },
      { 'confirm-promotion': 'closed', 'confirm-rollout': 'open' },
    ],
  ] as const)('%s', (_, approvals, gates, expected) => {
    const input = { ...base, status: status([...approvals]), ...(gates ? { gates } : {}) };
    expect(withApprovals(input).gates).toEqual(expected);
  });
});

describe('addApproval', () => {
  it('drops approvals of other revisions and replaces one of the same gate', () => {
    const out = addApproval(
      [
        approval('confirm-promotion', 'r1'),
        approval('confirm-rollout', 'r2'),
        approval('confirm-promotion', 'r2'),
      ],
      { ...approval('confirm-promotion', 'r2'), approvedBy: 'Bob <b@x>' },
    );
    expect(out.map((a) => [a.gate, a.revision, a.approvedBy])).toEqual([
      ['confirm-rollout', 'r2', ann],
      ['confirm-promotion', 'r2', 'Bob <b@x>'],
    ]);
  });
});

describe('heldGate', () => {
  it('is none without a status, for an ungated canary, and for a blue/green traffic hook', () => {
    const gated = canaryWith({ iterations: 3, webhooks: [hook('confirm-traffic-increase')] });
    const sim = new Sim(gated);
    expect(heldGate(gated, 'istio', undefined, 'rev-1')).toBeUndefined();
    sim.initAndBump();
    sim.tick();
    expect(sim.status?.phase).toBe('Progressing');
    expect(heldGate(gated, 'istio', sim.status, sim.revision)).toBeUndefined();
    expect(heldGate(canaryWith({ stepWeight: 10 }), 'istio', sim.status, sim.revision)).toBeUndefined();
  });

  it('is confirm-rollout for a new revision the run has not seen yet', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-rollout')] }));
    sim.runUntil('Initialized');
    expect(heldGate(sim.canary, 'istio', sim.status, 'rev-1')).toBeUndefined();
    expect(heldGate(sim.canary, 'istio', sim.status, 'rev-2')).toBe('confirm-rollout');
    expect(approvalRevision(sim.status, 'rev-2')).toBe('rev-2');
  });
});
