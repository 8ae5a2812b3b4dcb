/**
 * Failure modes and request details of the Prometheus adapter, against a tiny local HTTP server
 * that records requests and answers whatever each test needs.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrometheusProvider, interpret, providerForCheck } from '../../src/metrics/prometheus.js';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

let respond: (res: ServerResponse, seen: Seen) => void;
const seen: Seen[] = [];
const server = createServer((req, res) => {
  const s = { url: req.url ?? '', headers: req.headers };
  seen.push(s);
  respond(res, s);
});
let url: string;
const at = new Date(1_700_000_000_500);
const ok = (value: string) => (res: ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
    }),
  );
};

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  respond = ok('1');
});

const errorOf = async (p: Promise<{ kind: string; message?: string }>): Promise<string> => {
  const r = await p;
  expect(r.kind).toBe('error');
  return r.message ?? '';
};

describe('request', () => {
  it('GETs <address>/api/v1/query with the collapsed query and time in seconds, keeping a path prefix', async () => {
    const p = createPrometheusProvider({ address: `${url}/prom/`, timeoutMs: 1000 });
    expect(await p.query('sum(\n\trate(x[1m])\n)', at)).toEqual({ kind: 'value', value: 1 });
    const u = new URL(seen[0]?.url ?? '', url);
    expect(u.pathname).toBe('/prom/api/v1/query');
    expect(u.searchParams.get('query')).toBe('sum( rate(x[1m]) )');
    expect(u.searchParams.get('time')).toBe('1700000000.5');
  });

  it('sends a bearer token, basic auth and extra headers', async () => {
    await createPrometheusProvider({ address: url, timeoutMs: 1000, auth: { bearer: 'tok' } }).query(
      'up',
      at,
    );
    await createPrometheusProvider({
      address: url,
      timeoutMs: 1000,
      auth: { username: 'user', password: 'pw' },
      headers: { 'X-Scope-OrgID': ['tenant-a'], 'X-Multi': ['a', 'b'] },
    }).query('up', at);
    expect(seen[0]?.headers.authorization).toBe('Bearer tok');
    expect(seen[1]?.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect(seen[1]?.headers['x-scope-orgid']).toBe('tenant-a');
    expect(seen[1]?.headers['x-multi']).toBe('a, b');
  });

  it('turns user:password in the address into basic auth', async () => {
    const address = url.replace('//', '//alice:s%40fe@');
    await createPrometheusProvider({ address, timeoutMs: 1000 }).query('up', at);
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('alice:s@fe').toString('base64')}`);
  });
});

describe('failures are values, never a pass', () => {
  it('HTTP 500 with a text body', async () => {
    respond = (res) => {
      res.statusCode = 500;
      res.end('internal boom');
    };
    expect(await errorOf(createPrometheusProvider({ address: url, timeoutMs: 1000 }).query('up', at))).toBe(
      `prometheus ${url}: HTTP 500 internal boom`,
    );
  });

  it('HTTP 503 with a Prometheus error body', async () => {
    respond = (res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }));
    };
    const msg = await errorOf(createPrometheusProvider({ address: url, timeoutMs: 1000 }).query('up', at));
    expect(msg).toContain('HTTP 503 unavailable: TSDB not ready');
  });

  it('garbage instead of JSON', async () => {
    respond = (res) => res.end('<html>proxy login</html>');
    const msg = await errorOf(createPrometheusProvider({ address: url, timeoutMs: 1000 }).query('up', at));
    expect(msg).toMatch(/not JSON \(HTTP 200\): <html>proxy login/);
  });

  it('timeout', async () => {
    respond = (res) => {
      setTimeout(() => ok('1')(res), 2000).unref();
    };
    const t0 = Date.now();
    const msg = await errorOf(createPrometheusProvider({ address: url, timeoutMs: 100 }).query('up', at));
    expect(msg).toContain('timed out after 100ms');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('server stopped (connection refused)', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
    await new Promise((resolve) => gone.close(resolve));
    const msg = await errorOf(
      createPrometheusProvider({ address: goneUrl, timeoutMs: 1000 }).query('up', at),
    );
    expect(msg).toMatch(/request failed: .*ECONNREFUSED/);
  });

  it('an invalid address', async () => {
    const msg = await errorOf(
      createPrometheusProvider({ address: 'prometheus:9090', timeoutMs: 1000 }).query('up', at),
    );
    expect(msg).toContain('not a valid http(s) URL');
  });

  it('credentials never appear in error messages, even when the server echoes them', async () => {
    respond = (res, s) => {
      res.statusCode = 401;
      res.end(`bad credentials: ${s.headers.authorization} ${s.headers['x-api-key']}`);
    };
    const bearer = await errorOf(
      createPrometheusProvider({ address: url, timeoutMs: 1000, auth: { bearer: 's3cr3t-t0ken' } }).query(
        'up',
        at,
      ),
    );
    expect(bearer).toContain('HTTP 401');
    expect(bearer).not.toContain('s3cr3t-t0ken');
    const basic = await errorOf(
      createPrometheusProvider({
        address: url.replace('//', '//admin:hunter2@'),
        timeoutMs: 1000,
        headers: { 'X-Api-Key': ['k3y-value'] },
      }).query('up', at),
    );
    for (const secret of ['hunter2', 'k3y-value', Buffer.from('admin:hunter2').toString('base64')]) {
      expect(basic).not.toContain(secret);
    }
    expect(basic).toContain(`prometheus ${url}:`);
  });

  it('a credential that is not a valid header value is an error that does not show it', async () => {
    const p = createPrometheusProvider({ address: url, timeoutMs: 1000, auth: { bearer: 'tok\nen-secret' } });
    const msg = await errorOf(p.query('up', at));
    expect(msg).toContain('invalid request header "authorization"');
    expect(msg).not.toContain('en-secret');
    expect(seen).toHaveLength(0);
  });
});

describe('providerForCheck', () => {
  it('uses the template address and its named secret', async () => {
    const env = { GITCANARY_SECRET_APPS__PROM_AUTH_TOKEN: 'from-env' };
    await providerForCheck(
      { address: url, from: 'spec', secret: { namespace: 'apps', name: 'prom-auth' } },
      { policy: { metricsServer: 'http://x' }, env },
    ).query('up', at);
    expect(seen[0]?.headers.authorization).toBe('Bearer from-env');
  });

  it('uses the metrics server and the global credentials without a template', async () => {
    const env = { PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' };
    await providerForCheck({ address: url, from: 'operator' }, { policy: { metricsServer: url }, env }).query(
      'up',
      at,
    );
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('a missing secret fails the check without sending anything', async () => {
    const r = await providerForCheck(
      { address: url, from: 'spec', secret: { namespace: 'apps', name: 'nope' } },
      { policy: { metricsServer: url }, env: {} },
    ).query('up', at);
    expect(r).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('secret "nope" (namespace apps) not found'),
    });
    expect(seen).toHaveLength(0);
  });
});

describe('interpret', () => {
  const body = (data: unknown) => JSON.stringify({ status: 'success', data });
  it.each([
    ['empty vector', body({ resultType: 'vector', result: [] }), { kind: 'no-data' }],
    ['NaN', body({ resultType: 'vector', result: [{ value: [1, 'NaN'] }] }), { kind: 'no-data' }],
    [
      '+Inf',
      body({ resultType: 'vector', result: [{ value: [1, '+Inf'] }] }),
      { kind: 'value', value: Infinity },
    ],
    ['-Inf scalar', body({ resultType: 'scalar', result: [1, '-Inf'] }), { kind: 'value', value: -Infinity }],
    [
      'last wins',
      body({ resultType: 'vector', result: [{ value: [1, '1'] }, { value: [1, '2'] }] }),
      { kind: 'value', value: 2 },
    ],
  ])('%s', (_, text, expected) => {
    expect(interpret(200, 'OK', text)).toEqual(expected);
  });

  it('status error inside a 200 and a missing data block are errors', () => {
    expect(interpret(200, 'OK', JSON.stringify({ status: 'error', errorType: 'x', error: 'y' }))).toEqual({
      kind: 'error',
      message: 'x: y',
    });
    expect(interpret(200, 'OK', JSON.stringify({ status: 'success' })).kind).toBe('error');
    expect(interpret(200, 'OK', body({ resultType: 'vector', result: [{ value: [1, 'abc'] }] })).kind).toBe(
      'error',
    );
  });
});
