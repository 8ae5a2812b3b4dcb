/**
 * The metrics port: one instant query at one point in time. Adapters (Prometheus first) turn every
 * failure into a value, so an outage can never look like a passing metric.
 */
import type { QueryResult } from '../core/types.js';

export interface MetricsProvider {
  /**
   * Runs one instant query evaluated at `at`. Never throws or rejects: network failures, timeouts,
   * HTTP errors, unparsable answers and unsupported result types all become `{ kind: 'error' }`;
   * an empty result or NaN becomes `{ kind: 'no-data' }`.
   */
  query(query: string, at: Date): Promise<QueryResult>;
  /**
   * Optional (Prometheus): a range query from `start` to `end` every `stepSeconds`, every value of
   * every series pooled (the samples of a comparison with the primary). Never throws; an empty
   * matrix is no-data.
   */
  samples?(query: string, start: Date, end: Date, stepSeconds: number): Promise<SampleSet>;
}

/** The values of a range query, or why there are none. */
export type SampleSet =
  | { kind: 'samples'; values: number[] }
  | { kind: 'no-data' }
  | { kind: 'error'; message: string };

/**
 * A provider that answers every query with the same error: used when a provider cannot even be
 * built (missing credentials, bad address), so the failure surfaces as a failed check.
 * @example await failingProvider('secret prom-auth not found').query('up', now)
 *   → { kind: 'error', message: 'secret prom-auth not found' }
 */
export function failingProvider(message: string): MetricsProvider {
  return { query: async () => ({ kind: 'error', message }) };
}
