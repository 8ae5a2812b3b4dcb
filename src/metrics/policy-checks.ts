/**
 * Puts each metric's policy (src/inputs/metric-policies.ts) on its planned checks, with the
 * samples query rendered like the metric's own (the template model, the metric's interval,
 * default `1m`). Pure. A bad annotation fails every check of that canary with its problems.
 */
import { describePolicy } from '../core/metric-policy.js';
import type { MetricCheck } from '../core/types.js';
import { analysisOf, metricInterval } from '../inputs/defaults.js';
import { metricPolicies } from '../inputs/metric-policies.js';
import { formatIssue, type LoadedCanary } from '../inputs/model.js';
import { templateModel } from './checks.js';
import { renderQuery } from './template.js';

/**
 * The checks with their policies attached.
 * @example applyPolicies(canaryWithout, checks) // the same checks
 */
export function applyPolicies<C extends MetricCheck>(c: LoadedCanary, checks: C[], revision?: string): C[] {
  const policies = metricPolicies(c);
  if (Array.isArray(policies)) {
    const error = policies.map(formatIssue).join('; ');
    return checks.map((check) => ({ ...check, error }));
  }
  const metrics = analysisOf(c.canary)?.metrics ?? [];
  return checks.map((check) => {
    const p = policies[check.name];
    if (!p) return check;
    const { samplesQuery, ...rest } = p;
    const policy: MetricCheck['policy'] = { ...rest };
    if (samplesQuery === undefined) return { ...check, policy };
    const m = metrics.find((x) => x.name === check.name);
    const model = templateModel(c, m ? metricInterval(m, true) : '1m', m?.templateVariables, revision);
    const rendered = renderQuery(samplesQuery, model);
    if (!rendered.ok) {
      return {
        ...check,
        policy,
        error: `metric ${check.name}: samplesQuery render error: ${rendered.error}`,
      };
    }
    return { ...check, policy: { ...policy, samplesQuery: rendered.query } };
  });
}

/** A metric's policy as `plan` and `status` show it. */
export interface PolicyLine {
  metric: string;
  /** `noData: hold, minSamples: 100, maxInconclusive: unlimited`. */
  policy: string;
  /** The rendered samples query (minSamples). */
  samplesQuery?: string;
  /** Why the policy cannot apply (a bad annotation, a samples query that does not render). */
  error?: string;
}

/**
 * The policies of a canary's metrics, in the order of `spec.analysis.metrics` ([] without any).
 * @example policyLines(canary) // [{ metric: 'error-rate', policy: 'noData: hold, maxInconclusive: unlimited' }]
 */
export function policyLines(c: LoadedCanary): PolicyLine[] {
  const policies = metricPolicies(c);
  if (Array.isArray(policies)) {
    return [{ metric: '*', policy: 'invalid', error: policies.map(formatIssue).join('; ') }];
  }
  const names = (analysisOf(c.canary)?.metrics ?? []).map((m) => m.name).filter((n) => policies[n]);
  const checks = applyPolicies(
    c,
    names.map((name): MetricCheck => ({ name, kind: 'custom' })),
  );
  return checks.flatMap((check) => {
    if (!check.policy) return [];
    const line: PolicyLine = { metric: check.name, policy: describePolicy(check.policy) };
    if (check.policy.samplesQuery) line.samplesQuery = check.policy.samplesQuery;
    if (check.error) line.error = check.error;
    return [line];
  });
}
