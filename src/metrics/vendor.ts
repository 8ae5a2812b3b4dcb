/**
 * The vendor providers (datadog, newrelic, dynatrace, graphite, influxdb, cloudwatch, stackdriver,
 * splunk) as `MetricsProvider`s of the run: each query goes through the bounded client
 * (src/net/http.ts) with the egress policy deciding every URL, the template's secretRef keys read
 * in the template's namespace (mounted folder or environment, see secret-keys.ts), and every
 * secret value masked in what comes back. Redirects are not followed: vendor credentials travel in
 * their own headers (DD-API-KEY, X-SF-Token, …), which must never reach another host.
 */
import { readFileSync } from 'node:fs';
import type { QueryResult } from '../core/types.js';
import { parseDuration } from '../inputs/defaults.js';
import { decideEgress, type EgressPolicy, show } from '../net/egress.js';
import { boundedGet, boundedSend, HttpFailure } from '../net/http.js';
import { redactor } from '../net/redact.js';
import type { SecretPlaces, SecretRef } from './auth.js';
import { failingProvider, type MetricsProvider } from './provider.js';
import { httpProviders, isHttpProvider } from './providers/registry.js';
import { runHttpQuery, type Transport } from './providers/run.js';
import type { QueryInput } from './providers/types.js';
import { secretKeys } from './secret-keys.js';

/** Where one vendor check goes and with what. */
export interface VendorTarget {
  /** `provider.type` of the MetricTemplate. */
  type: string;
  /** `provider.address`; undefined: the vendor's own endpoint (or the operator's AWS/GCP endpoint). */
  address?: string;
  /** `provider.region` (cloudwatch). */
  region?: string;
  /** The metric's interval as written ('' when unset: Flagger's template metrics get no default). */
  interval: string;
  secret?: SecretRef;
}

export interface VendorContext {
  policy: EgressPolicy;
  /** Largest answer read (`limits.responseBytes`). */
  maxBytes: number;
  env?: NodeJS.ProcessEnv;
  layout?: SecretPlaces['layout'];
}

/** Providers that cannot parse an empty or invalid interval (Flagger's time.ParseDuration error). */
const needsInterval = new Set(['datadog', 'cloudwatch', 'newrelic', 'dynatrace', 'splunk']);

/**
 * The provider of one vendor check. A spec-chosen address never receives the operator's
 * environment credentials (AWS_*, GOOGLE_APPLICATION_CREDENTIALS); a secret goes only where
 * `decideEgress` grants it; a URL the policy refuses is an error before anything is sent.
 */
export function vendorProvider(target: VendorTarget, ctx: VendorContext): MetricsProvider {
  if (!isHttpProvider(target.type)) return failingProvider(`no provider for type ${target.type}`);
  const provider = httpProviders[target.type];
  const env = ctx.env ?? process.env;
  const from = target.address ? 'spec' : 'operator';
  const ms = parseDuration(target.interval);
  if (ms === undefined && needsInterval.has(target.type))
    return failingProvider(`${target.type}: error parsing metric interval "${target.interval}"`);
  let credentials: Record<string, string> = {};
  if (target.secret) {
    try {
      credentials = secretKeys(target.secret, provider.secretKeys ?? [], {
        env,
        layout: ctx.layout ?? 'namespaced',
      });
    } catch (e) {
      return failingProvider(`${target.type}: ${(e as Error).message}`);
    }
  }
  const secrets = Object.values(credentials);
  const redact = redactor(secrets);
  const operatorEnv = provider.usesEnv && from === 'operator' ? withKeyFile(env) : undefined;
  const refuse = (url: URL) => {
    const d = decideEgress(ctx.policy, { url: url.href, from });
    return d.allowed ? undefined : d.reason;
  };
  const transport: Transport = async (q) => {
    const url = new URL(q.url);
    if (target.secret) {
      const d = decideEgress(ctx.policy, { url: url.href, from, secret: target.secret });
      if (!d.allowed) throw new HttpFailure(d.reason, 'refused');
      if (d.credential !== 'secret')
        throw new HttpFailure(d.note ?? `secret not sent to ${show(url.href)}`, 'refused');
    }
    const req = {
      url,
      headers: new Headers(q.headers),
      timeoutMs: q.timeoutMs,
      maxBytes: ctx.maxBytes,
      maxRedirects: 0,
      refuse,
    };
    const res =
      q.method === 'POST'
        ? await boundedSend({ ...req, method: 'POST', body: q.body ?? '' })
        : await boundedGet(req);
    return { status: res.status, body: res.body };
  };
  return {
    async query(query: string, at: Date): Promise<QueryResult> {
      const input: QueryInput = {
        query,
        at,
        intervalSeconds: (ms ?? 0) / 1000,
        credentials,
        hasSecretRef: target.secret !== undefined,
        ...(target.address ? { address: target.address } : {}),
        ...(target.region ? { region: target.region } : {}),
        ...(operatorEnv ? { env: operatorEnv } : {}),
      };
      const r = await runHttpQuery(provider, input, transport);
      return r.kind === 'error' ? { kind: 'error', message: redact(r.message) } : r;
    },
  };
}

/** The environment with GOOGLE_APPLICATION_CREDENTIALS' key file read into `…_JSON` (Cloud Monitoring). */
function withKeyFile(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!file || env.GOOGLE_APPLICATION_CREDENTIALS_JSON) return { ...env };
  try {
    return { ...env, GOOGLE_APPLICATION_CREDENTIALS_JSON: readFileSync(file, 'utf8') };
  } catch {
    return { ...env };
  }
}
