/**
 * Readiness without cluster access (`cluster.fallback: kube-state-metrics`): Flagger's rollout rule
 * written in PromQL over kube-state-metrics series, asked of the operator's
 * Prometheus. Rolled out = observed generation caught up, every replica updated, no old replica
 * left, available ≥ floor(updated × threshold / 100); a `Progressing=false` condition is the
 * Deployment's own progress deadline (not retriable). No series is "not ready yet", never ready.
 */
import type { LiveObservation, WorkloadReadiness } from '../core/applied.js';
import { workloadsNeeded } from '../core/applied.js';
import type { DecideInput } from '../core/decide.js';
import { analysisOf, targetName } from '../inputs/defaults.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { ReconcileContext } from './context.js';

const quote = (s: string) => JSON.stringify(s);

/**
 * @example rolledOutQuery('deployment', 'test', 'podinfo', 100) // 1 when rolled out, 0 when not
 */
export function rolledOutQuery(
  kind: 'deployment' | 'daemonset',
  ns: string,
  name: string,
  threshold: number,
): string {
  const sel = `{namespace=${quote(ns)},${kind}=${quote(name)}}`;
  const on = `on(namespace, ${kind})`;
  const m = (s: string) => `kube_${kind}_${s}${sel}`;
  const generation = `(${m('status_observed_generation')} >= bool ${on} ${m('metadata_generation')})`;
  if (kind === 'daemonset') {
    return [
      generation,
      `(${m('status_updated_number_scheduled')} >= bool ${on} ${m('status_desired_number_scheduled')})`,
      `(${m('status_number_available')} >= bool ${on} floor(${m('status_desired_number_scheduled')} * ${threshold} / 100))`,
    ].join(` * ${on} `);
  }
  return [
    generation,
    `(${m('status_replicas_updated')} >= bool ${on} ${m('spec_replicas')})`,
    `(${m('status_replicas')} <= bool ${on} ${m('status_replicas_updated')})`,
    `(${m('status_replicas_available')} >= bool ${on} floor(${m('status_replicas_updated')} * ${threshold} / 100))`,
  ].join(` * ${on} `);
}

/** 1 when the Deployment's Progressing condition is false (its progress deadline passed). */
export const stalledQuery = (ns: string, name: string): string =>
  `max by (namespace, deployment) (kube_deployment_status_condition{namespace=${quote(ns)},deployment=${quote(name)},condition="Progressing",status="false"})`;

export async function ksmReadiness(
  ctx: ReconcileContext,
  c: LoadedCanary,
  input: DecideInput,
): Promise<LiveObservation> {
  const prom = ctx.metrics({ address: ctx.config.metricsServer, from: 'operator' });
  const kind = c.canary.spec.targetRef.kind === 'DaemonSet' ? 'daemonset' : 'deployment';
  const ns = c.ref.namespace;
  const a = analysisOf(c.canary);
  const need = workloadsNeeded(input);
  let unreachable: string | undefined;
  const judge = async (name: string, threshold: number): Promise<WorkloadReadiness> => {
    if (kind === 'deployment') {
      const stalled = await prom.query(stalledQuery(ns, name), ctx.now);
      if (stalled.kind === 'value' && stalled.value === 1)
        return {
          ready: false,
          retriable: false,
          message: `deployment "${name}" exceeded its progress deadline`,
        };
    }
    const r = await prom.query(rolledOutQuery(kind, ns, name, threshold), ctx.now);
    if (r.kind === 'error') unreachable = `kube-state-metrics: ${r.message}`;
    if (r.kind === 'value' && r.value === 1) return { ready: true, retriable: true, message: 'ready' };
    const why =
      r.kind === 'value' ? 'not rolled out' : `no kube-state-metrics series for ${kind} ${ns}/${name}`;
    return { ready: false, retriable: true, message: `waiting for rollout to finish: ${why}` };
  };
  const target = targetName(c.canary);
  const out: LiveObservation & { by: 'kube-state-metrics' } = { by: 'kube-state-metrics' };
  if (need.primary) out.primary = await judge(`${target}-primary`, a?.primaryReadyThreshold ?? 100);
  if (need.canary) out.canary = await judge(target, a?.canaryReadyThreshold ?? 100);
  if (unreachable) out.unreachable = unreachable;
  return out;
}
