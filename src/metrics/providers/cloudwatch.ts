/**
 * Amazon CloudWatch (`type: cloudwatch`): the query is a JSON array of MetricDataQuery, sent as
 * `GetMetricData` (query protocol, API version 2010-08-01, as Flagger's SDK sends it) to
 * `https://monitoring.<region>.amazonaws.com/` over the last 10 × interval with MaxDatapoints 20,
 * signed with SigV4 from the operator's AWS credentials (environment). `provider.address` is
 * ignored, as in Flagger; the operator may point AWS_ENDPOINT_URL_CLOUDWATCH (or AWS_ENDPOINT_URL)
 * elsewhere. The value is the first value of the first result.
 */
import { signV4 } from './sigv4.js';
import { error, type HttpMetricsProvider, noData, value } from './types.js';

/** Flattens a JSON value into query-protocol parameters: `A.B`, lists as `A.member.N` (1-based). */
function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) flatten(`${prefix}.member.${i + 1}`, x, out);
  } else if (v !== null && typeof v === 'object') {
    // Go's JSON decoding matched keys case-insensitively onto the SDK's PascalCase fields.
    for (const [k, x] of Object.entries(v))
      flatten(`${prefix}.${k.charAt(0).toUpperCase()}${k.slice(1)}`, x, out);
  } else if (v !== undefined && v !== null) out.push([prefix, String(v)]);
}

export const cloudwatch: HttpMetricsProvider = {
  type: 'cloudwatch',
  usesEnv: true,
  request({ query, at, intervalSeconds, region, env = {} }) {
    if (!region) return { error: 'region not specified' };
    let queries: unknown;
    try {
      queries = JSON.parse(query);
    } catch (e) {
      return { error: `error unmarshaling query: ${(e as Error).message}` };
    }
    if (!Array.isArray(queries))
      return { error: 'error unmarshaling query: not a JSON array of MetricDataQuery' };
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey)
      return { error: 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' };
    const end = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const start = new Date(end.getTime() - 10 * intervalSeconds * 1000);
    const params: [string, string][] = [
      ['Action', 'GetMetricData'],
      ['Version', '2010-08-01'],
      ['StartTime', start.toISOString().replace('.000', '')],
      ['EndTime', end.toISOString().replace('.000', '')],
      ['MaxDatapoints', '20'],
    ];
    flatten('MetricDataQueries', queries, params);
    const body = new URLSearchParams(params).toString();
    const url =
      env.AWS_ENDPOINT_URL_CLOUDWATCH ||
      env.AWS_ENDPOINT_URL ||
      `https://monitoring.${region}.amazonaws.com/`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const signed = signV4(
      { method: 'POST', url, headers, body },
      {
        accessKeyId,
        secretAccessKey,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
      region,
      'monitoring',
      at,
    );
    return { method: 'POST', url, headers: { ...headers, ...signed }, body, timeoutMs: 5000 };
  },
  parse(status, body) {
    const doc = parseXml(body);
    if (status !== 200) {
      const code = doc && find(doc, ['Error', 'Code'])?.text;
      return error(`cloudwatch answered ${status}${code ? ` ${code.slice(0, 100)}` : ''}`);
    }
    const results = doc && find(doc, ['GetMetricDataResult', 'MetricDataResults']);
    if (!results) return error('cloudwatch: unparsable answer');
    const first = results.children.find((c) => c.name === 'member');
    const v = first?.children
      .find((c) => c.name === 'Values')
      ?.children.find((c) => c.name === 'member')?.text;
    if (v === undefined) return noData;
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? value(n) : error('cloudwatch: value is not a number');
  },
};

interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

/** A minimal XML reader for AWS query-protocol answers: elements and text, no attributes kept. */
function parseXml(s: string): XmlNode | undefined {
  const root: XmlNode = { name: '', children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  for (let m = tag.exec(s); m; m = tag.exec(s)) {
    const top = stack[stack.length - 1] as XmlNode;
    if (m[4] !== undefined) top.text += m[4];
    else if (m[2] === undefined) continue;
    else if (m[1] === '/') {
      if (top.name !== m[2] || stack.length === 1) return undefined;
      stack.pop();
    } else {
      const node: XmlNode = { name: m[2], children: [], text: '' };
      top.children.push(node);
      if (m[3] !== '/') stack.push(node);
    }
  }
  return stack.length === 1 ? root : undefined;
}

/** The first element along a path of names, searched from the document's top element down. */
function find(doc: XmlNode, path: string[]): XmlNode | undefined {
  let node = doc.children[0];
  for (const name of path) {
    node = node?.children.find((c) => c.name === name);
    if (!node) return undefined;
  }
  return node;
}
