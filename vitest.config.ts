import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One worker per core less one (vitest's default; one on a 2-core machine). More workers overlap
// the tests that rebuild dist/ (packing runs `prepare`) with those that run the bundled binary:
// raise it with GITCANARY_TEST_WORKERS only once those are separated.
const workers = Number(process.env.GITCANARY_TEST_WORKERS) || Math.max(1, availableParallelism() - 1);

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
