/**
 * The floor a tick is compared with: what any tool must do to publish the same change with the
 * plain git CLI — `git fetch`, write the changed files, `git add` them, `git commit` (with the
 * tick's message), `git push` — plus one Prometheus query round trip.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileChange } from '../src/git/port.js';
import { loadConfig } from '../src/inputs/config.js';
import { loadRepo } from '../src/inputs/load.js';
import { planChecks } from '../src/metrics/checks.js';
import { collapseWhitespace } from '../src/metrics/prometheus.js';
import { builtinTemplates } from '../src/reconcile/observe.js';

export interface FloorResult {
  fetchMs: number;
  writeMs: number;
  addMs: number;
  commitMs: number;
  pushMs: number;
  queryMs: number;
  totalMs: number;
}

export interface FloorQuery {
  url: string;
  query: string;
  at: Date;
}

const identity = [
  '-c',
  'user.name=Floor',
  '-c',
  'user.email=floor@example.com',
  '-c',
  'commit.gpgsign=false',
];

function run(cwd: string, args: string[], input?: string): void {
  execFileSync('git', [...identity, ...args], {
    cwd,
    input: input ?? '',
    stdio: ['pipe', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/** Times the floor in the clone `work` (its upstream must be `origin/main`). */
export async function measureFloor(
  work: string,
  changes: readonly FileChange[],
  message: string,
  q: FloorQuery,
): Promise<FloorResult> {
  const lap = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const ms = now - last;
      last = now;
      return ms;
    };
  })();
  const start = performance.now();
  run(work, ['fetch', '--quiet', '--no-tags', 'origin']);
  const fetchMs = lap();
  for (const c of changes) {
    const abs = join(work, c.path);
    if ('delete' in c) rmSync(abs, { force: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, c.content);
    }
  }
  const writeMs = lap();
  // `git add <paths>`, with the paths on stdin: thousands of them do not fit one argv comfortably.
  const paths = `${changes.map((c) => c.path).join('\0')}\0`;
  run(work, ['add', '--pathspec-from-file=-', '--pathspec-file-nul'], paths);
  const addMs = lap();
  run(work, ['commit', '-q', '--no-verify', '-F', '-'], message);
  const commitMs = lap();
  run(work, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  const pushMs = lap();
  const url = new URL('/api/v1/query', q.url);
  url.searchParams.set('query', collapseWhitespace(q.query));
  url.searchParams.set('time', String(q.at.getTime() / 1000));
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await res.json()) as { status?: string; data?: { result?: unknown[] } };
  if (body.status !== 'success' || !body.data?.result?.length) {
    throw new Error(`floor query returned no data: ${JSON.stringify(body).slice(0, 300)}`);
  }
  const queryMs = lap();
  return { fetchMs, writeMs, addMs, commitMs, pushMs, queryMs, totalMs: performance.now() - start };
}

/** The first builtin query (request-success-rate) of the first canary in `root`, as a tick sends it. */
export async function firstQuery(root: string): Promise<string> {
  const config = await loadConfig(root, {});
  const inventory = await loadRepo(root, config);
  const canary = inventory.canaries[0];
  if (!canary) throw new Error(`${root}: no canary`);
  const [check] = planChecks(canary, inventory.templates, builtinTemplates(), config.meshProvider);
  if (!check?.query)
    throw new Error(`${root}: the first canary has no query (${check?.error ?? 'no check'})`);
  return check.query;
}
