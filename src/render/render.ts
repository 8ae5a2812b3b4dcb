/**
 * Renders one canary into the files of its `rendered/` folder (pure: no I/O, no clock, no
 * randomness), and reads back what previously rendered files say.
 */
import type { Routes } from '../core/types.js';
import { apexName, targetName } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { selectorLabel } from '../inputs/source.js';
import { findKnativeService } from '../routers/knative.js';
import { routerFor } from '../routers/registry.js';
import type { RouterInput } from '../routers/types.js';
import { knativeObjects } from './knative.js';
import { kustomization } from './kustomization.js';
import { rec, stamp } from './meta.js';
import { configRefs } from './pod-spec.js';
import { discoveredPorts } from './ports.js';
import { services } from './services.js';
import type { RenderedFile, RenderInput } from './types.js';
import { workloads } from './workloads.js';
import { generatedHeader, toYaml } from './yaml.js';

/**
 * The folder gitcanary owns for a canary.
 * @example renderedDir({ dir: 'apps/podinfo' }) // 'apps/podinfo/rendered'
 * @example renderedDir({ dir: '' }) // 'rendered'
 */
export const renderedDir = (c: Pick<LoadedCanary, 'dir'>): string =>
  c.dir ? `${c.dir}/rendered` : 'rendered';

/**
 * File name of a rendered object: `<kind lowercased>-<name>.yaml`.
 * @example renderedFileName(podinfoPrimary) // 'deployment-podinfo-primary.yaml'
 */
export const renderedFileName = (o: K8sObject): string => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;

/** The router's view of a render input. */
export function routerInputOf(input: RenderInput): RouterInput {
  const c = input.canary;
  return {
    canary: c,
    namespace: c.ref.namespace,
    apex: apexName(c.canary),
    target: targetName(c.canary),
    routes: input.routes,
    phase: input.phase,
    iterations: input.iterations,
    runRevision: input.runRevision,
    lookup: input.lookup,
  };
}

/**
 * Every file of `<canary dir>/rendered/`, sorted by path: one object per file (primary and
 * canary workloads, config copies, autoscalers, Services, the provider's routing objects), each
 * stamped as managed by gitcanary, plus a `kustomization.yaml` listing them. Throws when the
 * provider has no router or two objects would share a file.
 */
export function render(input: RenderInput): RenderedFile[] {
  const c = input.canary;
  const router = routerFor(c.provider);
  // Knative routes between revisions of one Service: no -primary workloads or Services.
  const own =
    c.provider === 'knative'
      ? knativeObjects(input)
      : [
          ...workloads(input),
          ...services(
            c,
            selectorLabel(input.source.object),
            discoveredPorts(c.canary.spec.service, input.source.object),
          ),
        ];
  const objects = [...own, ...router.render(routerInputOf(input))].map((o) => stamp(o, c));
  const header = generatedHeader(c.origin.file);
  const dir = renderedDir(c);
  const byFile = new Map<string, K8sObject>();
  for (const o of objects) {
    const name = renderedFileName(o);
    if (byFile.has(name))
      throw new Error(`${dir}/${name}: two rendered objects are both ${o.kind} ${o.metadata.name}`);
    byFile.set(name, o);
  }
  const files: RenderedFile[] = [...byFile].map(([name, o]) => ({
    path: `${dir}/${name}`,
    content: toYaml([o], header),
  }));
  files.push({
    path: `${dir}/kustomization.yaml`,
    content: toYaml([kustomization([...byFile.keys()])], header),
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What `existingPrimary` looks for, as a person reads it in an error. */
export const primaryDescription = (canary: LoadedCanary): string =>
  canary.provider === 'knative'
    ? `Knative Service ${targetName(canary.canary)}`
    : `primary workload ${targetName(canary.canary)}-primary`;

/**
 * The primary side among previously rendered objects: the `<target>-primary` workload of the
 * targetRef kind and the ConfigMaps/Secrets its pod template references (the `-primary`
 * copies); for Knative, the rendered Knative Service (it names the primary revision). Empty when
 * absent.
 */
export function existingPrimary(objects: readonly K8sObject[], canary: LoadedCanary): K8sObject[] {
  if (canary.provider === 'knative') {
    const service = findKnativeService(objects, targetName(canary.canary));
    return service ? [service] : [];
  }
  const { kind } = canary.canary.spec.targetRef;
  const name = `${targetName(canary.canary)}-primary`;
  const primary = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!primary) return [];
  const refs = configRefs(rec(rec(rec(primary['spec'])['template'])['spec']));
  const configs = objects.filter((o) => refs.some((r) => r.kind === o.kind && r.name === o.metadata.name));
  return [primary, ...configs];
}

/**
 * The split written in previously rendered routing objects (the provider router's
 * `readRoutes`), or undefined when they are absent (then the caller assumes 100/0).
 */
export function currentRoutes(objects: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  return routerFor(input.canary.provider).readRoutes(objects, input);
}
