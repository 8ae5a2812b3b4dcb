/**
 * Dynatrace (`type: dynatrace`): `GET <address>/api/v2/metrics/query?metricSelector=…
 * &resolution=Inf&from=…&to=…` (milliseconds, the last 10 × interval) with
 * `Authorization: Api-Token <dynatrace_token>`; the first value of the last data entry of the
 * first result, as Flagger reads it. The address is required.
 */
import { error, type HttpMetricsProvider, join, json, noData, value } from './types.js';

export const dynatrace: HttpMetricsProvider = {
  type: 'dynatrace',
  secretKeys: ['dynatrace_token'],
  request({ address, query, at, intervalSeconds, credentials }) {
    if (!address) return { error: 'dynatrace endpoint is not set' };
    const token = credentials.dynatrace_token;
    if (token === undefined) return { error: 'dynatrace credentials do not contain dynatrace_token' };
    const to = Math.floor(at.getTime() / 1000) * 1000;
    const from = to - Math.trunc(10 * intervalSeconds * 1000);
    const params = new URLSearchParams({
      metricSelector: query,
      resolution: 'Inf',
      from: String(from),
      to: String(to),
    });
    return {
      method: 'GET',
      url: `${join(address, '/api/v2/metrics/query')}?${params}`,
      headers: { Authorization: `Api-Token ${token}` },
      timeoutMs: 5000,
    };
  },
  parse(status, body) {
    if (status !== 200) return error(`dynatrace answered ${status}`);
    const r = json(body) as { result?: { data?: { values?: unknown[] }[] }[] } | undefined;
    if (!r || typeof r !== 'object') return error('dynatrace: unparsable answer');
    const data = r.result?.[0]?.data;
    const v = data?.[data.length - 1]?.values?.[0];
    if (v === null || v === undefined) return noData;
    return typeof v === 'number' ? value(v) : error('dynatrace: value is not a number');
  },
};
