/**
 * `validate` warns about hook and alert URLs that resolve only inside a cluster, when it does not
 * run in one: the seed's load tester (`flagger-loadtester.flagger-system`) among them.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/validate.js';
import { isClusterLocal } from '../../src/notify/cluster-local.js';

describe('isClusterLocal', () => {
  it.each([
    ['http://flagger-loadtester.flagger-system/', true],
    ['http://flagger-loadtester.test/', true],
    ['http://loadtester/gate/check', true],
    ['http://loadtester.test.svc/', true],
    ['http://loadtester.test.svc.cluster.local:8080/', true],
    ['https://hooks.slack.com/services/T/B/x', false],
    ['https://example.com/hook', false],
    ['https://outlook.office.com/webhook/x', false],
    ['http://127.0.0.1:9090/', false],
    ['http://localhost:9090/', false],
    ['http://[::1]:9090/', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isClusterLocal(url)).toBe(expected);
  });
});

describe('validate: cluster-local URLs', () => {
  let dir: string | undefined;
  const saved = process.env.KUBERNETES_SERVICE_HOST;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    else process.env.KUBERNETES_SERVICE_HOST = saved;
  });

  it('warns, naming file, object and field, outside a cluster only', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitcanary-cl-'));
    cpSync(join(import.meta.dirname, '../../fixtures/repos/seed-traefik'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'apps/podinfo/alerts.yaml'),
      'apiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: { name: chat, namespace: test }\n' +
        'spec: { type: slack, channel: x, address: "http://chat-relay.monitoring/hook" }\n' +
        '---\napiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: { name: slack, namespace: test }\n' +
        'spec: { type: slack, channel: x, address: "https://hooks.slack.com/services/T/B/x" }\n',
    );
    delete process.env.KUBERNETES_SERVICE_HOST;
    const outside = await runValidate(dir);
    const local = outside.issues.filter((i) => i.message.includes('only inside a Kubernetes cluster'));
    expect(local.length).toBeGreaterThan(1);
    expect(local.every((i) => i.severity === 'warning')).toBe(true);
    const hook = local.find((i) => i.path.startsWith('spec.analysis.webhooks.'))!;
    expect(hook).toMatchObject({
      file: 'apps/podinfo/canary.yaml',
      object: expect.stringMatching(/\/podinfo$/),
    });
    expect(hook.message).toContain('flagger-loadtester.');
    expect(local.find((i) => i.path === 'spec.address')).toMatchObject({
      file: 'apps/podinfo/alerts.yaml',
      object: 'test/chat',
    });
    expect(local.some((i) => i.object === 'test/slack')).toBe(false);
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    const inside = await runValidate(dir);
    expect(inside.issues.filter((i) => i.message.includes('only inside a Kubernetes cluster'))).toEqual([]);
    expect(inside.errors).toBe(outside.errors);
  });
});
