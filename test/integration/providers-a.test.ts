/**
 * Every router of the registry rolled through a full successful and a failed rollout, in three
 * files (providers-a/b/c: a third of the sorted registry each, rollouts run concurrently): the fixture
 * repository `fixtures/repos/provider-<provider>/`, real git, one real Prometheus per file holding
 * each observer's own metric names (test/support/observer-metrics.ts). After every run the rendered
 * routing objects on the remote are read back; their weights always sum to 100.
 *
 * This file: the first third, and A/B testing on App Mesh v1beta2, Contour and Gateway API.
 */
import { describe, it } from 'vitest';
import {
  abRollout,
  expectObserverQueries,
  fixturesFor,
  providerRollout,
  registryPart,
  rolloutTimeoutMs,
  usePrometheus,
} from '../support/provider-suites.js';

const providers = registryPart(0, 3);
const abProviders = ['appmesh:v1beta2', 'contour', 'gatewayapi:v1'];
const fixtures = fixturesFor(providers, abProviders);
const prometheus = usePrometheus(fixtures);

describe('the observer series of each fixture', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s: the built-in checks read the canary only', (_, f) =>
    expectObserverQueries(prometheus(), f),
  );
});

describe.concurrent('rollouts', () => {
  it.each(providers)(
    '%s: a new revision succeeds, a bad one is rolled back',
    (provider) => providerRollout(provider, prometheus()),
    rolloutTimeoutMs,
  );
  it.each(abProviders)(
    '%s: A/B testing sends matched requests to the canary for 2 iterations, then promotes',
    (provider) => abRollout(provider, prometheus()),
    rolloutTimeoutMs,
  );
});
