import { describe, expect, it } from 'vitest';
import type { ManualRequest } from '../../src/core/types.js';
import { brief, canaryWith, Sim } from '../support/sim.js';

const resume: ManualRequest = {
  action: 'resume',
  requestedBy: 'Ann <ann@example.com>',
  requestedAt: '2026-01-01T00:00:00Z',
};

/** A canary at weight 20 of a run. */
function midRun(): Sim {
  const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 3 }));
  sim.initAndBump();
  sim.tick();
  sim.tick();
  sim.tick();
  expect(sim.routes).toEqual({ primary: 80, canary: 20, mirrored: false });
  return sim;
}

describe('a step pull request closed unmerged', () => {
  it('halt: the live weight stays, no step is taken and no analysis runs until resume', () => {
    const sim = midRun();
    sim.closedPullRequest = { number: 7, by: 'a reviewer', outcome: 'halt' };
    const [halted] = [sim.tick()];
    expect(halted).toMatchObject({ phase: 'Progressing', weight: 20, routes: '80/20' });
    expect(halted?.message).toBe(
      'step pull request #7 was closed unmerged by a reviewer; halting at canary weight 20',
    );
    expect(sim.status?.halted).toBe('step pull request #7 was closed unmerged by a reviewer');
    const analyses = sim.analyses;
    const later = [sim.tick(), sim.tick()];
    expect(later.map((l) => l.message)).toEqual([
      'halted: step pull request #7 was closed unmerged by a reviewer; gitcanary resume test/podinfo continues the run',
      'halted: step pull request #7 was closed unmerged by a reviewer; gitcanary resume test/podinfo continues the run',
    ]);
    expect(sim.analyses).toBe(analyses);
    expect(sim.routes.canary).toBe(20);

    sim.status = { ...sim.status!, request: resume };
    const lifted = sim.tick();
    expect(lifted.message).toBe(
      'resume requested by Ann <ann@example.com>; halt lifted (step pull request #7 was closed unmerged by a reviewer)',
    );
    expect(sim.status?.halted).toBeUndefined();
    expect(brief([sim.tick()])).toEqual(['Progressing 70/30 i0 f0 A']);
  });

  it('halt is lifted by a new revision, which restarts the analysis', () => {
    const sim = midRun();
    sim.closedPullRequest = { number: 7, by: 'a reviewer', outcome: 'halt' };
    sim.tick();
    sim.revision = 'rev-3';
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Progressing 100/0 i0 f0', 'Progressing 90/10 i0 f0']);
    expect(sim.status?.halted).toBeUndefined();
  });

  it('rollback: all traffic to the primary, canary scaled down, Failed', () => {
    const sim = midRun();
    sim.closedPullRequest = { number: 9, by: 'a reviewer', outcome: 'rollback' };
    expect(brief([sim.tick()])).toEqual(['Failed 100/0 i0 f0']);
    expect(sim.decisions.at(-1)?.actions.map((a) => a.type)).toEqual(['set-routes', 'scale-canary', 'event']);
    expect(sim.tick()).toMatchObject({ phase: 'Failed', message: 'Failed: no new revision' });
  });

  it('is obeyed whatever the interval, and ignored outside a run', () => {
    const sim = midRun();
    sim.now = new Date(Date.parse(sim.status!.lastStepTime) + 1000);
    sim.closedPullRequest = { number: 3, by: 'a reviewer', outcome: 'rollback' };
    expect(sim.tick().phase).toBe('Failed');

    const idle = new Sim(canaryWith({ stepWeight: 10 }));
    idle.runUntil('Initialized');
    idle.closedPullRequest = { number: 4, by: 'a reviewer', outcome: 'rollback' };
    expect(idle.tick()).toMatchObject({ phase: 'Initialized', message: 'Initialized: no new revision' });
  });

  it('resume without a halt is consumed and recorded as ignored', () => {
    const sim = midRun();
    sim.status = { ...sim.status!, request: resume };
    expect(sim.tick().message).toBe(
      'resume requested by Ann <ann@example.com>; ignored: nothing to resume in phase Progressing',
    );
    expect(sim.status?.request).toBeUndefined();
  });
});
