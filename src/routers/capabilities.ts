/**
 * What each provider supports in gitcanary, as data. test/render/capabilities.test.ts checks every
 * cell against the router: its `validate()` must accept exactly the strategies and features marked
 * here, and each accepted one must complete a rollout through the objects the router renders. The
 * README's provider matrix is generated from this table (`npx tsx scripts/provider-matrix.ts --write`).
 */
import { providerIds } from '../inputs/schema.js';
import type { routers } from './registry.js';

/** A provider with a router in the registry. */
export type RoutedProvider = keyof typeof routers;

/** A deployment strategy, as selected by the analysis (Flagger `DeploymentStrategy`). */
export type StrategyName = 'canary' | 'blue-green';

export interface Capabilities {
  /** Routing objects the router renders, as `<apiVersion>/<kind>` (none for kubernetes). */
  objects: readonly string[];
  /**
   * Weighted canary (`stepWeight` / `stepWeights`): `weighted`, or `blue-green` when the provider
   * has no traffic split and the canary runs as blue/green instead (Flagger's kubernetes provider).
   */
  canary: 'weighted' | 'blue-green';
  /** Blue/green (`analysis.iterations`): iterations without live traffic, then all traffic switched. */
  blueGreen: boolean;
  /** A/B testing (`analysis.match` with `iterations`): matched requests go to the canary. */
  abTesting: boolean;
  /** The strategies with which traffic mirroring (`analysis.mirror`) is rendered. */
  mirroring: readonly StrategyName[];
  /** Session affinity (`analysis.sessionAffinity`) during a weighted canary. */
  sessionAffinity: boolean;
}

const trafficSplit = (version: string): Capabilities => ({
  objects: [`split.smi-spec.io/${version}/TrafficSplit`],
  canary: 'weighted',
  blueGreen: true,
  abTesting: false,
  mirroring: [],
  sessionAffinity: false,
});

const gatewayApi = (version: string): Capabilities => ({
  objects: [`gateway.networking.k8s.io/${version}/HTTPRoute`],
  canary: 'weighted',
  blueGreen: true,
  abTesting: true,
  mirroring: ['blue-green'],
  sessionAffinity: true,
});

