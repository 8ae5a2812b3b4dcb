/**
 * Autoscalers (Flagger `reconcilePrimaryHpa`): the user's HPA keeps scaling the canary workload,
 * and `<hpa>-primary` scales `<target>-primary`.
 */
import { targetName } from '../inputs/defaults.js';
import type { K8sObject } from '../inputs/model.js';
import { objectMeta, rec, withoutToolkitKeys } from './meta.js';
import type { RenderInput } from './types.js';

/**
 * The user's HorizontalPodAutoscaler (as given, in the canary namespace) and its primary copy
 * `<hpa>-primary`: same spec with `scaleTargetRef.name: <target>-primary` and min/max replicas
 * from `autoscalerRef.primaryScalerReplicas` when set. Empty without an HPA autoscaler
 * (ScaledObjects are not rendered yet).
 */
export function autoscalers(input: RenderInput): K8sObject[] {
  const hpa = input.source.autoscaler?.value;
  if (hpa?.kind !== 'HorizontalPodAutoscaler') return [];
  const namespace = input.canary.ref.namespace;
  const { metadata, status: _status, ...rest } = structuredClone(hpa);
  const user = {
    ...rest,
    metadata: objectMeta(metadata.name, namespace, metadata.labels, metadata.annotations),
  };

  const spec = rec(structuredClone(hpa['spec']));
  spec['scaleTargetRef'] = {
    ...rec(spec['scaleTargetRef']),
    name: `${targetName(input.canary.canary)}-primary`,
  };
  const replicas = input.canary.canary.spec.autoscalerRef?.primaryScalerReplicas;
  if (replicas?.minReplicas !== undefined) spec['minReplicas'] = replicas.minReplicas;
  if (replicas?.maxReplicas !== undefined) spec['maxReplicas'] = replicas.maxReplicas;
  const primary: K8sObject = {
    apiVersion: hpa.apiVersion,
    kind: hpa.kind,
    metadata: objectMeta(`${metadata.name}-primary`, namespace, withoutToolkitKeys(metadata.labels)),
    spec,
  };
  return [primary, user as K8sObject];
}
