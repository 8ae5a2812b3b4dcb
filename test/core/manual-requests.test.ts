import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import type { ManualRequest } from '../../src/core/types.js';
import { brief, canaryWith, Sim } from '../support/sim.js';

const ask = (action: ManualRequest['action'], message?: string): ManualRequest => ({
  action,
  requestedBy: 'Ann <ann@example.com>',
  requestedAt: '2026-01-01T00:00:00Z',
  ...(message ? { message } : {}),
});

/** A canary at weight 20 of a run. */
function midRun(): Sim {
  const sim = new Sim(canaryWith({ stepWeight: 10, threshold: 3 }));
  sim.initAndBump();
  sim.tick();
  sim.tick();
  sim.tick();
  return sim;
}

describe('manual requests', () => {
  it('promote skips the rest of the analysis, even before the interval has passed', () => {
    const sim = midRun();
    sim.status = { ...sim.status!, request: ask('promote', 'hotfix') };
    sim.now = new Date(Date.parse(sim.status.lastStepTime) + 1000);
    expect(brief([sim.tick()])).toEqual(['Succeeded 100/0 i0 f0']);
    expect(sim.status).toMatchObject({ lastPromotedSpec: 'rev-2' });
    expect(sim.status?.request).toBeUndefined();
    expect(sim.status?.history.at(-1)?.message).toBe(
      'promote requested by Ann <ann@example.com>: hotfix; skipping analysis, promotion finished.',
    );
    expect(sim.decisions.at(-1)?.actions.map((a) => a.type)).toEqual([
      'set-routes',
      'promote',
      'scale-canary',
      'event',
    ]);
  });

  it('abort rolls back now and the revision is not progressed again', () => {
    const sim = midRun();
    sim.status = { ...sim.status!, request: ask('abort') };
    expect(brief([sim.tick()])).toEqual(['Failed 100/0 i0 f0']);
    expect(sim.decisions.at(-1)?.message).toMatch(/^abort requested by Ann <ann@example.com>; rolling back/);
    expect(sim.tick()).toMatchObject({ phase: 'Failed', message: 'Failed: no new revision' });
  });

  it('retry runs the failed revision again', () => {
    const sim = midRun();
    sim.status = { ...sim.status!, request: ask('abort') };
    sim.tick();
    sim.status = { ...sim.status!, request: ask('retry') };
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Progressing 100/0 i0 f0', 'Progressing 90/10 i0 f0']);
  });

  it('a request that does not fit the phase is consumed and recorded as ignored', () => {
    const sim = new Sim(canaryWith({ stepWeight: 10 }));
    sim.runUntil('Initialized');
    sim.status = { ...sim.status!, request: ask('promote') };
    expect(sim.tick()).toMatchObject({
      phase: 'Initialized',
      message: 'promote requested by Ann <ann@example.com>; ignored: nothing to promote in phase Initialized',
    });
    expect(sim.status?.request).toBeUndefined();
  });

  it('abort is obeyed while the canary is suspended', () => {
    const sim = midRun();
    const paused = new Sim(canaryWith({ stepWeight: 10, threshold: 3 }, { suspend: true }));
    Object.assign(paused, {
      status: { ...sim.status!, request: ask('abort') },
      routes: sim.routes,
      now: sim.now,
      revision: 'rev-2',
    });
    expect(paused.tick().phase).toBe('Failed');
  });
});

describe('manual rollback in Git', () => {
  it('a reverted step commit rolls back and the revision is not progressed again', () => {
    const sim = midRun();
    const decision = decide({
      id: 'test/podinfo',
      canary: sim.canary,
      provider: 'istio',
      status: sim.status!,
      revision: 'rev-2',
      trackedConfigs: {},
      routes: sim.routes,
      now: sim.now,
      revertedByHand: { by: 'Ann <ann@example.com>', commit: 'c'.repeat(40), reverted: 'd'.repeat(40) },
    });
    expect(decision.status.phase).toBe('Failed');
    expect(decision.message).toMatch(
      /^manual rollback: Ann <ann@example.com> reverted ddddddd in ccccccc; routing all traffic/,
    );
    expect(decision.actions[0]).toEqual({ type: 'set-routes', primary: 100, canary: 0, mirrored: false });
  });

  it('a rendered weight edited below the status weight is a manual rollback', () => {
    const sim = midRun();
    sim.routes = { primary: 95, canary: 5, mirrored: false };
    expect(sim.tick()).toMatchObject({ phase: 'Failed', routes: '100/0' });
    expect(sim.decisions.at(-1)?.message).toMatch(/edited down to 5 \(status said 20\)/);
  });
});
