/** The HTTP metrics providers, by MetricTemplate `provider.type`. */
import { cloudwatch } from './cloudwatch.js';
import { datadog } from './datadog.js';
import { dynatrace } from './dynatrace.js';
import { graphite } from './graphite.js';
import { influxdb } from './influxdb.js';
import { newrelic } from './newrelic.js';
import { splunk } from './splunk.js';
import { stackdriver } from './stackdriver.js';
import type { HttpMetricsProvider } from './types.js';

export const httpProviders = {
  cloudwatch,
  datadog,
  dynatrace,
  graphite,
  influxdb,
  newrelic,
  splunk,
  stackdriver,
} satisfies Record<string, HttpMetricsProvider>;

export type HttpProviderType = keyof typeof httpProviders;

export const isHttpProvider = (t: string): t is HttpProviderType => Object.hasOwn(httpProviders, t);
