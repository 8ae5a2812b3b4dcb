import { describe, expect, it } from 'vitest';
import { decide, emptyStatus, isDue } from '../../src/core/decide.js';
import { idleRoutes } from '../../src/core/types.js';
import { brief, canaryWith, Sim, T0 } from '../support/sim.js';

describe('canary strategy timelines (docs/flagger-behaviour.md §3.3b)', () => {
  it('stepWeight 10, maxWeight 30: scale-up, pre-rollout step, 3 analyses, promote, finalise', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, maxWeight: 30 }));
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Initializing 100/0 i0 f0', 'Initialized 100/0 i0 f0']);
    sim.revision = 'rev-2';
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Progressing 100/0 i0 f0', // T0 scale up, no routing
      'Progressing 90/10 i0 f0', // T1 pre-rollout, first weight, no metrics
      'Progressing 80/20 i0 f0 A',
      'Progressing 70/30 i0 f0 A',
      'Promoting 70/30 i0 f0 A', // analysis at max weight promotes
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(sim.analyses).toBe(3);
    expect(sim.status?.lastPromotedSpec).toBe('rev-2');
    expect(sim.status?.conditions[0]).toMatchObject({
      type: 'Promoted',
      status: 'True',
      reason: 'Succeeded',
    });
  });

  it('overshoots maxWeight like Flagger (50 / 20 → 20, 40, 60)', () => {
    const sim = new Sim(canaryWith({ stepWeight: 20, maxWeight: 50 }));
    sim.initAndBump();
    const weights = sim.runUntil('Promoting').map((l) => l.routes);
    expect(weights).toEqual(['100/0', '80/20', '60/40', '40/60', '40/60']);
  });

  it.each([
    [
      [1, 2, 10, 80],
      ['99/1', '98/2', '90/10', '20/80'],
    ],
    [
      [1, 2, 10, 200],
      ['99/1', '98/2', '90/10', '0/100'],
    ],
  ])('stepWeights %j walk the list', (stepWeights, expected) => {
    const sim = new Sim(canaryWith({ stepWeights }));
    sim.initAndBump();
    const lines = sim.runUntil('Promoting');
    expect(lines.slice(1, -1).map((l) => l.routes)).toEqual(expected);
  });

  it('stepWeightPromotion shifts traffic back to the primary gradually', () => {
    const sim = new Sim(canaryWith({ stepWeight: 30, maxWeight: 60, stepWeightPromotion: 25 }));
    sim.initAndBump();
    sim.runUntil('Promoting');
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Promoting 65/35 i0 f0',
      'Promoting 90/10 i0 f0',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
  });

  it('mirroring adds one interval of 100/0 with mirror before the first shift', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, maxWeight: 50, mirror: true }));
    sim.initAndBump();
    expect(brief(sim.runUntil('Promoting'))).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 100/0m i0 f0',
      'Progressing 50/50 i0 f0 A',
      'Promoting 50/50 i0 f0 A',
    ]);
  });
});

describe('failed checks and rollback (§3.7)', () => {
  it('accumulates failed checks and rolls back on the tick after the Nth failure', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 2 }));
    sim.initAndBump();
    sim.tick(); // scale up
    sim.tick(); // 10
    sim.tick(); // 20 (pass)
    sim.successRate = 95;
    const lines = [sim.tick(), sim.tick(), sim.tick()];
    expect(brief(lines)).toEqual([
      'Progressing 80/20 i0 f1 A',
      'Progressing 80/20 i0 f2 A',
      'Failed 100/0 i0 f0',
    ]);
    const rollback = sim.decisions.at(-1)!;
    expect(rollback.actions.map((a) => a.type)).toEqual(['set-routes', 'scale-canary', 'event', 'event']);
    expect(rollback.message).toContain('failed checks threshold reached 2');
    expect(sim.status?.history.at(-2)?.verdict?.reason).toBe('request-success-rate 95 < 99');
  });

  it('failed checks are cumulative for a run: a pass in between does not reset them', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 3 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.successRate = 90;
    sim.tick();
    sim.successRate = 100;
    sim.tick();
    sim.successRate = 90;
    expect(sim.tick()).toMatchObject({ failedChecks: 2, routes: '80/20' });
  });

  it('a failed revision is not analysed again; a new revision starts a new run', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 1 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.successRate = 0;
    sim.runUntil('Failed');
    sim.successRate = 100;
    expect(sim.tick()).toMatchObject({ phase: 'Failed', message: 'Failed: no new revision' });
    expect(sim.decisions.at(-1)?.stepped).toBe(false);
    sim.revision = 'rev-3';
    expect(sim.tick()).toMatchObject({ phase: 'Progressing', routes: '100/0', failedChecks: 0 });
  });
});

