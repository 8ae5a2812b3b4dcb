/**
 * InfluxDB 2.x through its Flux query API (`type: influxdb`), as Flagger's client asks it:
 * `POST <address>/api/v2/query?org=<org>` with `Authorization: Token <token>` (secret keys
 * `token`, `org`), a JSON body holding the Flux query and the annotated-CSV dialect; the answer is
 * annotated CSV. The value is the first record's `_value` when it is a float; no record at all is
 * 0, as Flagger returns it (no error); a null value is no data.
 */
import { error, type HttpMetricsProvider, join, noData, value } from './types.js';

export const influxdb: HttpMetricsProvider = {
  type: 'influxdb',
  secretKeys: ['token', 'org'],
  request({ address, query, credentials, hasSecretRef }) {
    try {
      if (!address) throw new Error('empty');
      new URL(address);
    } catch {
      return { error: 'influxdb address is not a valid URL' };
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/csv' };
    let org = '';
    if (hasSecretRef) {
      if (credentials.token === undefined)
        return { error: 'influxdb credentials do not contain an authentication token' };
      if (credentials.org === undefined)
        return { error: 'influxdb credentials do not contain an organisation' };
      headers.Authorization = `Token ${credentials.token}`;
      org = credentials.org;
    }
    const body = JSON.stringify({
      query,
      type: 'flux',
      dialect: { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true },
    });
    return {
      method: 'POST',
      url: `${join(address, '/api/v2/query')}?${new URLSearchParams({ org })}`,
      headers,
      body,
      timeoutMs: 15_000,
    };
  },
  parse(status, body) {
    if (status !== 200) return error(`influxdb answered ${status}`);
    const table = firstTable(body);
    if (table === 'bad') return error('influxdb: unparsable annotated CSV');
    if (!table) return value(0);
    const { datatypes, header, row } = table;
    const i = header.indexOf('_value');
    if (i < 0) return error('influxdb: the result has no _value column');
    const cell = row[i] ?? '';
    if (cell === '') return noData;
    if (datatypes[i] !== 'double')
      return error(`influxdb: _value is ${datatypes[i] ?? 'untyped'}, not a float`);
    const v = Number(cell);
    return Number.isFinite(v) || cell === 'NaN' ? value(v) : error('influxdb: _value is not a number');
  },
};

/** Splits one CSV line (RFC 4180 quoting). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The first data row of annotated CSV with its table's annotations and header. */
function firstTable(
  body: string,
): { datatypes: string[]; header: string[]; row: string[] } | undefined | 'bad' {
  let datatypes: string[] | undefined;
  let header: string[] | undefined;
  for (const raw of body.split(/\r?\n/)) {
    if (raw === '') {
      datatypes = undefined;
      header = undefined;
      continue;
    }
    const c = cells(raw);
    if (c[0] === '#datatype') {
      datatypes = c;
      continue;
    }
    if (c[0]?.startsWith('#')) continue;
    if (!header) {
      header = c;
      if (c.includes('error') && !c.includes('_value')) return 'bad';
      continue;
    }
    if (!datatypes) return 'bad';
    return { datatypes, header, row: c };
  }
  return undefined;
}
