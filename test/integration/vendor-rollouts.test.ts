/**
 * A rollout judged by each vendor provider other than Datadog (vendor-rollout.test.ts) on a real
 * git repository: a good canary is promoted, a bad one rolls back. Each provider's loopback server
 * follows the published API and checks every request (method, path, auth header, query
 * parameters or body, and the window against the tick's clock); it answers from the value the
 * rollout's current step feeds it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signV4 } from '../../src/metrics/providers/sigv4.js';
import { type GitOps, git } from '../support/gitops.js';
import { type Route, startVendorApi, type VendorApi, type VendorRequest } from '../support/vendor-api.js';
import { startBuiltinProm, vendorRollout } from '../support/vendor-rollout.js';

/** What the backend answers now: the metric's value and the clock of the tick asking. */
const state = { value: 0, now: new Date(0) };
const sec = () => state.now.getTime() / 1000;
const json = (body: unknown) => ({ status: 200, body: JSON.stringify(body) });

interface Case {
  type: string;
  /** secretRef `vendor-creds` keys (as GITCANARY_SECRET_TEST__VENDOR_CREDS_<KEY>). */
  secret?: Record<string, string>;
  /** Operator environment the provider reads (cloudwatch). */
  env?: (url: string) => Record<string, string>;
  /** The template's provider and query lines, given the loopback server's URL. */
  spec: (url: string) => string;
  route: (r: VendorRequest) => ReturnType<Route>;
  /** A secret value that must never reach Git. */
  token: string;
}

const flux =
  'from(bucket: "k8s") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "errors") |> sum()';
const csv = (v: number) =>
  `#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,double\n#group,false,false,true,true,false\n#default,_result,,,,\n,result,table,_start,_stop,_value\n,,0,2026-01-01T11:59:00Z,2026-01-01T12:00:00Z,${v}\n\n`;
