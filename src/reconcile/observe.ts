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
import { externalMetricsProvider } from '../metrics/providers/externalmetrics.js';
import { vendorProvider } from '../metrics/vendor.js';
import { underPrefix } from '../net/egress.js';
import { knativeRevision } from '../routers/knative.js';
import { observeComparisons } from './compare.js';
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
  const comparisons = observeComparisons(ctx, c);
  const flagger = Promise.all(
    checks.map(async (check): Promise<Observation> => {
      if (check.error || check.query === undefined) {
        return { check, result: { kind: 'error', message: check.error ?? 'no query' } };
      }
      const vendor = check.type !== undefined;
      // externalmetrics reads the Kubernetes API with the cluster reader's access, not over HTTP.
      const provider =
        check.type === 'externalmetrics'
          ? externalMetricsProvider(ctx.cluster?.reader)
          : ctx.metrics({
              // A vendor template without an address goes to the vendor's endpoint, never the metrics server.
              address: check.address ?? (vendor ? '' : server),
              from: check.address || vendor ? 'spec' : serverFrom,
              ...(check.secret ? { secret: check.secret } : {}),
              ...(check.headers ? { headers: check.headers } : {}),
              ...(check.type ? { type: check.type } : {}),
              ...(check.region ? { region: check.region } : {}),
              ...(check.interval !== undefined ? { interval: check.interval } : {}),
            });
      const samplesQuery = check.policy?.samplesQuery;
      const [result, samples] = await Promise.all([
        provider.query(check.query, ctx.now),
        samplesQuery ? provider.query(samplesQuery, ctx.now) : undefined,
      ]);
      return samples ? { check, result, samples } : { check, result };
    }),
  );
  return [...(await flagger), ...(await comparisons)];
}

/**
 * Every provider over the bounded HTTP client, each credential where the egress policy lets it go:
 * Prometheus, or the vendor provider of a template's `provider.type` (src/metrics/vendor.ts).
 * `target` (in `plan` on a branch, see target-branch.ts): the policy, limits and credentialed uses
 * are the target branch's, and a server the branch's own `gitcanary.yaml` chose counts as a spec URL.
 */
export function metricsFactory(
  config: RepoConfig,
  target?: { config: RepoConfig; uses: ReadonlySet<string> },
): MetricsFactory {
  const rules = target?.config ?? config;
  const timeoutMs = parseDuration(rules.prometheusTimeout) ?? 5000;
  const policy = egressPolicy(rules, target?.uses);
  const layout = rules.egress.secrets.layout;
  const maxBytes = rules.limits.responseBytes;
  return (t) => {
    if (t.type && t.type !== 'prometheus') {
      return vendorProvider(
        {
          type: t.type,
          interval: t.interval ?? '',
          ...(t.address ? { address: t.address } : {}),
          ...(t.region ? { region: t.region } : {}),
          ...(t.secret ? { secret: t.secret } : {}),
        },
        { policy, maxBytes, layout },
      );
    }
    const foreign = target && t.from === 'operator' && !underPrefix(t.address, policy.metricsServer);
    const check = foreign ? { ...t, from: 'spec' as const } : t;
    return providerForCheck(check, { policy, timeoutMs, maxBytes, layout });
  };
}
