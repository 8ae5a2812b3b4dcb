/**
 * Attack: a pull request edits a canary's status file by hand so it contradicts itself — phase
 * Succeeded while 20% still goes to the canary, a lastStepTime next year (the canary never due),
 * an unknown phase, a time that does not parse. Each is refused naming the file and field; the
 * run writes nothing for that canary. Real git and a real run for the first; the parser for the rest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { parseStatus } from '../../src/status/status-file.js';
import { createGitOps, type GitOps } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const path = 'apps/podinfo/podinfo.status.yaml';
const t0 = Date.parse('2026-01-01T00:00:00Z');

async function initialized(): Promise<GitOps> {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  await reconcile({ repoDir: r.work, now: new Date(t0) });
  await reconcile({ repoDir: r.work, now: new Date(t0 + 60_000) });
  return r;
}
const edit = (text: string, fields: Record<string, unknown>) => {
  const doc = parse(text);
  Object.assign(doc.status, fields);
  return stringify(doc);
};

describe('a status file that contradicts itself', () => {
  it('phase Succeeded with canary weight 20: refused, named, nothing committed', async () => {
    const r = await initialized();
    const edited = r.humanEdit(path, (s) => edit(s, { phase: 'Succeeded', canaryWeight: 20 }), 'looks done');
    const res = await reconcile({ repoDir: r.work, now: new Date(t0 + 120_000) });
    expect(res.canaries[0]?.error).toMatch(
      /podinfo\.status\.yaml: status\.canaryWeight: 20 with phase Succeeded \(only Progressing, Waiting, Promoting/,
    );
    expect(res.commit).toBeNull();
    expect(r.remoteLog()[0]).toBe('looks done');
    expect(edited).toMatch(/^[0-9a-f]{40}$/);
  });

  const status = {
    phase: 'Initialized',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: 'a',
    lastPromotedSpec: 'a',
    lastTransitionTime: '2026-01-01T00:00:00.000Z',
    lastStepTime: '2026-01-01T00:00:00.000Z',
  };
  const file = (fields: Record<string, unknown>) =>
    stringify({
      apiVersion: 'gitcanary.dev/v1alpha1',
      kind: 'CanaryStatus',
      metadata: { name: 'podinfo', namespace: 'test' },
      status: { ...status, ...fields },
    });
  const now = new Date('2026-01-01T01:00:00Z');

  it.each([
    [
      { lastStepTime: '2027-01-01T00:00:00.000Z' },
      /x\.status\.yaml: status\.lastStepTime: 2027-01-01T00:00:00\.000Z is after the run's time/,
    ],
    [
      { lastTransitionTime: 'yesterday' },
      /x\.status\.yaml: status\.lastTransitionTime: "yesterday" is not an RFC 3339 time/,
    ],
    [{ lastStepTime: '2026-13-45T99:00:00Z' }, /status\.lastStepTime: .* is not an RFC 3339 time/],
    [{ phase: 'Done' }, /x\.status\.yaml: status\.phase: /],
    [{ phase: 'Failed', canaryWeight: 50 }, /status\.canaryWeight: 50 with phase Failed/],
    [{ phase: 'Initialized', canaryWeight: 10 }, /status\.canaryWeight: 10 with phase Initialized/],
    [
      { request: { action: 'promote', requestedBy: 'x', requestedAt: 'soon' } },
      /status\.request\.requestedAt: "soon" is not an RFC 3339 time/,
    ],
  ])('%j is refused naming the field', (fields, message) => {
    expect(() => parseStatus(file(fields), 'x.status.yaml', now)).toThrow(message);
  });

  it('a consistent mid-rollout status still parses', () => {
    expect(parseStatus(file({ phase: 'Progressing', canaryWeight: 20 }), 'x.status.yaml', now)).toMatchObject(
      {
        canaryWeight: 20,
      },
    );
  });
});
