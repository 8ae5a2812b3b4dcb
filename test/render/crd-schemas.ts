/**
 * JSON Schemas (draft-07, for ajv) of the routing objects the weight-based routers render, written
 * from the published CRD OpenAPI schemas for the fields gitcanary writes:
 * - HTTPProxy: projectcontour.io/v1 (`examples/contour/01-crds.yaml`, `apis/projectcontour/v1/httpproxy.go`);
 * - TrafficSplit: split.smi-spec.io v1alpha1/v1alpha2 (linkerd-smi `trafficsplit-crd.yaml`), v1alpha3 (smi-sdk-go `crds/split.yaml`);
 * - Upstream / RouteTable: gloo.solo.io/v1 and gateway.solo.io/v1 (the Gloo Edge protobuf API reference);
 * - TrafficRoute: kuma.io/v1alpha1 (Kuma `policy_traffic-route` reference; cluster-scoped, top-level `mesh`);
 * - ApisixRoute: apisix.apache.org/v2 (apisix-ingress-controller `apisix.apache.org_apisixroutes.yaml`);
 * - App Mesh v1beta1/v1beta2: appmesh-crd-schemas.ts.
 * Objects are closed (`additionalProperties: false`) wherever the CRD lists properties, so a typo
 * in a rendered key fails; pass-through user configuration stays open.
 */

import { appMeshSchemas } from './appmesh-crd-schemas.js';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const int: Schema = { type: 'integer' };
const uint32: Schema = { type: 'integer', minimum: 0, maximum: 4294967295 };
const open: Schema = { type: 'object' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const intOrString: Schema = { anyOf: [{ type: 'integer' }, { type: 'string' }] };

const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const array = (items: Schema, minItems = 0): Schema => ({ type: 'array', items, minItems });

const metadata = closed({ name: str, namespace: str, labels: stringMap, annotations: stringMap }, ['name']);
/** Metadata of a cluster-scoped object: a namespace is an error. */
const clusterMetadata = closed({ name: str, labels: stringMap, annotations: stringMap }, ['name']);

const resource = (apiVersion: string, kind: string, spec: Schema, extra: Record<string, Schema> = {}) =>
  closed({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec, ...extra }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
    ...Object.keys(extra),
  ]);

// ---- projectcontour.io/v1 HTTPProxy ----
const contourDuration: Schema = {
  type: 'string',
  pattern:
    '^(((\\d*(\\.\\d*)?h)|(\\d*(\\.\\d*)?m)|(\\d*(\\.\\d*)?s)|(\\d*(\\.\\d*)?ms)|(\\d*(\\.\\d*)?us)|(\\d*(\\.\\d*)?µs)|(\\d*(\\.\\d*)?ns))+|infinity|infinite)$',
};
const headerMatchCondition = closed(
  {
    name: str,
    present: bool,
    notpresent: bool,
    contains: str,
    notcontains: str,
    ignoreCase: bool,
    exact: str,
    notexact: str,
    regex: str,
    treatMissingAsEmpty: bool,
  },
  ['name'],
);
const matchCondition = closed({
  prefix: str,
  exact: str,
  regex: str,
  header: headerMatchCondition,
  queryParameter: open,
});
const headersPolicy = closed({
  set: array(
    closed({ name: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 } }, [
      'name',
      'value',
    ]),
  ),
  remove: array(str),
});
const proxyService = closed(
  {
    name: str,
    port: { type: 'integer', minimum: 1, exclusiveMaximum: 65536 },
    protocol: { enum: ['h2', 'h2c', 'tls'] },
    weight: { type: 'integer', minimum: 0 },
    validation: open,
    mirror: bool,
    requestHeadersPolicy: headersPolicy,
    responseHeadersPolicy: headersPolicy,
  },
  ['name', 'port'],
);
const retryOn: Schema = {
  enum: [
    '5xx',
    'gateway-error',
    'reset',
    'reset-before-request',
    'connect-failure',
    'envoy-ratelimited',
    'retriable-4xx',
    'refused-stream',
    'retriable-status-codes',
    'retriable-headers',
    'http3-post-connect-failure',
    'cancelled',
    'deadline-exceeded',
    'internal',
    'resource-exhausted',
    'unavailable',
  ],
};
const proxyRoute = closed(
  {
    conditions: array(matchCondition),
    services: array(proxyService, 1),
    enableWebsockets: bool,
    timeoutPolicy: closed({
      response: contourDuration,
      idle: contourDuration,
      idleConnection: contourDuration,
    }),
    retryPolicy: closed({
      count: { type: 'integer', minimum: -1 },
      perTryTimeout: contourDuration,
      retryOn: array(retryOn),
      retriableStatusCodes: array(uint32),
    }),
  },
  ['services'],
);
const httpProxy = resource(
  'projectcontour.io/v1',
  'HTTPProxy',
  closed({ routes: array(proxyRoute), ingressClassName: str }),
);

