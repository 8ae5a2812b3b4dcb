/**
 * The metric policies a Canary asks for, in its annotation `gitcanary.dev/metric-policies` (a YAML
 * map keyed by the metric's name in `spec.analysis.metrics`), so Flagger's Canary schema stays valid:
 *
 * ```yaml
 * gitcanary.dev/metric-policies: |
 *   request-success-rate:
 *     noData: hold            # fail (default, as Flagger) | hold | pass
 *     minSamples: 100         # fewer → inconclusive; needs samplesQuery
 *     samplesQuery: sum(increase(http_requests_total{deployment="{{ target }}"}[{{ interval }}]))
 *     maxInconclusive: 6      # consecutive inconclusive analyses that hold; unlimited when unset
 * ```
 *
 * `samplesQuery` is rendered like the metric's own query (the MetricTemplate variables, the
 * metric's interval). Pure.
 */
import { z } from 'zod';
import type { MetricPolicy } from '../core/types.js';
import { analysisOf } from './defaults.js';
import type { LoadedCanary, SpecIssue } from './model.js';
import { annotationIssue, readYamlAnnotation } from './yaml-annotation.js';

export const metricPoliciesAnnotation = 'gitcanary.dev/metric-policies';

const entry = z
  .strictObject({
    noData: z.enum(['fail', 'hold', 'pass']).default('fail'),
    minSamples: z.number().int().min(1).optional(),
    samplesQuery: z.string().min(1).optional(),
    maxInconclusive: z.number().int().min(0).optional(),
  })
  .refine((e) => (e.minSamples === undefined) === (e.samplesQuery === undefined), {
    message: 'minSamples and samplesQuery go together (the query counts the samples)',
  });

/** A metric's policy as written (samplesQuery not yet rendered). */
export type PolicyEntry = Omit<MetricPolicy, 'samplesQuery'> & { samplesQuery?: string };

/**
 * The policies of a Canary by metric name, or the problems of its annotation (each naming file,
 * object and key). No annotation → an empty map (every metric as Flagger).
 * @example metricPolicies(canaryWithout) // {}
 */
export function metricPolicies(c: LoadedCanary): Record<string, PolicyEntry> | SpecIssue[] {
  const data = readYamlAnnotation(c, metricPoliciesAnnotation, z.record(z.string(), entry));
  if (data === undefined) return {};
  if (Array.isArray(data)) return data;
  const names = new Set((analysisOf(c.canary)?.metrics ?? []).map((m) => m.name));
  const unknown = Object.keys(data).filter((n) => !names.has(n));
  if (unknown.length > 0) {
    const known = [...names].join(', ') || 'none';
    return unknown.map((n) =>
      annotationIssue(
        c,
        metricPoliciesAnnotation,
        n,
        `no metric ${n} in spec.analysis.metrics (metrics: ${known})`,
      ),
    );
  }
  const out: Record<string, PolicyEntry> = {};
  for (const [name, e] of Object.entries(data)) {
    const p: PolicyEntry = { noData: e.noData };
    if (e.minSamples !== undefined) p.minSamples = e.minSamples;
    if (e.samplesQuery !== undefined) p.samplesQuery = e.samplesQuery;
    if (e.maxInconclusive !== undefined) p.maxInconclusive = e.maxInconclusive;
    out[name] = p;
  }
  return out;
}

/** The problems of a Canary's `gitcanary.dev/metric-policies` annotation, for `gitcanary validate`. */
export function metricPolicyIssues(c: LoadedCanary): SpecIssue[] {
  const parsed = metricPolicies(c);
  return Array.isArray(parsed) ? parsed : [];
}
