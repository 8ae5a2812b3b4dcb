/**
 * Attack: a person with write access to the repository writes a promote request into a status
 * file by hand and puts someone else's name in `requestedBy` (the on-call lead, "release-bot").
 * The run obeys the request, but records who wrote it as Git says — the commit's author, marked
 * unverified — never the typed name. Real git, a real rollout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { firstStep, ticker } from '../support/ticks.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
const path = 'apps/podinfo/podinfo.status.yaml';

describe('the requester of a manual request', () => {
  it('comes from the commit that wrote it, not from requestedBy', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const clock = ticker(r.work);
    const { tick } = clock;
    expect(await firstStep(r, clock)).toMatchObject({ canaryWeight: 20 });
    const forged = r.humanEdit(
      path,
      (s) => {
        const doc = parse(s);
        doc.status.request = {
          action: 'promote',
          requestedBy: 'On-call Lead <lead@example.com>',
          requestedAt: new Date(clock.now() - 1000).toISOString(),
          message: 'approved',
        };
        return stringify(doc);
      },
      'promote',
    );
    expect(await tick()).toMatchObject({ phase: 'Succeeded' });
    git(r.work, 'pull', '-q', '--ff-only');
    const last = parse(r.remoteFile(path)).status.history.at(-1);
    expect(last.message).toBe(
      `promote requested by Human <human@example.com> (unverified, commit ${forged.slice(0, 7)}): approved; skipping analysis, promotion finished.`,
    );
    expect(r.remoteLog().join('\n')).not.toContain('lead@example.com');
  });
});
