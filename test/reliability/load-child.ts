/**
 * Loads one repository in a child process (run with a small `--max-old-space-size`, so an input
 * that exhausts memory kills this process and not the test runner) and prints what the loader
 * returned as JSON: time spent, error and warning counts, the first errors, the loaded canaries.
 *
 * Usage: node --import tsx --max-old-space-size=256 test/reliability/load-child.ts REPO_DIR
 */
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';

const root = process.argv[2];
if (!root) throw new Error('usage: load-child.ts REPO_DIR');
const started = performance.now();
const inv = await loadRepo(root, defaultConfig());
const issues = validateRepo(inv);
const ms = performance.now() - started;
const errors = issues.filter((i) => i.severity === 'error');
process.stdout.write(
  JSON.stringify({
    ms,
    errorCount: errors.length,
    warningCount: issues.length - errors.length,
    errors: errors.slice(0, 20).map((i) => ({ ...i, message: i.message.slice(0, 300) })),
    canaries: inv.canaries.map((c) => `${c.ref.namespace}/${c.ref.name}`),
    heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
  }),
);