/** Every routed provider's capabilities. */
export const capabilities: Readonly<Record<RoutedProvider, Capabilities>> = {
  apisix: {
    objects: ['apisix.apache.org/v2/ApisixRoute'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
  appmesh: {
    objects: ['appmesh.k8s.aws/v1beta1/VirtualNode', 'appmesh.k8s.aws/v1beta1/VirtualService'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: [],
    sessionAffinity: false,
  },
  'appmesh:v1beta2': {
    objects: [
      'appmesh.k8s.aws/v1beta2/VirtualNode',
      'appmesh.k8s.aws/v1beta2/VirtualRouter',
      'appmesh.k8s.aws/v1beta2/VirtualService',
    ],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: [],
    sessionAffinity: false,
  },
  contour: {
    objects: ['projectcontour.io/v1/HTTPProxy'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: [],
    sessionAffinity: false,
  },
  'gatewayapi:v1': gatewayApi('v1'),
  'gatewayapi:v1beta1': gatewayApi('v1beta1'),
  gloo: {
    objects: ['gloo.solo.io/v1/Upstream', 'gateway.solo.io/v1/RouteTable'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: [],
    sessionAffinity: false,
  },
  istio: {
    objects: ['networking.istio.io/v1beta1/VirtualService', 'networking.istio.io/v1beta1/DestinationRule'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: ['canary', 'blue-green'],
    sessionAffinity: true,
  },
  knative: {
    objects: ['serving.knative.dev/v1/Service'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
  kubernetes: {
    objects: [],
    canary: 'blue-green',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
  kuma: {
    objects: ['kuma.io/v1alpha1/TrafficRoute'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
  linkerd: trafficSplit('v1alpha1'),
  nginx: {
    objects: ['networking.k8s.io/v1/Ingress'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: true,
    mirroring: [],
    sessionAffinity: false,
  },
  osm: trafficSplit('v1alpha2'),
  skipper: {
    objects: ['networking.k8s.io/v1/Ingress'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
  'smi:v1alpha1': trafficSplit('v1alpha1'),
  'smi:v1alpha2': trafficSplit('v1alpha2'),
  'smi:v1alpha3': trafficSplit('v1alpha3'),
  traefik: {
    objects: ['traefik.io/v1alpha1/TraefikService'],
    canary: 'weighted',
    blueGreen: true,
    abTesting: false,
    mirroring: [],
    sessionAffinity: false,
  },
};

/** Providers Flagger knows that have no router in gitcanary, sorted. */
export const unroutedProviders = (): string[] =>
  providerIds.filter((p) => !Object.hasOwn(capabilities, p)).sort();

/**
 * `Kind, Kind (apiVersion)` groups, in order of first appearance.
 * @example objectsCell(['gloo.solo.io/v1/Upstream', 'gateway.solo.io/v1/RouteTable'])
 * // 'Upstream (`gloo.solo.io/v1`), RouteTable (`gateway.solo.io/v1`)'
 */
function objectsCell(objects: readonly string[]): string {
  if (objects.length === 0) return 'none (Services only)';
  const groups = new Map<string, string[]>();
  for (const o of objects) {
    const at = o.lastIndexOf('/');
    const apiVersion = o.slice(0, at);
    groups.set(apiVersion, [...(groups.get(apiVersion) ?? []), o.slice(at + 1)]);
  }
  return [...groups].map(([apiVersion, kinds]) => `${kinds.join(', ')} (\`${apiVersion}\`)`).join(', ');
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

const strategyNames: Record<StrategyName, string> = { canary: 'canary', 'blue-green': 'blue/green' };

/**
 * @example mirroringCell(['blue-green']) // 'blue/green only'
 * @example mirroringCell(['canary', 'blue-green']) // 'canary and blue/green'
 */
function mirroringCell(m: readonly StrategyName[]): string {
  const names = m.map((s) => strategyNames[s]);
  if (names.length === 0) return 'no';
  return names.length === 1 ? `${names[0]} only` : names.join(' and ');
}

/**
 * The provider matrix as a markdown table, one row per routed provider, followed by the
 * providers gitcanary rejects. README.md holds exactly this text between its
 * `<!-- provider-matrix:start -->` and `<!-- provider-matrix:end -->` markers.
 */
export function providerMatrix(): string {
  const rows = (Object.keys(capabilities) as RoutedProvider[]).sort().map((p) => {
    const c = capabilities[p];
    return `| \`${p}\` | ${objectsCell(c.objects)} | ${c.canary === 'weighted' ? 'yes' : 'runs as blue/green'} | ${yesNo(c.blueGreen)} | ${yesNo(c.abTesting)} | ${mirroringCell(c.mirroring)} | ${yesNo(c.sessionAffinity)} |`;
  });
  const rejected = unroutedProviders()
    .map((p) => `\`${p}\``)
    .join(', ');
  return [
    '| provider | routing objects | canary (stepWeight / stepWeights) | blue/green | A/B | mirroring | session affinity |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    rejected
      ? `Not supported yet: ${rejected}. A Canary naming one is rejected with an error listing the supported providers.`
      : "Every provider of Flagger's Canary CRD has a router; any other name is rejected with an error listing them.",
  ].join('\n');
}

/** The README section: the matrix between its markers. */
export const providerMatrixSection = (): string =>
  [
    '<!-- provider-matrix:start -->',
    '<!-- generated from src/routers/capabilities.ts by `npx tsx scripts/provider-matrix.ts --write` -->',
    providerMatrix(),
    '<!-- provider-matrix:end -->',
  ].join('\n');
