/**
 * `/gitcanary …` comments on a step pull request, end to end: real git over HTTP to the fake
 * GitHub (every request checked against GitHub's OpenAPI description) and a real Prometheus.
 * A comment from someone with write permission is obeyed by the next run and answered with a
 * reaction; anyone else's is refused with a reply; each comment is handled once across runs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ReconcileResult, reconcile } from '../../src/reconcile/run.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { GOOD_START, podinfoMetrics } from '../support/podinfo-metrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';

let prom: PromHandle;
beforeAll(async () => {
  prom = await startPrometheus(podinfoMetrics());
});
afterAll(async () => {
  await prom?.stop();
});
const open: GitHubOps[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    expect(o.fake.schemaViolations).toEqual([]);
    await o.close();
  }
});

const statusFile = 'apps/podinfo/podinfo.status.yaml';

async function setup() {
  const extra = { 'gitcanary.yaml': 'delivery:\n  mode: pull-request\n' };
  const o = await createGitHubOps('istio-podinfo', { start: GOOD_START * 1000, extraFiles: extra });
  open.push(o);
  const tick = async (advance = 60_000): Promise<ReconcileResult> => {
    const r = await reconcile({
      repoDir: o.work,
      now: new Date(o.clock.now),
      metricsServer: prom.url,
      forge: o.forge,
    });
    o.clock.now += advance;
    expect(r.canaries[0]!.error).toBeUndefined();
    return r;
  };
  await tick();
  await tick();
  o.humanPush(
    {
      'apps/podinfo/deployment.yaml': o
        .remoteFile('apps/podinfo/deployment.yaml')
        .replace('podinfo:6.1.5', 'podinfo:6.1.6'),
    },
    'podinfo 6.1.6',
  );
  await tick();
  const first = await tick();
  expect(first.pullRequests.map((p) => [p.number, p.action])).toEqual([[1, 'created']]);
  return { o, tick };
}

const status = (o: GitHubOps) => parse(o.remoteFile(statusFile)).status;
const replies = (o: GitHubOps) =>
  o.fake
    .comments(o.owner, o.repo, 1)
    .filter((c) => c.user === 'gitcanary-bot' && c.body.startsWith('Ignored'));

describe('/gitcanary comments on the step pull request', () => {
  it('refuses a reader with one reply, obeys a writer once, answers with a reaction', async () => {
    const { o, tick } = await setup();
    o.fake.setPermission(o.owner, o.repo, 'bob', 'read');
    o.fake.setPermission(o.owner, o.repo, 'ann', 'write');

    const bobs = o.fake.addComment(o.owner, o.repo, 1, 'bob', '/gitcanary abort');
    let r = await tick();
    expect(r.canaries[0]).toMatchObject({ phase: 'Progressing' });
    expect(replies(o).map((c) => c.body)).toEqual([
      `Ignored \`/gitcanary abort\`: @bob has read permission on ${o.owner}/${o.repo}; commands need write, maintain or admin.`,
    ]);
    expect(o.fake.reactions(bobs)).toEqual([]);
    expect(status(o).comments).toMatchObject({ lastId: bobs });
    expect(o.fake.pulls(o.owner, o.repo)[0]!.state).toBe('open');

    // The next run lists only what is new (since=) and answers nothing twice.
    const before = o.fake.requests.length;
    r = await tick();
    const calls = o.fake.requests.slice(before);
    const listing = calls.find(
      (q) => q.method === 'GET' && q.route === '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    );
    expect(listing?.path).toMatch(/[?&]since=/);
    expect(calls.some((q) => q.method === 'POST')).toBe(false);
    expect(replies(o)).toHaveLength(1);

    // Text that is not exactly a command is ignored; a writer's command is obeyed.
    o.fake.addComment(o.owner, o.repo, 1, 'ann', 'please /gitcanary promote; `rm -rf /`');
    const anns = o.fake.addComment(o.owner, o.repo, 1, 'ann', '/gitcanary abort\n');
    r = await tick();
    expect(r.canaries[0]).toMatchObject({ phase: 'Failed' });
    expect(o.fake.reactions(anns)).toEqual([{ user: 'gitcanary-bot', content: 'rocket' }]);
    const s = status(o);
    expect(s.comments).toMatchObject({ lastId: anns });
    expect(s.history.at(-1).message).toMatch(
      /^abort requested by @ann \(comment \d+ on pull request #1\); rolling back/,
    );
    expect(o.remoteFile(statusFile)).not.toContain('rm -rf');
    expect(o.fake.pulls(o.owner, o.repo)[0]!.state).toBe('closed');

    // Obeyed once: the next runs neither abort again nor react twice.
    await tick();
    await tick();
    expect(o.fake.reactions(anns)).toHaveLength(1);
    expect(status(o).comments).toMatchObject({ lastId: anns });
  });
});
