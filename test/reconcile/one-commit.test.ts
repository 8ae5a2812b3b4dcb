/**
 * Commit mode writes exactly one commit per tick whatever the number of canaries: 60 canaries
 * initialised in one tick are one commit on the remote, and the next tick one more.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBenchRepo } from '../../bench/repo.js';
import { reconcile } from '../../src/reconcile/run.js';
import { git } from '../support/gitops.js';

const repo = createBenchRepo(60);
afterAll(() => repo.cleanup());

const count = () => Number(git(repo.remote, 'rev-list', '--count', 'main'));
const tick = (iso: string) =>
  reconcile({ repoDir: repo.work, now: new Date(iso), metricsServer: 'http://127.0.0.1:9' });

describe('one commit per tick', () => {
  it('60 canaries initialised, then marked initialised: one commit each tick', {
    timeout: 120_000,
  }, async () => {
    const before = count();
    const first = await tick('2026-01-01T00:00:00Z');
    expect(first.canaries.filter((c) => c.error)).toEqual([]);
    expect(new Set(first.changes.map((c) => c.path.split('/')[1])).size).toBe(60);
    expect(count()).toBe(before + 1);
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(first.commit);
    const second = await tick('2026-01-01T00:01:00Z');
    expect(second.changes.length).toBeGreaterThan(0);
    expect(count()).toBe(before + 2);
  });
});
