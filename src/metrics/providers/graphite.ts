/**
 * Graphite (`type: graphite`): the query is the render API's parameters (`target=…&from=…`),
 * whitespace collapsed; gitcanary asks `GET <address>/render?<query>&format=json` (parameters
 * sorted, as Go encodes them), with basic credentials (`username`, `password`) when the template
 * names a secret. The value is the last non-null datapoint across all series, as Flagger reads it;
 * values and timestamps may be numbers or strings.
 */
import { parseGoFloat } from '../sample.js';
import { error, type HttpMetricsProvider, json, noData, value } from './types.js';

export const graphite: HttpMetricsProvider = {
  type: 'graphite',
  secretKeys: ['username', 'password'],
  request({ address, query, credentials, hasSecretRef }) {
    let base: URL;
    try {
      if (!address) throw new Error('empty');
      base = new URL(address);
    } catch {
      return { error: 'graphite address is not a valid URL' };
    }
    const headers: Record<string, string> = {};
    if (hasSecretRef) {
      if (credentials.username === undefined)
        return { error: 'graphite credentials do not contain a username' };
      if (credentials.password === undefined)
        return { error: 'graphite credentials do not contain a password' };
      if (credentials.username && credentials.password) {
        headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
    }
    const params = new URLSearchParams(query.replace(/\s+/g, ' '));
    params.set('format', 'json');
    params.sort();
    const u = new URL(base);
    u.pathname = `${base.pathname.replace(/\/+$/, '')}/render`;
    u.search = params.toString();
    return { method: 'GET', url: u.toString(), headers, timeoutMs: 5000 };
  },
  parse(status, body) {
    if (status >= 400) return error(`graphite answered ${status}`);
    const r = json(body);
    if (!Array.isArray(r)) return error('graphite: unparsable answer');
    let last: number | undefined;
    for (const series of r as { datapoints?: unknown }[]) {
      if (!Array.isArray(series?.datapoints)) return error('graphite: series without datapoints');
      for (const p of series.datapoints as unknown[]) {
        if (!Array.isArray(p) || p.length !== 2)
          return error('graphite: a datapoint is not [value, timestamp]');
        const v = p[0];
        if (v === null) continue;
        if (typeof v === 'number') last = v;
        else if (typeof v === 'string') {
          const f = parseGoFloat(v);
          if (f === undefined) return error('graphite: a datapoint value is not a number');
          last = f;
        } else return error('graphite: a datapoint value is not a number');
      }
    }
    return last === undefined ? noData : value(last);
  },
};
