/**
 * Tick scripts through the real routing objects: `decide` runs each tick on the routes that
 * readRoutes finds in the files rendered by the previous tick (as the reconcile shell does),
 * never on routes remembered in memory. The timelines must be docs/flagger-behaviour.md §3.3b's, and
 * identical to the in-memory simulator's (test/support/sim.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { brief } from '../support/sim.js';
import { loadedCanary } from './cases.js';
import { inMemory, RenderedSim } from './rendered-sim.js';

function canary(provider: string, analysis: Record<string, unknown>): LoadedCanary {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, gatewayRefs: [{ name: 'gw', namespace: 'ingress' }] },
      analysis: { interval: '1m', threshold: 5, ...analysis },
    },
  });
}

const providers = ['istio', 'gatewayapi:v1', 'gatewayapi:v1beta1'] as const;
const ab = { iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] };

describe.each(providers)('%s: timelines through the rendered routing objects (§3.3b)', (provider) => {
  it('A/B, iterations 3: matched traffic to the canary (0/100 on the match rule), then promotion', () => {
    const c = canary(provider, ab);
    const sim = new RenderedSim(c);
    sim.initAndBump();
    const lines = brief(sim.runUntil('Succeeded'));
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 0/100 i1 f0',
      'Progressing 0/100 i2 f0 A',
      'Progressing 0/100 i3 f0 A',
      'Promoting 0/100 i3 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
  });

  it('blue/green with mirroring, iterations 3: mirrored until the switch, N+1 analyses', () => {
    const c = canary(provider, { iterations: 3, mirror: true });
    const sim = new RenderedSim(c);
    sim.initAndBump();
    const lines = brief(sim.runUntil('Succeeded'));
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 100/0m i1 f0',
      'Progressing 100/0m i2 f0 A',
      'Progressing 100/0m i3 f0 A',
      'Progressing 0/100 i4 f0 A',
      'Promoting 0/100 i4 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(sim.analyses).toBe(4);
    expect(lines).toEqual(inMemory(c));
  });

  it('canary with session affinity: weights found behind the sticky rules, cookie deleted after the run', () => {
    const c = canary(provider, {
      stepWeight: 10,
      maxWeight: 30,
      sessionAffinity: { cookieName: 'flagger-cookie' },
    });
    const sim = new RenderedSim(c);
    sim.initAndBump();
    const lines = brief(sim.runUntil('Succeeded'));
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 90/10 i0 f0',
      'Progressing 80/20 i0 f0 A',
      'Progressing 70/30 i0 f0 A',
      'Promoting 70/30 i0 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
    expect(JSON.stringify(sim.objects)).toContain('Max-Age=-1');
  });
});
