/**
 * The published schema of every kind gitcanary renders, keyed by `<apiVersion>/<kind>`:
 * - core kinds through kubernetes-models 4.5.1;
 * - Istio VirtualService / DestinationRule through @kubernetes-models/istio 2.3.0 (v1beta1 only);
 * - Gateway API HTTPRoute v1 / v1beta1 through @kubernetes-models/gateway-api 0.5.1;
 * - TraefikService through @kubernetes-models/traefik 0.2.4;
 * - Contour, SMI, Gloo, Kuma and APISIX through the CRD-derived JSON Schemas of crd-schemas.ts;
 * - the rendered kustomization.yaml through a small closed schema.
 * The models accept unknown fields, so routing objects (and Services) also get an unknown-key
 * check: the whole object against the model's own schema where it can be read (Istio, Gateway
 * API), the top level and `spec` top level against the API reference's field list otherwise.
 * A kind missing here has no schema, and `schemaErrors` reports it as an error.
 */
import { HTTPRoute as HTTPRouteV1 } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { HTTPRoute as HTTPRouteV1beta1 } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/HTTPRoute';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { TraefikService } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TraefikService';
import { Ajv } from 'ajv';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler as HpaV1 } from 'kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler';
import { HorizontalPodAutoscaler as HpaV2 } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { HorizontalPodAutoscaler as HpaV2beta2 } from 'kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { K8sObject } from '../../src/inputs/model.js';
import { list, rec } from '../../src/render/meta.js';
import { crdSchemas } from './crd-schemas.js';

type Schema = Record<string, unknown>;

