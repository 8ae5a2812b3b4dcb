/**
 * Nudges after a push, against loopback servers that check what Flux's notification-controller
 * (generic-hmac Receiver) and Argo CD's /api/webhook check: the HMAC of the raw body keyed with the
 * token. Then a rollback through real git and the real client: the time from the run that finds
 * the threshold reached to the rollback commit pushed and the Receiver nudged.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nudge, nudgeRequest } from '../../src/cluster/nudge.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube.js';
import { git } from '../support/gitops.js';
import { listenLoopback } from '../support/loopback.js';
import { kubeconfig, ready, timeline } from './kube-timelines.js';

interface Hit {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

let hits: Hit[] = [];
let server: { url: string; close(): Promise<void> };
let kube: FakeKube;
const token = 'test-token';

beforeAll(async () => {
  server = await listenLoopback(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        hits.push({ path: req.url ?? '', headers: req.headers, body, at: performance.now() });
        const want = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
        const got = req.headers['x-signature'] ?? req.headers['x-hub-signature-256'];
        res.writeHead(req.method === 'POST' && got === want ? 200 : 400).end();
      });
    }),
  );
  kube = await startFakeKube();
});
afterAll(async () => {
  await server.close();
  await kube.close();
});

const push = {
  branch: 'main',
  before: 'a'.repeat(40),
  after: 'b'.repeat(40),
  paths: ['apps/podinfo/rendered/x.yaml'],
};

describe('nudges', () => {
  it("signs as Flux's generic-hmac Receiver and Argo CD's GitHub webhook verify it", async () => {
    // A published test vector of Flux's generic-hmac Receiver: key test-token, this body.
    const vector = createHmac('sha256', token).update('{"ref":"refs/heads/main"}').digest('hex');
    expect(vector).toBe('c0f04e7bdcbcd6cb8fbd58b550bf98690ddfcb939774e25d35eecd80a750f653');
    const argo = nudgeRequest(
      { kind: 'argocd-webhook', url: 'http://x', secret: token, repoUrl: 'https://github.com/o/r' },
      push,
    );
    expect(argo.headers['x-github-event']).toBe('push');
    expect(JSON.parse(argo.body)).toMatchObject({
      ref: 'refs/heads/main',
      after: push.after,
      repository: { html_url: 'https://github.com/o/r' },
    });
    hits = [];
    const results = await nudge(
      [
        { kind: 'flux-receiver', url: `${server.url}/hook/abc`, secret: token },
        {
          kind: 'argocd-webhook',
          url: `${server.url}/api/webhook`,
          secret: token,
          repoUrl: 'https://github.com/o/r',
        },
        { kind: 'flux-receiver', url: `${server.url}/hook/abc`, secret: 'wrong-token' },
        { kind: 'flux-receiver', url: 'http://127.0.0.1:9/hook/abc', secret: 'do-not-log-me' },
      ],
      push,
      { timeoutMs: 2000, maxBytes: 1 << 20 },
    );
    expect(results.map((r) => [r.ok, r.outcome.startsWith('HTTP') ? r.outcome : 'error'])).toEqual([
      [true, 'HTTP 200'],
      [true, 'HTTP 200'],
      [false, 'HTTP 400'],
      [false, 'error'],
    ]);
    expect(JSON.stringify(results)).not.toContain('do-not-log-me');
    expect(hits.map((h) => h.path).sort()).toEqual(['/api/webhook', '/hook/abc', '/hook/abc']);
  });

  it('threshold reached → rollback commit pushed and the Receiver nudged (timed)', async () => {
    process.env.GITCANARY_TEST_RECEIVER_TOKEN = token;
    const config = kubeconfig(kube.url, kube.token);
    const t = timeline(kube, 'istio-podinfo', {
      canaryDir: 'apps/podinfo',
      ns: 'test',
      stepMs: 60_000,
      routes: () => '',
      config: `cluster:
  access: kubeconfig
  kubeconfig: ${config}
  appliers: [{ path: apps, kustomization: flux-system/apps }]
  nudge:
    fluxReceiver: { url: "${server.url}/hook/receiver", tokenEnv: GITCANARY_TEST_RECEIVER_TOKEN }
`,
    });
    try {
      t.deployment('podinfo', ready());
      t.deployment('podinfo-primary', ready());
      const applied = async () => {
        t.apply();
        const r = await t.tick();
        return /observed live/.test(r.message) ? t.tick() : r;
      };
      await t.tick();
      await applied();
      t.repo.humanEdit(
        'apps/podinfo/deployment.yaml',
        (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6'),
        'bump',
      );
      await applied();
      await applied();
      t.fail('ReconciliationFailed', 'Deployment/test/podinfo dry-run failed');
      expect((await t.tick()).failedChecks).toBe(1);
      expect((await t.tick()).failedChecks).toBe(2);
      hits = [];
      const start = performance.now();
      const rolledBack = await t.tick();
      const pushed = git(t.repo.remote, 'rev-parse', 'main');
      expect(rolledBack.phase).toBe('Failed');
      expect(rolledBack.commit).toBe(pushed);
      const hit = hits.find((h) => h.path === '/hook/receiver')!;
      expect(JSON.parse(hit.body)).toMatchObject({ ref: 'refs/heads/main', after: pushed });
      const ms = Math.round(hit.at - start);
      console.log(`threshold reached → rollback commit pushed and nudged: ${ms} ms`);
      expect(ms).toBeLessThan(30_000);
    } finally {
      delete process.env.GITCANARY_TEST_RECEIVER_TOKEN;
      t.cleanup();
    }
  });
});
