/**
 * Tick durations measured by the runs themselves, kept where `gitcanary metrics` can read them:
 * `gitcanary/tick-durations.json` inside the checkout's git directory (never committed, never
 * pushed). Each canary keeps a cumulative histogram (Flagger's buckets, a count and a sum), so the
 * file stays small however many runs there are and the exported histogram never goes backwards.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { type DurationHistogram, defaultBuckets } from './flagger-metrics.js';

const run = promisify(execFile);

/** Histograms by canary `namespace/name`. */
export type Durations = Map<string, DurationHistogram>;

/** An empty histogram with Flagger's default buckets. */
export const emptyHistogram = (): DurationHistogram => ({
  buckets: defaultBuckets.map(() => 0),
  count: 0,
  sum: 0,
});

/**
 * Adds one observation (seconds) to a histogram, returning a new one.
 * @example observe(emptyHistogram(), 0.3).buckets // [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
 */
export function observeSeconds(h: DurationHistogram, seconds: number): DurationHistogram {
  return {
    buckets: defaultBuckets.map((le, i) => (h.buckets[i] ?? 0) + (seconds <= le ? 1 : 0)),
    count: h.count + 1,
    sum: h.sum + seconds,
  };
}

/** The store's path for the checkout at `repoDir`, or undefined when it is not a git checkout. */
export async function durationsPath(repoDir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', [
      '-C',
      repoDir,
      'rev-parse',
      '--git-path',
      'gitcanary/tick-durations.json',
    ]);
    const p = stdout.trim();
    return isAbsolute(p) ? p : join(repoDir, p);
  } catch {
    return undefined;
  }
}

function valid(v: unknown): v is DurationHistogram {
  const h = v as DurationHistogram;
  return (
    !!h &&
    Array.isArray(h.buckets) &&
    h.buckets.length === defaultBuckets.length &&
    h.buckets.every((b) => Number.isInteger(b) && b >= 0) &&
    Number.isInteger(h.count) &&
    Number.isFinite(h.sum)
  );
}

/** The histograms recorded so far (empty when there is no store or it does not parse). */
export async function readDurations(repoDir: string): Promise<Durations> {
  const path = await durationsPath(repoDir);
  if (!path) return new Map();
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    return new Map(Object.entries(parsed).filter((e): e is [string, DurationHistogram] => valid(e[1])));
  } catch {
    return new Map();
  }
}

/** Adds this run's measurements (seconds by canary `namespace/name`) to the store; returns the result. */
export async function recordDurations(repoDir: string, measured: Map<string, number[]>): Promise<Durations> {
  const all = await readDurations(repoDir);
  for (const [key, seconds] of measured) {
    let h = all.get(key) ?? emptyHistogram();
    for (const s of seconds) h = observeSeconds(h, s);
    all.set(key, h);
  }
  const path = await durationsPath(repoDir);
  if (path) {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(Object.fromEntries([...all].sort()), null, 1)}\n`);
    await rename(tmp, path);
  }
  return all;
}
