/**
 * Prometheus adapter for the `MetricsProvider` port (Flagger `pkg/metrics/providers/prometheus.go`):
 * `GET <address>/api/v1/query?query=<whitespace-collapsed>&time=<seconds>`, with bearer or basic
 * auth and extra headers. Every failure is returned as a value; credentials never appear in messages.
 */
import type { QueryResult } from '../core/types.js';
import { defaults } from '../inputs/defaults.js';
import { decideEgress, type EgressPolicy } from '../net/egress.js';
import { boundedGet, type Credential, credentialSecrets, HttpFailure } from '../net/http.js';
import { redactor, snippet } from '../net/redact.js';
import { operatorAuth, type PrometheusAuth, type SecretPlaces, type SecretRef, secretAuth } from './auth.js';
import { failingProvider, type MetricsProvider, type SampleSet } from './provider.js';
import { parseGoFloat } from './sample.js';

export { operatorAuth, type PrometheusAuth, secretAuth } from './auth.js';

/** Largest Prometheus answer read by default (`limits.responseBytes` in gitcanary.yaml). */
export const defaultResponseBytes = 4 * 1024 * 1024;

export interface PrometheusOptions {
  /** Base URL such as `http://prometheus:9090`; a path prefix (`http://host/prom`) is kept. */
  address: string;
  /** Whole-request deadline (connect, headers and body); Flagger uses 5s. */
  timeoutMs: number;
  /** Largest answer read (default 4 MiB); a larger one is an error, read no further than the cap. */
  maxBytes?: number;
  auth?: PrometheusAuth;
  /** Extra request headers (a MetricTemplate's `provider.headers`); auth headers win over these. */
  headers?: Record<string, string | readonly string[]>;
  /** The egress policy's verdict on each URL, redirects included (a reason to refuse, or undefined). */
  refuse?: (url: URL) => string | undefined;
  /** Said in error messages: why a credential was not sent. */
  note?: string;
}

/**
 * Collapses every run of whitespace to one space and trims, as Flagger does before sending.
 * @example collapseWhitespace('sum(\n\trate(x[1m])\n)') === 'sum( rate(x[1m]) )'
 */
export const collapseWhitespace = (query: string): string => query.replace(/\s+/g, ' ').trim();

/**
 * Creates a Prometheus-backed provider over the bounded HTTP client (src/net/http.ts). Answers:
 * vector → the last series' value (empty → no-data, NaN → no-data, ±Inf → value); scalar → its
 * value; matrix or string → error. HTTP errors carry the status and Prometheus' `errorType: error`;
 * timeouts, refused connections, answers over the size cap, non-JSON bodies and `status: error`
 * are errors too. An invalid address gives a provider that always answers an error.
 */
