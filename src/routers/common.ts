/**
 * Helpers shared by the routers: service names, the routing object's metadata and the spec
 * features no router implements yet.
 */

import { analysisOf } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { objectMeta } from '../render/meta.js';
import type { RouterInput, RouterIssue } from './types.js';

/** `<apex>`, `<apex>-primary`, `<apex>-canary` (Flagger `GetServiceNames`). */
export function serviceNames(input: Pick<RouterInput, 'apex'>): {
  apex: string;
  primary: string;
  canary: string;
} {
  return { apex: input.apex, primary: `${input.apex}-primary`, canary: `${input.apex}-canary` };
}

/** Metadata of the routing object `<apex>`: labels and annotations from `service.apex`. */
export function routeMeta(input: Omit<RouterInput, 'routes'>): K8sObject['metadata'] {
  const meta = input.canary.canary.spec.service.apex;
  return objectMeta(input.apex, input.namespace, meta?.labels, meta?.annotations);
}

/** The routing object `kind`/`name` among previously rendered objects. */
export const findObject = (rendered: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  rendered.find((o) => o.kind === kind && o.metadata.name === name);

/** Weight as written, or 0 when absent or not a number (Flagger reads a nil weight as 0). */
export const weightOf = (x: unknown): number => (typeof x === 'number' ? x : 0);

/**
 * Issues for spec features gitcanary's routers do not render yet: A/B matches, session
 * affinity, blue/green iterations (and with them B/G mirroring);
 * `supports` names the ones the calling router does render.
 * @example unsupportedYet(abCanary, 'traefik')
 * // [{ path: 'spec.analysis.match', message: 'A/B testing (analysis.match) is not supported yet by the traefik router in gitcanary' }]
 * @example unsupportedYet(abCanary, 'istio', ['match', 'sessionAffinity', 'iterations']) // []
 */
export function unsupportedYet(
  c: LoadedCanary,
  router: string,
  supports: readonly ('match' | 'sessionAffinity' | 'iterations')[] = [],
): RouterIssue[] {
  const a = analysisOf(c.canary);
  const at = c.canary.spec.analysis ? 'spec.analysis' : 'spec.canaryAnalysis';
  const issues: RouterIssue[] = [];
  const notYet = (path: string, what: string) =>
    issues.push({ path, message: `${what} is not supported yet by the ${router} router in gitcanary` });
  const no = (f: (typeof supports)[number]) => !supports.includes(f);
  if (no('match') && (a?.match?.length ?? 0) > 0) notYet(`${at}.match`, 'A/B testing (analysis.match)');
  if (no('sessionAffinity') && a?.sessionAffinity)
    notYet(`${at}.sessionAffinity`, 'session affinity (analysis.sessionAffinity)');
  if (no('iterations') && (a?.iterations ?? 0) > 0)
    notYet(`${at}.iterations`, 'blue/green (analysis.iterations)');
  return issues;
}