const cwQuery = JSON.stringify([
  {
    Id: 'e1',
    MetricStat: {
      Metric: {
        Namespace: 'MyApp',
        MetricName: 'ErrorCount',
        Dimensions: [{ Name: 'appName', Value: 'podinfo' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
  },
]);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

const cases: Case[] = [
  {
    type: 'newrelic',
    token: 'nr-qu3ry',
    secret: { newrelic_account_id: '1234', newrelic_query_key: 'nr-qu3ry' },
    spec: (url) =>
      `    type: newrelic\n    address: ${url}\n    secretRef:\n      name: vendor-creds\n  query: SELECT count(*) FROM Transaction WHERE appName = '{{ target }}' AND httpResponseCode = '500'\n`,
    route: (r) => {
      if (r.method !== 'GET' || r.path !== '/v1/accounts/1234/query')
        return `unexpected ${r.method} ${r.path}`;
      if (r.headers['x-query-key'] !== 'nr-qu3ry') return 'missing X-Query-Key';
      const nrql =
        "SELECT count(*) FROM Transaction WHERE appName = 'podinfo' AND httpResponseCode = '500' SINCE 60 seconds ago";
      if (r.params.get('nrql') !== nrql) return `nrql ${r.params.get('nrql')}`;
      return json({ results: [{ count: state.value, result: state.value }], metadata: {} });
    },
  },
  {
    type: 'dynatrace',
    token: 'dt0c01.s3cret',
    secret: { dynatrace_token: 'dt0c01.s3cret' },
    spec: (url) =>
      `    type: dynatrace\n    address: ${url}/e/env\n    secretRef:\n      name: vendor-creds\n  query: builtin:service.errors.total.count:filter(eq("dt.entity.service.name","{{ target }}")):sum\n`,
    route: (r) => {
      if (r.method !== 'GET' || r.path !== '/e/env/api/v2/metrics/query')
        return `unexpected ${r.method} ${r.path}`;
      if (r.headers.authorization !== 'Api-Token dt0c01.s3cret') return 'missing Api-Token';
      if (r.params.get('resolution') !== 'Inf') return 'resolution must be Inf';
      const to = sec() * 1000;
      if (r.params.get('from') !== String(to - 600_000) || r.params.get('to') !== String(to)) return 'window';
      if (
        r.params.get('metricSelector') !==
        'builtin:service.errors.total.count:filter(eq("dt.entity.service.name","podinfo")):sum'
      )
        return `selector ${r.params.get('metricSelector')}`;
      return json({
        totalCount: 1,
        resolution: 'Inf',
        result: [{ metricId: 'x', data: [{ timestamps: [to], values: [state.value] }] }],
      });
    },
  },
  {
    type: 'influxdb',
    token: 'inf-t0k',
    secret: { token: 'inf-t0k', org: 'acme' },
    spec: (url) =>
      `    type: influxdb\n    address: ${url}\n    secretRef:\n      name: vendor-creds\n  query: 'from(bucket: "k8s") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "errors") |> sum()'\n`,
    route: (r) => {
      if (r.method !== 'POST' || r.path !== '/api/v2/query') return `unexpected ${r.method} ${r.path}`;
      if (r.params.get('org') !== 'acme') return 'org';
      if (r.headers.authorization !== 'Token inf-t0k') return 'missing Token';
      if (!String(r.headers['content-type']).startsWith('application/json')) return 'content type';
      const b = JSON.parse(r.body) as { query?: string; type?: string; dialect?: { annotations?: string[] } };
      if (b.query !== flux || b.type !== 'flux' || !b.dialect?.annotations?.includes('datatype'))
        return `body ${r.body}`;
      return { status: 200, body: csv(state.value), type: 'text/csv' };
    },
  },
  {
    type: 'splunk',
    token: 'sf-t0ken',
    secret: { sf_token_key: 'sf-t0ken' },
    spec: (url) =>
      `    type: splunk\n    address: ${url}\n    secretRef:\n      name: vendor-creds\n  query: data('errors', filter=filter('service', '{{ target }}')).sum().publish()\n`,
    route: (r) => {
      if (r.method !== 'POST' || r.path !== '/v2/signalflow/execute')
        return `unexpected ${r.method} ${r.path}`;
      if (r.headers['x-sf-token'] !== 'sf-t0ken') return 'missing X-SF-Token';
      const stop = sec() * 1000;
      if (r.params.get('start') !== String(stop - 600_000) || r.params.get('stop') !== String(stop))
        return 'window';
      if (r.params.get('immediate') !== 'true') return 'immediate';
      if (r.body !== "data('errors', filter=filter('service', 'podinfo')).sum().publish()")
        return `program ${r.body}`;
      const data = { type: 'data', logicalTimestampMs: stop, data: [{ tsId: 'AAAA', value: state.value }] };
      return {
        status: 200,
        type: 'text/event-stream',
        body: `event: control-message\ndata: {"event":"STREAM_START"}\n\nevent: data\ndata: ${JSON.stringify(data)}\n\nevent: control-message\ndata: {"event":"END_OF_CHANNEL"}\n\n`,
      };
    },
  },
  {
    type: 'cloudwatch',
    token: 'secret/cw',
    env: (url) => ({
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret/cw',
      AWS_ENDPOINT_URL_CLOUDWATCH: `${url}/`,
    }),
    spec: () => `    type: cloudwatch\n    region: eu-west-1\n  query: '${cwQuery}'\n`,
    route: (r) => {
      if (r.method !== 'POST' || r.path !== '/') return `unexpected ${r.method} ${r.path}`;
      const form = new URLSearchParams(r.body);
      const end = state.now.getTime();
      const want: Record<string, string> = {
        Action: 'GetMetricData',
        Version: '2010-08-01',
        StartTime: iso(end - 600_000),
        EndTime: iso(end),
        'MetricDataQueries.member.1.Id': 'e1',
        'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'podinfo',
      };
      for (const [k, v] of Object.entries(want))
        if (form.get(k) !== v) return `${k} = ${form.get(k)}, want ${v}`;
      const expected = signV4(
        {
          method: 'POST',
          url: `http://${r.headers.host}/`,
          headers: { 'content-type': String(r.headers['content-type']) },
          body: r.body,
        },
        { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/cw' },
        'eu-west-1',
        'monitoring',
        state.now,
      );
      if (r.headers.authorization !== expected.authorization)
        return `bad signature: ${r.headers.authorization}`;
      return {
        status: 200,
        type: 'text/xml',
        body: `<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Timestamps><member>${iso(end)}</member></Timestamps><Id>e1</Id><Values><member>${state.value}</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults><Messages/></GetMetricDataResult></GetMetricDataResponse>`,
      };
    },
  },
];

let prom: VendorApi;
beforeAll(async () => {
  prom = await startBuiltinProm();
});
afterAll(async () => {
  await prom.close();
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

const template = (spec: string) =>
  `apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata:\n  name: vendor-check\n  namespace: test\nspec:\n  provider:\n${spec}`;
/** Good: errors creep up but stay under the threshold. Bad: the canary errors from its second step. */
const good = (step: number) => (step % 4) * 0.25;
const bad = (step: number) => (step === 0 ? 0 : 5 + step);

describe.each(cases)(
  'a rollout judged by $type',
  (c) => {
    it('a good canary is promoted, a bad one rolls back', async () => {
      const api = await startVendorApi(c.route);
      const env = { ...c.env?.(api.url) };
      for (const [k, v] of Object.entries(c.secret ?? {}))
        env[`GITCANARY_SECRET_TEST__VENDOR_CREDS_${k.toUpperCase()}`] = v;
      Object.assign(process.env, env);
      try {
        const run = (f: (step: number) => number) =>
          vendorRollout(
            {
              template: template(c.spec(api.url)),
              metricsServer: prom.url,
              feed: (step, now) => {
                state.value = f(step);
                state.now = now;
              },
            },
            repos,
          );
        const ok = await run(good);
        expect(api.problems).toEqual([]);
        expect(ok.phases.at(-1)).toMatch(/^Succeeded\//);
        expect(ok.phases).toContain('Progressing/60/0');
        const asked = api.requests.length;
        expect(asked).toBeGreaterThanOrEqual(3);
        const ko = await run(bad);
        expect(ko.phases.at(-1)).toMatch(/^Failed\/0\//);
        expect(ko.phases.some((p) => p.startsWith('Progressing/20/'))).toBe(true);
        expect(api.requests.length).toBeGreaterThan(asked);
        expect(api.problems).toEqual([]);
        expect(prom.problems).toEqual([]);
        expect(git(ko.repo.remote, 'log', '-p', '--all')).not.toContain(c.token);
      } finally {
        for (const k of Object.keys(env)) delete process.env[k];
        await api.close();
      }
    });
  },
  300_000,
);
