/**
 * Prometheus adapter for the `MetricsProvider` port (Flagger `pkg/metrics/providers/prometheus.go`):
 * `GET <address>/api/v1/query?query=<whitespace-collapsed>&time=<seconds>`, with bearer or basic
 * auth and extra headers. Every failure is returned as a value; credentials never appear in messages.
 */
import type { QueryResult } from '../core/types.js';
import { defaults } from '../inputs/defaults.js';
import { type PrometheusAuth, resolveAuth } from './auth.js';
import { failingProvider, type MetricsProvider } from './provider.js';

export { type PrometheusAuth, resolveAuth } from './auth.js';

export interface PrometheusOptions {
  /** Base URL such as `http://prometheus:9090`; a path prefix (`http://host/prom`) is kept. */
  address: string;
  /** Whole-request deadline (connect, headers and body); Flagger uses 5s. */
  timeoutMs: number;
  auth?: PrometheusAuth;
  /** Extra request headers (a MetricTemplate's `provider.headers`); auth headers win over these. */
  headers?: Record<string, string | readonly string[]>;
}

/**
 * Collapses every run of whitespace to one space and trims, as Flagger does before sending.
 * @example collapseWhitespace('sum(\n\trate(x[1m])\n)') === 'sum( rate(x[1m]) )'
 */
export const collapseWhitespace = (query: string): string => query.replace(/\s+/g, ' ').trim();

/**
 * Creates a Prometheus-backed provider. Answers: vector → the last series' value (empty → no-data,
 * NaN → no-data, ±Inf → value); scalar → its value; matrix or string → error. HTTP errors carry the
 * status and Prometheus' `errorType: error`; timeouts, refused connections, non-JSON bodies and
 * `status: error` are errors too. An invalid address gives a provider that always answers an error.
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
  const headers = buildHeaders(opts.headers, auth);
  if (typeof headers === 'string') return failingProvider(`${label}: ${headers}`);
  const redact = redactor(auth, opts.headers);

  return {
    async query(query: string, at: Date): Promise<QueryResult> {
      const time = at.getTime();
      if (!Number.isFinite(time)) return { kind: 'error', message: `${label}: invalid evaluation time` };
      const url = new URL(endpoint.href);
      url.searchParams.set('query', collapseWhitespace(query));
      url.searchParams.set('time', String(time / 1000));
      let result: QueryResult;
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
        result = interpret(res.status, res.statusText, await res.text());
      } catch (e) {
        result = { kind: 'error', message: describeFetchError(e, opts.timeoutMs) };
      }
      return result.kind === 'error'
        ? { kind: 'error', message: redact(`${label}: ${result.message}`) }
        : result;
    },
  };
}

/** What a PlannedCheck says about where to send its query (the template's provider, if any). */
export interface CheckTarget {
  address?: string;
  secretName?: string;
  headers?: Record<string, string | readonly string[]>;
}

export interface ProviderContext {
  /** The canary's metrics server (`spec.metricsServer` or the global one) for builtin/inline checks. */
  metricsServer: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  secretsDir?: string;
}

/**
 * The provider for one planned check: the template's address and secret when set, else the
 * canary's metrics server with the global PROMETHEUS_* credentials. Credential problems (missing
 * secret, half a basic pair) become a provider that answers an error, so the check fails.
 */
export function providerForCheck(check: CheckTarget, ctx: ProviderContext): MetricsProvider {
  const env = ctx.env ?? process.env;
  let auth: PrometheusAuth | undefined;
  try {
    auth = resolveAuth(check.secretName, env, ctx.secretsDir ?? env.GITCANARY_SECRETS_DIR);
  } catch (e) {
    return failingProvider(e instanceof Error ? e.message : String(e));
  }
  const opts: PrometheusOptions = {
    address: check.address ?? ctx.metricsServer,
    timeoutMs: ctx.timeoutMs ?? defaults.prometheusTimeoutMs,
  };
  if (auth) opts.auth = auth;
  if (check.headers) opts.headers = check.headers;
  return createPrometheusProvider(opts);
}