describe('revisions (§2.2, §3.8)', () => {
  it('a new revision mid-analysis restarts at 100/0 with counters reset', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 5 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.successRate = 90;
    sim.tick();
    sim.revision = 'rev-3';
    expect(brief([sim.tick()])).toEqual(['Progressing 100/0 i0 f0']);
    expect(sim.status?.lastAppliedSpec).toBe('rev-3');
    expect(sim.decisions.at(-1)?.message).toContain('Restarting analysis');
  });

  it('reverting the source to the promoted revision mid-run aborts the run, primary untouched', () => {
    // Flagger carries on analysing here (sharp edge 11); in Git a revert of the change is an abort.
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.revision = 'rev-1';
    expect(sim.tick()).toMatchObject({ routes: '100/0', phase: 'Failed' });
    expect(sim.decisions.at(-1)?.actions.map((a) => a.type)).toEqual(['set-routes', 'scale-canary', 'event']);
    expect(sim.status).toMatchObject({ lastAppliedSpec: 'rev-1', lastPromotedSpec: 'rev-1' });
    expect(sim.tick()).toMatchObject({ phase: 'Failed', message: 'Failed: no new revision' });
    sim.revision = 'rev-3';
    expect(sim.tick()).toMatchObject({ phase: 'Progressing' });
  });

  it('the first revision is promoted at initialization, never analysed', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.runUntil('Initialized');
    expect(sim.status).toMatchObject({ lastAppliedSpec: 'rev-1', lastPromotedSpec: 'rev-1' });
    expect(sim.tick()).toMatchObject({ phase: 'Initialized', message: 'Initialized: no new revision' });
  });

  it('a source change while initializing re-initializes from the new revision', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.tick();
    sim.revision = 'rev-2';
    expect(sim.tick().phase).toBe('Initializing');
    expect(sim.decisions.at(-1)?.actions[0]).toEqual({ type: 'initialize-primary' });
    expect(sim.tick().phase).toBe('Initialized');
    expect(sim.status?.lastPromotedSpec).toBe('rev-2');
  });
});

describe('skipAnalysis and suspend (§3.9, §1.1)', () => {
  it('skipAnalysis promotes on the tick after scale-up', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }, { skipAnalysis: true }));
    expect(sim.tick().phase).toBe('Initialized'); // no wait for the primary
    sim.revision = 'rev-2';
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Progressing 100/0 i0 f0', 'Succeeded 100/0 i0 f0']);
    expect(sim.decisions.at(-1)?.actions.map((a) => a.type)).toEqual([
      'set-routes',
      'promote',
      'scale-canary',
      'event',
    ]);
    expect(sim.analyses).toBe(0);
  });

  it('suspend freezes the canary mid-run', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    const frozen = new Sim(canaryWith({ stepWeight: 10 }, { suspend: true }));
    frozen.status = sim.status;
    frozen.routes = sim.routes;
    frozen.now = sim.now;
    expect(frozen.tick()).toMatchObject({
      routes: '90/10',
      message: 'skipping canary run as object is suspended',
    });
    expect(frozen.decisions[0]?.stepped).toBe(false);
  });
});

describe('blue/green and A/B timelines (§3.3b)', () => {
  it('blue/green, iterations 3: N+1 analyses, the last under full traffic', () => {
    const sim = new Sim(canaryWith({ iterations: 3 }));
    sim.initAndBump();
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 100/0 i1 f0',
      'Progressing 100/0 i2 f0 A',
      'Progressing 100/0 i3 f0 A',
      'Progressing 0/100 i4 f0 A',
      'Promoting 0/100 i4 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(sim.analyses).toBe(4);
  });

  it('A/B, iterations 3: matched traffic to the canary, then promotion', () => {
    const sim = new Sim(
      canaryWith({ iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] }),
    );
    sim.initAndBump();
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 0/100 i1 f0',
      'Progressing 0/100 i2 f0 A',
      'Progressing 0/100 i3 f0 A',
      'Promoting 0/100 i3 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
  });

  it('the kubernetes provider runs blue/green with 10 iterations when none are set', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }), 'kubernetes');
    sim.initAndBump();
    const lines = sim.runUntil('Succeeded');
    expect(lines.filter((l) => l.analysed)).toHaveLength(11);
    expect(lines.at(-3)?.phase).toBe('Promoting');
    expect(lines.at(-2)?.phase).toBe('Finalising');
  });
});

describe('interval check and idempotence', () => {
  it('takes a step only when an interval (minus slack) has passed', () => {
    const canary = canaryWith({ stepWeight: 10, interval: '60s' });
    const s = { ...emptyStatus(), lastStepTime: T0.toISOString() };
    expect(isDue(canary, s, new Date(T0.getTime() + 50_000))).toBe(false);
    expect(isDue(canary, s, new Date(T0.getTime() + 54_000))).toBe(true); // slack: 10% of 60 s
    expect(isDue(canary, undefined, T0)).toBe(true);
  });

  it('a second decision at the same time changes nothing', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.tick();
    const again = decide({
      id: 'test/podinfo',
      canary: sim.canary,
      provider: 'istio',
      status: sim.status!,
      revision: 'rev-1',
      trackedConfigs: {},
      routes: idleRoutes,
      now: T0,
    });
    expect(again.stepped).toBe(false);
    expect(again.status).toBe(sim.status);
    expect(again.message).toMatch(/^waiting: next step due at 2026-01-01T00:00:54/);
  });

  it('asks for observations only on ticks that analyse', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50 }));
    sim.initAndBump();
    const analysed = sim.runUntil('Succeeded').map((l) => l.analysed);
    expect(analysed).toEqual([false, false, true, true, false, false]);
  });

  it('bounds the history', () => {
    const sim = new Sim(canaryWith({ stepWeight: 1, threshold: 1000 }));
    sim.initAndBump();
    for (let i = 0; i < 80; i++) sim.tick();
    expect(sim.status?.history).toHaveLength(50);
  });
});
