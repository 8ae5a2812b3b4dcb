/**
 * Which webhooks a tick calls, in which order and with which phase, and what their answers do
 * (flagger-semantics §6.2), tick by tick through the pure core.
 */
import { describe, expect, it } from 'vitest';
import { brief, canaryWith, Sim } from '../support/sim.js';

const hook = (type: string, name = type || 'untyped') => ({ name, type, url: 'http://loadtester/x' });

describe('webhooks in the tick', () => {
  it.each([
    // type, what is called on the ticks of a good run (canary stepWeight 50)
    ['pre-rollout', ['pre-rollout/pre-rollout/Progressing']],
    ['rollout', ['rollout/rollout/Progressing', 'rollout/rollout/Progressing']], // each analysis (A)
    ['', ['rollout/untyped/Progressing', 'rollout/untyped/Progressing']],
    ['post-rollout', ['post-rollout/post-rollout/Succeeded']],
    ['confirm-rollout', ['confirm-rollout/confirm-rollout/Initialized']],
    [
      'confirm-traffic-increase',
      [
        'confirm-traffic-increase/confirm-traffic-increase/Progressing',
        'confirm-traffic-increase/confirm-traffic-increase/Progressing',
        'confirm-traffic-increase/confirm-traffic-increase/Progressing',
      ],
    ],
    ['confirm-promotion', ['confirm-promotion/confirm-promotion/Progressing']],
    [
      'rollback',
      // every tick that starts in Progressing
      ['rollback/rollback/Progressing', 'rollback/rollback/Progressing', 'rollback/rollback/Progressing'],
    ],
  ])('%s: called %j', (type, calls) => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook(type)] }));
    sim.gates = {
      'confirm-rollout': 'open',
      'confirm-traffic-increase': 'open',
      'confirm-promotion': 'open',
    };
    sim.hookOk = (t) => t !== 'rollback';
    sim.initAndBump();
    expect(brief(sim.runUntil('Succeeded'))).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 50/50 i0 f0',
      'Progressing 0/100 i0 f0 A',
      'Promoting 0/100 i0 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(sim.calls).toEqual(calls);
    // Every call is recorded in the history entry of its tick.
    const recorded = (sim.status?.history ?? []).flatMap((h) => h.hooks ?? []);
    if (!type.startsWith('confirm') && type !== 'rollback') expect(recorded).toHaveLength(calls.length);
  });

  it('rollout and metrics in order: the load test first, its answer recorded with the verdict', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('rollout', 'load-test')] }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.tick();
    const last = sim.status?.history.at(-1);
    expect(last?.verdict?.result).toBe('pass');
    expect(last?.hooks).toEqual([
      { name: 'load-test', type: 'rollout', ok: true, status: 200, snippet: '', attempts: 1, durationMs: 1 },
    ]);
  });

  it('a failing pre-rollout hook is a failed check each tick, no traffic, then rollback', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, threshold: 2, webhooks: [hook('pre-rollout', 'db')] }));
    sim.hookOk = () => false;
    sim.initAndBump();
    const lines = sim.runUntil('Failed');
    expect(brief(lines)).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 100/0 i0 f1',
      'Progressing 100/0 i0 f2',
      'Failed 100/0 i0 f0',
    ]);
    expect(lines[1]?.message).toBe(
      'Starting canary analysis for podinfo.test; Halt test/podinfo advancement pre-rollout check db failed status 403',
    );
    expect(sim.analyses).toBe(0);
  });

  it('a failing rollout hook is a failed check and the metrics are not queried', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, threshold: 2, webhooks: [hook('rollout', 'lt')] }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.hookOk = () => false;
    const lines = [sim.tick(), sim.tick(), sim.tick()];
    expect(brief(lines)).toEqual([
      'Progressing 50/50 i0 f1',
      'Progressing 50/50 i0 f2',
      'Failed 100/0 i0 f0',
    ]);
    expect(lines[0]?.message).toBe('Halt test/podinfo advancement external check lt failed status 403');
    expect(sim.analyses).toBe(0);
  });

  it('hooks of one type are called in order and stop at the first failure', () => {
    const sim = new Sim(
      canaryWith({
        stepWeight: 50,
        webhooks: [hook('rollout', 'a'), hook('rollout', 'b'), hook('rollout', 'c')],
      }),
    );
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.hookOk = (_, name) => name !== 'b';
    sim.tick();
    expect(sim.calls.slice(-2)).toEqual(['rollout/a/Progressing', 'rollout/b/Progressing']);
  });

  it('a rollback hook answering yes rolls back; post-rollout is then called with Failed', () => {
    const sim = new Sim(
      canaryWith({ stepWeight: 20, webhooks: [hook('rollback', 'rb'), hook('post-rollout', 'notify')] }),
    );
    sim.hookOk = (t) => t !== 'rollback';
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.tick();
    sim.hookOk = () => true;
    const line = sim.tick();
    expect(brief([line])).toEqual(['Failed 100/0 i0 f0']);
    expect(line.message).toBe(
      'Rollback check rb passed; Rolling back test/podinfo manual webhook invoked; Canary failed! Scaling down podinfo.test; Post-rollout check notify passed',
    );
    expect(sim.calls.slice(-2)).toEqual(['rollback/rb/Progressing', 'post-rollout/notify/Failed']);
    expect(sim.status?.history.at(-1)?.hooks?.map((h) => `${h.type} ${h.ok}`)).toEqual([
      'rollback true',
      'post-rollout true',
    ]);
    // The failed revision is not run again: no more calls.
    const before = sim.calls.length;
    sim.tick();
    expect(sim.calls.length).toBe(before);
  });

  it('post-rollout after a failed-checks rollback, once; its failure changes nothing', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, threshold: 1, webhooks: [hook('post-rollout', 'n')] }));
    sim.hookOk = () => false;
    sim.initAndBump();
    sim.tick();
    sim.tick();
    sim.successRate = 50;
    const lines = [sim.tick(), sim.tick(), sim.tick()];
    expect(brief(lines)).toEqual(['Progressing 50/50 i0 f1 A', 'Failed 100/0 i0 f0', 'Failed 100/0 i0 f0']);
    expect(lines[1]?.message).toMatch(/; Post-rollout hook n failed status 403$/);
    expect(sim.calls).toEqual(['post-rollout/n/Failed']);
  });

  it('confirm-rollout closed: Waiting, asked again every tick with phase Waiting, then progresses', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('confirm-rollout', 'ok?')] }));
    sim.initAndBump();
    expect(brief([sim.tick(), sim.tick()])).toEqual(['Waiting 100/0 i0 f0', 'Waiting 100/0 i0 f0']);
    sim.gates = { 'confirm-rollout': 'open' };
    expect(brief([sim.tick()])).toEqual(['Progressing 100/0 i0 f0']);
    expect(sim.calls).toEqual([
      'confirm-rollout/ok?/Initialized',
      'confirm-rollout/ok?/Waiting',
      'confirm-rollout/ok?/Waiting',
    ]);
  });

  it('an unanswered hook never lets the canary pass: the decision asks and holds', () => {
    const sim = new Sim(canaryWith({ stepWeight: 50, webhooks: [hook('rollout', 'lt')] }));
    sim.initAndBump();
    sim.tick();
    sim.tick();
    const d = sim.decisions.at(-1);
    expect(d?.needsHooks).toBeUndefined();
    // Decide without answering: the decision asks for the rollout hooks and takes no step.
    const asked = sim.decideOnly();
    expect(asked.needsHooks).toEqual({ type: 'rollout', phase: 'Progressing' });
    expect(asked.stepped).toBe(false);
  });
});
