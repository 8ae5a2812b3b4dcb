/**
 * Knative router (Flagger `pkg/router/knative.go`, `pkg/canary/knative_controller.go`). There are
 * no `-primary` workloads or Services: the split lives in the Knative Service's own `spec.traffic`,
 * between its latest revision (the canary) and the promoted revision (the primary), whose name the
 * Service carries in the annotation `flagger.app/primary-revision`. The Service itself is rendered
 * by `render/knative.ts` (it is a copy of the source); this module builds its traffic, reads the
 * split back and says which specs Knative cannot honour.
 *
 * Flagger reads the revision names from the cluster (`status.latestCreatedRevisionName`); from Git
 * they are known only when the Service names its revisions (`spec.template.metadata.name`), which
 * `resolveSource` requires.
 */
import type { Routes } from '../core/types.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { isKnativeTarget } from '../inputs/schema.js';
import { list, rec } from '../render/meta.js';
import { weightOf } from './common.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput, RouterIssue } from './types.js';

/** The Knative Serving API version Flagger supports. */
export const knativeApiVersion = 'serving.knative.dev/v1';
/** Annotation naming the promoted (primary) revision on the Knative Service (Flagger's key). */
export const primaryRevisionAnnotation = 'flagger.app/primary-revision';

/** Is `o` a Knative Service (not a core `v1` Service)? */
export const isKnativeService = (o: K8sObject): boolean =>
  o.kind === 'Service' && o.apiVersion === knativeApiVersion;

/** The Knative Service `name` among previously rendered objects. */
export const findKnativeService = (objects: readonly K8sObject[], name: string): K8sObject | undefined =>
  objects.find((o) => isKnativeService(o) && o.metadata.name === name);

/**
 * The revision a Knative Service's template creates: `spec.template.metadata.name`, if written.
 * @example revisionNameOf({ spec: { template: { metadata: { name: 'podinfo-v2' } } } }) // 'podinfo-v2'
 */
export function revisionNameOf(service: K8sObject): string | undefined {
  const name = rec(rec(rec(service['spec'])['template'])['metadata'])['name'];
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The revision a Knative canary analyses (its latest: the source's), else undefined. */
export const knativeRevision = (c: LoadedCanary, source: { object: K8sObject }): string | undefined =>
  c.provider === 'knative' ? revisionNameOf(source.object) : undefined;

/** The primary revision a rendered Knative Service names, if any. */
export const primaryRevisionOf = (service: K8sObject): string | undefined =>
  service.metadata.annotations?.[primaryRevisionAnnotation];

/**
 * `spec.traffic` for a split, as Flagger's `SetRoutes` writes it: the latest revision takes the
 * canary's percent, the primary revision (by name) the rest.
 * @example knativeTraffic({ primary: 90, canary: 10, mirrored: false }, 'podinfo-v1')
 * // [{ latestRevision: true, percent: 10 }, { revisionName: 'podinfo-v1', percent: 90 }]
 */
export function knativeTraffic(routes: Routes, primaryRevision: string): Record<string, unknown>[] {
  return [
    { latestRevision: true, percent: routes.canary },
    { revisionName: primaryRevision, percent: routes.primary },
  ];
}

/**
 * The split written in the rendered Knative Service `<target>` (Flagger `GetRoutes`, from the
 * spec as written instead of the status): the percent of the `latestRevision` entry is the
 * canary's, that of the entry naming the primary revision the primary's. Undefined without the
 * Service, its annotation or either entry.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const service = findKnativeService(rendered, input.target);
  const primary = service && primaryRevisionOf(service);
  if (!service || !primary) return undefined;
  const traffic = list(rec(service['spec'])['traffic']).map(rec);
  const latest = traffic.find((t) => t['latestRevision'] === true);
  const named = traffic.find((t) => t['revisionName'] === primary && t['latestRevision'] !== true);
  if (!latest || !named) return undefined;
  return { primary: weightOf(named['percent']), canary: weightOf(latest['percent']), mirrored: false };
}

/**
 * What Flagger's `verifyKnativeCanary` refuses (a Knative target without `provider: knative`
 * is refused by the other routers' target checks), plus the analysis features a revision split
 * cannot carry: request matching (A/B), mirroring and session affinity.
 */
function validate(c: LoadedCanary): RouterIssue[] {
  const issues: RouterIssue[] = [];
  const { targetRef, autoscalerRef } = c.canary.spec;
  if (!isKnativeTarget(targetRef))
    issues.push({
      path: 'spec.targetRef',
      message: `provider knative needs a Knative Service target (apiVersion ${knativeApiVersion}, kind Service); found ${targetRef.apiVersion ?? '(no apiVersion)'} ${targetRef.kind}`,
    });
  if (autoscalerRef)
    issues.push({
      path: 'spec.autoscalerRef',
      message:
        'cannot be used with a Knative Service: Knative scales its revisions itself (Flagger refuses it too)',
    });
  return [...issues, ...lackingFeatures(c, 'knative', ['match', 'mirror', 'sessionAffinity'])];
}

/** Provider `knative`: the split is the Knative Service's `spec.traffic` (rendered with the Service). */
export const knativeRouter: Router = {
  render: () => [],
  readRoutes,
  validate,
};
