/**
 * Google Cloud Monitoring (`type: stackdriver`): the query is MQL, sent as `timeSeries:query`
 * (`POST https://monitoring.googleapis.com/v3/projects/<project>/timeSeries:query`, the REST form
 * of the QueryTimeSeries call Flagger makes). With a secretRef, `project` is required and
 * `serviceAccountKey` (a JSON key) is signed into a JWT and exchanged at the key's `token_uri`
 * for an access token; without one, GOOGLE_APPLICATION_CREDENTIALS names the key file's contents
 * (read by the caller into `env.GOOGLE_APPLICATION_CREDENTIALS_JSON`). The value is the first
 * value of the first point of the first series, as a double.
 */
import { createSign } from 'node:crypto';
import { error, type HttpMetricsProvider, json, noData, type QueryInput, value } from './types.js';

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
  project_id?: string;
}

const scope = 'https://www.googleapis.com/auth/monitoring.read';
const tokens = new Map<string, { token: string; until: number }>();

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** The signed JWT assertion of a service-account key (RS256), valid one hour from `at`. */
export function jwtAssertion(key: ServiceAccountKey, at: Date): string {
  const iat = Math.floor(at.getTime() / 1000);
  const aud = key.token_uri ?? 'https://oauth2.googleapis.com/token';
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ iss: key.client_email, scope, aud, iat, exp: iat + 3600 }));
  const signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key.private_key);
  return `${head}.${claims}.${b64url(signature)}`;
}

function keyOf(input: QueryInput): ServiceAccountKey | { error: string } | undefined {
  const raw = input.hasSecretRef
    ? input.credentials.serviceAccountKey
    : input.env?.GOOGLE_APPLICATION_CREDENTIALS_JSON;
  if (raw === undefined) return undefined;
  const k = json(raw) as Partial<ServiceAccountKey> | undefined;
  if (!k?.client_email || !k.private_key)
    return { error: 'the service account key is not a JSON key with client_email and private_key' };
  return k as ServiceAccountKey;
}

function project(input: QueryInput): string | { error: string } {
  if (input.hasSecretRef) {
    const p = input.credentials.project;
    return p ? p : { error: 'stackdriver credentials do not contain a project id' };
  }
  const k = keyOf(input);
  const p = (k && !('error' in k) ? k.project_id : undefined) ?? input.env?.GOOGLE_CLOUD_PROJECT;
  return p ? p : { error: 'no project: set the secret key project, or GOOGLE_CLOUD_PROJECT' };
}

export const stackdriver: HttpMetricsProvider = {
  type: 'stackdriver',
  secretKeys: ['project', 'serviceAccountKey'],
  usesEnv: true,
  request(input) {
    const p = project(input);
    if (typeof p !== 'string') return p;
    const base = input.env?.STACKDRIVER_ENDPOINT || 'https://monitoring.googleapis.com';
    return {
      method: 'POST',
      url: `${base.replace(/\/+$/, '')}/v3/projects/${encodeURIComponent(p)}/timeSeries:query`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: input.query }),
      timeoutMs: 5000,
    };
  },
  async authorize(input, send) {
    const key = keyOf(input);
    if (!key)
      return { error: 'no credentials: a secret with serviceAccountKey, or GOOGLE_APPLICATION_CREDENTIALS' };
    if ('error' in key) return key;
    const cacheKey = `${key.client_email}\u0000${key.token_uri ?? ''}`;
    const cached = tokens.get(cacheKey);
    if (cached && cached.until > input.at.getTime()) return { authorization: `Bearer ${cached.token}` };
    const r = await send({
      method: 'POST',
      url: key.token_uri ?? 'https://oauth2.googleapis.com/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwtAssertion(key, input.at),
      }).toString(),
      timeoutMs: 5000,
    });
    const t = json(r.body) as { access_token?: string; expires_in?: number } | undefined;
    if (r.status !== 200 || !t?.access_token) return { error: `the token endpoint answered ${r.status}` };
    tokens.set(cacheKey, {
      token: t.access_token,
      until: input.at.getTime() + ((t.expires_in ?? 3600) - 60) * 1000,
    });
    return { authorization: `Bearer ${t.access_token}` };
  },
  parse(status, body) {
    if (status !== 200) {
      const m = (json(body) as { error?: { status?: string } } | undefined)?.error?.status;
      return error(`stackdriver answered ${status}${m ? ` ${String(m).slice(0, 60)}` : ''}`);
    }
    const r = json(body) as
      | { timeSeriesData?: { pointData?: { values?: { doubleValue?: unknown }[] }[] }[] }
      | undefined;
    if (!r || typeof r !== 'object') return error('stackdriver: unparsable answer');
    const v = r.timeSeriesData?.[0]?.pointData?.[0]?.values?.[0];
    if (v === undefined) return noData;
    // Flagger reads GetDoubleValue(): a point without a double reads as 0.
    const d = v.doubleValue;
    if (d === undefined) return value(0);
    return typeof d === 'number'
      ? value(d)
      : typeof d === 'string'
        ? value(Number(d))
        : error('stackdriver: doubleValue is not a number');
  },
};
