/**
 * Runs one query of an HTTP metrics provider: build, send, read, parse. Never throws: a missing
 * credential, a refused connection, a timeout or an oversized answer is an error result, so an
 * outage can never pass a check.
 */
import type { QueryResult } from '../../core/types.js';
import { readBody } from '../../net/read-body.js';
import type { HttpMetricsProvider, HttpQuery, QueryInput } from './types.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Sends a request; rejects on a network failure, a timeout or an answer over the size cap. */
export type Transport = (q: HttpQuery) => Promise<HttpAnswer>;

/** The most of an answer that is read (a metrics answer is a few kilobytes). */
export const maxAnswerBytes = 1 << 20;

/** The default transport: fetch with Flagger's timeout, no redirects, the answer read up to the cap. */
export const fetchTransport: Transport = async (q) => {
  const r = await fetch(q.url, {
    method: q.method,
    headers: q.headers,
    ...(q.body !== undefined ? { body: q.body } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(q.timeoutMs),
  });
  const { text, truncated } = await readBody(r, maxAnswerBytes);
  if (truncated) throw new Error(`answer larger than ${maxAnswerBytes} bytes`);
  return { status: r.status, body: text };
};

export async function runHttpQuery(
  provider: HttpMetricsProvider,
  input: QueryInput,
  transport: Transport = fetchTransport,
): Promise<QueryResult> {
  const q = provider.request(input);
  if ('error' in q) return { kind: 'error', message: q.error };
  try {
    if (provider.authorize) {
      const auth = await provider.authorize(input, transport);
      if ('error' in auth) return { kind: 'error', message: `${provider.type}: ${auth.error}` };
      Object.assign(q.headers, auth);
    }
    const a = await transport(q);
    return provider.parse(a.status, a.body);
  } catch (e) {
    const name = (e as Error).name;
    const why = name === 'TimeoutError' ? `no answer within ${q.timeoutMs} ms` : (e as Error).message;
    return { kind: 'error', message: `${provider.type}: ${why}` };
  }
}