/** Request headers, or a message (naming the header, never its value) when one is invalid. */
function buildHeaders(
  extra: PrometheusOptions['headers'],
  auth: PrometheusAuth | undefined,
): Headers | string {
  const h = new Headers({ accept: 'application/json' });
  let name = '';
  try {
    for (const [key, value] of Object.entries(extra ?? {})) {
      name = key;
      for (const v of typeof value === 'string' ? [value] : value) h.append(key, v);
    }
    name = 'authorization';
    if (auth && 'bearer' in auth) h.set(name, `Bearer ${auth.bearer}`);
    else if (auth) h.set(name, `Basic ${basic(auth.username, auth.password)}`);
  } catch {
    return `invalid request header ${JSON.stringify(name)} (name or value not allowed in HTTP; value not shown)`;
  }
  return h;
}

const basic = (user: string, pass: string): string => Buffer.from(`${user}:${pass}`).toString('base64');

const sensitiveHeader = /auth|token|key|secret|cookie|pass/i;

/** Replaces every credential (token, password, basic blob, sensitive header values) with `***`. */
function redactor(
  auth: PrometheusAuth | undefined,
  headers: PrometheusOptions['headers'],
): (s: string) => string {
  const secrets: string[] = [];
  if (auth && 'bearer' in auth) secrets.push(auth.bearer);
  if (auth && 'username' in auth) {
    secrets.push(basic(auth.username, auth.password), auth.password);
    if (auth.username.length >= 4) secrets.push(auth.username);
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (sensitiveHeader.test(name)) secrets.push(...(typeof value === 'string' ? [value] : value));
  }
  const list = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (s) => list.reduce((out, secret) => out.split(secret).join('***'), s);
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const withoutUserinfo = (address: string): string => address.replace(/\/\/[^/@]*@/, '//***@');

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
    return `query timed out after ${timeoutMs}ms`;
  const cause = err?.cause;
  if (cause?.message) return `request failed: ${cause.message}`;
  if (cause?.code) return `request failed: ${cause.code}`;
  return `request failed: ${err?.message ?? String(e)}`;
}

const snippet = (body: string): string => {
  const one = collapseWhitespace(body);
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
};

interface PromBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Turns an HTTP status and body into a QueryResult (pure; exported for unit tests). */
export function interpret(status: number, statusText: string, body: string): QueryResult {
  let parsed: PromBody | undefined;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as PromBody;
  } catch {
    parsed = undefined;
  }
  const promError =
    parsed?.status === 'error'
      ? `${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${String(parsed.error ?? 'unknown error')}`
      : undefined;
  if (status < 200 || status >= 300) {
    const detail = promError ?? (snippet(body) || statusText);
    return { kind: 'error', message: `HTTP ${status}${detail ? ` ${detail}` : ''}` };
  }
  if (!parsed) return { kind: 'error', message: `response is not JSON (HTTP ${status}): ${snippet(body)}` };
  if (promError) return { kind: 'error', message: promError };
  if (parsed.status !== 'success')
    return { kind: 'error', message: `unexpected response status ${String(parsed.status)}` };
  return decode(parsed.data);
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
 * Parses a Prometheus sample string (Go `ParseFloat` semantics for NaN and ±Inf).
 * @example sample('98.5') → value 98.5; sample('NaN') → no-data; sample('+Inf') → value Infinity
 */
function sample(raw: string): QueryResult {
  const s = raw.trim();
  if (/^nan$/i.test(s)) return { kind: 'no-data' };
  const inf = /^([+-]?)inf(inity)?$/i.exec(s);
  if (inf) return { kind: 'value', value: inf[1] === '-' ? -Infinity : Infinity };
  const value = Number(s);
  if (s === '' || Number.isNaN(value)) return { kind: 'error', message: `unparsable sample value "${raw}"` };
  return { kind: 'value', value };
}
