/**
 * A metrics provider that speaks HTTP, as pure data: how to build the request for one query
 * and how to read the answer. The executor (`run.ts`) does the I/O, so each provider module is
 * pure and table-tested, and every provider shares one transport (timeouts, bounded reads,
 * credentials only where the egress policy allows).
 */
import type { QueryResult } from '../../core/types.js';

export interface HttpQuery {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Flagger's timeout for this provider. */
  timeoutMs: number;
}

export interface QueryInput {
  /** `provider.address` of the MetricTemplate; some providers have a default. */
  address?: string;
  /** The rendered query. */
  query: string;
  /** The evaluation time (`--now`, or the clock): windows end here, so a replay asks the same. */
  at: Date;
  /** The metric's interval in seconds (windows are multiples of it). */
  intervalSeconds: number;
  /** The keys of the template's secretRef (empty without one). */
  credentials: Record<string, string>;
  /** Whether the template names a secretRef. */
  hasSecretRef: boolean;
  /** `provider.region` (CloudWatch). */
  region?: string;
  /**
   * The operator's environment, for providers whose credentials come from it as their SDKs read
   * them (CloudWatch: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). A spec never
   * chooses where these go: the endpoint is the vendor's, or the operator's AWS_ENDPOINT_URL_*.
   */
  env?: Record<string, string | undefined>;
}

export interface HttpMetricsProvider {
  type: string;
  /** The keys read from the template's secretRef (files in the mounted folder, or env variables). */
  secretKeys?: readonly string[];
  /**
   * Whether the operator's environment (`env`) is used: the providers whose SDKs read credentials
   * from it (CloudWatch, Cloud Monitoring). It is given only when no spec chose the address.
   */
  usesEnv?: boolean;
  /**
   * Providers that must first obtain a credential (an OAuth token) return the extra headers here,
   * with the same transport; the result is cached by the provider as it sees fit.
   */
  authorize?(
    input: QueryInput,
    send: (q: HttpQuery) => Promise<{ status: number; body: string }>,
  ): Promise<Record<string, string> | { error: string }>;
  /** The request, or an error naming what is missing (a credential key, the address). */
  request(input: QueryInput): HttpQuery | { error: string };
  /** The value of an answer. HTTP errors, empty results and unparsable bodies are never values. */
  parse(status: number, body: string): QueryResult;
}

/** The JSON of a body, or undefined. */
export function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export const noData: QueryResult = { kind: 'no-data' };
export const error = (message: string): QueryResult => ({ kind: 'error', message });
export const value = (v: number): QueryResult => (Number.isNaN(v) ? noData : { kind: 'value', value: v });

/** `address` with the path appended, without a doubled slash. */
export const join = (address: string, path: string) => `${address.replace(/\/+$/, '')}${path}`;
