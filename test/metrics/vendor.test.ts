/**
 * The vendor providers as the run uses them (vendorProvider): secretRef keys from the mounted
 * folder or the environment in the template's namespace, the egress policy on every URL, no
 * secrets masked; Splunk's SignalFlow execute call against a loopback server
 * that checks the request and answers with server-sent events, including error and empty shapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretKeyEnv } from '../../src/metrics/secret-keys.js';
import { vendorProvider } from '../../src/metrics/vendor.js';
import { type Route, startVendorApi, type VendorApi } from '../support/vendor-api.js';

const at = new Date('2026-01-01T12:00:00Z');
let api: VendorApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});
const secret = { namespace: 'apps', name: 'sfx' };
const sse = (events: [string, unknown][]) => ({
  status: 200,
  type: 'text/event-stream',
  body: events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(''),
});

function splunkRoute(answer: ReturnType<typeof sse> | { status: number; body: string }): Route {
  return (r) => {
    if (r.method !== 'POST' || r.path !== '/v2/signalflow/execute') return `unexpected ${r.method} ${r.path}`;
    if (r.headers['x-sf-token'] !== 'sf-t0ken-value') return 'missing X-SF-Token';
    const stop = at.getTime();
    if (r.params.get('start') !== String(stop - 600_000) || r.params.get('stop') !== String(stop))
      return `window ${r.params.get('start')}..${r.params.get('stop')}`;
    if (r.params.get('immediate') !== 'true') return 'not immediate';
    if (!String(r.headers['content-type']).startsWith('text/plain')) return 'program not text/plain';
    if (r.body !== "data('errors').sum().publish()") return `program ${r.body}`;
    return answer;
  };
}

const splunk = (url: string, env: NodeJS.ProcessEnv, policy = { metricsServer: 'http://prom:9090' }) =>
  vendorProvider(
    { type: 'splunk', address: url, interval: '1m', secret },
    { policy, maxBytes: 1 << 20, env },
  );
const envToken = { [secretKeyEnv(secret, 'sf_token_key')]: 'sf-t0ken-value' };

describe('splunk through vendorProvider', () => {
  it('reads the last value of the one time series; no payload is no data; two series is an error', async () => {
    api = await startVendorApi(
      splunkRoute(
        sse([
          ['control-message', { event: 'STREAM_START' }],
          ['data', { data: [{ tsId: 'AAA', value: 1.5 }], logicalTimestampMs: 1 }],
          ['data', { data: [{ tsId: 'AAA', value: 2.5 }], logicalTimestampMs: 2 }],
          ['control-message', { event: 'END_OF_CHANNEL' }],
        ]),
      ),
    );
    const q = "data('errors').sum().publish()";
    expect(await splunk(api.url, envToken).query(q, at)).toEqual({ kind: 'value', value: 2.5 });
    expect(api.problems).toEqual([]);
    api.answer = splunkRoute(sse([['control-message', { event: 'END_OF_CHANNEL' }]]));
    expect(await splunk(api.url, envToken).query(q, at)).toEqual({ kind: 'no-data' });
    api.answer = splunkRoute(
      sse([
        [
          'data',
          {
            data: [
              { tsId: 'AAA', value: 1 },
              { tsId: 'BBB', value: 2 },
            ],
          },
        ],
      ]),
    );
    expect(await splunk(api.url, envToken).query(q, at)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('more than one time series'),
    });
    api.answer = splunkRoute(sse([['error', { message: 'Invalid SignalFlow program' }]]));
    expect(await splunk(api.url, envToken).query(q, at)).toMatchObject({
      message: expect.stringContaining('Invalid SignalFlow program'),
    });
    api.answer = splunkRoute({ status: 401, body: '{"message":"unauthorized sf-t0ken-value"}' });
    const denied = await splunk(api.url, envToken).query(q, at);
    expect(denied).toMatchObject({ kind: 'error', message: expect.stringContaining('splunk answered 401') });
    expect(JSON.stringify(denied)).not.toContain('sf-t0ken-value');
  });

  it('reads the token from the mounted folder of the template namespace', async () => {
    api = await startVendorApi(splunkRoute(sse([['data', { data: [{ tsId: 'A', value: 7 }] }]])));
    const dir = mkdtempSync(join(tmpdir(), 'gc-secrets-'));
    try {
      mkdirSync(join(dir, 'apps', 'sfx'), { recursive: true });
      writeFileSync(join(dir, 'apps', 'sfx', 'sf_token_key'), 'sf-t0ken-value\n');
      const r = await splunk(api.url, { GITCANARY_SECRETS_DIR: dir }).query(
        "data('errors').sum().publish()",
        at,
      );
      expect(r).toEqual({ kind: 'value', value: 7 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing secret, a refused URL or a secret the policy keeps back send nothing', async () => {
    api = await startVendorApi(() => 'nothing should arrive');
    expect(await splunk(api.url, {}).query('x', at)).toMatchObject({
      message: expect.stringMatching(
        /secret "sfx" \(namespace apps\) not found: .*GITCANARY_SECRET_APPS__SFX_SF_TOKEN_KEY/,
      ),
    });
    const refused = await splunk(api.url, envToken, {
      metricsServer: 'http://prom:9090',
      allowedUrls: ['https://stream.us1.signalfx.com'],
    } as never).query('x', at);
    expect(refused).toMatchObject({ message: expect.stringContaining('not under egress.allowedUrls') });
    const kept = await splunk(api.url, envToken, {
      metricsServer: 'http://prom:9090',
      secretUrls: { 'apps/sfx': ['https://stream.us1.signalfx.com'] },
    } as never).query('x', at);
    expect(kept).toMatchObject({ message: expect.stringContaining('secret apps/sfx not sent') });
    expect(api.requests).toEqual([]);
  });
});
