/**
 * Alerts as Flagger sends them: who receives a message (the severity filter), the fields of
 * messages that carry the canary's metadata, and the alert entries of a canary resolved to their
 * AlertProviders. Pure: the HTTP post is the notifier adapter's.
 */
import { analysisOf, analysisThreshold, progressDeadlineSeconds, strategyOf } from '../inputs/defaults.js';
import type { AlertProvider, Canary } from '../inputs/schema.js';

export type Severity = 'info' | 'warn' | 'error';

/** One name/value line under an alert (Slack field, Teams fact, Google Chat paragraph). */
export interface AlertField {
  name: string;
  value: string;
}

/** What one alert says, before a provider shapes it. */
export interface AlertMessage {
  /** The canary's name and namespace: Slack's author `<name>.<namespace>`. */
  name: string;
  namespace: string;
  text: string;
  severity: Severity;
  fields: AlertField[];
}

/**
 * Whether an alert entry of the given severity receives a message. As Flagger's code does (not
 * as its docs say): `info` receives everything, `warn` warn and error, `error` only error, and an
 * entry with no severity receives nothing.
 *
 * @example receives('warn', 'error') // true
 * @example receives(undefined, 'error') // false
 */
export function receives(entry: Severity | '' | undefined, message: Severity): boolean {
  if (entry === 'info') return true;
  if (entry === message) return true;
  return entry === 'warn' && message === 'error';
}

/**
 * The fields Flagger adds to initialization and new-revision messages.
 *
 * @example metadataFields(podinfo) // Target Deployment/podinfo.test, Failed checks threshold 5,
 *   Progress deadline 600s, Traffic routing "Weight step: 10 max: 50"
 */
export function metadataFields(canary: Canary): AlertField[] {
  const { spec, metadata } = canary;
  const fields: AlertField[] = [
    { name: 'Target', value: `${spec.targetRef.kind}/${spec.targetRef.name}.${metadata.namespace}` },
    { name: 'Failed checks threshold', value: String(analysisThreshold(canary)) },
    { name: 'Progress deadline', value: `${progressDeadlineSeconds(canary)}s` },
  ];
  const routing = trafficRouting(canary);
  if (routing) fields.push({ name: 'Traffic routing', value: routing });
  return fields;
}

function trafficRouting(canary: Canary): string | undefined {
  const strategy = strategyOf(canary);
  if (strategy === 'ab-testing') return 'A/B Testing';
  if (strategy === 'blue-green') return 'Blue/Green';
  const a = analysisOf(canary) ?? {};
  const max = a.maxWeight ?? 0;
  if ((a.stepWeight ?? 0) > 0) return `Weight step: ${a.stepWeight} max: ${max}`;
  if ((a.stepWeights?.length ?? 0) > 0) return `Weight steps: ${a.stepWeights?.join(',')} max: ${max}`;
  return undefined;
}

/** An alert entry resolved to its provider, with what the provider spec leaves unset filled in as Flagger does. */
export interface AlertTarget {
  /** `<provider namespace>/<provider name>`, for messages and the record of what was sent. */
  ref: string;
  type: AlertProvider['spec']['type'];
  /** `spec.address`, or the secret's `address` key (resolved by the caller). */
  address: string;
  username: string;
  channel: string;
  proxy?: string;
}

/** Flagger's defaults for an AlertProvider's optional fields. */
export const providerDefaults = { username: 'flagger', channel: 'general' } as const;
