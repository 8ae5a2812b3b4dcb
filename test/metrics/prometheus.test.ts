/**
 * The Prometheus adapter and the built-in queries against a real Prometheus holding backfilled,
 * exactly designed data, evaluated at fixed times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../src/core/types.js';
import type { CanarySpec } from '../../src/inputs/schema.js';
import { loadBuiltins, observers } from '../../src/metrics/builtins.js';
import { planChecks } from '../../src/metrics/checks.js';
import { createPrometheusProvider } from '../../src/metrics/prometheus.js';
import type { MetricsProvider } from '../../src/metrics/provider.js';
import { renderQuery } from '../../src/metrics/template.js';
import { changeAt, OpenMetrics } from '../support/openmetrics.js';
import { type PromHandle, startPrometheus } from '../support/prometheus.js';
import { loadedCanary } from './canary-fixture.js';

const END = 1_700_000_000;
/** The canary's error rate jumps from 2% to 33% for steps after this time. */
const DROP = END - 600;
const before = new Date((DROP - 300) * 1000);
const after = new Date((END - 120) * 1000);

const istio = (workload: string, extra: Record<string, string> = {}, reporter = 'destination') => ({
  reporter,
  destination_workload_namespace: 'test',
  destination_workload: workload,
  ...extra,
});
const msBuckets = ['5', '10', '25', '50', '100', '250', '500', '1000', '+Inf'];
const sBuckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
const buckets = (les: string[], counts: number[]) =>
  Object.fromEntries(les.map((le, i) => [le, counts[i] ?? 0]));
/** Per step: 150 requests, cumulative [0,15,45,90,120,147,150,…] ⇒ P99 = 250 + 250·1.5/3 = 375. */
const p99of375 = [0, 15, 45, 90, 120, 147, 150, 150, 150];

function data(): string {
  const om = new OpenMetrics({ start: END - 3600, end: END });
  om.counter('istio_requests_total', istio('podinfo', { response_code: '200' }), changeAt(DROP, 147, 100));
  om.counter('istio_requests_total', istio('podinfo', { response_code: '500' }), changeAt(DROP, 3, 50));
  om.counter('istio_requests_total', istio('podinfo-primary', { response_code: '500' }), 150);
  om.counter('istio_requests_total', istio('podinfo', { response_code: '503' }, 'source'), 150);
  om.counter('istio_requests_total', istio('quiet', { response_code: '200' }), 0);
  om.histogram('istio_request_duration_milliseconds', istio('podinfo'), {
    buckets: buckets(msBuckets, p99of375),
    sum: 9000,
  });
  om.histogram('istio_request_duration_milliseconds', istio('podinfo-primary'), {
    buckets: buckets(msBuckets, [150, 150, 150, 150, 150, 150, 150, 150, 150]),
    sum: 150,
  });
  // App metrics (kubernetes / gatewayapi observer): 147 ok + 3 errors per step; errors are the slow ones.
  const pod = { kubernetes_namespace: 'test', kubernetes_pod_name: 'podinfo-7c9d8f5b4-x2k4p' };
  om.histogram(
    'http_request_duration_seconds',
    { ...pod, status: '200' },
    {
      buckets: buckets(sBuckets, [0, 15, 45, 90, 120, 147, 147, 147, 147]),
      sum: 10,
    },
  );
  om.histogram(
    'http_request_duration_seconds',
    { ...pod, status: '500' },
    {
      buckets: buckets(sBuckets, [0, 0, 0, 0, 0, 0, 3, 3, 3]),
      sum: 1,
    },
  );
  const primaryPod = { kubernetes_namespace: 'test', kubernetes_pod_name: 'podinfo-primary-6d9f8c7b5-abcde' };
  om.histogram(
    'http_request_duration_seconds',
    { ...primaryPod, status: '500' },
    {
      buckets: buckets(sBuckets, [150, 150, 150, 150, 150, 150, 150, 150, 150]),
      sum: 1,
    },
  );
  for (const i of [1, 2, 3]) om.gauge('multi', { i: String(i) }, i);
  return om.toString();
}

let prom: PromHandle;
let provider: MetricsProvider;
const builtins = loadBuiltins();

beforeAll(async () => {
  prom = await startPrometheus(data());
  provider = createPrometheusProvider({ address: prom.url, timeoutMs: 5000 });
});
afterAll(async () => {
  await prom?.stop();
});

