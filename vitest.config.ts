import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One worker per core plus one: most of a test's time is spent waiting on git child processes,
// Prometheus and local servers, not on the worker's own CPU. The CLI bundle is built once by the
// setup (test/support/global-setup.ts) and no test file rebuilds it, so files run side by side.
// GITCANARY_TEST_WORKERS overrides the count.
const workers = Number(process.env.GITCANARY_TEST_WORKERS) || availableParallelism() + 1;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: workers,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
