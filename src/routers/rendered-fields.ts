/**
 * Which routing fields of `spec.service` (and `analysis.mirrorWeight`) each provider renders, as
 * data. A field the chosen provider does not render is accepted, as Flagger accepts it, but
 * `gitcanary validate` warns, naming the field and the provider, so nobody expects it to act.
 * Fields every provider honours (port, portName, targetPort, appProtocol, headless,
 * trafficDistribution, portDiscovery, apex/primary/canary metadata) are on the Services.
 */
import { analysisOf } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import { absentKnativeService, type ServiceSpec } from '../inputs/schema.js';
import type { RoutedProvider } from './capabilities.js';
import { analysisAt } from './provider-limits.js';
import type { RouterIssue } from './types.js';

/** `spec.service` fields that only a routing object can carry. */
export const routingFields = [
  'timeout',
  'backendTimeout',
  'gateways',
  'gatewayRefs',
  'hosts',
  'delegation',
  'trafficPolicy',
  'match',
  'rewrite',
  'retries',
  'headers',
  'corsPolicy',
  'mirror',
  'meshName',
  'backends',
] as const satisfies readonly (keyof ServiceSpec)[];
export type RoutingField = (typeof routingFields)[number] | 'mirrorWeight';

const gatewayApi: readonly RoutingField[] = [
  'timeout',
  'backendTimeout',
  'gatewayRefs',
  'hosts',
  'match',
  'rewrite',
  'headers',
  'corsPolicy',
  'mirror',
];

const appMesh: readonly RoutingField[] = ['timeout', 'hosts', 'match', 'retries', 'meshName', 'backends'];

/** The routing fields each provider renders (others are ignored by its router, as in Flagger). */
export const renderedFields: Partial<Record<RoutedProvider, readonly RoutingField[]>> = {
  apisix: [],
  appmesh: appMesh,
  'appmesh:v1beta2': appMesh,
  contour: ['timeout', 'retries', 'match'],
  'gatewayapi:v1': gatewayApi,
  // v1beta1 refuses timeout, backendTimeout and corsPolicy outright (see gateway-api.ts).
  'gatewayapi:v1beta1': gatewayApi,
  gloo: [],
  istio: [
    'timeout',
    'gateways',
    'hosts',
    'delegation',
    'trafficPolicy',
    'match',
    'rewrite',
    'retries',
    'headers',
    'corsPolicy',
    'mirrorWeight',
  ],
  knative: [],
  kubernetes: [],
  kuma: [],
  linkerd: ['hosts'],
  nginx: [],
  osm: ['hosts'],
  skipper: [],
  'smi:v1alpha1': ['hosts'],
  'smi:v1alpha2': ['hosts'],
  'smi:v1alpha3': ['hosts'],
  traefik: [],
};

const isSet = (v: unknown): boolean =>
  v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

/**
 * One warning per routing field the canary sets that its provider does not render.
 * @example ignoredFields(contourWithCors) // [{ path: 'spec.service.corsPolicy', message: 'not rendered by the contour router: …' }]
 */
export function ignoredFields(c: LoadedCanary): RouterIssue[] {
  const rendered = renderedFields[c.provider as RoutedProvider];
  if (!rendered) return [];
  const svc = c.canary.spec.service;
  if (c.provider === 'knative' && svc.port !== absentKnativeService.port)
    return [
      {
        path: 'spec.service',
        message:
          'is not rendered by the knative router: it splits traffic between revisions of the Knative Service, it renders no Services',
      },
    ];
  const ignored = (f: RoutingField) => !rendered.includes(f);
  const note = (path: string, f: string): RouterIssue => ({
    path,
    message: `${f} is not rendered by the ${c.provider} router: it has no effect with this provider`,
  });
  const out = routingFields
    .filter((f) => isSet(svc[f]) && ignored(f))
    .map((f) => note(`spec.service.${f}`, f));
  const a = analysisOf(c.canary);
  if (a?.mirrorWeight !== undefined && ignored('mirrorWeight'))
    out.push(note(`${analysisAt(c)}.mirrorWeight`, 'mirrorWeight'));
  return out;
}
