/**
 * Datadog (`type: datadog`): `GET <address>/api/v1/query?query=…&from=…&to=…` with the
 * `DD-API-KEY` and `DD-APPLICATION-KEY` headers (secret keys `datadog_api_key`,
 * `datadog_application_key`), over the last 10 × interval; the value is the first series' first
 * (oldest) point, as Flagger reads it.
 */
import { error, type HttpMetricsProvider, join, json, noData, value } from './types.js';

export const datadog: HttpMetricsProvider = {
  type: 'datadog',
  secretKeys: ['datadog_api_key', 'datadog_application_key'],
  request({ address, query, at, intervalSeconds, credentials }) {
    const apiKey = credentials.datadog_api_key;
    const appKey = credentials.datadog_application_key;
    if (apiKey === undefined) return { error: 'datadog credentials do not contain datadog_api_key' };
    if (appKey === undefined) return { error: 'datadog credentials do not contain datadog_application_key' };
    const to = Math.floor(at.getTime() / 1000);
    const from = to - Math.trunc(10 * intervalSeconds);
    const params = new URLSearchParams({ query, from: String(from), to: String(to) });
    return {
      method: 'GET',
      url: `${join(address || 'https://api.datadoghq.com', '/api/v1/query')}?${params}`,
      headers: { 'DD-API-KEY': apiKey, 'DD-APPLICATION-KEY': appKey },
      timeoutMs: 5000,
    };
  },
  parse(status, body) {
    if (status !== 200) return error(`datadog answered ${status}`);
    const r = json(body) as { series?: { pointlist?: unknown[][] }[] } | undefined;
    if (!r || typeof r !== 'object') return error('datadog: unparsable answer');
    const point = r.series?.[0]?.pointlist?.[0];
    if (!point || point.length < 2) return noData;
    const v = point[1];
    if (v === null) return noData;
    return typeof v === 'number' ? value(v) : error('datadog: point value is not a number');
  },
};
