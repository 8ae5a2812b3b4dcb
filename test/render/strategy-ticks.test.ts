/**
 * Tick scripts through the real routing objects: `decide` runs each tick on the routes that
 * readRoutes finds in the files rendered by the previous tick (as the reconcile shell does),
 * never on routes remembered in memory. The timelines must be flagger-semantics §3.3b's, and
 * identical to the in-memory simulator's (test/support/sim.ts).
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide.js';
import { type CanaryStatus, idleRoutes, type Observation, type Routes } from '../../src/core/types.js';
import { currentRoutes, render, routerInputOf } from '../../src/render/render.js';
import type { RenderInput } from '../../src/render/types.js';
import { analysisIntervalMs } from '../../src/spec/defaults.js';
import type { K8sObject, LoadedCanary } from '../../src/spec/model.js';
import { brief, Sim, T0, type TickLine } from '../support/sim.js';
import { loadedCanary, parseObjects } from './cases.js';

const passing: Observation[] = [
  {
    check: { name: 'request-success-rate', kind: 'success-rate', thresholdRange: { min: 99 }, query: 'q' },
    result: { kind: 'value', value: 100 },
  },
];

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo' } },
      spec: { containers: [{ name: 'app', image: 'podinfo:1' }] },
    },
  },
};

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

/** Drives decide → render → parse → readRoutes → decide …, keeping only status and the files. */
class RenderedSim {
  status: CanaryStatus | undefined;
  objects: K8sObject[] = [];
  now = T0;
  revision = 'rev-1';
  analyses = 0;

  constructor(readonly canary: LoadedCanary) {}

  /** What readRoutes finds in the rendered files, as the shell reads it before deciding. */
  readRoutes(): Routes {
    const s = this.status;
    const input = {
      ...routerInputOf(this.renderInput(idleRoutes)),
      phase: s?.phase ?? 'Initializing',
      iterations: s?.iterations ?? 0,
      runRevision: s?.lastAppliedSpec ?? '',
    };
    return currentRoutes(this.objects, input) ?? idleRoutes;
  }

  renderInput(routes: Routes): RenderInput {
    const s = this.status;
    return {
      canary: this.canary,
      source: { origin: { file: 'apps/podinfo/deployment.yaml', line: 1 }, object: deployment, configs: [] },
      primary: { from: 'source' },
      canaryReplicas: 'source',
      routes,
      phase: s?.phase ?? 'Initializing',
      iterations: s?.iterations ?? 0,
      revision: this.revision,
      runRevision: s?.lastAppliedSpec ?? '',
      lookup: () => undefined,
    };
  }

  tick(): TickLine {
    const routes = this.readRoutes();
    const base = {
      id: 'test/podinfo',
      canary: this.canary.canary,
      provider: this.canary.provider,
      revision: this.revision,
      trackedConfigs: {},
      routes,
      now: this.now,
      ...(this.status ? { status: this.status } : {}),
    };
    let d = decide(base);
    const analysed = d.needsObservations === true;
    if (analysed) {
      this.analyses++;
      d = decide({ ...base, observations: passing });
    }
    let next = routes;
    for (const a of d.actions) {
      if (a.type === 'set-routes') next = { primary: a.primary, canary: a.canary, mirrored: a.mirrored };
    }
    if (d.stepped) this.status = d.status;
    this.objects = render(this.renderInput(next)).flatMap((f) => parseObjects(f.content));
    this.now = new Date(this.now.getTime() + analysisIntervalMs(this.canary.canary));
    const seen = this.readRoutes();
    return {
      phase: d.status.phase,
      weight: d.status.canaryWeight,
      routes: `${seen.primary}/${seen.canary}${seen.mirrored ? 'm' : ''}`,
      iterations: d.status.iterations,
      failedChecks: d.status.failedChecks,
      analysed,
      message: d.message,
    };
  }

  runUntil(phase: string, max = 40): TickLine[] {
    const lines: TickLine[] = [];
    for (let i = 0; i < max; i++) {
      lines.push(this.tick());
      if (lines.at(-1)?.phase === phase) return lines;
    }
    throw new Error(`phase ${phase} not reached in ${max} ticks`);
  }

  initAndBump(): void {
    this.runUntil('Initialized');
    this.revision = 'rev-2';
  }
}

/** The same canary through the in-memory simulator, for comparison. */
function inMemory(c: LoadedCanary): string[] {
  const sim = new Sim(c.canary, c.provider);
  sim.initAndBump();
  return brief(sim.runUntil('Succeeded'));
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
      'Finalising 100/0 i3 f0',
      'Succeeded 100/0 i3 f0',
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
      'Finalising 100/0 i4 f0',
      'Succeeded 100/0 i4 f0',
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
