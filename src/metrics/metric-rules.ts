/**
 * Validation of a canary's template metrics against the repository's MetricTemplates: what is
 * certain to fail every analysis (a template that is missing, of a provider type gitcanary cannot
 * query, without an address, or whose query cannot render) is an error, never a failed check that
 * rolls the canary back at run time.
 */
import { analysisOf } from '../inputs/defaults.js';
import type { LoadedCanary, Located, SpecIssue } from '../inputs/model.js';
import type { MetricTemplate } from '../inputs/schema.js';
import { canaryError, type Path } from '../inputs/validate.js';
import { templateCheck, templateModel } from './checks.js';
import { renderQuery } from './template.js';

/**
 * One error per templateRef metric that cannot be queried, at `…metrics.<i>.templateRef.name`
 * (or `…metrics.<i>.interval` for a template using `{{ interval }}` without one: Flagger renders
 * it empty and the query cannot parse).
 */
export function metricRefRules(
  c: LoadedCanary,
  templates: readonly Located<MetricTemplate>[],
  clusterAccess = 'none',
): SpecIssue[] {
  const key = c.canary.spec.analysis ? 'analysis' : 'canaryAnalysis';
  const out: SpecIssue[] = [];
  const at = (path: Path, message: string): SpecIssue => canaryError(c, path, message);
  (analysisOf(c.canary)?.metrics ?? []).forEach((m, i) => {
    const ref = m.templateRef;
    if (!ref) return;
    const base = ['spec', key, 'metrics', i];
    const check = templateCheck(c, m, ref, templates);
    if (check.error) {
      out.push(at([...base, 'templateRef', 'name'], `${check.error}; every analysis would fail this check`));
      return;
    }
    if (check.type === 'externalmetrics' && clusterAccess === 'none') {
      out.push(
        at(
          [...base, 'templateRef', 'name'],
          `${check.name}: provider type externalmetrics reads the Kubernetes external metrics API, and cluster.access is none in gitcanary.yaml: set it to kubeconfig or in-cluster; every analysis would fail this check`,
        ),
      );
      return;
    }
    if (m.interval !== undefined) return;
    const namespace = ref.namespace ?? c.ref.namespace;
    const template = templates.find(
      (t) => t.value.metadata.name === ref.name && (t.value.metadata.namespace ?? 'default') === namespace,
    );
    const probe =
      template && renderQuery(template.value.spec.query, templateModel(c, '1m', m.templateVariables));
    if (probe?.ok && probe.query !== check.query)
      out.push(
        at(
          base,
          `MetricTemplate ${namespace}/${ref.name} uses {{ interval }} but this metric sets no interval: it renders empty and the query cannot run; set interval (e.g. 1m)`,
        ),
      );
  });
  return out;
}
