/**
 * Manual gates (confirm-rollout, confirm-traffic-increase, confirm-promotion): a gate nobody
 * opened holds the canary where Flagger would, so a gated canary never promotes unapproved.
 */
import { describe, expect, it } from 'vitest';
import { brief, canaryWith, Sim } from '../support/sim.js';

const hook = (type: string, name = `${type}-gate`) => ({ name, type, url: 'http://loadtester/gate/check' });

describe('confirm gates, closed until their webhook says yes', () => {
  it.each([
    [
      'confirm-rollout',
      { stepWeight: 50 },
      [
        'Waiting 100/0 i0 f0', // the new revision waits, canary not scaled up
        'Waiting 100/0 i0 f0',
        'Waiting 100/0 i0 f0',
      ],
      'Halt test/podinfo advancement waiting for approval confirm-rollout-gate',
    ],
    [
      'confirm-traffic-increase',
      { stepWeight: 50 },
      ['Progressing 100/0 i0 f0', 'Progressing 100/0 i0 f0', 'Progressing 100/0 i0 f0'],
      'Halt test/podinfo advancement waiting for traffic increase approval confirm-traffic-increase-gate',
    ],
    [
      'confirm-promotion',
      { stepWeight: 50 },
      ['Progressing 100/0 i0 f0', 'Progressing 50/50 i0 f0', 'Progressing 0/100 i0 f0 A'],
      undefined,
    ],
  ])('%s', (type, analysis, firstTicks, message) => {
    const sim = new Sim(canaryWith({ ...analysis, webhooks: [hook(type)] }));
    sim.initAndBump();
    const lines = [sim.tick(), sim.tick(), sim.tick()];
    expect(brief(lines)).toEqual(firstTicks);
    if (message) expect(lines.at(-1)?.message).toBe(message);
    const more = Array.from({ length: 10 }, () => sim.tick());
    expect(more.map((l) => l.phase)).not.toContain('Promoting');
    expect(sim.status?.lastPromotedSpec).toBe('rev-1');
  });

  it('confirm-rollout: Waiting once (one write), then nothing until the gate opens', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-rollout', 'ask')] }));
    sim.initAndBump();
    sim.tick();
    expect(sim.decisions.at(-1)?.stepped).toBe(true);
    expect(sim.decisions.at(-1)?.actions).toEqual([
      {
        type: 'event',
        severity: 'warning',
        message: `Halt test/podinfo advancement waiting for approval ask`,
      },
    ]);
    sim.tick();
    expect(sim.decisions.at(-1)?.stepped).toBe(false);
    sim.gates = { 'confirm-rollout': 'open' };
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 50/50 i0 f0',
      'Progressing 0/100 i0 f0 A',
      'Promoting 0/100 i0 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
  });

  it('confirm-traffic-increase: the analysis runs, the weight stays, the verdict is kept', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20, webhooks: [hook('confirm-traffic-increase')] }));
    sim.initAndBump();
    sim.tick();
    sim.gates = { 'confirm-traffic-increase': 'open' };
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Progressing 80/20 i0 f0', 'Progressing 60/40 i0 f0 A']);
    sim.gates = { 'confirm-traffic-increase': 'closed' };
    const held = sim.tick();
    expect(brief([held])).toEqual(['Progressing 60/40 i0 f0 A']);
    expect(held.message).toBe(
      'Halt test/podinfo advancement waiting for traffic increase approval confirm-traffic-increase-gate',
    );
    expect(sim.decisions.at(-1)).toMatchObject({ stepped: false, verdict: { result: 'pass' } });
    // Flagger asks it before promotion too: a configured step always asks.
    sim.gates = { 'confirm-traffic-increase': 'open' };
    expect(sim.runUntil('Succeeded').map((l) => l.phase)).toContain('Promoting');
  });

  it('confirm-promotion: WaitingPromotion at max weight, the analysis keeps running, then promotes', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-promotion', 'qa')] }));
    sim.initAndBump();
    const lines = [sim.tick(), sim.tick(), sim.tick(), sim.tick(), sim.tick()];
    expect(brief(lines)).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 50/50 i0 f0',
      'Progressing 0/100 i0 f0 A',
      'WaitingPromotion 0/100 i0 f0 A',
      'WaitingPromotion 0/100 i0 f0 A',
    ]);
    expect(lines[3]?.message).toBe(`Halt test/podinfo advancement waiting for promotion approval qa`);
    expect(sim.decisions.at(-1)?.stepped).toBe(false);
    sim.successRate = 50;
    expect(brief([sim.tick()])).toEqual(['WaitingPromotion 0/100 i0 f1 A']);
    sim.successRate = 100;
    sim.gates = { 'confirm-promotion': 'open' };
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Promoting 0/100 i0 f1 A',
      'Finalising 100/0 i0 f1',
      'Succeeded 100/0 i0 f1',
    ]);
  });

  it('confirm-promotion on blue/green holds before switching traffic, at the last iteration', () => {
    const sim = new Sim(canaryWith({ iterations: 2, webhooks: [hook('confirm-promotion')] }));
    sim.initAndBump();
    const lines = Array.from({ length: 6 }, () => sim.tick());
    expect(brief(lines)).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 100/0 i1 f0',
      'Progressing 100/0 i2 f0 A',
      'WaitingPromotion 100/0 i2 f0 A',
      'WaitingPromotion 100/0 i2 f0 A',
      'WaitingPromotion 100/0 i2 f0 A',
    ]);
    sim.gates = { 'confirm-promotion': 'open' };
    expect(brief(sim.runUntil('Promoting'))).toEqual([
      'WaitingPromotion 0/100 i3 f0 A',
      'Promoting 0/100 i3 f0 A',
    ]);
  });

  it('confirm-promotion on A/B holds after the iterations', () => {
    const sim = new Sim(
      canaryWith({
        iterations: 1,
        match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
        webhooks: [hook('confirm-promotion')],
      }),
    );
    sim.initAndBump();
    const lines = Array.from({ length: 4 }, () => sim.tick());
    expect(brief(lines).at(-1)).toBe('WaitingPromotion 0/100 i1 f0 A');
    expect(lines.map((l) => l.phase)).not.toContain('Promoting');
  });

  it('the kubernetes provider holds at confirm-promotion too', () => {
    const sim = new Sim(canaryWith({ iterations: 1, webhooks: [hook('confirm-promotion')] }), 'kubernetes');
    sim.initAndBump();
    const phases = Array.from({ length: 8 }, () => sim.tick().phase);
    expect(phases.at(-1)).toBe('WaitingPromotion');
    expect(phases).not.toContain('Promoting');
  });

  it('gitcanary promote still promotes a gated canary (a person decided)', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-rollout')] }));
    sim.initAndBump();
    sim.tick();
    expect(sim.status?.phase).toBe('Waiting');
    sim.status = {
      ...sim.status!,
      request: {
        action: 'promote',
        requestedBy: 'Ann <ann@example.com>',
        requestedAt: sim.now.toISOString(),
      },
    };
    expect(sim.tick().phase).toBe('Succeeded');
  });

  it('a canary without gate webhooks is not affected', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('pre-rollout')] }));
    sim.initAndBump();
    expect(sim.runUntil('Succeeded').map((l) => l.phase)).toContain('Promoting');
  });
});