// ---- split.smi-spec.io TrafficSplit ----
/** Kubernetes resource.Quantity (`10`, `500m`, `1k`). */
const quantity: Schema = {
  type: 'string',
  pattern:
    '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
};
const trafficSplit = (version: string, weight: Schema, extra: Record<string, Schema> = {}) =>
  resource(
    `split.smi-spec.io/${version}`,
    'TrafficSplit',
    closed(
      { service: str, backends: array(closed({ service: str, weight }, ['service', 'weight'])), ...extra },
      ['service', 'backends'],
    ),
  );

// ---- gloo.solo.io/v1 Upstream, gateway.solo.io/v1 RouteTable ----
const upstream = resource(
  'gloo.solo.io/v1',
  'Upstream',
  closed({
    kube: closed({
      serviceName: str,
      serviceNamespace: str,
      servicePort: uint32,
      selector: stringMap,
      serviceSpec: open,
      subsetSpec: open,
    }),
    sslConfig: open,
    circuitBreakers: closed({
      maxConnections: uint32,
      maxPendingRequests: uint32,
      maxRequests: uint32,
      maxRetries: uint32,
    }),
    connectionConfig: open,
    loadBalancerConfig: open,
    healthChecks: array(open),
    outlierDetection: open,
    useHttp2: bool,
    initialStreamWindowSize: uint32,
    initialConnectionWindowSize: uint32,
    httpProxyHostname: str,
  }),
);
const resourceRef = closed({ name: str, namespace: str }, ['name']);
const glooMatcher = closed({
  prefix: str,
  exact: str,
  regex: str,
  caseSensitive: bool,
  headers: array(closed({ name: str, value: str, regex: bool, invertMatch: bool }, ['name'])),
  queryParameters: array(closed({ name: str, value: str, regex: bool }, ['name'])),
  methods: array(str),
});
const weightedDestination = closed(
  { destination: closed({ upstream: resourceRef }, ['upstream']), weight: uint32, options: open },
  ['destination'],
);
const routeTable = resource(
  'gateway.solo.io/v1',
  'RouteTable',
  closed({
    routes: array(
      closed({
        name: str,
        matchers: array(glooMatcher),
        inheritableMatchers: bool,
        inheritablePathMatchers: bool,
        routeAction: closed({
          multi: closed({ destinations: array(weightedDestination, 1) }, ['destinations']),
        }),
        options: open,
      }),
    ),
    weight: int,
  }),
);

// ---- kuma.io/v1alpha1 TrafficRoute (cluster-scoped) ----
const kumaSelector = closed({ match: stringMap });
const trafficRoute = closed(
  {
    apiVersion: { const: 'kuma.io/v1alpha1' },
    kind: { const: 'TrafficRoute' },
    mesh: { type: 'string', minLength: 1 },
    metadata: clusterMetadata,
    spec: closed(
      {
        sources: array(kumaSelector, 1),
        destinations: array(kumaSelector, 1),
        conf: closed({
          split: array(closed({ weight: uint32, destination: stringMap }, ['weight', 'destination'])),
          destination: stringMap,
          loadBalancer: open,
          http: array(open),
        }),
      },
      ['sources', 'destinations', 'conf'],
    ),
  },
  ['apiVersion', 'kind', 'mesh', 'metadata', 'spec'],
);

