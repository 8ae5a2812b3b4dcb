/**
 * A tick-script driver through the real routing objects: each tick `decide` runs on the routes
 * that readRoutes finds in the files rendered by the previous tick (as the reconcile shell does),
 * never on routes remembered in memory. `inMemory` runs the same canary through the pure
 * simulator (test/support/sim.ts) for comparison.
 */
import { decide } from '../../src/core/decide.js';
import { type CanaryStatus, idleRoutes, type Observation, type Routes } from '../../src/core/types.js';
import { analysisIntervalMs } from '../../src/inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import { currentRoutes, render, routerInputOf } from '../../src/render/render.js';
import type { RenderInput } from '../../src/render/types.js';
import { brief, Sim, T0, type TickLine } from '../support/sim.js';
import { parseObjects } from './cases.js';

const passing: Observation[] = [
  {
    check: { name: 'request-success-rate', kind: 'success-rate', thresholdRange: { min: 99 }, query: 'q' },
    result: { kind: 'value', value: 100 },
  },
];

/** The source Deployment `test/podinfo` every rendered sim renders from. */
export const deployment: K8sObject = {
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

/** The source Knative Service `test/podinfo` of a knative canary, its template named `revision`. */
export const knativeService = (revision: string): K8sObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    template: {
      metadata: { name: `podinfo-${revision}` },
      spec: { containers: [{ image: `podinfo:${revision}` }] },
    },
  },
});

/** Drives decide → render → parse → readRoutes → decide …, keeping only status and the files. */
export class RenderedSim {
  status: CanaryStatus | undefined;
  objects: K8sObject[] = [];
  /** The objects rendered by every tick so far, oldest first. */
  readonly history: K8sObject[][] = [];
  now = T0;
  revision = 'rev-1';
  analyses = 0;

  /** `userObjects`: what `lookup` finds in the repository (the Ingress of ingressRef, …). */
  constructor(
    readonly canary: LoadedCanary,
    readonly userObjects: readonly K8sObject[] = [],
  ) {}

  renderInput(routes: Routes): RenderInput {
    const s = this.status;
    return {
      canary: this.canary,
      source: {
        origin: { file: 'apps/podinfo/deployment.yaml', line: 1 },
        object: this.source(),
        configs: [],
      },
      primary: { from: 'source' },
      canaryReplicas: 'source',
      routes,
      phase: s?.phase ?? 'Initializing',
      iterations: s?.iterations ?? 0,
      revision: this.revision,
      runRevision: s?.lastAppliedSpec ?? '',
      lookup: (kind, name) => this.userObjects.find((o) => o.kind === kind && o.metadata.name === name),
    };
  }

  /** The source workload: the Deployment, or for knative a Service naming the current revision. */
  source(): K8sObject {
    return this.canary.provider === 'knative' ? knativeService(this.revision) : deployment;
  }

  /** What readRoutes finds in the rendered files, as the shell reads it before deciding. */
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
    this.history.push(this.objects);
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

  /** Bootstraps to Initialized, then bumps the revision. */
  initAndBump(): void {
    this.runUntil('Initialized');
    this.revision = 'rev-2';
  }

  /** Bootstraps, bumps the revision, then ticks until Succeeded: the rollout's brief lines. */
  rollout(): string[] {
    this.initAndBump();
    return brief(this.runUntil('Succeeded'));
  }
}

/** The same rollout through the in-memory simulator. */
export function inMemory(c: LoadedCanary): string[] {
  const sim = new Sim(c.canary, c.provider);
  sim.initAndBump();
  return brief(sim.runUntil('Succeeded'));
}