const value = (r: QueryResult): number => {
  if (r.kind !== 'value') throw new Error(`expected a value, got ${JSON.stringify(r)}`);
  return r.value;
};

/** Plans the two builtin checks for a canary and runs them at `at`. */
async function builtinValues(spec: Partial<CanarySpec>, at: Date, name = 'podinfo') {
  const canary = loadedCanary(
    [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
    ],
    spec,
    name,
  );
  const [rate, duration] = planChecks(canary, [], builtins, 'istio');
  expect(rate?.error).toBeUndefined();
  expect(duration?.truncateMs).toBe(true);
  return {
    rate: await provider.query(rate?.query ?? '', at),
    duration: await provider.query(duration?.query ?? '', at),
  };
}

describe('built-in queries against real data', () => {
  it('istio: success rate in percent and P99 in ms, before and after the error rate jumps', async () => {
    const early = await builtinValues({}, before);
    expect(value(early.rate)).toBeCloseTo(98, 9);
    expect(value(early.duration)).toBeCloseTo(375, 9);
    const late = await builtinValues({}, after);
    expect(value(late.rate)).toBeCloseTo((100 / 150) * 100, 9);
  });

  it('http (provider kubernetes): success rate from _count, P99 seconds × 1000, primary pods excluded', async () => {
    const r = await builtinValues({ provider: 'kubernetes' }, before);
    expect(value(r.rate)).toBeCloseTo(98, 9);
    expect(value(r.duration)).toBeCloseTo(375, 9);
  });

  it('http is also what gatewayapi canaries get', async () => {
    const r = await builtinValues({ provider: 'gatewayapi:v1' }, before);
    expect(value(r.rate)).toBeCloseTo(98, 9);
  });

  it('a workload without any series → no-data; zero traffic (0/0 = NaN) → no-data', async () => {
    expect((await builtinValues({}, before, 'absent')).rate).toEqual({ kind: 'no-data' });
    expect((await builtinValues({}, before, 'quiet')).rate).toEqual({ kind: 'no-data' });
  });

  it('before the data starts → no-data', async () => {
    const r = await builtinValues({}, new Date((END - 7200) * 1000));
    expect(r.rate).toEqual({ kind: 'no-data' });
    expect(r.duration).toEqual({ kind: 'no-data' });
  });

  it('every observer’s built-in queries are valid PromQL', async () => {
    const model = {
      name: 'podinfo',
      namespace: 'test',
      target: 'podinfo',
      service: 'podinfo',
      ingress: 'podinfo',
      route: 'podinfo',
      interval: '1m',
      variables: {},
    };
    for (const observer of observers) {
      for (const metric of ['request-success-rate', 'request-duration'] as const) {
        const rendered = renderQuery(builtins[observer][metric].value.spec.query, model);
        if (!rendered.ok) throw new Error(rendered.error);
        const r = await provider.query(rendered.query, before);
        expect(r.kind, `${observer} ${metric}: ${JSON.stringify(r)}`).not.toBe('error');
      }
    }
  });
});

describe('result shapes', () => {
  it('several series: the last one in the result wins', async () => {
    expect(value(await provider.query('sort(multi)', before))).toBe(3);
    expect(value(await provider.query('sort_desc(multi)', before))).toBe(1);
  });

  it('scalar → value; ±Inf → value', async () => {
    expect(await provider.query('scalar(vector(2.5))', before)).toEqual({ kind: 'value', value: 2.5 });
    expect(await provider.query('vector(1) / 0', before)).toEqual({ kind: 'value', value: Infinity });
    expect(await provider.query('-1 / 0', before)).toEqual({ kind: 'value', value: -Infinity });
  });

  it('NaN scalar → no-data', async () => {
    expect(await provider.query('0 / 0', before)).toEqual({ kind: 'no-data' });
  });

  it('range vector → error; string → error', async () => {
    const matrix = await provider.query('multi[1m]', before);
    expect(matrix).toMatchObject({ kind: 'error', message: expect.stringMatching(/matrix/) });
    expect(await provider.query('"x"', before)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/string/),
    });
  });

  it('bad PromQL → error with the HTTP status and Prometheus’ error text', async () => {
    const r = await provider.query('sum(rate(', before);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.message).toMatch(/HTTP 400 bad_data: .*parse error/);
      expect(r.message).toContain(prom.url);
    }
  });

  it('whitespace in the query is collapsed before sending', async () => {
    expect(value(await provider.query('\n  sum(\n\tmulti\n  )\n', before))).toBe(6);
  });
});
