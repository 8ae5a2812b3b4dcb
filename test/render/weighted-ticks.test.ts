/**
 * Tick scripts through the weight-based routers' real routing objects: each tick `decide` runs on
 * the routes readRoutes finds in the files the previous tick rendered (as the reconcile shell
 * does). The timelines must equal the in-memory simulator's (test/support/sim.ts), so omitted
 * zero weights (Traefik, Contour, Gloo) and quantity weights (SMI v1alpha1) never lose a step.
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

const deployment: K8sObject = {
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

const apisixRoute: K8sObject = {
  apiVersion: 'apisix.apache.org/v2',
  kind: 'ApisixRoute',
  metadata: { name: 'web', namespace: 'test' },
  spec: {
    http: [
      { name: 'app', match: { paths: ['/*'] }, backends: [{ serviceName: 'podinfo', servicePort: 80 }] },
    ],
  },
};
const userObjects = [deployment, apisixRoute];

function canary(provider: string, analysis: Record<string, unknown>): LoadedCanary {
  return loadedCanary({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      provider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...(provider === 'apisix' ? { routeRef: { kind: 'ApisixRoute', name: 'web' } } : {}),
      service: { port: 9898 },
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

  constructor(readonly canary: LoadedCanary) {}

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
      lookup: (kind, name) => userObjects.find((o) => o.kind === kind && o.metadata.name === name),
    };
  }

  readRoutes(): Routes {
    return currentRoutes(this.objects, routerInputOf(this.renderInput(idleRoutes))) ?? idleRoutes;
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
    if (analysed) d = decide({ ...base, observations: passing });
    let next = routes;
    for (const a of d.actions)
      if (a.type === 'set-routes') next = { primary: a.primary, canary: a.canary, mirrored: a.mirrored };
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

  /** Bootstraps, bumps the revision, then ticks until Succeeded. */
  rollout(max = 40): string[] {
    const lines: TickLine[] = [];
    for (let i = 0; i < max && this.status?.phase !== 'Initialized'; i++) this.tick();
    this.revision = 'rev-2';
    for (let i = 0; i < max; i++) {
      lines.push(this.tick());
      if (lines.at(-1)?.phase === 'Succeeded') return brief(lines);
    }
    throw new Error(`Succeeded not reached in ${max} ticks`);
  }
}

function inMemory(c: LoadedCanary): string[] {
  const sim = new Sim(c.canary, c.provider);
  sim.initAndBump();
  return brief(sim.runUntil('Succeeded'));
}

const providers = [
  'traefik',
  'contour',
  'linkerd',
  'osm',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
  'gloo',
  'kuma',
  'apisix',
] as const;

describe.each(providers)('%s: timelines through the rendered routing objects', (provider) => {
  it('canary, stepWeight 20 to maxWeight 40', () => {
    const c = canary(provider, { stepWeight: 20, maxWeight: 40 });
    const lines = new RenderedSim(c).rollout();
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 80/20 i0 f0',
      'Progressing 60/40 i0 f0 A',
      'Promoting 60/40 i0 f0 A',
      'Finalising 100/0 i0 f0',
      'Succeeded 100/0 i0 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
  });

  it('blue/green, iterations 2: all traffic switched to the canary before promotion', () => {
    const c = canary(provider, { iterations: 2 });
    const lines = new RenderedSim(c).rollout();
    expect(lines).toContain('Progressing 0/100 i3 f0 A');
    expect(lines).toEqual(inMemory(c));
  });
});

describe.each(['contour', 'gloo'])('%s: A/B through the rendered routing objects', (provider) => {
  it('iterations 2 on the match route, then promotion', () => {
    const c = canary(provider, { iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    const lines = new RenderedSim(c).rollout();
    expect(lines).toEqual([
      'Progressing 100/0 i0 f0',
      'Progressing 0/100 i1 f0',
      'Progressing 0/100 i2 f0 A',
      'Promoting 0/100 i2 f0 A',
      'Finalising 100/0 i2 f0',
      'Succeeded 100/0 i2 f0',
    ]);
    expect(lines).toEqual(inMemory(c));
  });
});
