/**
 * The workloads gitcanary renders from the source (targetRef) workload, following Flagger's
 * `createPrimaryDeployment` / `Promote` and `ScaleToZero` / `ScaleFromZero`:
 * `<target>-primary` (+ `-primary` copies of tracked configs) and the canary `<target>`.
 * No random `flagger-id`: the revision annotation forces the primary rollout instead.
 */
import { targetName } from '../inputs/defaults.js';
import type { K8sObject } from '../inputs/model.js';
import { selectorLabel } from '../inputs/source.js';
import { autoscalers } from './autoscaler.js';
import {
  objectMeta,
  type Raw,
  rec,
  revisionAnnotation,
  sourceAnnotation,
  withoutToolkitKeys,
} from './meta.js';
import { configKey, primaryPodSpec } from './pod-spec.js';
import type { RenderInput } from './types.js';

/** nodeSelector Flagger adds to a canary DaemonSet scaled to zero. */
export const scaleToZeroSelector = 'flagger.app/scale-to-zero';

/** Spec fields copied from the source onto the primary (besides the pod template and replicas). */
const copiedFields: Record<string, readonly string[]> = {
  Deployment: ['strategy', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
  DaemonSet: ['updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'],
};

/**
 * Replicas of the source for a scaled-up copy: `spec.replicas` when above zero, else 1
 * (Flagger `ScaleFromZero` and the primary's initial replicas).
 * @example sourceReplicas({ spec: { replicas: 3 } }) // 3
 * @example sourceReplicas({ spec: {} }) // 1
 */
export function sourceReplicas(workload: K8sObject): number {
  const r = rec(workload['spec'])['replicas'];
  return typeof r === 'number' && r > 0 ? r : 1;
}

/** Labels with the selector label set to `value` (Flagger `makePrimaryLabels`), toolkit keys dropped. */
function primaryLabels(labels: unknown, key: string, value: string): Record<string, string> {
  return { ...withoutToolkitKeys(labels as Record<string, string> | undefined), [key]: value };
}

/**
 * `<target>-primary` built from the source workload (Deployment or DaemonSet): pod template
 * copied with tracked configs renamed, selector label value `<value>-primary`, replicas copied
 * only without `autoscalerRef`, metadata keys containing `toolkit.fluxcd.io` dropped, and the
 * `gitcanary.dev/revision` + `gitcanary.dev/source` annotations (revision also on the pod
 * template, so a promotion of a config-only change still rolls the primary pods).
 */
export function primaryWorkload(input: RenderInput): K8sObject {
  const { canary, source } = input;
  const target = targetName(canary.canary);
  const label = selectorLabel(source.object);
  const primaryValue = `${label.value}-primary`;
  const spec = rec(source.object['spec']);
  const template = rec(spec['template']);
  const templateMeta = rec(template['metadata']);
  const tracked = new Set(source.configs.map((c) => configKey(c.value.kind, c.value.metadata.name)));

  const out: Raw = {};
  if (source.object.kind === 'Deployment' && canary.canary.spec.autoscalerRef === undefined) {
    out['replicas'] = sourceReplicas(source.object);
  }
  out['selector'] = { matchLabels: { [label.key]: primaryValue } };
  for (const f of copiedFields[source.object.kind] ?? [])
    if (spec[f] !== undefined) out[f] = structuredClone(spec[f]);
  out['template'] = {
    metadata: {
      labels: primaryLabels(templateMeta['labels'], label.key, primaryValue),
      annotations: {
        ...withoutToolkitKeys(templateMeta['annotations'] as Record<string, string> | undefined),
        [revisionAnnotation]: input.revision,
      },
    },
    spec: primaryPodSpec(template['spec'], tracked, target),
  };
  const meta = source.object.metadata;
  return {
    apiVersion: source.object.apiVersion,
    kind: source.object.kind,
    metadata: objectMeta(
      `${target}-primary`,
      canary.ref.namespace,
      primaryLabels(meta.labels, label.key, primaryValue),
      {
        ...withoutToolkitKeys(meta.annotations),
        [revisionAnnotation]: input.revision,
        [sourceAnnotation]: source.origin.file,
      },
    ),
    spec: out,
  };
}

/** `<name>-primary` copies of the tracked ConfigMaps and Secrets (same data, toolkit keys dropped). */
export function primaryConfigs(input: RenderInput): K8sObject[] {
  return input.source.configs.map(({ value }) => {
    const { metadata, ...rest } = structuredClone(value);
    return {
      ...rest,
      metadata: objectMeta(
        `${metadata.name}-primary`,
        input.canary.ref.namespace,
        withoutToolkitKeys(metadata.labels),
        withoutToolkitKeys(metadata.annotations),
      ),
    };
  });
}

/**
 * The canary workload `<target>`: the source object with replicas = the source's (default 1),
 * or 0 when `canaryReplicas === 0`; a DaemonSet scaled to zero gets the nodeSelector
 * `flagger.app/scale-to-zero: "true"` instead (Flagger `ScaleToZero`).
 */
export function canaryWorkload(input: RenderInput): K8sObject {
  const { source } = input;
  const { metadata, status: _status, ...rest } = structuredClone(source.object);
  const spec = rec(rest['spec']);
  if (source.object.kind === 'DaemonSet') {
    if (input.canaryReplicas === 0) {
      const template = rec(spec['template']);
      const podSpec = rec(template['spec']);
      podSpec['nodeSelector'] = { ...rec(podSpec['nodeSelector']), [scaleToZeroSelector]: 'true' };
      spec['template'] = { ...template, spec: podSpec };
    }
    rest['spec'] = spec;
  } else {
    const { replicas: _replicas, ...others } = spec;
    rest['spec'] = { replicas: input.canaryReplicas === 0 ? 0 : sourceReplicas(source.object), ...others };
  }
  return {
    ...rest,
    metadata: objectMeta(metadata.name, input.canary.ref.namespace, metadata.labels, metadata.annotations),
  } as K8sObject;
}

/**
 * Every workload object for this render: the primary side (from the source on bootstrap and
 * promotion, else the previously rendered objects unchanged), the canary workload, then the
 * autoscalers.
 */
export function workloads(input: RenderInput): K8sObject[] {
  const primary =
    input.primary.from === 'source'
      ? [primaryWorkload(input), ...primaryConfigs(input)]
      : input.primary.objects;
  return [...primary, canaryWorkload(input), ...autoscalers(input)];
}
