/**
 * The capability table (src/routers/capabilities.ts) cannot lie: for every provider and every
 * strategy or feature, the router's `validate()` accepts a minimal canary using it exactly when the
 * table says so (and rejects it naming that feature otherwise), and every accepted one completes a
 * rollout through the objects the router renders, with the timeline the in-memory simulator
 * predicts. README.md holds the matrix generated from the table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { K8sObject, LoadedCanary } from '../../src/inputs/model.js';
import { type Capabilities, capabilities, providerMatrixSection } from '../../src/routers/capabilities.js';
import { routerFor, supportedProviders } from '../../src/routers/registry.js';
import { loadedCanary } from './cases.js';
import { inMemory, RenderedSim } from './rendered-sim.js';

/** What a provider needs besides the analysis: the object it copies, or the gateway it attaches to. */
const needs: Record<string, { spec: Record<string, unknown>; objects: K8sObject[] }> = {
  nginx: {
    spec: { ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' } },
    objects: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: 'test' },
        spec: {
          rules: [
            {
              host: 'app.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'podinfo', port: { number: 9898 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    ],
  },
  apisix: {
    spec: { routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'web' } },
    objects: [
      {
        apiVersion: 'apisix.apache.org/v2',
        kind: 'ApisixRoute',
        metadata: { name: 'web', namespace: 'test' },
        spec: {
          http: [
            {
              name: 'app',
              match: { paths: ['/*'] },
              backends: [{ serviceName: 'podinfo', servicePort: 9898 }],
            },
          ],
        },
      },
    ],
  },
};
needs['skipper'] = needs['nginx']!;
// Knative splits the revisions of a Knative Service.
needs['knative'] = {
  spec: { targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' } },
  objects: [],
};
// App Mesh v1beta1 objects name their mesh.
needs['appmesh'] = { spec: { service: { port: 9898, meshName: 'global' } }, objects: [] };

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
      ...needs[provider]?.spec,
    },
  });
}

const header = { 'x-canary': { exact: 'insider' } };
const cookie = { cookieName: 'flagger-cookie' };

interface Probe {
  /** The analysis of the minimal canary. */
  analysis: Record<string, unknown>;
  /** Where validate() must point when it rejects the probe. */
  path: string;
  supported(c: Capabilities): boolean;
  /** What the rollout through the rendered objects must show (brief lines, every tick's objects). */
  shows(lines: string[], rendered: string): void;
}

const probes: Record<string, Probe> = {
  canary: {
    analysis: { stepWeight: 20, maxWeight: 40 },
    path: 'spec.analysis',
    supported: () => true,
    shows: () => {},
  },
  'blue/green': {
    analysis: { iterations: 2 },
    path: 'spec.analysis.iterations',
    supported: (c) => c.blueGreen,
    shows: (lines) => expect(lines).toContain('Progressing 0/100 i3 f0 A'),
  },
  'A/B': {
    analysis: { iterations: 2, match: [{ headers: header }] },
    path: 'spec.analysis.match',
    supported: (c) => c.abTesting,
    shows: (lines, rendered) => {
      expect(lines).toContain('Progressing 0/100 i2 f0 A');
      expect(rendered).toContain('insider');
    },
  },
  'mirroring (canary)': {
    analysis: { stepWeight: 20, maxWeight: 40, mirror: true },
    path: 'spec.analysis.mirror',
    supported: (c) => c.mirroring.includes('canary'),
    shows: (lines) =>
      expect(lines).toEqual(
        expect.arrayContaining(['Progressing 100/0m i0 f0', 'Progressing 80/20 i0 f0 A']),
      ),
  },
  'mirroring (blue/green)': {
    analysis: { iterations: 2, mirror: true },
    path: 'spec.analysis.mirror',
    supported: (c) => c.mirroring.includes('blue-green'),
    shows: (lines) => expect(lines).toContain('Progressing 100/0m i1 f0'),
  },
  'session affinity': {
    analysis: { stepWeight: 20, maxWeight: 40, sessionAffinity: cookie },
    path: 'spec.analysis.sessionAffinity',
    supported: (c) => c.sessionAffinity,
    shows: (_lines, rendered) => expect(rendered).toContain('flagger-cookie='),
  },
};

const cells = supportedProviders().flatMap((provider) =>
  Object.entries(probes).map(([feature, probe]) => ({ provider, feature, probe })),
);

describe('the capability table', () => {
  it('has one entry per provider of the registry', () => {
    expect(Object.keys(capabilities).sort()).toEqual(supportedProviders());
  });

  it.each(cells)('$provider: $feature', ({ provider, feature, probe }) => {
    const caps = capabilities[provider as keyof typeof capabilities];
    const c = canary(provider, probe.analysis);
    const issues = routerFor(provider).validate(c);
    if (!probe.supported(caps)) {
      expect(
        issues.length,
        `validate() accepts ${feature}: update src/routers/capabilities.ts`,
      ).toBeGreaterThan(0);
      for (const i of issues) expect(i.path).toMatch(new RegExp(`^${probe.path.replaceAll('.', '\\.')}`));
      return;
    }
    expect(issues, `validate() rejects ${feature}: update src/routers/capabilities.ts`).toEqual([]);
    const sim = new RenderedSim(c, needs[provider]?.objects);
    const lines = sim.rollout();
    expect(lines).toEqual(inMemory(c));
    probe.shows(lines, JSON.stringify(sim.history));
    if (feature === 'canary') {
      const weighted = lines.includes('Progressing 80/20 i0 f0');
      expect(weighted ? 'weighted' : 'blue-green').toBe(caps.canary);
      // Without a split, every tick routes all traffic to one side.
      if (!weighted) expect(lines.filter((l) => !/ (0\/100|100\/0) /.test(l))).toEqual([]);
    }
  });

  it.each(supportedProviders())('%s: renders the routing objects listed', (provider) => {
    const sim = new RenderedSim(canary(provider, { stepWeight: 20 }), needs[provider]?.objects);
    sim.tick();
    const core = new Set([
      'apps/v1/Deployment',
      'v1/Service',
      'kustomize.config.k8s.io/v1beta1/Kustomization',
    ]);
    const kinds = sim.objects.map((o) => `${o.apiVersion}/${o.kind}`).filter((k) => !core.has(k));
    expect([...new Set(kinds)].sort()).toEqual(
      [...capabilities[provider as keyof typeof capabilities].objects].sort(),
    );
  });
});

describe('README.md', () => {
  it('holds the provider matrix generated from the table', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(
      readme.includes(providerMatrixSection()),
      'README.md is out of date with src/routers/capabilities.ts: run `npx tsx scripts/provider-matrix.ts --write`',
    ).toBe(true);
  });
});
