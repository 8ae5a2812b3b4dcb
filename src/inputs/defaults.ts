/**
 * Flagger's defaults, in one place. Each function documents the Flagger function it mirrors.
 */
import { parseGoDuration } from './duration.js';
import type { AnalysisSpec, Canary, MetricSpec, ProviderId } from './schema.js';

export const defaults = {
  meshProvider: 'istio' as ProviderId,
  metricsServer: 'http://prometheus:9090',
  analysisIntervalSeconds: 60,
  minAnalysisIntervalSeconds: 10,
  progressDeadlineSeconds: 600,
  portName: 'http',
  metricInterval: '1m',
  sessionAffinityMaxAge: 86400,
  readyThreshold: 100,
  /** `-selector-labels` default: the first present in the target's selector is used. */
  selectorLabels: ['app', 'name', 'app.kubernetes.io/name'],
  prometheusTimeoutMs: 5000,
  historyLimit: 50,
} as const;

/**
 * Parses a Go duration (`1m30s`, `10s`, `500ms`, `1h`) into milliseconds, as Go's
 * `time.ParseDuration`; undefined when invalid.
 * @example parseDuration('1m30s') === 90_000
 */
export const parseDuration = (s: string | undefined): number | undefined => parseGoDuration(s);

/** `spec.analysis`, falling back to the deprecated `spec.canaryAnalysis` (Flagger `GetAnalysis`). */
export const analysisOf = (c: Canary): AnalysisSpec | undefined => c.spec.analysis ?? c.spec.canaryAnalysis;

/**
 * Analysis interval in ms (Flagger `GetAnalysisInterval`): empty or unparsable → 60s; below 10s → 10s.
 */
export function analysisIntervalMs(c: Canary): number {
  const ms = parseDuration(analysisOf(c)?.interval) ?? defaults.analysisIntervalSeconds * 1000;
  return Math.max(ms, defaults.minAnalysisIntervalSeconds * 1000);
}

/** Max failed checks before rollback (Flagger `GetAnalysisThreshold`: ≤ 0 → 1). */
export function analysisThreshold(c: Canary): number {
  const t = analysisOf(c)?.threshold ?? 0;
  return t > 0 ? t : 1;
}

/** Flagger `SkipAnalysis()`: true without any analysis block or with `spec.skipAnalysis`. */
export const skipAnalysis = (c: Canary): boolean =>
  analysisOf(c) === undefined || c.spec.skipAnalysis === true;

/** Apex service name: `spec.service.name`, else the target's name (Flagger `GetServiceNames`). */
export const apexName = (c: Canary): string => c.spec.service.name ?? c.spec.targetRef.name;

export const targetName = (c: Canary): string => c.spec.targetRef.name;

export const progressDeadlineSeconds = (c: Canary): number =>
  c.spec.progressDeadlineSeconds ?? defaults.progressDeadlineSeconds;

/** Metric interval for builtin and inline metrics (`1m` default only there; templates get what is set). */
export const metricInterval = (m: MetricSpec, builtinOrInline: boolean): string =>
  m.interval ?? (builtinOrInline ? defaults.metricInterval : '');

/** Strategy selection (Flagger `Canary.DeploymentStrategy`). */
export type Strategy = 'canary' | 'blue-green' | 'ab-testing';
export function strategyOf(c: Canary): Strategy {
  const a = analysisOf(c);
  const iterations = a?.iterations ?? 0;
  if ((a?.match?.length ?? 0) > 0 && iterations > 0) return 'ab-testing';
  if (iterations > 0) return 'blue-green';
  return 'canary';
}