// ---- serving.knative.dev/v1 Service (Knative Serving API reference: ServiceSpec, TrafficTarget) ----
const knativeService = closed(
  {
    apiVersion: { const: 'serving.knative.dev/v1' },
    kind: { const: 'Service' },
    metadata,
    spec: closed(
      {
        template: closed({ metadata: open, spec: open }, ['spec']),
        traffic: array(
          closed({
            tag: str,
            revisionName: str,
            configurationName: str,
            latestRevision: { type: 'boolean' },
            percent: { type: 'integer', minimum: 0, maximum: 100 },
            url: str,
          }),
        ),
      },
      ['template'],
    ),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

// ---- apisix.apache.org/v2 ApisixRoute ----
const apisixBackend = closed(
  { serviceName: str, servicePort: intOrString, resolveGranularity: str, weight: int, subset: str },
  ['serviceName', 'servicePort'],
);
const apisixHttp = closed(
  {
    name: str,
    priority: int,
    timeout: closed({ connect: str, read: str, send: str }),
    match: closed(
      {
        paths: array(str),
        methods: array(str),
        hosts: array(str),
        remoteAddrs: array(str),
        exprs: array(open),
        filter_func: str,
      },
      ['paths'],
    ),
    backends: array(apisixBackend),
    upstreams: array(closed({ name: str, weight: int })),
    websocket: bool,
    plugin_config_name: str,
    plugin_config_namespace: str,
    plugins: array(closed({ name: str, enable: bool, config: {}, secretRef: str }, ['enable', 'name'])),
    authentication: open,
  },
  ['name'],
);
const apisixRoute = resource(
  'apisix.apache.org/v2',
  'ApisixRoute',
  closed({ http: array(apisixHttp), ingressClassName: str, stream: array(open) }),
);

/** Schema of each routing kind, keyed by `<apiVersion>/<kind>`. */
/** KEDA `keda.sh/v1alpha1` ScaledObject (keda CRD `scaledobjects.keda.sh`, main fields). */
const scaledObject = resource(
  'keda.sh/v1alpha1',
  'ScaledObject',
  closed(
    {
      scaleTargetRef: closed({ name: str, apiVersion: str, kind: str, envSourceContainerName: str }, [
        'name',
      ]),
      pollingInterval: int,
      cooldownPeriod: int,
      initialCooldownPeriod: int,
      idleReplicaCount: int,
      minReplicaCount: int,
      maxReplicaCount: int,
      advanced: closed({
        horizontalPodAutoscalerConfig: closed({ name: str, behavior: open }),
        restoreToOriginalReplicaCount: bool,
        scalingModifiers: open,
      }),
      fallback: closed({ failureThreshold: int, replicas: int }, ['failureThreshold', 'replicas']),
      triggers: array(
        closed(
          {
            type: str,
            name: str,
            metadata: stringMap,
            authenticationRef: closed({ name: str, kind: str }, ['name']),
            metricType: { enum: ['AverageValue', 'Value', 'Utilization'] },
            useCachedMetrics: bool,
          },
          ['type', 'metadata'],
        ),
      ),
    },
    ['scaleTargetRef', 'triggers'],
  ),
);

export const crdSchemas: Record<string, Schema> = {
  'keda.sh/v1alpha1/ScaledObject': scaledObject,
  'projectcontour.io/v1/HTTPProxy': httpProxy,
  'split.smi-spec.io/v1alpha1/TrafficSplit': trafficSplit('v1alpha1', { anyOf: [int, quantity] }),
  'split.smi-spec.io/v1alpha2/TrafficSplit': trafficSplit('v1alpha2', { type: 'number' }),
  'split.smi-spec.io/v1alpha3/TrafficSplit': trafficSplit(
    'v1alpha3',
    { type: 'number' },
    {
      matches: array(closed({ kind: { enum: ['HTTPRouteGroup'] }, name: str }, ['kind', 'name'])),
    },
  ),
  'gloo.solo.io/v1/Upstream': upstream,
  'gateway.solo.io/v1/RouteTable': routeTable,
  'kuma.io/v1alpha1/TrafficRoute': trafficRoute,
  'serving.knative.dev/v1/Service': knativeService,
  'apisix.apache.org/v2/ApisixRoute': apisixRoute,
  ...appMeshSchemas,
};
