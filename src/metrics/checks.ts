/**
 * Plans the metric checks of one analysis run (Flagger `scheduler_metrics.go`), pure: which queries
 * to send where, in Flagger's order, with every resolution problem carried as the check's `error`.
 */
import type { MetricCheck } from '../core/types.js';
import { analysisOf, apexName, metricInterval, targetName } from '../inputs/defaults.js';
import type { LoadedCanary, Located } from '../inputs/model.js';
import type { MetricSpec, MetricTemplate } from '../inputs/schema.js';
import { type Builtins, modelEncodingAnnotation, observerFor } from './builtins.js';
import { applyPolicies } from './policy-checks.js';
import { isQueryable, queryableProviderTypes, refusedProviderTypes } from './queryable.js';
import { encodeNonWord, renderQuery, type TemplateModel } from './template.js';

/** A check plus where to send it. */
export interface PlannedCheck extends MetricCheck {
  /** The MetricTemplate provider's address; undefined → the canary's metrics server. */
  address?: string;
  /** The MetricTemplate provider's `secretRef`, in the template's namespace (see `secretAuth`). */
  secret?: { namespace: string; name: string };
  /** The MetricTemplate provider's extra headers. */
  headers?: Record<string, string[]>;
  /** A vendor template's `provider.type` (undefined: Prometheus). */
  type?: string;
  /** A vendor template's `provider.region` (cloudwatch). */
  region?: string;
  /** The metric's interval as written, for vendor windows ('' when unset, as Flagger). */
  interval?: string;
}

/**
 * The template model for a canary (Flagger `toMetricModel`). `revision`: for Knative, the latest
 * revision's name, which Flagger puts in `{{ route }}` (its `latestCreatedRevisionName`).
 * @example templateModel(podinfo, '1m').service === 'podinfo' // service.name unset → target
 * @example templateModel(knative, '1m', {}, 'podinfo-v2').route === 'podinfo-v2'
 */
export function templateModel(
  canary: LoadedCanary,
  interval: string,
  variables: Record<string, string> = {},
  revision?: string,
): TemplateModel {
  const spec = canary.canary.spec;
  const target = targetName(canary.canary);
  return {
    name: canary.ref.name,
    namespace: canary.ref.namespace,
    target,
    service: apexName(canary.canary),
    ingress: spec.ingressRef?.name ?? target,
    route: revision ?? spec.routeRef?.name ?? target,
    interval,
    variables,
  };
}

/**
 * Plans every check, in Flagger's order:
 * - loop 1, per metric: the builtin query when the name is `request-success-rate` (kind
 *   success-rate) or `request-duration` (kind duration, truncated to whole ms), then the inline
 *   `query` (kind custom; sent as written, untemplated, like Flagger), all with interval default `1m`
 *   and the canary's metrics server; a metric with none of builtin name, query or templateRef is an
 *   error check;
 * - loop 2, per metric with `templateRef` (namespace defaults to the canary's; a template without
 *   `metadata.namespace` counts as `default`): the rendered template query with the metric's
 *   interval as written ('' when unset), sent to the template provider's address.
 * A builtin-named metric with a templateRef runs both. Unknown templates, refused providers (keptn)
 * and render errors become checks with `error` (the analysis fails them). `revision`: a Knative
 * canary's latest revision name, rendered as `{{ route }}` (see templateModel).
 */
export function planChecks(
  canary: LoadedCanary,
  templates: readonly Located<MetricTemplate>[],
  builtins: Builtins,
  globalProvider: string,
  revision?: string,
): PlannedCheck[] {
  const metrics = analysisOf(canary.canary)?.metrics ?? [];
  const target = canary.canary.spec.targetRef;
  const observer = observerFor(globalProvider, canary.canary.spec.provider, target.kind, target.apiVersion);
  const checks: PlannedCheck[] = [];
  for (const m of metrics) {
    const model = templateModel(canary, metricInterval(m, true), m.templateVariables, revision);
    if (m.name === 'request-success-rate' || m.name === 'request-duration') {
      const template = builtins[observer][m.name].value;
      const encoded = template.metadata.annotations?.[modelEncodingAnnotation] === 'non-word-to-underscore';
      const kind = m.name === 'request-success-rate' ? 'success-rate' : 'duration';
      const check = withThresholds({ name: m.name, kind }, m);
      if (kind === 'duration') check.truncateMs = true;
      const rendered = renderQuery(template.spec.query, encoded ? encodeNonWord(model) : model);
      if (rendered.ok) check.query = rendered.query;
      else check.error = `built-in ${observer} ${m.name}: query render error: ${rendered.error}`;
      checks.push(check);
    }
    if (m.query) checks.push({ ...withThresholds({ name: m.name, kind: 'custom' }, m), query: m.query });
    const builtin = m.name === 'request-success-rate' || m.name === 'request-duration';
    if (!builtin && !m.query && !m.templateRef) {
      checks.push({
        ...withThresholds({ name: m.name, kind: 'custom' }, m),
        error: `metric ${m.name} is not a built-in metric and has neither a query nor a templateRef`,
      });
    }
  }
  for (const m of metrics) {
    if (m.templateRef) checks.push(templateCheck(canary, m, m.templateRef, templates, revision));
  }
  return applyPolicies(canary, checks, revision);
}

