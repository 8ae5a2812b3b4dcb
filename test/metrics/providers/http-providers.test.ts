/**
 * Datadog, New Relic, Dynatrace, Graphite and InfluxDB (Flux API) against loopback servers that
 * follow each vendor's published API and check every request (method, path, auth header, query
 * parameters, body), answering with recorded bodies, including the error and empty-result shapes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { datadog } from '../../../src/metrics/providers/datadog.js';
import { dynatrace } from '../../../src/metrics/providers/dynatrace.js';
import { graphite } from '../../../src/metrics/providers/graphite.js';
import { influxdb } from '../../../src/metrics/providers/influxdb.js';
import { newrelic } from '../../../src/metrics/providers/newrelic.js';
import { runHttpQuery } from '../../../src/metrics/providers/run.js';
import type { QueryInput } from '../../../src/metrics/providers/types.js';
import { type Route, startVendorApi, type VendorApi } from '../../support/vendor-api.js';

const at = new Date('2026-01-01T12:00:00Z');
const t = at.getTime() / 1000;
let api: VendorApi | undefined;
afterEach(async () => {
  expect(api?.problems ?? []).toEqual([]);
  await api?.close();
  api = undefined;
});

async function serve(route: Route) {
  api = await startVendorApi(route);
  return api;
}

const input = (over: Partial<QueryInput>): QueryInput => ({
  query: 'q',
  at,
  intervalSeconds: 60,
  credentials: {},
  hasSecretRef: true,
  ...over,
});
const ok = (body: unknown, type?: string) => ({
  status: 200,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(type ? { type } : {}),
});

describe('datadog', () => {
  const creds = { datadog_api_key: 'dd-api', datadog_application_key: 'dd-app' };
  const route =
    (answer: ReturnType<typeof ok>): Route =>
    (r) => {
      if (r.method !== 'GET' || r.path !== '/api/v1/query') return `unexpected ${r.method} ${r.path}`;
      if (r.headers['dd-api-key'] !== 'dd-api' || r.headers['dd-application-key'] !== 'dd-app')
        return 'missing API or application key';
      if (r.params.get('from') !== String(t - 600) || r.params.get('to') !== String(t))
        return `window ${r.params.get('from')}..${r.params.get('to')}`;
      if (r.params.get('query') !== 'sum:trace.http.request.errors{service:podinfo}.as_count()')
        return `query ${r.params.get('query')}`;
      return answer;
    };
  const query = 'sum:trace.http.request.errors{service:podinfo}.as_count()';

  it("the first series' oldest point, over 10 × interval", async () => {
    const s = await serve(
      route(
        ok({
          status: 'ok',
          series: [
            {
              pointlist: [
                [t * 1000 - 600_000, 2.5],
                [t * 1000, 9],
              ],
            },
            { pointlist: [[0, 7]] },
          ],
        }),
      ),
    );
    expect(await runHttpQuery(datadog, input({ address: s.url, query, credentials: creds }))).toEqual({
      kind: 'value',
      value: 2.5,
    });
  });

  it('no series, an empty pointlist or a null value is no data; 403 is an error', async () => {
    const s = await serve(route(ok({ status: 'ok', series: [] })));
    expect(await runHttpQuery(datadog, input({ address: s.url, query, credentials: creds }))).toEqual({
      kind: 'no-data',
    });
    s.answer = route(ok({ series: [{ pointlist: [[t, null]] }] }));
    expect(await runHttpQuery(datadog, input({ address: s.url, query, credentials: creds }))).toEqual({
      kind: 'no-data',
    });
    s.answer = route({ status: 403, body: '{"errors":["Forbidden"]}' });
    expect(await runHttpQuery(datadog, input({ address: s.url, query, credentials: creds }))).toEqual({
      kind: 'error',
      message: 'datadog answered 403',
    });
  });

  it('a missing key is an error naming it, and nothing is sent', async () => {
    expect(await runHttpQuery(datadog, input({ credentials: { datadog_api_key: 'x' } }))).toEqual({
      kind: 'error',
      message: 'datadog credentials do not contain datadog_application_key',
    });
  });
});

describe('newrelic', () => {
  const creds = { newrelic_account_id: '1234', newrelic_query_key: 'nr-key' };
  const route =
    (answer: ReturnType<typeof ok>): Route =>
    (r) => {
      if (r.method !== 'GET' || r.path !== '/v1/accounts/1234/query')
        return `unexpected ${r.method} ${r.path}`;
      if (r.headers['x-query-key'] !== 'nr-key') return 'missing X-Query-Key';
      if (
        r.params.get('nrql') !==
        "SELECT percentage(count(*), WHERE httpResponseCode != '500') FROM Transaction SINCE 60 seconds ago"
      )
        return `nrql ${r.params.get('nrql')}`;
      return answer;
    };
  const query = "SELECT percentage(count(*), WHERE httpResponseCode != '500') FROM Transaction";

  it('exactly one result with a number', async () => {
    const s = await serve(route(ok({ results: [{ result: 99.2 }], metadata: {} })));
    expect(await runHttpQuery(newrelic, input({ address: s.url, query, credentials: creds }))).toEqual({
      kind: 'value',
      value: 99.2,
    });
    s.answer = route(ok({ results: [{ result: 1 }, { result: 2 }] }));
    expect((await runHttpQuery(newrelic, input({ address: s.url, query, credentials: creds }))).kind).toBe(
      'no-data',
    );
    s.answer = route(ok({ results: [{ result: null }] }));
    expect((await runHttpQuery(newrelic, input({ address: s.url, query, credentials: creds }))).kind).toBe(
      'no-data',
    );
  });
});

describe('dynatrace', () => {
  const route =
    (answer: ReturnType<typeof ok>): Route =>
    (r) => {
      if (r.method !== 'GET' || r.path !== '/e/env/api/v2/metrics/query')
        return `unexpected ${r.method} ${r.path}`;
      if (r.headers.authorization !== 'Api-Token dt0c01.tok') return 'missing Api-Token';
      if (r.params.get('resolution') !== 'Inf') return 'resolution must be Inf';
      if (r.params.get('from') !== String(t * 1000 - 600_000) || r.params.get('to') !== String(t * 1000))
        return 'window';
      if (r.params.get('metricSelector') !== 'builtin:service.response.time:avg') return 'selector';
      return answer;
    };

  it('the first value of the last data entry; the address is required', async () => {
    const s = await serve(
      route(
        ok({
          totalCount: 1,
          resolution: 'Inf',
          result: [
            {
              metricId: 'x',
              data: [
                { timestamps: [1], values: [5] },
                { timestamps: [2], values: [120.5, 7] },
              ],
            },
          ],
        }),
      ),
    );
    const i = input({
      address: `${s.url}/e/env`,
      query: 'builtin:service.response.time:avg',
      credentials: { dynatrace_token: 'dt0c01.tok' },
    });
    expect(await runHttpQuery(dynatrace, i)).toEqual({ kind: 'value', value: 120.5 });
    s.answer = route(ok({ totalCount: 0, result: [{ metricId: 'x', data: [] }] }));
    expect((await runHttpQuery(dynatrace, i)).kind).toBe('no-data');
    expect(await runHttpQuery(dynatrace, { ...i, address: '' })).toEqual({
      kind: 'error',
      message: 'dynatrace endpoint is not set',
    });
  });
});

describe('graphite', () => {
  const route =
    (answer: ReturnType<typeof ok>): Route =>
    (r) => {
      if (r.method !== 'GET' || r.path !== '/graphite/render') return `unexpected ${r.method} ${r.path}`;
      if (r.headers.authorization !== `Basic ${Buffer.from('ann:pw').toString('base64')}`)
        return 'missing basic auth';
      if ([...r.params.keys()].join(',') !== 'format,from,target')
        return `parameters ${[...r.params.keys()]}`;
      if (r.params.get('format') !== 'json' || r.params.get('target') !== 'sumSeries(stats.podinfo.errors) ')
        return 'target';
      return answer;
    };
  const query = 'target=sumSeries(stats.podinfo.errors)  \n &from=-5min';

  it('the last non-null datapoint across all series; values may be strings', async () => {
    const s = await serve(
      route(
        ok([
          {
            target: 'a',
            datapoints: [
              [1, t - 60],
              [2, t],
            ],
          },
          {
            target: 'b',
            datapoints: [
              ['3.5', String(t)],
              [null, t + 60],
            ],
          },
        ]),
      ),
    );
    const i = input({
      address: `${s.url}/graphite`,
      query,
      credentials: { username: 'ann', password: 'pw' },
    });
    expect(await runHttpQuery(graphite, i)).toEqual({ kind: 'value', value: 3.5 });
    s.answer = route(ok([{ target: 'a', datapoints: [[null, t]] }]));
    expect((await runHttpQuery(graphite, i)).kind).toBe('no-data');
    s.answer = route(ok([{ target: 'a', datapoints: [['0x64', t]] }]));
    expect(await runHttpQuery(graphite, i)).toEqual({
      kind: 'error',
      message: 'graphite: a datapoint value is not a number',
    });
  });

  it('a secret without a password is an error; without a secret no credentials are sent', async () => {
    expect(
      (
        await runHttpQuery(
          graphite,
          input({ address: 'http://127.0.0.1:9', credentials: { username: 'ann' } }),
        )
      ).kind,
    ).toBe('error');
    const q = graphite.request(
      input({ address: 'http://graphite.local', query: 'target=x', hasSecretRef: false }),
    );
    expect(q).toMatchObject({ url: 'http://graphite.local/render?format=json&target=x', headers: {} });
  });
});

describe('influxdb (Flux API)', () => {
  const flux =
    'from(bucket: "k8s") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "errors") |> sum()';
  const route =
    (answer: ReturnType<typeof ok>): Route =>
    (r) => {
      if (r.method !== 'POST' || r.path !== '/api/v2/query') return `unexpected ${r.method} ${r.path}`;
      if (r.params.get('org') !== 'acme') return 'org';
      if (r.headers.authorization !== 'Token inf-tok') return 'missing Token';
      if (!String(r.headers['content-type']).startsWith('application/json')) return 'content type';
      const b = JSON.parse(r.body) as { query?: string; type?: string; dialect?: { annotations?: string[] } };
      if (b.query !== flux || b.type !== 'flux' || !b.dialect?.annotations?.includes('datatype'))
        return 'body';
      return answer;
    };
  const csv = (v: string, type = 'double') =>
    `#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,${type}\n#group,false,false,true,true,false\n#default,_result,,,,\n,result,table,_start,_stop,_value\n,,0,2026-01-01T11:59:00Z,2026-01-01T12:00:00Z,${v}\n\n`;

  it("the first record's float; no record is 0 as Flagger returns it; a long is an error", async () => {
    const s = await serve(route(ok(csv('4.25'), 'text/csv')));
    const i = input({ address: s.url, query: flux, credentials: { token: 'inf-tok', org: 'acme' } });
    expect(await runHttpQuery(influxdb, i)).toEqual({ kind: 'value', value: 4.25 });
    s.answer = route(ok('\r\n', 'text/csv'));
    expect(await runHttpQuery(influxdb, i)).toEqual({ kind: 'value', value: 0 });
    s.answer = route(ok(csv('4', 'long'), 'text/csv'));
    expect(await runHttpQuery(influxdb, i)).toEqual({
      kind: 'error',
      message: 'influxdb: _value is long, not a float',
    });
    s.answer = route(ok(csv(''), 'text/csv'));
    expect((await runHttpQuery(influxdb, i)).kind).toBe('no-data');
    s.answer = route({ status: 400, body: '{"code":"invalid","message":"compilation failed"}' });
    expect(await runHttpQuery(influxdb, i)).toEqual({ kind: 'error', message: 'influxdb answered 400' });
  });
});

describe('transport failures are errors, never values', () => {
  it('refused, timed out, oversized', async () => {
    const creds = { datadog_api_key: 'a', datadog_application_key: 'b' };
    expect(
      (await runHttpQuery(datadog, input({ address: 'http://127.0.0.1:9', credentials: creds }))).kind,
    ).toBe('error');
    const slow = await serve(() => ({ status: 200, body: '' }));
    const never = (await import('node:http')).createServer(() => {});
    await new Promise<void>((r) => never.listen(0, '127.0.0.1', r));
    const port = (never.address() as { port: number }).port;
    const q = datadog.request(input({ address: `http://127.0.0.1:${port}`, credentials: creds }));
    if ('error' in q) throw new Error(q.error);
    const r = await runHttpQuery({ ...datadog, request: () => ({ ...q, timeoutMs: 200 }) }, input({}));
    expect(r).toEqual({ kind: 'error', message: 'datadog: no answer within 200 ms' });
    never.closeAllConnections();
    never.close();
    slow.answer = () => ok('x'.repeat(2 << 20));
    const big = await runHttpQuery(datadog, input({ address: slow.url, credentials: creds }));
    expect(big).toEqual({ kind: 'error', message: 'datadog: answer larger than 1048576 bytes' });
  });
});
