/**
 * Google Cloud Monitoring through loopback servers: a token endpoint that verifies the service
 * account's JWT (RS256 signature with the key's public half, issuer, audience, scope, times) and a
 * `timeSeries:query` endpoint that checks the bearer token, the project and the MQL body, answering
 * with the recorded shapes of a result, an empty result and an error.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpQuery } from '../../../src/metrics/providers/run.js';
import { stackdriver } from '../../../src/metrics/providers/stackdriver.js';
import type { QueryInput } from '../../../src/metrics/providers/types.js';
import { startVendorApi, type VendorApi } from '../../support/vendor-api.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const at = new Date('2026-01-01T12:00:00Z');
const mql = "fetch k8s_container | metric 'kubernetes.io/container/restart_count' | within 5m | sum";
let api: VendorApi;
let answer: { status: number; body: string } = { status: 200, body: '' };
let tokensIssued = 0;

beforeAll(async () => {
  api = await startVendorApi((r) => {
    if (r.path === '/token') {
      const form = new URLSearchParams(r.body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'grant type';
      const [h = '', c = '', s = ''] = (form.get('assertion') ?? '').split('.');
      if (!createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(s, 'base64url')))
        return 'bad JWT signature';
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
      const want = {
        iss: 'gitcanary@proj.iam.gserviceaccount.com',
        aud: `${api.url}/token`,
        scope: 'https://www.googleapis.com/auth/monitoring.read',
        iat: at.getTime() / 1000,
        exp: at.getTime() / 1000 + 3600,
      };
      const sorted = (o: object) => JSON.stringify(Object.entries(o).sort());
      if (sorted(claims) !== sorted(want)) return `claims ${JSON.stringify(claims)}`;
      tokensIssued++;
      return {
        status: 200,
        body: JSON.stringify({ access_token: 'ya29.test', expires_in: 3599, token_type: 'Bearer' }),
      };
    }
    if (r.method !== 'POST' || r.path !== '/v3/projects/proj-1/timeSeries:query')
      return `unexpected ${r.method} ${r.path}`;
    if (r.headers.authorization !== 'Bearer ya29.test') return 'no bearer token';
    if (JSON.parse(r.body).query !== mql) return 'body';
    return answer;
  });
});
afterAll(() => api.close());

const input = (over: Partial<QueryInput> = {}): QueryInput => ({
  query: mql,
  at,
  intervalSeconds: 60,
  hasSecretRef: true,
  credentials: {
    project: 'proj-1',
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      client_email: 'gitcanary@proj.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      token_uri: `${api.url}/token`,
    }),
  },
  env: { STACKDRIVER_ENDPOINT: api.url },
  ...over,
});

describe('stackdriver (Cloud Monitoring MQL)', () => {
  it('the first value of the first point; the token is fetched once and reused', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        timeSeriesDescriptor: { pointDescriptors: [{ key: 'value.restart_count', valueType: 'DOUBLE' }] },
        timeSeriesData: [
          {
            labelValues: [],
            pointData: [
              { values: [{ doubleValue: 3.5 }], timeInterval: {} },
              { values: [{ doubleValue: 9 }] },
            ],
          },
        ],
      }),
    };
    expect(await runHttpQuery(stackdriver, input())).toEqual({ kind: 'value', value: 3.5 });
    expect(await runHttpQuery(stackdriver, input())).toEqual({ kind: 'value', value: 3.5 });
    expect(tokensIssued).toBe(1);
    expect(api.problems).toEqual([]);
  });

  it('no series is no data; a gRPC-style error is an error with its status', async () => {
    answer = { status: 200, body: JSON.stringify({ timeSeriesDescriptor: {} }) };
    expect(await runHttpQuery(stackdriver, input())).toEqual({ kind: 'no-data' });
    answer = {
      status: 400,
      body: JSON.stringify({ error: { code: 400, message: 'Line 1: bad', status: 'INVALID_ARGUMENT' } }),
    };
    expect(await runHttpQuery(stackdriver, input())).toEqual({
      kind: 'error',
      message: 'stackdriver answered 400 INVALID_ARGUMENT',
    });
  });

  it('a secret without a project, a key that is not a key: errors naming what is missing', async () => {
    expect(await runHttpQuery(stackdriver, input({ credentials: { serviceAccountKey: '{}' } }))).toEqual({
      kind: 'error',
      message: 'stackdriver credentials do not contain a project id',
    });
    expect(
      await runHttpQuery(
        stackdriver,
        input({ credentials: { project: 'proj-1', serviceAccountKey: 'nope' } }),
      ),
    ).toEqual({
      kind: 'error',
      message: 'stackdriver: the service account key is not a JSON key with client_email and private_key',
    });
  });
});
