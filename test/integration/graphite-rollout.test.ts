/**
 * The graphite provider and a rollout judged by it against Debian's real Graphite (carbon-cache +
 * graphite-web, test/support/graphite.ts, started once for this file): points written through
 * carbon's plaintext protocol at the wall clock (graphite-web's `from=-3min` is relative to it)
 * are what the render API answers, so the data changes as the rollout advances.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphite } from '../../src/metrics/providers/graphite.js';
import { runHttpQuery } from '../../src/metrics/providers/run.js';
import type { GitOps } from '../support/gitops.js';
import { type Graphite, startGraphite } from '../support/graphite.js';
import type { VendorApi } from '../support/vendor-api.js';
import { startBuiltinProm, vendorRollout } from '../support/vendor-rollout.js';

let g: Graphite;
let prom: VendorApi;
beforeAll(async () => {
  [g, prom] = await Promise.all([startGraphite(), startBuiltinProm()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([g?.close(), prom?.close()]);
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const input = (query: string) => ({
  query,
  at: new Date(),
  intervalSeconds: 60,
  credentials: {},
  hasSecretRef: false,
  address: g.url,
});

/** Polls until graphite-web answers `want` (carbon receives asynchronously). */
async function until(query: string, want: unknown) {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    last = await runHttpQuery(graphite, input(query));
    if (JSON.stringify(last) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toEqual(want);
}

describe('graphite (Debian graphite-carbon + graphite-web)', () => {
  it('the last non-null datapoint of the render API; an unknown series is no data', async () => {
    const now = Date.now();
    await g.send([
      { path: 'stats.probe.latency', value: 7, at: new Date(now - 120_000) },
      { path: 'stats.probe.latency', value: 3.5, at: new Date(now - 60_000) },
    ]);
    await until('target=sumSeries(stats.probe.latency)&from=-5min', { kind: 'value', value: 3.5 });
    expect(await runHttpQuery(graphite, input('target=stats.never.written&from=-5min'))).toEqual({
      kind: 'no-data',
    });
  });

  it('a rollout: a good canary is promoted, a bad one rolls back', async () => {
    const template = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: vendor-check
  namespace: test
spec:
  provider:
    type: graphite
    address: ${g.url}
  query: target=sumSeries(stats.{{ target }}.errors)&from=-3min
`;
    const run = (f: (step: number) => number) =>
      vendorRollout(
        {
          template,
          metricsServer: prom.url,
          feed: async (step) => {
            const value = f(step);
            await g.send([{ path: 'stats.podinfo.errors', value, at: new Date() }]);
            await until('target=sumSeries(stats.podinfo.errors)&from=-3min', { kind: 'value', value });
          },
        },
        repos,
      );
    const good = await run((step) => (step % 4) * 0.25);
    expect(good.phases.at(-1)).toMatch(/^Succeeded\//);
    expect(good.phases).toContain('Progressing/60/0');
    const bad = await run((step) => (step === 0 ? 0 : 5 + step));
    expect(bad.phases.at(-1)).toMatch(/^Failed\/0\//);
    expect(bad.phases.some((p) => p.startsWith('Progressing/20/'))).toBe(true);
    expect(prom.problems).toEqual([]);
  });
}, 300_000);
