import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Most test files wait on git, Prometheus and loopback servers rather than compute, so one more
// worker than cores keeps a 2-core machine busy (vitest's default, cores − 1, ran them one by one).
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