export function createPrometheusProvider(opts: PrometheusOptions): MetricsProvider {
  let base: URL;
  try {
    base = new URL(opts.address);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return failingProvider(
      `prometheus address "${withoutUserinfo(opts.address)}" is not a valid http(s) URL`,
    );
  }
  // Credentials in the URL (http://user:pass@host) become basic auth, as Go's http client does.
  let auth = opts.auth;
  if (!auth && base.username) {
    auth = { username: safeDecode(base.username), password: safeDecode(base.password) };
  }
  base.username = '';
  base.password = '';
  const endpoint = new URL(base.href);
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/api/v1/query`;
  endpoint.search = '';
  const label = `prometheus ${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const headers = buildHeaders(opts.headers);
  if (typeof headers === 'string') return failingProvider(`${label}: ${headers}`);
  const credential = toCredential(auth);
  const secrets = [...credentialSecrets(credential), ...sensitiveValues(opts.headers)];
  if (credential && !validHeaderValue(credential))
    return failingProvider(
      `${label}: invalid request header "authorization" (name or value not allowed in HTTP; value not shown)`,
    );
  const redact = redactor(secrets);
  const note = opts.note ? ` (${opts.note})` : '';
  const requestHeaders: Headers = headers;

  async function get<T extends { kind: string }>(
    path: 'query' | 'query_range',
    params: Record<string, string>,
    decoder: (data: PromBody['data']) => T | QueryError,
  ): Promise<T | QueryError> {
    const url = new URL(endpoint.href);
    if (path === 'query_range') url.pathname = `${url.pathname}_range`;
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let result: T | QueryError;
    try {
      const res = await boundedGet({
        url,
        headers: requestHeaders,
        ...(credential ? { credential } : {}),
        timeoutMs: opts.timeoutMs,
        maxBytes: opts.maxBytes ?? defaultResponseBytes,
        ...(opts.refuse ? { refuse: opts.refuse } : {}),
      });
      result = interpret(res.status, res.statusText, res.body, secrets, decoder);
    } catch (e) {
      result = { kind: 'error', message: describeFailure(e, opts.timeoutMs) };
    }
    return result.kind === 'error'
      ? { kind: 'error', message: redact(`${label}: ${(result as QueryError).message}${note}`) }
      : result;
  }

  return {
    async query(query: string, at: Date): Promise<QueryResult> {
      const time = at.getTime();
      if (!Number.isFinite(time)) return { kind: 'error', message: `${label}: invalid evaluation time` };
      return get('query', { query: collapseWhitespace(query), time: String(time / 1000) }, decode);
    },
    async samples(query: string, start: Date, end: Date, stepSeconds: number): Promise<SampleSet> {
      if (!Number.isFinite(start.getTime()) || !Number.isFinite(end.getTime()) || !(stepSeconds > 0))
        return { kind: 'error', message: `${label}: invalid range` };
      return get(
        'query_range',
        {
          query: collapseWhitespace(query),
          start: String(start.getTime() / 1000),
          end: String(end.getTime() / 1000),
          step: String(stepSeconds),
        },
        decodeMatrix,
      );
    },
  };
}

type QueryError = { kind: 'error'; message: string };

/** A matrix answer: every finite value of every series, in order (NaN dropped). */
function decodeMatrix(data: PromBody['data']): SampleSet | QueryError {
  if (data?.resultType !== 'matrix' || !Array.isArray(data.result))
    return { kind: 'error', message: `expected a range vector (matrix), got ${String(data?.resultType)}` };
  const values: number[] = [];
  for (const series of data.result as { values?: unknown }[]) {
    for (const point of Array.isArray(series?.values) ? series.values : []) {
      const raw = Array.isArray(point) ? point[1] : undefined;
      const v = typeof raw === 'string' ? parseGoFloat(raw) : undefined;
      if (v === undefined) return { kind: 'error', message: 'matrix sample without a float value' };
      if (Number.isFinite(v)) values.push(v);
    }
  }
  return values.length === 0 ? { kind: 'no-data' } : { kind: 'samples', values };
}

/** What a PlannedCheck says about where to send its query. */
export interface CheckTarget {
  /** The URL: the template's `provider.address`, `spec.metricsServer`, or the operator's server. */
  address: string;
  /** Who chose the address: a spec, or the operator (flag, env, gitcanary.yaml). */
  from: 'spec' | 'operator';
  /** The MetricTemplate's secretRef, in the template's namespace. */
  secret?: SecretRef;
  headers?: Record<string, string | readonly string[]>;
}

export interface ProviderContext {
  /** Which URL may receive which credential (the operator's, never a spec's). */
  policy: EgressPolicy;
  timeoutMs?: number;
  /** Largest answer read (default 4 MiB). */
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
  secretsDir?: string;
  layout?: SecretPlaces['layout'];
}

/**
 * The provider for one planned check, with the credential the egress policy grants it: the
 * operator's PROMETHEUS_* for the operator's server, the template's own secret (read in its
 * namespace) for a template address the policy lets it go to, nothing otherwise. A URL the policy
 * refuses, a missing secret or half a basic pair become a provider that answers an error (the
 * check fails, nothing is sent).
 */
export function providerForCheck(check: CheckTarget, ctx: ProviderContext): MetricsProvider {
  const env = ctx.env ?? process.env;
  const use = { url: check.address, from: check.from, ...(check.secret ? { secret: check.secret } : {}) };
  const decision = decideEgress(ctx.policy, use);
  if (!decision.allowed) return failingProvider(decision.reason);
  let auth: PrometheusAuth | undefined;
  try {
    if (decision.credential === 'operator') auth = operatorAuth(env);
    if (decision.credential === 'secret' && check.secret)
      auth = secretAuth(check.secret, {
        env,
        secretsDir: ctx.secretsDir ?? env.GITCANARY_SECRETS_DIR,
        layout: ctx.layout ?? 'namespaced',
      });
  } catch (e) {
    return failingProvider(e instanceof Error ? e.message : String(e));
  }
  const opts: PrometheusOptions = {
    address: check.address,
    timeoutMs: ctx.timeoutMs ?? defaults.prometheusTimeoutMs,
    refuse: (url) => {
      const d = decideEgress(ctx.policy, { url: url.href, from: check.from });
      return d.allowed ? undefined : d.reason;
    },
  };
  if (ctx.maxBytes !== undefined) opts.maxBytes = ctx.maxBytes;
  if (auth) opts.auth = auth;
  if (decision.note) opts.note = decision.note;
  if (check.headers) opts.headers = check.headers;
  return createPrometheusProvider(opts);
}

/** Request headers, or a message (naming the header, never its value) when one is invalid. */
function buildHeaders(extra: PrometheusOptions['headers']): Headers | string {
  const h = new Headers({ accept: 'application/json' });
  let name = '';
  try {
    for (const [key, value] of Object.entries(extra ?? {})) {
      name = key;
      for (const v of typeof value === 'string' ? [value] : value) h.append(key, v);
    }
  } catch {
    return `invalid request header ${JSON.stringify(name)} (name or value not allowed in HTTP; value not shown)`;
  }
  return h;
}

const toCredential = (auth: PrometheusAuth | undefined): Credential | undefined =>
  !auth
    ? undefined
    : 'bearer' in auth
      ? { kind: 'bearer', token: auth.bearer }
      : { kind: 'basic', username: auth.username, password: auth.password };

function validHeaderValue(c: Credential): boolean {
  try {
    new Headers({ authorization: c.kind === 'bearer' ? `Bearer ${c.token}` : 'Basic x' });
    return true;
  } catch {
    return false;
  }
}

/** Header names whose values are secrets (`Authorization`, `X-Api-Key`, `Cookie`, …). */
export const sensitiveHeader = /auth|token|key|secret|cookie|pass/i;

function sensitiveValues(headers: PrometheusOptions['headers']): string[] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    sensitiveHeader.test(name) ? (typeof value === 'string' ? [value] : [...value]) : [],
  );
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const withoutUserinfo = (address: string): string => address.replace(/\/\/[^/@]*@/, '//***@');

function describeFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof HttpFailure) {
    return e.reason === 'timeout' ? `query timed out after ${timeoutMs}ms` : e.message;
  }
  return `request failed: ${e instanceof Error ? e.message : String(e)}`;
}

interface PromBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Turns an HTTP status and body into a QueryResult (pure; exported for unit tests). */
export function interpret<T extends { kind: string } = QueryResult>(
  status: number,
  statusText: string,
  body: string,
  secrets: readonly string[] = [],
  decoder: (data: PromBody['data']) => T | QueryError = decode as unknown as (
    data: PromBody['data'],
  ) => T | QueryError,
): T | QueryError {
  let parsed: PromBody | undefined;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as PromBody;
  } catch {
    parsed = undefined;
  }
  const promError =
    parsed?.status === 'error'
      ? snippet(
          `${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${String(parsed.error ?? 'unknown error')}`,
          secrets,
          500,
        )
      : undefined;
  if (status < 200 || status >= 300) {
    const detail = promError ?? (snippet(body, secrets) || statusText);
    return { kind: 'error', message: `HTTP ${status}${detail ? ` ${detail}` : ''}` };
  }
  if (!parsed)
    return { kind: 'error', message: `response is not JSON (HTTP ${status}): ${snippet(body, secrets)}` };
  if (promError) return { kind: 'error', message: promError };
  if (parsed.status !== 'success')
    return { kind: 'error', message: `unexpected response status ${String(parsed.status)}` };
  return decoder(parsed.data);
}

function decode(data: PromBody['data']): QueryResult {
  const type = data?.resultType;
  const result = data?.result;
  if (type === 'vector' && Array.isArray(result)) {
    if (result.length === 0) return { kind: 'no-data' };
    // Several series: the last one wins (Flagger keeps overwriting its value in the loop).
    const last = result[result.length - 1] as { value?: unknown } | undefined;
    const raw = Array.isArray(last?.value) ? last.value[1] : undefined;
    if (typeof raw !== 'string') return { kind: 'error', message: 'vector sample without a float value' };
    return sample(raw);
  }
  if (type === 'scalar' && Array.isArray(result) && typeof result[1] === 'string') return sample(result[1]);
  if (type === 'matrix') {
    return {
      kind: 'error',
      message: 'range vector (matrix) result: the query must return an instant vector or scalar',
    };
  }
  return { kind: 'error', message: `unsupported result type ${String(type)}` };
}

/**
 * A Prometheus sample string read as Flagger reads it: Go's `strconv.ParseFloat(s, 64)` (see
 * sample.ts). NaN is no data (Flagger fails the check); ±Inf is a value; anything ParseFloat
 * refuses (`1e309`, `0x64`, `1_000`, ` 1`) is an error.
 * @example sample('98.5') → value 98.5; sample('NaN') → no-data; sample('1e309') → error
 */
function sample(raw: string): QueryResult {
  const value = parseGoFloat(raw);
  if (value === undefined)
    return { kind: 'error', message: `unparsable sample value ${JSON.stringify(raw.slice(0, 64))}` };
  if (Number.isNaN(value)) return { kind: 'no-data' };
  return { kind: 'value', value };
}
