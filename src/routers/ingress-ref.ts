/**
 * Helpers shared by the Ingress-based routers (NGINX, Skipper): the user's Ingress named by
 * `spec.ingressRef` (read, never rewritten), its Service backends, the metadata a `-canary` copy
 * keeps, and the spec features a provider cannot honour.
 */
import { SpecError } from '../errors.js';
import { type K8sObject, type LoadedCanary, refId } from '../inputs/model.js';
import { list, objectMeta, type Raw, rec, withoutToolkitKeys } from '../render/meta.js';
import type { RouterInput, RouterIssue } from './types.js';

/** The only Ingress version gitcanary reads and renders (Flagger's routers use `NetworkingV1`). */
export const ingressApiVersion = 'networking.k8s.io/v1';

/** Client-side apply bookkeeping of the user's Ingress; meaningless on a copy. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Name of the Ingress gitcanary renders next to the user's one.
 * @example canaryIngressName('podinfo') // 'podinfo-canary'
 */
export const canaryIngressName = (ingressRefName: string): string => `${ingressRefName}-canary`;

/**
 * The user's Ingress named by `spec.ingressRef`, looked up in the repository. Throws a SpecError
 * naming the Ingress when ingressRef is unset, the Ingress is not in the repository, or it is not
 * a `networking.k8s.io/v1` Ingress.
 */
export function userIngress(input: Omit<RouterInput, 'routes'>, router: string): K8sObject {
  const c = input.canary;
  const ref = c.canary.spec.ingressRef;
  const fail = (message: string) => new SpecError(message, c.origin.file, refId(c.ref), 'spec.ingressRef');
  if (!ref) throw fail(`the ${router} router needs spec.ingressRef`);
  const id = `Ingress ${input.namespace}/${ref.name}`;
  const ingress = input.lookup('Ingress', ref.name);
  if (!ingress) throw fail(`${id} named by spec.ingressRef was not found in the repository`);
  if (ingress.apiVersion !== ingressApiVersion)
    throw fail(
      `${id} is ${ingress.apiVersion}; the ${router} router reads ${ingressApiVersion} Ingresses only`,
    );
  return ingress;
}

/**
 * The `-canary` Ingress an Ingress-based router renders: the user's Ingress (looked up as
 * {@link userIngress}), its labels, and the provider's own annotations and spec.
 */
export function canaryIngress(
  input: RouterInput,
  router: string,
  build: (ingress: K8sObject) => { annotations: Record<string, string>; spec: Raw },
): K8sObject[] {
  const ingress = userIngress(input, router);
  const { labels } = copiedMetadata(ingress);
  const { annotations, spec } = build(ingress);
  return [
    {
      apiVersion: ingressApiVersion,
      kind: 'Ingress',
      metadata: objectMeta(canaryIngressName(ingress.metadata.name), input.namespace, labels, annotations),
      spec,
    },
  ];
}

/** The error thrown when no path of the user's Ingress routes to the apex Service. */
export function noApexBackend(input: Omit<RouterInput, 'routes'>, ingress: K8sObject): SpecError {
  const c = input.canary;
  return new SpecError(
    `backend ${input.apex} not found in Ingress ${input.namespace}/${ingress.metadata.name}: ` +
      `no path has backend.service.name ${input.apex}`,
    c.origin.file,
    refId(c.ref),
    'spec.ingressRef',
  );
}

/**
 * The Service an Ingress backend points at (`backend.service.name`), if any.
 * @example backendService({ service: { name: 'podinfo', port: { number: 80 } } }) // 'podinfo'
 */
export function backendService(backend: unknown): string | undefined {
  const name = rec(rec(backend)['service'])['name'];
  return typeof name === 'string' ? name : undefined;
}

/**
 * A copy of an Ingress backend pointing at Service `name` (port and other keys kept, key order kept).
 * @example renamedBackend({ service: { name: 'podinfo', port: { number: 80 } } }, 'podinfo-canary')
 * // { service: { name: 'podinfo-canary', port: { number: 80 } } }
 */
export function renamedBackend(backend: unknown, name: string): Raw {
  const b = structuredClone(rec(backend));
  return { ...b, service: { ...rec(b['service']), name } };
}

/**
 * A copy of an Ingress spec with the `http.paths` of each rule replaced by `fn(paths)`; rules
 * without `http.paths` are copied unchanged.
 */
export function mapRulePaths(spec: unknown, fn: (paths: Raw[]) => Raw[]): Raw {
  const out = structuredClone(rec(spec));
  if (!Array.isArray(out['rules'])) return out;
  out['rules'] = out['rules'].map((r: unknown) => {
    const rule = rec(r);
    const http = rec(rule['http']);
    if (!Array.isArray(http['paths'])) return r;
    return { ...rule, http: { ...http, paths: fn(list(http['paths']).map(rec)) } };
  });
  return out;
}

/**
 * Labels and annotations of the user's Ingress as a `-canary` copy keeps them: without keys
 * containing `toolkit.fluxcd.io` (Flux bookkeeping of the original) and, for annotations, without
 * `kubectl.kubernetes.io/last-applied-configuration` and the keys `dropAnnotation` rejects.
 */
export function copiedMetadata(
  ingress: K8sObject,
  dropAnnotation: (key: string) => boolean = () => false,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const annotations = Object.entries(withoutToolkitKeys(ingress.metadata.annotations)).filter(
    ([k]) => !k.includes(lastAppliedAnnotation) && !dropAnnotation(k),
  );
  return {
    labels: withoutToolkitKeys(ingress.metadata.labels),
    annotations: Object.fromEntries(annotations),
  };
}

/** Issue for a provider that needs `spec.ingressRef` when it is unset. */
export function ingressRefIssues(c: LoadedCanary, router: string): RouterIssue[] {
  if (c.canary.spec.ingressRef) return [];
  return [
    {
      path: 'spec.ingressRef',
      message: `the ${router} router needs spec.ingressRef naming the Ingress that routes to the apex Service`,
    },
  ];
}

/** Analysis features a provider may not implement. */
