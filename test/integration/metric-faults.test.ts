/**
 * Metric faults at the level of a whole run: whatever the metrics server does wrong, the canary
 * never advances on it, failed checks count exactly as Flagger counts them, and the status file
 * says what happened. The server is a local HTTP server speaking Prometheus' /api/v1/query.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';

type Mode = 'ok' | 'nan' | 'empty' | 'several' | 'http500' | 'garbage' | 'slow' | 'matrix' | 'echo';
let mode: Mode = 'ok';
let server: Server;
let url = '';

const vector = (values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1, v] })),
    },
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const good = q.includes('duration') ? '120' : '99.9';
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (mode === 'ok') return send(200, vector([good]));
    if (mode === 'nan') return send(200, vector(['NaN']));
    if (mode === 'empty') return send(200, vector([]));
    if (mode === 'several') return send(200, vector(['1', good]));
    if (mode === 'http500')
      return send(500, JSON.stringify({ status: 'error', errorType: 'internal', error: 'boom' }));
    if (mode === 'garbage') return send(200, '<html>proxy error</html>');
    if (mode === 'echo') {
      return send(
        500,
        JSON.stringify({
          status: 'error',
          errorType: 'auth',
          error: `rejected ${req.headers.authorization}`,
        }),
      );
    }
    if (mode === 'matrix')
      return send(200, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    setTimeout(() => send(200, vector([good])), 3000); // slow: past the 1 s timeout
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('metric faults', () => {
  it('never advances on a fault, counts one failed check per tick, records why', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    r.humanEdit('gitcanary.yaml', () => 'prometheusTimeout: 1s\n', 'config');
    // threshold 2 in the fixture: raise it so every fault can be seen in one run
    r.humanEdit(
      'apps/podinfo/canary.yaml',
      (s) => s.replace('threshold: 2', 'threshold: 20'),
      'threshold 20',
    );
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tick = async () => {
      const res = await reconcile({ repoDir: r.work, now: new Date(now), metricsServer: url });
      now += 60_000;
      return res.canaries[0]!;
    };
    await tick();
    await tick();
    r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
    await tick();
    expect(await tick()).toMatchObject({ canaryWeight: 20 });

    const faults: Array<[Mode, RegExp]> = [
      ['nan', /no values found for metric request-success-rate/],
      ['empty', /no values found for metric request-success-rate/],
      ['http500', /query failed: .*500/],
      ['garbage', /query failed: /],
      ['matrix', /query failed: /],
      ['slow', /query failed: .*(time|abort)/i],
    ];
    let failed = 0;
    for (const [m, reason] of faults) {
      mode = m;
      const c = await tick();
      failed++;
      expect(c, m).toMatchObject({ canaryWeight: 20, failedChecks: failed, phase: 'Progressing' });
      const last = parse(r.remoteFile('apps/podinfo/podinfo.status.yaml')).status.history.at(-1);
      expect(last.verdict.result, m).toBe('fail');
      expect(last.verdict.reason, m).toMatch(reason);
    }

    server.closeAllConnections();
    await new Promise<void>((res) => server.close(() => res()));
    const stopped = await tick();
    expect(stopped).toMatchObject({ canaryWeight: 20, failedChecks: failed + 1 });
    expect(stopped.verdict?.reason).toMatch(/query failed: /);
    await new Promise<void>((res) => server.listen(Number(new URL(url).port), '127.0.0.1', res));

    // Several series: the last one wins (Flagger), so a good last series passes and advances.
    mode = 'several';
    expect(await tick()).toMatchObject({ canaryWeight: 40, failedChecks: failed + 1 });
    mode = 'ok';
  });
});

describe('secrets', () => {
  it('a token never reaches the output, the commits or the status file, even when the server echoes it', async () => {
    const r = createGitOps('istio-podinfo');
    repos.push(r);
    const token = 'tok-5up3r-s3cr3t-9f8e7d';
    process.env.PROMETHEUS_TOKEN = token;
    try {
      let now = Date.parse('2026-01-01T00:00:00Z');
      const outputs: string[] = [];
      const tick = async () => {
        const res = await reconcile({ repoDir: r.work, now: new Date(now), metricsServer: url });
        now += 60_000;
        outputs.push(JSON.stringify(res));
        return res.canaries[0]!;
      };
      await tick();
      await tick();
      r.humanEdit('apps/podinfo/deployment.yaml', (s) => s.replace('podinfo:6.1.5', 'podinfo:6.1.6'), 'bump');
      await tick();
      await tick();
      mode = 'echo';
      const c = await tick();
      expect(c.failedChecks).toBe(1);
      expect(c.verdict?.reason).toMatch(/query failed: /);
      const everything = [git(r.remote, 'log', '-p', '--all'), ...outputs].join('\n');
      expect(everything).not.toContain(token);
    } finally {
      delete process.env.PROMETHEUS_TOKEN;
      mode = 'ok';
    }
  });
});
