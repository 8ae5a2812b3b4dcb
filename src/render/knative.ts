/**
 * What gitcanary renders for a Knative canary: one object, a copy of the source Knative Service
 * whose `spec.traffic` carries the split (Flagger mutates the same fields in place, in the
 * cluster). The template is always the source's, so its revision is the latest one (the canary);
 * the primary is the revision named by `flagger.app/primary-revision`, which changes only on
 * bootstrap and promotion.
 */
import { SpecError } from '../errors.js';
import type { K8sObject } from '../inputs/model.js';
import {
  findKnativeService,
  knativeTraffic,
  primaryRevisionAnnotation,
  primaryRevisionOf,
  revisionNameOf,
} from '../routers/knative.js';
import { objectMeta, rec, sourceAnnotation } from './meta.js';
import type { RenderInput } from './types.js';

/** A SpecError at `spec.template.metadata.name` of the source whose message names file, object and field. */
function nameError(input: RenderInput, message: string): SpecError {
  const file = input.source.origin.file;
  const object = `${input.canary.ref.namespace}/${input.source.object.metadata.name}`;
  const path = 'spec.template.metadata.name';
  return new SpecError(`${file}: ${object}: ${path}: ${message}`, file, object, path);
}

/** The revision the source's template creates; resolveSource has already required it. */
function sourceRevisionName(input: RenderInput): string {
  const name = revisionNameOf(input.source.object);
  if (name) return name;
  throw nameError(input, 'must name the revision: gitcanary cannot read generated revision names from Git');
}

/**
 * The primary revision: the source's on bootstrap and promotion, else the one the rendered
 * Service names. Throws when the rendered Service lost its annotation, or when the source changed
 * its template under the name of the revision already rendered (Knative refuses to change a named
 * revision: the template needs a new `metadata.name`).
 */
function primaryRevision(input: RenderInput, latest: string): string {
  if (input.primary.from === 'source') return latest;
  const target = input.source.object.metadata.name;
  const { ref } = input.canary;
  const rendered = findKnativeService(input.primary.objects, target);
  const primary = rendered && primaryRevisionOf(rendered);
  if (!rendered || !primary)
    throw new Error(
      `the rendered Knative Service ${ref.namespace}/${target} has no ${primaryRevisionAnnotation} annotation; restore it (git revert) or delete the status file to initialize again`,
    );
  const before = rec(rendered['spec'])['template'];
  const now = rec(input.source.object['spec'])['template'];
  if (revisionNameOf(rendered) === latest && JSON.stringify(before) !== JSON.stringify(now))
    throw nameError(
      input,
      `the template changed but still names revision ${latest}: Knative refuses to change an existing revision, give the new template a new name`,
    );
  return primary;
}

/**
 * The Knative Service `<target>`: the source's labels, annotations and spec (status dropped),
 * plus `flagger.app/primary-revision` and `gitcanary.dev/source`, with `spec.traffic` = the split.
 * @example knativeObjects(bootstrap) // [Service podinfo, traffic: latest 0 %, podinfo-v1 100 %]
 */
export function knativeObjects(input: RenderInput): K8sObject[] {
  const { metadata, status: _status, ...rest } = structuredClone(input.source.object);
  const latest = sourceRevisionName(input);
  const primary = primaryRevision(input, latest);
  const spec = { ...rec(rest['spec']), traffic: knativeTraffic(input.routes, primary) };
  return [
    {
      ...rest,
      metadata: objectMeta(metadata.name, input.canary.ref.namespace, metadata.labels, {
        ...metadata.annotations,
        [primaryRevisionAnnotation]: primary,
        [sourceAnnotation]: input.source.origin.file,
      }),
      spec,
    } as K8sObject,
  ];
}
