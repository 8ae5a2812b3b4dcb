/**
 * CloudWatch GetMetricData through a loopback server that checks the query-protocol request and
 * verifies its SigV4 signature (recomputed from the request it received), answering with the
 * recorded XML shapes of a result, an empty result and an error. The signer is checked first
 * against the example AWS publishes in its SigV4 documentation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudwatch } from '../../../src/metrics/providers/cloudwatch.js';
import { runHttpQuery } from '../../../src/metrics/providers/run.js';
import { signingKey, signV4 } from '../../../src/metrics/providers/sigv4.js';
import type { QueryInput } from '../../../src/metrics/providers/types.js';
import { startVendorApi, type VendorApi } from '../../support/vendor-api.js';

describe('SigV4', () => {
  it("AWS's documented example (IAM ListUsers, 2015-08-30T12:36:00Z)", () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    expect(signingKey(secret, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    const h = signV4(
      {
        method: 'GET',
        url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret },
      'us-east-1',
      'iam',
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(h.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });
});

const at = new Date('2026-01-01T12:00:00Z');
const env = {
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'secret/test',
  AWS_SESSION_TOKEN: 'session-tok',
};
const query = JSON.stringify([
  { Id: 'e1', Expression: 'm1 / m2', Label: 'ErrorRate' },
  {
    Id: 'm1',
    MetricStat: {
      Metric: {
        Namespace: 'MyApp',
        MetricName: 'ErrorCount',
        Dimensions: [{ Name: 'appName', Value: 'podinfo' }],
      },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: false,
  },
]);
const xml = (values: string) =>
  `<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Timestamps><member>2026-01-01T11:59:00Z</member></Timestamps><Label>ErrorRate</Label><Id>e1</Id>${values}<StatusCode>Complete</StatusCode></member><member><Id>m1</Id><Values><member>42</member></Values></member></MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetMetricDataResponse>`;

let api: VendorApi;
let answer = xml('<Values><member>0.25</member><member>0.5</member></Values>');
let status = 200;
beforeAll(async () => {
  api = await startVendorApi((r) => {
    if (r.method !== 'POST' || r.path !== '/') return `unexpected ${r.method} ${r.path}`;
    const form = new URLSearchParams(r.body);
    const want: Record<string, string> = {
      Action: 'GetMetricData',
      Version: '2010-08-01',
      StartTime: '2026-01-01T11:50:00Z',
      EndTime: '2026-01-01T12:00:00Z',
      MaxDatapoints: '20',
      'MetricDataQueries.member.1.Id': 'e1',
      'MetricDataQueries.member.1.Expression': 'm1 / m2',
      'MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Name': 'appName',
      'MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Value': 'podinfo',
      'MetricDataQueries.member.2.MetricStat.Period': '60',
      'MetricDataQueries.member.2.ReturnData': 'false',
    };
    for (const [k, v] of Object.entries(want))
      if (form.get(k) !== v) return `${k} = ${form.get(k)}, want ${v}`;
    // Recompute the signature from what arrived.
    const headers = {
      'content-type': String(r.headers['content-type']),
    };
    const expected = signV4(
      { method: 'POST', url: `http://${r.headers.host}/`, headers, body: r.body },
      { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/test', sessionToken: 'session-tok' },
      'eu-west-1',
      'monitoring',
      at,
    );
    if (r.headers.authorization !== expected.authorization)
      return `bad signature: ${r.headers.authorization}`;
    if (r.headers['x-amz-security-token'] !== 'session-tok' || r.headers['x-amz-date'] !== '20260101T120000Z')
      return 'amz headers';
    return { status, body: answer, type: 'text/xml' };
  });
});
afterAll(() => api.close());

const input = (): QueryInput => ({
  query,
  at,
  intervalSeconds: 60,
  credentials: {},
  hasSecretRef: false,
  region: 'eu-west-1',
  env: { ...env, AWS_ENDPOINT_URL_CLOUDWATCH: `${api.url}/` },
});

describe('cloudwatch GetMetricData', () => {
  it('the first value of the first result, from a signed request', async () => {
    expect(await runHttpQuery(cloudwatch, input())).toEqual({ kind: 'value', value: 0.25 });
    expect(api.problems).toEqual([]);
  });

  it('a first result without values is no data (not the second result)', async () => {
    answer = xml('<Values/>');
    expect(await runHttpQuery(cloudwatch, input())).toEqual({ kind: 'no-data' });
  });

  it("an AWS error is an error with AWS's code", async () => {
    status = 403;
    answer =
      '<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error></ErrorResponse>';
    expect(await runHttpQuery(cloudwatch, input())).toEqual({
      kind: 'error',
      message: 'cloudwatch answered 403 SignatureDoesNotMatch',
    });
    status = 200;
  });

  it('no region, no credentials, a query that is not JSON: errors naming why, nothing sent', async () => {
    const n = api.requests.length;
    expect(await runHttpQuery(cloudwatch, { ...input(), region: '' })).toEqual({
      kind: 'error',
      message: 'region not specified',
    });
    expect((await runHttpQuery(cloudwatch, { ...input(), env: {} })).kind).toBe('error');
    expect((await runHttpQuery(cloudwatch, { ...input(), query: 'select 1' })).kind).toBe('error');
    expect(api.requests.length).toBe(n);
  });

  it('the address in the template is ignored: the endpoint is AWS or the operator’s override', () => {
    const q = cloudwatch.request({ ...input(), address: 'http://attacker.example', env });
    expect('url' in q && q.url).toBe('https://monitoring.eu-west-1.amazonaws.com/');
  });
});
