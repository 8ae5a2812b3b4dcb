/**
 * Schemas for Flagger's `flagger.app/v1beta1` kinds (Canary, MetricTemplate, AlertProvider).
 *
 * Every object is strict: unknown keys are reported (as warnings, by the validator) so typos such
 * as `stepWieght` are seen. Defaults are NOT applied here; they live in `defaults.ts` so that the
 * status of "unset" is never lost.
 */
import { z } from 'zod';
import { durationProblem } from './duration.js';

const str = z.string();
const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
const stringMap = z.record(z.string(), z.string());
/** Free-form Kubernetes/Istio structures passed through to rendered objects. */
const loose = z.record(z.string(), z.unknown());

export { durationPattern } from './duration.js';

/**
 * A duration as Flagger admits it: the CRD pattern `^[0-9]+(m|s)`, then Go's `time.ParseDuration`
 * (so `1m30s` and `500ms` pass, `.5s`, `1h` and `5mx` do not).
 */
const duration = str.superRefine((s, ctx) => {
  const problem = durationProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Kubernetes object name (RFC 1123 label/subdomain); also rules out `/` and `..` in file names. */
export const k8sName = str
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name (a-z, 0-9, "-", ".")')
  .refine((s) => !s.includes('..'), 'must not contain ".."');

export const stringMatch = obj({
  exact: str.optional(),
  prefix: str.optional(),
  suffix: str.optional(),
  regex: str.optional(),
});

/** Istio HTTPMatchRequest (used by service.match and analysis.match). */
export const httpMatchRequest = obj({
  name: str.optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: z.record(z.string(), stringMatch).optional(),
  port: z.number().int().optional(),
  sourceLabels: stringMap.optional(),
  gateways: z.array(str).optional(),
  queryParams: z.record(z.string(), stringMatch).optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: z.record(z.string(), stringMatch).optional(),
  sourceNamespace: str.optional(),
});

const headerOps = obj({
  add: stringMap.optional(),
  set: stringMap.optional(),
  remove: z.array(str).optional(),
});
const objectMeta = obj({ labels: stringMap.optional(), annotations: stringMap.optional() });

const gatewayRef = obj({
  group: str.optional(),
  kind: str.optional(),
  name: str.min(1),
  namespace: str.optional(),
  sectionName: str.optional(),
  port: z.number().int().optional(),
});

export const serviceSchema = obj({
  name: k8sName.optional(),
  port: z.number().int().min(1).max(65535),
  portName: str.optional(),
  targetPort: z.union([z.number().int().min(1).max(65535), str.min(1)]).optional(),
  appProtocol: str.optional(),
  trafficDistribution: z.enum(['PreferClose', 'PreferSameZone', 'PreferSameNode']).optional(),
  portDiscovery: z.boolean().optional(),
  headless: z.boolean().optional(),
  timeout: str.optional(),
  backendTimeout: str.optional(),
  gateways: z.array(str).optional(),
  gatewayRefs: z.array(gatewayRef).optional(),
  hosts: z.array(str).optional(),
  delegation: z.boolean().optional(),
  trafficPolicy: loose.optional(),
  match: z.array(httpMatchRequest).optional(),
  rewrite: obj({ uri: str.optional(), authority: str.optional(), type: str.optional() }).optional(),
  retries: obj({
    attempts: z.number().int().optional(),
    perTryTimeout: str.optional(),
    retryOn: str.optional(),
  }).optional(),
  headers: obj({ request: headerOps.optional(), response: headerOps.optional() }).optional(),
  corsPolicy: loose.optional(),
  mirror: z.array(loose).optional(),
  meshName: str.optional(),
  backends: z.array(str).optional(),
  apex: objectMeta.optional(),
  primary: objectMeta.optional(),
  canary: objectMeta.optional(),
  unmanagedMetadata: obj({
    annotations: z.array(str).optional(),
    labels: z.array(str).optional(),
  }).optional(),
});

export const metricSchema = obj({
  name: str.min(1),
  interval: duration.optional(),
  threshold: z.number().optional(),
  thresholdRange: obj({ min: z.number().optional(), max: z.number().optional() }).optional(),
  query: str.optional(),
  templateRef: obj({ name: str.min(1), namespace: str.optional() }).optional(),
  templateVariables: stringMap.optional(),
});

export const webhookTypes = [
  '',
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-promotion',
  'post-rollout',
  'event',
  'rollback',
  'confirm-traffic-increase',
] as const;

export const webhookSchema = obj({
  name: str.min(1),
  type: z.enum(webhookTypes).optional(),
  url: str.min(1),
  timeout: duration.optional(),
  retries: z.number().int().min(0).optional(),
  disableTLS: z.boolean().optional(),
  muteAlert: z.boolean().optional(),
  metadata: stringMap.optional(),
});

export const alertSchema = obj({
  name: str.min(1),
  severity: z.enum(['', 'info', 'warn', 'error']).optional(),
  providerRef: obj({ name: str.min(1), namespace: str.optional() }),
});

export const sessionAffinitySchema = obj({
  cookieName: str.min(1),
  primaryCookieName: str.optional(),
  maxAge: z.number().int().optional(),
  domain: str.optional(),
  httpOnly: z.boolean().optional(),
  partitioned: z.boolean().optional(),
  path: str.optional(),
  sameSite: z.enum(['Strict', 'Lax', 'None']).optional(),
  secure: z.boolean().optional(),
});

const weight = z.number().int().min(0).max(100);

export const analysisSchema = obj({
  interval: duration.optional(),
  threshold: z.number().int().optional(),
  iterations: z.number().int().min(0).optional(),
  maxWeight: weight.optional(),
  stepWeight: weight.optional(),
  stepWeights: z.array(z.number().int().min(0)).optional(),
  stepWeightPromotion: weight.optional(),
  mirror: z.boolean().optional(),
  mirrorWeight: weight.optional(),
  primaryReadyThreshold: weight.optional(),
  canaryReadyThreshold: weight.optional(),
  match: z.array(httpMatchRequest).optional(),
  sessionAffinity: sessionAffinitySchema.optional(),
  metrics: z.array(metricSchema).optional(),
  webhooks: z.array(webhookSchema).optional(),
  alerts: z.array(alertSchema).optional(),
});

export const providerIds = [
  'apisix',
  'appmesh',
  'appmesh:v1beta2',
  'contour',
  'gatewayapi:v1',
  'gatewayapi:v1beta1',
  'gloo',
  'istio',
  'knative',
  'kubernetes',
  'kuma',
  'linkerd',
  'nginx',
  'osm',
  'skipper',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
  'traefik',
] as const;

/** Flagger's `IsKnativeService`: a targetRef of kind Service with apiVersion `serving.knative.dev/v1`. */
export const isKnativeTarget = (t: { apiVersion?: string | undefined; kind: string }): boolean =>
  t.kind === 'Service' && t.apiVersion === 'serving.knative.dev/v1';

/**
 * `spec.service` of a Knative canary that sets none: Go's zero value, as Flagger reads it
 * (`port: 0`; a written `service` needs a port of at least 1, so this value means "absent").
 * Nothing renders from it: Knative routes between revisions, not Services.
 */
export const absentKnativeService = { port: 0 } as const;

const canarySpecShape = obj({
  provider: z.enum(providerIds).optional(),
  metricsServer: str.optional(),
  targetRef: obj({
    apiVersion: str.optional(),
    kind: z.enum(['Deployment', 'DaemonSet', 'Service']),
    name: k8sName,
  }),
  autoscalerRef: obj({
    apiVersion: str.optional(),
    kind: z.enum(['HorizontalPodAutoscaler', 'ScaledObject']),
    name: k8sName,
    primaryScalerQueries: stringMap.optional(),
    primaryScalerReplicas: obj({
      minReplicas: z.number().int().min(1).optional(),
      maxReplicas: z.number().int().min(1).optional(),
    }).optional(),
  }).optional(),
  ingressRef: obj({ apiVersion: str.optional(), kind: z.literal('Ingress'), name: k8sName }).optional(),
  routeRef: obj({ apiVersion: str.optional(), kind: z.literal('ApisixRoute'), name: k8sName }).optional(),
  upstreamRef: obj({
    apiVersion: str.optional(),
    kind: z.literal('Upstream'),
    name: str.min(1),
    namespace: str.optional(),
  }).optional(),
  service: serviceSchema,
  analysis: analysisSchema.optional(),
  /** Deprecated alias of `analysis`, read when `analysis` is absent (Flagger `GetAnalysis`). */
  canaryAnalysis: analysisSchema.optional(),
  progressDeadlineSeconds: z.number().int().min(0).optional(),
  skipAnalysis: z.boolean().optional(),
  revertOnDeletion: z.boolean().optional(),
  suspend: z.boolean().optional(),
});

/**
 * The Canary spec. `service` is required (with its `port`) except for a Knative Service target,
 * which routes between revisions: there an absent `service` reads as `absentKnativeService`.
 */
export const canarySpecSchema = canarySpecShape
  .extend({ service: serviceSchema.optional() })
  .superRefine((spec, ctx) => {
    if (spec.service === undefined && !isKnativeTarget(spec.targetRef))
      ctx.addIssue({
        code: 'custom',
        path: ['service'],
        message: 'is required (only a Knative Service target, serving.knative.dev/v1, may omit it)',
      });
  })
  .transform((spec) => ({ ...spec, service: spec.service ?? { ...absentKnativeService } }));

const metadataSchema = z.looseObject({
  name: k8sName,
  namespace: k8sName.optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

export const canarySchema = obj({
  apiVersion: z.literal('flagger.app/v1beta1'),
  kind: z.literal('Canary'),
  metadata: metadataSchema,
  spec: canarySpecSchema,
  status: z.unknown().optional(),
});

export const metricTemplateSchema = obj({
  apiVersion: z.literal('flagger.app/v1beta1'),
  kind: z.literal('MetricTemplate'),
  metadata: metadataSchema,
  spec: obj({
    provider: obj({
      type: z.enum([
        'prometheus',
        'influxdb',
        'datadog',
        'externalmetrics',
        'stackdriver',
        'cloudwatch',
        'newrelic',
        'graphite',
        'dynatrace',
        'keptn',
        'splunk',
      ]),
      address: str.optional(),
      headers: z.record(z.string(), z.array(str)).optional(),
      secretRef: obj({ name: str.min(1) }).optional(),
      region: str.optional(),
      insecureSkipVerify: z.boolean().optional(),
    }),
    query: str.min(1),
  }),
});

export const alertProviderSchema = obj({
  apiVersion: z.literal('flagger.app/v1beta1'),
  kind: z.literal('AlertProvider'),
  metadata: metadataSchema,
  spec: obj({
    type: z.enum(['slack', 'msteams', 'discord', 'rocket', 'gchat']),
    channel: str.optional(),
    username: str.optional(),
    address: str.optional(),
    proxy: str.optional(),
    secretRef: obj({ name: str.min(1) }).optional(),
  }),
});

export type ProviderId = (typeof providerIds)[number];
export type Canary = z.infer<typeof canarySchema>;
export type CanarySpec = z.infer<typeof canarySpecSchema>;
export type ServiceSpec = z.infer<typeof serviceSchema>;
export type AnalysisSpec = z.infer<typeof analysisSchema>;
export type MetricSpec = z.infer<typeof metricSchema>;
export type WebhookSpec = z.infer<typeof webhookSchema>;
export type HttpMatchRequest = z.infer<typeof httpMatchRequest>;
export type MetricTemplate = z.infer<typeof metricTemplateSchema>;
export type AlertProvider = z.infer<typeof alertProviderSchema>;
