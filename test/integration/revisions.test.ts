/**
 * Change detection on a real repository: a tracked ConfigMap edit is a new revision; the
 * pod template and the primary pick up the `-primary` copy on promotion.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps } from '../support/gitops.js';

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('revisions', () => {
  it('a ConfigMap-only change starts an analysis; unrelated edits do not', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tick = async () => {
      const res = await reconcile({ repoDir: r.work, now: new Date(now) });
      now += 60_000;
      return res.canaries[0]!;
    };
    await tick();
    expect((await tick()).phase).toBe('Initialized');
    r.humanEdit('apps/podinfo/kustomization.yaml', (s) => `${s}# a comment\n`, 'unrelated');
    expect(await tick()).toMatchObject({ phase: 'Initialized', message: 'Initialized: no new revision' });
    const configCopy = parse(r.remoteFile('apps/podinfo/rendered/configmap-podinfo-config-primary.yaml'));
    expect(configCopy.data).toEqual({ PODINFO_UI_MESSAGE: 'hello' });

    r.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace('PODINFO_UI_MESSAGE: hello', 'PODINFO_UI_MESSAGE: bonjour'),
      'config',
    );
    expect(await tick()).toMatchObject({
      phase: 'Progressing',
      message: 'New revision detected! Scaling up podinfo.test',
    });
    const status = parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
    expect(Object.keys(status.trackedConfigs)).toEqual(['configmap/podinfo-config']);
    // The primary keeps serving the promoted config until promotion.
    expect(parse(r.remoteFile('apps/podinfo/rendered/configmap-podinfo-config-primary.yaml')).data).toEqual({
      PODINFO_UI_MESSAGE: 'hello',
    });
  });

  it('refuses to write on another branch than gitcanary.yaml names', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    r.humanEdit('gitcanary.yaml', () => 'branch: production\n', 'pin the branch');
    await expect(reconcile({ repoDir: r.work, now: new Date('2026-01-01T00:00:00Z') })).rejects.toThrow(
      /gitcanary.yaml: branch: production, but .* has main checked out/,
    );
  });
});