/**
 * The check of one templateRef metric: the rendered query and where to send it, or `error` saying
 * why it cannot run (template not found, provider type not queryable, no address, render error).
 */
export function templateCheck(
  canary: LoadedCanary,
  m: MetricSpec,
  ref: { name: string; namespace?: string },
  templates: readonly Located<MetricTemplate>[],
  revision?: string,
): PlannedCheck {
  const check = withThresholds({ name: m.name, kind: 'custom' }, m);
  const namespace = ref.namespace ?? canary.ref.namespace;
  const id = `MetricTemplate ${namespace}/${ref.name}`;
  const found = templates.find(
    (t) => t.value.metadata.name === ref.name && (t.value.metadata.namespace ?? 'default') === namespace,
  )?.value;
  if (!found) return { ...check, error: `${id} not found` };
  const provider = found.spec.provider;
  const refused = refusedProviderTypes[provider.type];
  if (refused)
    return { ...check, error: `${id}: provider type ${provider.type} is not supported: ${refused}` };
  if (!isQueryable(provider.type)) {
    return {
      ...check,
      error: `${id}: provider type ${provider.type} cannot be queried by gitcanary yet (queryable: ${queryableProviderTypes.join(', ')})`,
    };
  }
  if (provider.type !== 'prometheus') {
    const missing = vendorRequirement(provider, metricInterval(m, false));
    if (missing) return { ...check, error: `${id}: ${missing}` };
    check.type = provider.type;
    check.interval = metricInterval(m, false);
    if (provider.region) check.region = provider.region;
  } else if (!provider.address)
    return { ...check, error: `${id}: provider.address is required for type prometheus` };
  if (provider.address) check.address = provider.address;
  // Flagger reads a secretRef in the MetricTemplate's own namespace; so does gitcanary.
  if (provider.secretRef) check.secret = { namespace, name: provider.secretRef.name };
  if (provider.headers) check.headers = provider.headers;
  const rendered = renderQuery(
    found.spec.query,
    templateModel(canary, metricInterval(m, false), m.templateVariables, revision),
  );
  if (!rendered.ok) return { ...check, error: `${id}: query render error: ${rendered.error}` };
  return { ...check, query: rendered.query };
}

function withThresholds(base: Pick<PlannedCheck, 'name' | 'kind'>, m: MetricSpec): PlannedCheck {
  const check: PlannedCheck = { ...base };
  if (m.thresholdRange) {
    const range: { min?: number; max?: number } = {};
    if (m.thresholdRange.min !== undefined) range.min = m.thresholdRange.min;
    if (m.thresholdRange.max !== undefined) range.max = m.thresholdRange.max;
    check.thresholdRange = range;
  }
  if (m.threshold !== undefined) check.threshold = m.threshold;
  return check;
}

/** Vendor providers whose `provider.address` Flagger requires (the others have a default endpoint). */
const addressRequired = new Set(['graphite', 'influxdb', 'dynatrace', 'splunk']);
/** Vendor providers whose query window is 10 × the metric's interval: an empty interval cannot parse. */
const intervalRequired = new Set(['datadog', 'cloudwatch', 'newrelic', 'dynatrace', 'splunk']);

/**
 * What a vendor template lacks that makes every query fail, as Flagger would fail it.
 * @example vendorRequirement({ type: 'cloudwatch' }, '1m') === 'provider.region is required for type cloudwatch'
 */
export function vendorRequirement(
  provider: MetricTemplate['spec']['provider'],
  interval: string,
): string | undefined {
  if (addressRequired.has(provider.type) && !provider.address)
    return `provider.address is required for type ${provider.type}`;
  if (provider.type === 'cloudwatch' && !provider.region)
    return 'provider.region is required for type cloudwatch';
  if (intervalRequired.has(provider.type) && !interval)
    return `provider type ${provider.type} needs the metric's interval (its query window is 10 × interval); set interval (e.g. 1m)`;
  return undefined;
}
