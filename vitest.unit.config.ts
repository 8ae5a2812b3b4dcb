/**
 * `npm run test:unit`: the tests that need no Prometheus, no forge server and no git remote — the
 * pure core, render goldens, inputs (plain folders), status files, metric templating, trailers,
 * PR bodies. Under 30 s, for the edit-test loop; `npm test` still runs everything.
 */
import { defineConfig } from 'vitest/config';

export const unitTests = [
  'test/core/**/*.test.ts',
  'test/render/**/*.test.ts',
  // duplicate-keys.test.ts is left to `npm test`: its 100,000-key cases are load tests.
  'test/inputs/{config,load,near-miss,source,validate,metric-policies,compare-spec}.test.ts',
  'test/status/**/*.test.ts',
  'test/delivery/**/*.test.ts',
  'test/metrics/{auth,checks,template}.test.ts',
  'test/forge/{etag-store,pr-body}.test.ts',
  'test/git/trailers.test.ts',
  'test/reconcile/{reverts,simulate-policies}.test.ts',
  'test/analysis/**/*.test.ts',
  'test/notify/**/*.test.ts',
  'test/hooks/payload.test.ts',
  'test/cluster/{applied-state,live-weight}.test.ts',
  'test/docs/**/*.test.ts',
];

export default defineConfig({
  test: {
    include: unitTests,
    pool: 'threads',
    maxWorkers: 2,
    // Pure modules and temp folders: one module graph per worker, not one per file.
    isolate: false,
    testTimeout: 30_000,
  },
});
