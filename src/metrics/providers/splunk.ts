/**
 * Splunk Observability Cloud, formerly SignalFx (`type: splunk`): the query is a SignalFlow
 * program run over the last 10 × interval with `immediate=true`, authenticated by `X-SF-Token`
 * (secret key `sf_token_key`). Flagger opens the computation over the SignalFlow WebSocket; the
 * same computation is offered over HTTP as `POST <stream>/v2/signalflow/execute?start=&stop=
 * &immediate=true` (program as `text/plain`, answer as server-sent events), which gitcanary uses so
 * that the bounded client carries it. The address is mapped as Flagger maps it: the first `http`
 * becomes `ws` there (kept `http` here) and the first `api` becomes `stream`
 * (`https://api.us1.signalfx.com` → `https://stream.us1.signalfx.com`). Values: the data payloads
 * with a value; none is no data; more than one time series (tsId) is an error; else the last value.
 */
import { error, type HttpMetricsProvider, json, noData, value } from './types.js';

/**
 * The stream URL of a Splunk address, as Flagger derives it (first `api` → `stream`).
 * @example streamAddress('https://api.us1.signalfx.com') === 'https://stream.us1.signalfx.com'
 */
export const streamAddress = (address: string): string => address.replace('api', 'stream');

interface Payload {
  tsId?: unknown;
  value?: unknown;
}

/** The events of a server-sent-events body: `event:` name and the joined `data:` lines. */
export function sseEvents(body: string): { event: string; data: string }[] {
  const out: { event: string; data: string }[] = [];
  for (const block of body.replace(/\r\n?/g, '\n').split(/\n\n+/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = v;
      else if (field === 'data') data.push(v);
    }
    if (data.length > 0) out.push({ event, data: data.join('\n') });
  }
  return out;
}

export const splunk: HttpMetricsProvider = {
  type: 'splunk',
  secretKeys: ['sf_token_key'],
  request({ address, query, at, intervalSeconds, credentials }) {
    if (!address) return { error: 'splunk endpoint is not set' };
    const token = credentials.sf_token_key;
    if (token === undefined) return { error: 'splunk credentials do not contain sf_token_key' };
    let base: URL;
    try {
      base = new URL(streamAddress(address));
    } catch {
      return { error: 'splunk address is not a valid URL' };
    }
    const stop = at.getTime();
    const start = stop - Math.trunc(10 * intervalSeconds * 1000);
    const u = new URL(base);
    u.pathname = `${base.pathname.replace(/\/+$/, '')}/v2/signalflow/execute`;
    u.search = new URLSearchParams({
      start: String(start),
      stop: String(stop),
      immediate: 'true',
    }).toString();
    return {
      method: 'POST',
      url: u.toString(),
      headers: { 'content-type': 'text/plain', accept: 'text/event-stream', 'X-SF-Token': token },
      body: query,
      timeoutMs: 5000,
    };
  },
  parse(status, body) {
    if (status !== 200) {
      const m = (json(body) as { message?: unknown } | undefined)?.message;
      return error(`splunk answered ${status}${typeof m === 'string' ? ` ${m.slice(0, 100)}` : ''}`);
    }
    const payloads: Payload[] = [];
    for (const e of sseEvents(body)) {
      const d = json(e.data) as { data?: Payload[]; message?: unknown; error?: unknown } | undefined;
      if (e.event === 'error') {
        const why = d?.message ?? d?.error ?? e.data;
        return error(`splunk: error executing query: ${String(why).slice(0, 100)}`);
      }
      if (e.event !== 'data') continue;
      if (!d || !Array.isArray(d.data)) return error('splunk: a data message without data');
      payloads.push(...d.data.filter((p) => p?.value !== null && p?.value !== undefined));
    }
    if (payloads.length === 0) return noData;
    if (new Set(payloads.map((p) => String(p.tsId))).size > 1)
      return error('splunk: invalid response: the query returned more than one time series');
    const v = payloads[payloads.length - 1]?.value;
    return typeof v === 'number' ? value(v) : error('splunk: unsupported value type');
  },
};
