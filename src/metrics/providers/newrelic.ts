/**
 * New Relic Insights (`type: newrelic`): `GET <address>/v1/accounts/<account>/query?nrql=<query>
 * SINCE <interval> seconds ago` with the `X-Query-Key` header (secret keys `newrelic_account_id`,
 * `newrelic_query_key`); exactly one result with a number, as Flagger reads it.
 */
import { error, type HttpMetricsProvider, join, json, noData, value } from './types.js';

export const newrelic: HttpMetricsProvider = {
  type: 'newrelic',
  secretKeys: ['newrelic_account_id', 'newrelic_query_key'],
  request({ address, query, intervalSeconds, credentials }) {
    const account = credentials.newrelic_account_id;
    const key = credentials.newrelic_query_key;
    if (account === undefined)
      return { error: "newrelic credentials do not contain the key 'newrelic_account_id'" };
    if (key === undefined)
      return { error: "newrelic credentials do not contain the key 'newrelic_query_key'" };
    const params = new URLSearchParams({ nrql: `${query} SINCE ${Math.trunc(intervalSeconds)} seconds ago` });
    return {
      method: 'GET',
      url: `${join(address || 'https://insights-api.newrelic.com', `/v1/accounts/${encodeURIComponent(account)}/query`)}?${params}`,
      headers: { 'X-Query-Key': key },
      timeoutMs: 5000,
    };
  },
  parse(status, body) {
    if (status !== 200) return error(`newrelic answered ${status}`);
    const r = json(body) as { results?: { result?: unknown }[] } | undefined;
    if (!r || typeof r !== 'object') return error('newrelic: unparsable answer');
    if (r.results?.length !== 1) return noData;
    const v = r.results[0]?.result;
    if (v === null || v === undefined) return noData;
    return typeof v === 'number' ? value(v) : error('newrelic: result is not a number');
  },
};
