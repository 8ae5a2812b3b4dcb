/**
 * The canary-against-primary comparisons a Canary asks for, in its annotation
 * `gitcanary.dev/compare` (a YAML map keyed by the comparison's name), so Flagger's Canary schema
 * stays valid:
 *
 * ```yaml
 * gitcanary.dev/compare: |
 *   error-rate:
 *     method: rate-ratio
 *     requests: sum(increase(http_requests_total{deployment="{{ workload }}"}[{{ window }}]))
 *     errors: sum(increase(http_requests_total{deployment="{{ workload }}",code=~"5.."}[{{ window }}]))
 *     tolerance: 1.5
 *   latency:
 *     method: mann-whitney
 *     query: avg by (pod) (rate(latency_sum{deployment="{{ workload }}"}[{{ step }}]) / rate(latency_count{deployment="{{ workload }}"}[{{ step }}]))
 *     tolerance: 1.2
 * ```
 *
 * `{{ workload }}` is `<target>` for the canary and `<target>-primary` for the primary; also
 * `{{ target }}`, `{{ namespace }}`, `{{ window }}` and `{{ step }}`. Pure.
 */
import { z } from 'zod';
import type { ComparisonSpec } from '../core/types.js';
import { parseDuration } from './defaults.js';
import { formatIssue, type LoadedCanary, type SpecIssue } from './model.js';
import { readYamlAnnotation } from './yaml-annotation.js';

export const compareAnnotation = 'gitcanary.dev/compare';

const duration = z.string().refine((s) => (parseDuration(s) ?? 0) > 0, 'must be a duration such as 5m');

const common = {
  tolerance: z.number().positive(),
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  window: duration.default('5m'),
};

const entry = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('rate-ratio'),
    requests: z.string().min(1),
    errors: z.string().min(1),
    minRequests: z.number().int().min(1).default(100),
    maxErrorRate: z.number().gt(0).lt(1).default(0.01),
    ...common,
  }),
  z.strictObject({
    method: z.literal('mann-whitney'),
    query: z.string().min(1),
    step: duration.default('1m'),
    minSamples: z.number().int().min(1).default(5),
    scale: z.enum(['log', 'linear']).default('log'),
    ...common,
  }),
]);

export type CompareEntry = z.infer<typeof entry>;

/** One comparison as the run needs it: the judge's settings, the queries and the window. */
export interface PlannedComparison {
  spec: ComparisonSpec;
  entry: CompareEntry;
  windowMs: number;
  stepMs: number;
}

/**
 * The comparisons of a Canary, or the problems of its annotation (each naming file, object and key).
 * @example plannedComparisons(canaryAnnotated({})) // []
 */
export function plannedComparisons(c: LoadedCanary): PlannedComparison[] | string[] {
  const parsed = parseAnnotation(c);
  if (Array.isArray(parsed)) return parsed.map(formatIssue);
  if (!parsed) return [];
  return Object.entries(parsed).map(([name, e]) => ({
    entry: e,
    windowMs: parseDuration(e.window) ?? 300_000,
    stepMs: e.method === 'mann-whitney' ? (parseDuration(e.step) ?? 60_000) : 0,
    spec: {
      name,
      method: e.method,
      tolerance: e.tolerance,
      confidence: e.confidence,
      minRequests: e.method === 'rate-ratio' ? e.minRequests : 0,
      minSamples: e.method === 'mann-whitney' ? e.minSamples : 0,
      scale: e.method === 'mann-whitney' ? e.scale : 'linear',
      maxErrorRate: e.method === 'rate-ratio' ? e.maxErrorRate : 0,
    },
  }));
}

/** The annotation's entries, undefined without one, or its problems (file, object, key). */
function parseAnnotation(c: LoadedCanary): Record<string, CompareEntry> | undefined | SpecIssue[] {
  return readYamlAnnotation(c, compareAnnotation, z.record(z.string().regex(/^[a-zA-Z0-9_.-]+$/), entry));
}

/** The problems of a Canary's `gitcanary.dev/compare` annotation, for `gitcanary validate`. */
export function compareIssues(c: LoadedCanary): SpecIssue[] {
  const parsed = parseAnnotation(c);
  return Array.isArray(parsed) ? parsed : [];
}

/**
 * A comparison query for one arm.
 * @example renderArm('x{deployment="{{ workload }}"}[{{ window }}]', { workload: 'podinfo-primary', … })
 *   === 'x{deployment="podinfo-primary"}[5m]'
 */
export function renderArm(query: string, vars: Record<string, string>): string {
  return query.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (all, k: string) => vars[k] ?? all);
}
