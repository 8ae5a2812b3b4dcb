/**
 * JSON Schemas (draft-07, for ajv) of the App Mesh objects the appmesh routers render, written from
 * the published CRDs of aws-app-mesh-controller-for-k8s for the fields gitcanary writes:
 * - `appmesh.k8s.aws/v1beta2` VirtualNode, VirtualRouter, VirtualService: `config/crd/bases/
 *   appmesh.k8s.aws_{virtualnodes,virtualrouters,virtualservices}.yaml` (v1.x), with their
 *   bounds (ports 1–65535, weights 0–100, priority 0–1000, ≤ 10 targets and headers, header names
 *   ≤ 50 characters, the protocol, duration-unit and retry-event enums).
 * - `appmesh.k8s.aws/v1beta1` VirtualNode and VirtualService: the v0.x controller's
 *   `deploy/all.yaml` CRDs (v0.5.0) and Go types (`pkg/apis/appmesh/v1beta1/types.go`). Those CRDs
 *   leave most objects open; here they are closed. `priority` sits on the route, as in the Go types
 *   (and Flagger's copy of them), not under `http` where the v0.5.0 CRD text lists it.
 * Objects are closed (`additionalProperties: false`) so a typo in a rendered key fails.
 */

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const array = (items: Schema, minItems = 0, maxItems?: number): Schema => ({
  type: 'array',
  items,
  minItems,
  ...(maxItems !== undefined ? { maxItems } : {}),
});
const metadata = closed({ name: str, namespace: str, labels: stringMap, annotations: stringMap }, ['name']);
const resource = (apiVersion: string, kind: string, spec: Schema) =>
  closed({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };
const weight: Schema = { type: 'integer', minimum: 0, maximum: 100 };
const retryEvents = array({ enum: ['server-error', 'gateway-error', 'client-error', 'stream-error'] }, 1, 25);
const accessLog = closed({ accessLog: closed({ file: closed({ path: str }, ['path']) }) });

// ---- appmesh.k8s.aws/v1beta2 ----
const duration = closed({ unit: { enum: ['s', 'ms'] }, value: { type: 'integer', minimum: 0 } }, [
  'unit',
  'value',
]);
const httpTimeout = closed({ perRequest: duration, idle: duration });
const portMapping = closed({ port, protocol: { enum: ['grpc', 'http', 'http2', 'tcp'] } }, [
  'port',
  'protocol',
]);
const bounded = (n: number): Schema => ({ type: 'string', minLength: 1, maxLength: n });
const headerMatch = closed({
  exact: bounded(255),
  prefix: bounded(255),
  regex: bounded(255),
  suffix: bounded(255),
  range: closed({ start: { type: 'integer' }, end: { type: 'integer' } }, ['start', 'end']),
});
const ref = closed({ name: str, namespace: str }, ['name']);

const virtualNodeV1beta2 = resource(
  'appmesh.k8s.aws/v1beta2',
  'VirtualNode',
  closed({
    podSelector: closed({ matchLabels: stringMap }),
    listeners: array(
      closed({ portMapping, timeout: closed({ http: httpTimeout, http2: httpTimeout, grpc: httpTimeout }) }, [
        'portMapping',
      ]),
    ),
    serviceDiscovery: closed({
      dns: closed({ hostname: str, responseType: { enum: ['ENDPOINTS', 'LOADBALANCER'] } }, ['hostname']),
    }),
    backends: array(
      closed({ virtualService: closed({ virtualServiceRef: ref, virtualServiceARN: str }) }, [
        'virtualService',
      ]),
    ),
    logging: accessLog,
  }),
);

const httpRouteV1beta2 = closed(
  {
    match: closed({
      prefix: str,
      headers: array(
        closed({ name: bounded(50), match: headerMatch, invert: { type: 'boolean' } }, ['name']),
        1,
        10,
      ),
    }),
    action: closed({ weightedTargets: array(closed({ virtualNodeRef: ref, weight }, ['weight']), 1, 10) }, [
      'weightedTargets',
    ]),
    retryPolicy: closed(
      {
        httpRetryEvents: retryEvents,
        maxRetries: { type: 'integer', minimum: 0 },
        perRetryTimeout: duration,
      },
      ['maxRetries', 'perRetryTimeout'],
    ),
    timeout: httpTimeout,
  },
  ['action', 'match'],
);

const virtualRouterV1beta2 = resource(
  'appmesh.k8s.aws/v1beta2',
  'VirtualRouter',
  closed({
    listeners: array(closed({ portMapping }, ['portMapping']), 1),
    routes: array(
      closed(
        { name: str, priority: { type: 'integer', minimum: 0, maximum: 1000 }, httpRoute: httpRouteV1beta2 },
        ['name'],
      ),
    ),
  }),
);

const virtualServiceV1beta2 = resource(
  'appmesh.k8s.aws/v1beta2',
  'VirtualService',
  closed({
    provider: closed({ virtualRouter: closed({ virtualRouterRef: ref, virtualRouterARN: str }) }),
  }),
);

// ---- appmesh.k8s.aws/v1beta1 ----
const portMappingV1beta1 = closed(
  { port: { type: 'integer' }, protocol: { enum: ['tcp', 'http', 'grpc', 'http2', 'https'] } },
  ['port', 'protocol'],
);

const virtualNodeV1beta1 = resource(
  'appmesh.k8s.aws/v1beta1',
  'VirtualNode',
  closed(
    {
      meshName: { type: 'string', minLength: 1 },
      listeners: array(closed({ portMapping: portMappingV1beta1 }, ['portMapping'])),
      serviceDiscovery: closed({ dns: closed({ hostName: str }, ['hostName']) }),
      backends: array(
        closed({ virtualService: closed({ virtualServiceName: str }, ['virtualServiceName']) }),
      ),
      logging: accessLog,
    },
    ['meshName'],
  ),
);

const routeV1beta1 = closed(
  {
    name: str,
    priority: { type: 'integer' },
    http: closed(
      {
        match: closed(
          {
            prefix: str,
            headers: array(closed({ name: str, invert: { type: 'boolean' }, match: headerMatch }, ['name'])),
          },
          ['prefix'],
        ),
        action: closed(
          {
            weightedTargets: array(
              closed({ virtualNodeName: str, weight: { type: 'integer' } }, ['virtualNodeName', 'weight']),
              1,
            ),
          },
          ['weightedTargets'],
        ),
        retryPolicy: closed({
          perRetryTimeoutMillis: { type: 'integer' },
          maxRetries: { type: 'integer' },
          httpRetryEvents: retryEvents,
        }),
      },
      ['match', 'action'],
    ),
  },
  ['name'],
);

const virtualServiceV1beta1 = resource(
  'appmesh.k8s.aws/v1beta1',
  'VirtualService',
  closed(
    {
      meshName: { type: 'string', minLength: 1 },
      virtualRouter: closed(
        { name: str, listeners: array(closed({ portMapping: portMappingV1beta1 }, ['portMapping'])) },
        ['name'],
      ),
      routes: array(routeV1beta1),
    },
    ['meshName'],
  ),
);

/** Schema of each App Mesh kind, keyed by `<apiVersion>/<kind>`. */
export const appMeshSchemas: Record<string, Schema> = {
  'appmesh.k8s.aws/v1beta1/VirtualNode': virtualNodeV1beta1,
  'appmesh.k8s.aws/v1beta1/VirtualService': virtualServiceV1beta1,
  'appmesh.k8s.aws/v1beta2/VirtualNode': virtualNodeV1beta2,
  'appmesh.k8s.aws/v1beta2/VirtualRouter': virtualRouterV1beta2,
  'appmesh.k8s.aws/v1beta2/VirtualService': virtualServiceV1beta2,
};
