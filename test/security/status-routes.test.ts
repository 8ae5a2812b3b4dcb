/**
 * Attack: mid-rollout (20% on the canary), a pull request edits the status file to a phase that
 * agrees with itself but not with the committed routes — Succeeded or Failed with weight 0, or
 * Initialized — hoping the run scales the canary to zero while the routes still send it traffic.
 * After every run, the committed files never route traffic to a canary with no pods: either the
 * routes are back on the primary in the same commit or the canary keeps its replicas. Real git.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const path = 'apps/podinfo/podinfo.status.yaml';

/** Canary weight in the committed VirtualService and the canary Deployment's replicas. */
function committed(r: GitOps): { weight: number; replicas: number } {
  git(r.work, 'pull', '-q', '--ff-only');
  const dir = join(r.work, 'apps/podinfo/rendered');
  let weight = 0;
  let replicas = -1;
  for (const f of readdirSync(dir)) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const o = d.toJS();
      if (o?.kind === 'VirtualService') {
        for (const h of o.spec.http ?? [])
          for (const rt of h.route ?? [])
            if (rt.destination.host === 'podinfo-canary') weight += rt.weight ?? 0;
      }
      if (o?.kind === 'Deployment' && o.metadata.name === 'podinfo') replicas = o.spec.replicas ?? 1;
    }
  }
  return { weight, replicas };
}

describe('a status file contradicting the committed routes', () => {
  it.each([
    { phase: 'Succeeded', canaryWeight: 0 },
    { phase: 'Failed', canaryWeight: 0 },
    { phase: 'Initialized', canaryWeight: 0, iterations: 0 },
  ])('%j never routes traffic to a canary scaled to zero', async (fields) => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tick = async () => {
      await reconcile({ repoDir: r.work, now: new Date(now) });
      now += 60_000;
    };
    await tick();
    await tick();
    r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
    await tick();
    await tick();
    expect(committed(r).weight).toBe(20);
    r.humanEdit(
      path,
      (s) => {
        const doc = parse(s);
        Object.assign(doc.status, fields);
        return stringify(doc);
      },
      'looks done',
    );
    for (let i = 0; i < 4; i++) {
      await tick();
      const c = committed(r);
      if (c.weight > 0) expect(c.replicas, `run ${i}: ${c.weight}% to the canary`).toBeGreaterThan(0);
    }
  });
});
