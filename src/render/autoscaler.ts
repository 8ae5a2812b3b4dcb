/**
 * Autoscalers (Flagger `HPAReconciler` and `ScaledObjectReconciler`): the user's HPA or KEDA
 * ScaledObject keeps scaling the canary workload, and `<name>-primary` scales `<target>-primary`.
 */
import { targetName } from '../inputs/defaults.js';
import type { K8sObject } from '../inputs/model.js';
import { list, objectMeta, rec, withoutToolkitKeys } from './meta.js';
import type { RenderInput } from './types.js';

/** KEDA's annotation pausing a ScaledObject at a replica count (Flagger's pause of the target scaler). */
export const pausedReplicasAnnotation = 'autoscaling.keda.sh/paused-replicas';

/** The user's autoscaler as given (status dropped), in the canary namespace. */
function userCopy(scaler: K8sObject, namespace: string, annotations?: Record<string, string>): K8sObject {
  const { metadata, status: _status, ...rest } = structuredClone(scaler);
  return {
    ...rest,
    metadata: objectMeta(metadata.name, namespace, metadata.labels, annotations ?? metadata.annotations),
  } as K8sObject;
}

/**
 * Flagger `setPrimaryScaledObjectQueries`: with `primaryScalerQueries`, the `query` of each named
 * trigger is replaced by the query given for its name; otherwise `<target>` and `<target>-canary`
 * in every trigger's `metadata.query` become `<target>-primary`.
 * @example primaryQuery('sum(rate(http_requests_total{app="podinfo-canary"}[1m]))', 'podinfo')
 * // 'sum(rate(http_requests_total{app="podinfo-primary"}[1m]))'
 */
export function primaryQuery(query: string, target: string): string {
  const primary = `${target}-primary`;
  return query
    .split(`${target}-canary`)
    .map((part) => part.split(target).join(primary))
    .join(primary);
}

/**
 * `<scaledObject>-primary`: the user's spec with `scaleTargetRef.name: <target>-primary`, the
 * trigger queries rewritten for the primary, an HPA name set in
 * `advanced.horizontalPodAutoscalerConfig.name` suffixed `-primary`, and min/max replica counts
 * from `primaryScalerReplicas` when set. Metadata as the user's, without toolkit keys and
 * without the pause annotation.
 */
function primaryScaledObject(input: RenderInput, so: K8sObject): K8sObject {
  const target = targetName(input.canary.canary);
  const ref = input.canary.canary.spec.autoscalerRef;
  const spec = rec(structuredClone(so['spec']));
  spec['scaleTargetRef'] = { ...rec(spec['scaleTargetRef']), name: `${target}-primary` };
  spec['triggers'] = list(spec['triggers']).map((t) => {
    const trigger = rec(t);
    const metadata = { ...rec(trigger['metadata']) };
    const named = typeof trigger['name'] === 'string' ? trigger['name'] : undefined;
    if (ref?.primaryScalerQueries) {
      const query = named !== undefined ? ref.primaryScalerQueries[named] : undefined;
      if (query !== undefined) metadata['query'] = query;
    } else if (typeof metadata['query'] === 'string') {
      metadata['query'] = primaryQuery(metadata['query'], target);
    }
    return { ...trigger, metadata };
  });
  const hpaConfig = rec(rec(spec['advanced'])['horizontalPodAutoscalerConfig']);
  if (typeof hpaConfig['name'] === 'string' && hpaConfig['name'] !== '') {
    spec['advanced'] = {
      ...rec(spec['advanced']),
      horizontalPodAutoscalerConfig: { ...hpaConfig, name: `${hpaConfig['name']}-primary` },
    };
  }
  const replicas = ref?.primaryScalerReplicas;
  if (replicas?.minReplicas !== undefined) spec['minReplicaCount'] = replicas.minReplicas;
  if (replicas?.maxReplicas !== undefined) spec['maxReplicaCount'] = replicas.maxReplicas;
  const { [pausedReplicasAnnotation]: _paused, ...annotations } = withoutToolkitKeys(so.metadata.annotations);
  return {
    apiVersion: so.apiVersion,
    kind: so.kind,
    metadata: objectMeta(
      `${so.metadata.name}-primary`,
      input.canary.ref.namespace,
      withoutToolkitKeys(so.metadata.labels),
      annotations,
    ),
    spec,
  };
}

/**
 * The user's autoscaler (as given, in the canary namespace) and its primary copy, or nothing
 * without `autoscalerRef`:
 * - HorizontalPodAutoscaler: `<hpa>-primary` with the same spec, `scaleTargetRef.name:
 *   <target>-primary` and min/max replicas from `autoscalerRef.primaryScalerReplicas` when set;
 * - KEDA ScaledObject: `<so>-primary` (see primaryScaledObject), and the user's ScaledObject
 *   paused at zero replicas (`autoscaling.keda.sh/paused-replicas: "0"`) while the canary is
 *   scaled to zero, as Flagger pauses the target scaler; the pause is removed while a run scales
 *   the canary up.
 */
export function autoscalers(input: RenderInput): K8sObject[] {
  const scaler = input.source.autoscaler?.value;
  const namespace = input.canary.ref.namespace;
  if (scaler?.kind === 'ScaledObject') {
    const { [pausedReplicasAnnotation]: _paused, ...annotations } = scaler.metadata.annotations ?? {};
    const user = userCopy(
      scaler,
      namespace,
      input.canaryReplicas === 0 ? { ...annotations, [pausedReplicasAnnotation]: '0' } : annotations,
    );
    return [primaryScaledObject(input, scaler), user];
  }
  if (scaler?.kind !== 'HorizontalPodAutoscaler') return [];
  const { metadata } = scaler;
  const spec = rec(structuredClone(scaler['spec']));
  spec['scaleTargetRef'] = {
    ...rec(spec['scaleTargetRef']),
    name: `${targetName(input.canary.canary)}-primary`,
  };
  const replicas = input.canary.canary.spec.autoscalerRef?.primaryScalerReplicas;
  if (replicas?.minReplicas !== undefined) spec['minReplicas'] = replicas.minReplicas;
  if (replicas?.maxReplicas !== undefined) spec['maxReplicas'] = replicas.maxReplicas;
  const primary: K8sObject = {
    apiVersion: scaler.apiVersion,
    kind: scaler.kind,
    metadata: objectMeta(`${metadata.name}-primary`, namespace, withoutToolkitKeys(metadata.labels)),
    spec,
  };
  return [primary, userCopy(scaler, namespace)];
}
