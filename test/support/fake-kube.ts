/**
 * A loopback server that behaves as the Kubernetes API for the objects gitcanary reads: GET of
 * one object by its API path, `Authorization: Bearer <token>` checked, `metadata.resourceVersion`
 * set, 404 / 403 / 410 answered with `kind: Status` bodies as the API server does. Any other
 * method is a violation (gitcanary never writes the cluster), recorded and refused.
 */
import { createServer } from 'node:http';
import { listenLoopback } from './loopback.js';

export interface FakeKube {
  url: string;
  token: string;
  /** Objects by API path (`/apis/apps/v1/namespaces/test/deployments/podinfo`). */
  objects: Map<string, Record<string, unknown>>;
  /** Paths the ServiceAccount may not get (403). */
  forbidden: Set<string>;
  /** Paths answered 410 Gone. */
  gone: Set<string>;
  /**
   * External metrics by `namespace/metricName`: items with their labels; a GET of
   * `/apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}?labelSelector=k=v,…` answers
   * the items whose labels match every `k=v` of the selector, as an ExternalMetricValueList.
   */
  externalMetrics: Map<string, { metricLabels: Record<string, string>; value: string }[]>;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  requests: { method: string; path: string }[];
  /** The external metrics reads, with the selector and the Authorization header each carried. */
  metricRequests: { path: string; labelSelector?: string; authorization?: string }[];
  violations: string[];
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });

export async function startFakeKube(token = 'kube-test-token'): Promise<FakeKube> {
  let version = 1000;
  const state: Omit<FakeKube, 'url' | 'close'> = {
    token,
    objects: new Map(),
    forbidden: new Set(),
    gone: new Set(),
    externalMetrics: new Map(),
    delayMs: 0,
    requests: [],
    metricRequests: [],
    violations: [],
  };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname;
    const labelSelector = u.searchParams.get('labelSelector') ?? undefined;
    state.requests.push({ method: req.method ?? '', path });
    const send = (code: number, body: string) =>
      setTimeout(() => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(body);
      }, state.delayMs);
    if (req.method !== 'GET') {
      state.violations.push(`${req.method} ${path}`);
      return send(405, status(405, 'MethodNotAllowed', 'gitcanary must never write to the cluster'));
    }
    if (req.headers.authorization !== `Bearer ${state.token}`)
      return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const ext = /^\/apis\/external\.metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/([^/]+)$/.exec(path);
    if (ext) {
      state.metricRequests.push({
        path,
        ...(labelSelector !== undefined ? { labelSelector } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const [, namespace = '', metric = ''] = ext;
      const extra = [...u.searchParams.keys()].filter((k) => k !== 'labelSelector');
      if (extra.length > 0) state.violations.push(`GET ${path}: unexpected parameters ${extra.join(', ')}`);
      const items = state.externalMetrics.get(`${namespace}/${metric}`);
      if (!items) return send(404, status(404, 'NotFound', `the server could not find the metric ${metric}`));
      const wanted = (labelSelector ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('='));
      const matched = items.filter((i) => wanted.every(([k = '', v]) => i.metricLabels[k] === v));
      return send(
        200,
        JSON.stringify({
          kind: 'ExternalMetricValueList',
          apiVersion: 'external.metrics.k8s.io/v1beta1',
          metadata: {},
          items: matched.map((i) => ({ metricName: metric, ...i, timestamp: '2026-12-07T12:00:00Z' })),
        }),
      );
    }
    const m = /^\/(?:api|apis\/[^/]+)\/[^/]+\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) {
      state.violations.push(`GET ${path} (not a single-object read)`);
      return send(403, status(403, 'Forbidden', `forbidden: list or watch is not allowed: ${path}`));
    }
    const [, namespace, resource, name] = m;
    if (state.forbidden.has(path)) {
      return send(
        403,
        status(
          403,
          'Forbidden',
          `${resource} "${name}" is forbidden: User "system:serviceaccount:gitcanary:gitcanary" cannot get resource "${resource}" in the namespace "${namespace}"`,
        ),
      );
    }
    if (state.gone.has(path)) return send(410, status(410, 'Gone', 'the resource version is too old'));
    const o = state.objects.get(path);
    if (!o) return send(404, status(404, 'NotFound', `${resource} "${name}" not found`));
    const meta = (o.metadata ?? {}) as Record<string, unknown>;
    return send(200, JSON.stringify({ ...o, metadata: { ...meta, resourceVersion: String(version++) } }));
  });
  const served = await listenLoopback(server);
  return Object.assign(state, {
    url: served.url,
    close: served.close,
  });
}