/** A kubernetes-models class: `new M(obj).validate()` throws a ValidationError on a schema violation. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

/** `data/<json-pointer> <message>` of each violation, from a model's ValidationError. */
function modelErrors(model: ModelClass, o: unknown): string[] {
  try {
    new model(o as never).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

/**
 * The JSON Schema a model validates against. The models do not export it, but Istio's and Gateway
 * API's validators (ajv, `verbose`) attach it as `parentSchema` to the `required` error of an object
 * without apiVersion and kind.
 */
function publishedSchema(model: ModelClass): Schema {
  try {
    new model({ apiVersion: undefined, kind: undefined } as never).validate();
  } catch (e) {
    const errors = (e as { errors?: { keyword: string; instancePath: string; parentSchema?: Schema }[] })
      .errors;
    const root = errors?.find((x) => x.keyword === 'required' && x.instancePath === '')?.parentSchema;
    if (root?.['properties']) return root;
  }
  throw new Error(`cannot read the published schema of ${model.apiVersion} ${model.kind}`);
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Keys of `data` that `schema` does not declare, as JSON pointers, at every depth the schema
 * describes. An object schema without properties, with `additionalProperties` or with
 * `x-kubernetes-preserve-unknown-fields` is open (a map or free-form value); `$ref`s are not followed.
 * @example unknownKeys({ spec: { htttp: [] } }, { properties: { spec: { properties: { http: {} } } } })
 * // ['/spec/htttp']
 */
export function unknownKeys(data: unknown, schema: Schema, path = ''): string[] {
  if (Array.isArray(data)) {
    const items = schema['items'];
    return isObject(items) ? data.flatMap((d, i) => unknownKeys(d, items, `${path}/${i}`)) : [];
  }
  if (!isObject(data) || schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  const branches = [schema, ...['allOf', 'anyOf', 'oneOf'].flatMap((k) => (schema[k] ?? []) as Schema[])];
  const properties: Record<string, Schema> = Object.assign(
    {},
    ...branches.map((b) => (isObject(b['properties']) ? b['properties'] : {})),
  );
  const additional = schema['additionalProperties'];
  const closed = Object.keys(properties).length > 0 && (additional === undefined || additional === false);
  return Object.entries(data).flatMap(([k, v]) => {
    const at = `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const sub = properties[k] ?? (isObject(additional) ? additional : undefined);
    if (sub) return unknownKeys(v, sub, at);
    return closed ? [`${at} is not a known field`] : [];
  });
}

/** A schema declaring only the top-level keys of a kind and those of its `spec`. */
const topLevel = (spec: readonly string[]): Schema => ({
  properties: {
    apiVersion: {},
    kind: {},
    metadata: {},
    spec: { properties: Object.fromEntries(spec.map((k) => [k, {}])) },
  },
});

/**
 * `spec` fields of the kinds whose model schema cannot be read: Ingress and Service from
 * kubernetes-models 4.5.1 (`IIngressSpec`, `IServiceSpec`), TraefikService from Traefik's CRD.
 */
const ingressFields = topLevel(['defaultBackend', 'ingressClassName', 'rules', 'tls']);
const serviceFields = topLevel([
  'allocateLoadBalancerNodePorts',
  'clusterIP',
  'clusterIPs',
  'externalIPs',
  'externalName',
  'externalTrafficPolicy',
  'healthCheckNodePort',
  'internalTrafficPolicy',
  'ipFamilies',
  'ipFamilyPolicy',
  'loadBalancerClass',
  'loadBalancerIP',
  'loadBalancerSourceRanges',
  'ports',
  'publishNotReadyAddresses',
  'selector',
  'sessionAffinity',
  'sessionAffinityConfig',
  'trafficDistribution',
  'type',
]);
const traefikServiceFields = topLevel(['mirroring', 'weighted']);

/** The rendered `rendered/kustomization.yaml`: only apiVersion, kind and the list of files. */
const kustomizationSchema: Schema = {
  type: 'object',
  properties: {
    apiVersion: { const: 'kustomize.config.k8s.io/v1beta1' },
    kind: { const: 'Kustomization' },
    resources: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
  },
  required: ['apiVersion', 'kind', 'resources'],
  additionalProperties: false,
};

const ajv = new Ajv({ allErrors: true });
const ajvCheck = (schema: Schema) => {
  const validate = ajv.compile(schema);
  return (o: unknown): string[] =>
    validate(o)
      ? []
      : (validate.errors ?? []).map((e) => {
          const extra =
            e.keyword === 'additionalProperties' ? `: ${String(e.params['additionalProperty'])}` : '';
          return `${e.instancePath || '(root)'} ${e.message}${extra}`;
        });
};

/** Every problem of one object: schema violations and unknown keys. */
type KindCheck = (o: K8sObject) => string[];

/** The model's schema, plus unknown keys against `fields` when given. */
const model =
  (m: ModelClass, fields?: Schema): KindCheck =>
  (o) => [...modelErrors(m, o), ...(fields ? unknownKeys(o, fields) : [])];

/**
 * Istio's networking.istio.io/v1 is v1beta1 promoted with the same fields, and
 * @kubernetes-models/istio 2.3.0 has no v1 model (3.x does, but needs Node 22): a v1 object is
 * validated as v1beta1 with only its apiVersion swapped.
 */
const istioV1 =
  (m: ModelClass): KindCheck =>
  (o) =>
    model(m, publishedSchema(m))({ ...o, apiVersion: m.apiVersion });

// ---- Gateway API CORS filter ----
const headerName: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: "^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$",
};
/**
 * `HTTPCORSFilter` as the experimental-channel CRDs define it (gateway-api `apis/v1/httproute_types.go`,
 * GEP-1767; CEL rules not included).
 */
const corsFilterSchema: Schema = {
  type: 'object',
  properties: {
    type: { const: 'CORS' },
    cors: {
      type: 'object',
      properties: {
        allowOrigins: {
          type: 'array',
          maxItems: 64,
          items: {
            type: 'string',
            minLength: 1,
            maxLength: 253,
            pattern: '^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\\?([^#]*))?(#(.*))?',
          },
        },
        allowCredentials: { type: 'boolean' },
        allowMethods: {
          type: 'array',
          maxItems: 9,
          items: {
            enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*'],
          },
        },
        allowHeaders: { type: 'array', maxItems: 64, items: headerName },
        exposeHeaders: { type: 'array', maxItems: 64, items: headerName },
        maxAge: { type: 'integer', minimum: 1, maximum: 2147483647 },
      },
      additionalProperties: false,
    },
  },
  required: ['type', 'cors'],
  additionalProperties: false,
};

/**
 * HTTPRoute through its model, except CORS filters: the `CORS` filter type (GEP-1767) came after
 * Gateway API v1.0.0, which the 0.5.1 models are built from, and is still experimental-channel only
 * (standard-channel CRDs reject it). The route is validated without them, each CORS filter against
 * corsFilterSchema.
 */
function httpRoute(m: ModelClass): KindCheck {
  const fields = publishedSchema(m);
  const cors = ajvCheck(corsFilterSchema);
  const isCors = (f: unknown) => rec(f)['type'] === 'CORS';
  return (o) => {
    const route = structuredClone(o);
    const problems: string[] = [];
    /** Checks and removes the CORS filters of a rule or backendRef. */
    const strip = (owner: Record<string, unknown>, at: string) => {
      const filters = list(owner['filters']);
      for (const [i, f] of filters.entries())
        if (isCors(f)) problems.push(...cors(f).map((e) => `${at}/filters/${i}${e}`));
      if (filters.some(isCors)) owner['filters'] = filters.filter((f) => !isCors(f));
    };
    for (const [i, rule] of list(rec(route['spec'])['rules']).entries()) {
      strip(rec(rule), `/spec/rules/${i}`);
      for (const [j, ref] of list(rec(rule)['backendRefs']).entries())
        strip(rec(ref), `/spec/rules/${i}/backendRefs/${j}`);
    }
    return [...model(m, fields)(route), ...problems];
  };
}

const checks: Record<string, KindCheck> = {
  'v1/Service': model(Service, serviceFields),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'apps/v1/Deployment': model(Deployment),
  'apps/v1/DaemonSet': model(DaemonSet),
  'autoscaling/v1/HorizontalPodAutoscaler': model(HpaV1),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HpaV2),
  'autoscaling/v2beta2/HorizontalPodAutoscaler': model(HpaV2beta2),
  'networking.k8s.io/v1/Ingress': model(Ingress, ingressFields),
  'networking.istio.io/v1beta1/VirtualService': model(VirtualService, publishedSchema(VirtualService)),
  'networking.istio.io/v1beta1/DestinationRule': model(DestinationRule, publishedSchema(DestinationRule)),
  'networking.istio.io/v1/VirtualService': istioV1(VirtualService),
  'networking.istio.io/v1/DestinationRule': istioV1(DestinationRule),
  'gateway.networking.k8s.io/v1/HTTPRoute': httpRoute(HTTPRouteV1),
  'gateway.networking.k8s.io/v1beta1/HTTPRoute': httpRoute(HTTPRouteV1beta1),
  'traefik.io/v1alpha1/TraefikService': model(TraefikService, traefikServiceFields),
  ...Object.fromEntries(Object.entries(crdSchemas).map(([key, s]) => [key, ajvCheck(s)])),
  'kustomize.config.k8s.io/v1beta1/Kustomization': ajvCheck(kustomizationSchema),
};

/** `<apiVersion>/<kind>` of an object. */
export const keyOf = (o: K8sObject): string => `${o.apiVersion}/${o.kind}`;

/** Every `<apiVersion>/<kind>` that has a schema. */
export const schemaKeys = (): string[] => Object.keys(checks).sort();

/**
 * Schema violations and unknown keys of `o`, as `path message` lines; empty when valid. A kind
 * without a schema is an error, so a new kind cannot go unvalidated.
 * @example schemaErrors(virtualServiceWithTypo) // ['/spec/htttp is not a known field']
 */
export function schemaErrors(o: K8sObject): string[] {
  const check = checks[keyOf(o)];
  return check ? check(o) : [`no schema for ${keyOf(o)}: add one to test/render/object-schemas.ts`];
}
