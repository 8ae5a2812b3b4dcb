/**
 * The MetricTemplate provider types gitcanary can query: the one list that validation and the
 * analysis check against. A provider added under src/metrics/ is added here.
 */

/** `MetricTemplate.spec.provider.type` values gitcanary queries. */
export const queryableProviderTypes = [
  'prometheus',
  'cloudwatch',
  'datadog',
  'dynatrace',
  'externalmetrics',
  'graphite',
  'influxdb',
  'newrelic',
  'splunk',
  'stackdriver',
] as const;
export type QueryableProviderType = (typeof queryableProviderTypes)[number];

/**
 * @example isQueryable('prometheus') // true
 * @example isQueryable('datadog') // true
 * @example isQueryable('externalmetrics') // true (through the cluster reader)
 */
export const isQueryable = (type: string): type is QueryableProviderType =>
  (queryableProviderTypes as readonly string[]).includes(type);

/** Provider types gitcanary refuses for good, and why (no later version will query them). */
export const refusedProviderTypes: Readonly<Record<string, string>> = {
  keptn:
    'keptn creates KeptnMetric and Analysis objects in the cluster, and gitcanary never writes to the cluster',
};
