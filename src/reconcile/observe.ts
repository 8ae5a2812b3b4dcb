/**
 * Queries every metric check of a canary at the run's time, in parallel. Each result is a value,
 * no-data or an error, so an outage can never look like a pass.
 */

import type { Observation } from '../core/types.js';
import { egressPolicy, type RepoConfig } from '../inputs/config.js';
import { parseDuration } from '../inputs/defaults.js';
import type { LoadedCanary, SourceWorkload } from '../inputs/model.js';
import { type Builtins, loadBuiltins } from '../metrics/builtins.js';
import { planChecks } from '../metrics/checks.js';
import { providerForCheck } from '../metrics/prometheus.js';
import { knativeRevision } from '../routers/knative.js';
import type { MetricsFactory, ReconcileContext } from './context.js';

let builtins: Builtins | undefined;
/** The built-in MetricTemplates from `policies/`, loaded once per process. */
export const builtinTemplates = (): Builtins => {
  builtins ??= loadBuiltins();
  return builtins;
};

/** Observes every check of `c`; `source` names the Knative revision analysed (`{{ route }}`). */
export async function observe(
  ctx: ReconcileContext,
  c: LoadedCanary,
  source?: SourceWorkload,
): Promise<Observation[]> {
  const revision = source ? knativeRevision(c, source) : undefined;
  const checks = planChecks(
    c,
    ctx.inventory.templates,
    builtinTemplates(),
    ctx.config.meshProvider,
    revision,
  );
  const server = c.canary.spec.metricsServer ?? ctx.config.metricsServer;
  const serverFrom = c.canary.spec.metricsServer ? 'spec' : 'operator';
  return Promise.all(
    checks.map(async (check): Promise<Observation> => {
      if (check.error || check.query === undefined) {
        return { check, result: { kind: 'error', message: check.error ?? 'no query' } };
      }
      const provider = ctx.metrics({
        address: check.address ?? server,
        from: check.address ? 'spec' : serverFrom,
        ...(check.secret ? { secret: check.secret } : {}),
        ...(check.headers ? { headers: check.headers } : {}),
      });
      return { check, result: await provider.query(check.query, ctx.now) };
    }),
  );
}

/**
 * Prometheus over the bounded HTTP client, each credential where the egress policy lets it go
 * (`targetUses`: in `plan` on a branch, the uses the target branch has).
 */
export function prometheusFactory(config: RepoConfig, targetUses?: ReadonlySet<string>): MetricsFactory {
  const timeoutMs = parseDuration(config.prometheusTimeout) ?? 5000;
  const policy = egressPolicy(config, targetUses);
  const layout = config.egress.secrets.layout;
  const maxBytes = config.limits.responseBytes;
  return (target) => providerForCheck(target, { policy, timeoutMs, maxBytes, layout });
}
