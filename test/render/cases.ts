/**
 * Loads a golden case (`fixtures/golden/<provider>/<case>/{input.yaml,case.json}`) into a
 * RenderInput, and builds canaries and sources for unit tests. The files are placed as if the
 * Canary lived in `apps/podinfo/` of a GitOps repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Phase, Routes } from '../../src/core/types.js';
import type { K8sObject, LoadedCanary, SourceWorkload } from '../../src/inputs/model.js';
import { canarySchema } from '../../src/inputs/schema.js';
import { existingPrimary, render } from '../../src/render/render.js';
import type { RenderInput } from '../../src/render/types.js';
import { isKnativeService } from '../../src/routers/knative.js';

export const appDir = 'apps/podinfo';

interface CaseFile {
  phase: Phase;
  routes: Routes;
  canaryReplicas: 'source' | 0;
  primaryFrom: 'source' | 'existing';
  /** For `existing`: the image the primary was promoted with, and that revision. */
  previousImage?: string;
  previousRevision?: string;
  /** For a Knative source: the revision name (`spec.template.metadata.name`) of that image. */
  previousRevisionName?: string;
  revision: string;
  iterations: number;
}

/** Parses a YAML stream into plain objects. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

/** A LoadedCanary as the loader would produce it for `apps/podinfo/canary.yaml`. */
export function loadedCanary(doc: unknown): LoadedCanary {
  const canary = canarySchema.parse(doc);
  return {
    ref: { namespace: canary.metadata.namespace ?? 'default', name: canary.metadata.name },
    origin: { file: `${appDir}/canary.yaml`, line: 1 },
    dir: appDir,
    canary,
    provider: canary.spec.provider ?? 'istio',
    warnings: [],
  };
}

/** Splits input documents into the canary and its source (every ConfigMap/Secret is tracked). */
export function inputsOf(objects: K8sObject[]): { canary: LoadedCanary; source: SourceWorkload } {
  const canaryDoc = objects.find((o) => o.kind === 'Canary');
  const workload = objects.find(
    (o) => o.kind === 'Deployment' || o.kind === 'DaemonSet' || isKnativeService(o),
  );
  if (!canaryDoc || !workload)
    throw new Error('a case needs a Canary and a Deployment, DaemonSet or Knative Service');
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
  const source: SourceWorkload = {
    origin: { file: `${appDir}/${isKnativeService(workload) ? 'service' : 'deployment'}.yaml`, line: 1 },
    object: workload,
    configs: objects
      .filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
      .map((value) => ({ origin: { file: `${appDir}/${value.kind.toLowerCase()}.yaml`, line: 1 }, value })),
    ...(hpa ? { autoscaler: { origin: { file: `${appDir}/hpa.yaml`, line: 1 }, value: hpa } } : {}),
  };
  return { canary: loadedCanary(canaryDoc), source };
}

/**
 * The source with its first container's image replaced (the previously promoted revision), and
 * for a Knative Service its revision name.
 */
function withImage(source: SourceWorkload, image: string, revisionName?: string): SourceWorkload {
  const object = structuredClone(source.object);
  const template = (
    object as unknown as {
      spec: { template: { metadata?: { name?: string }; spec: { containers: { image: string }[] } } };
    }
  ).spec.template;
  const containers = template.spec.containers;
  if (containers[0]) containers[0].image = image;
  if (revisionName) template.metadata = { ...template.metadata, name: revisionName };
  return { ...source, object };
}

/**
 * The RenderInput of a golden case; `existing` primaries come from rendering the previous image.
 * Every object of input.yaml (e.g. the Ingress named by ingressRef) is reachable through `lookup`.
 */
export function loadCase(dir: string): RenderInput {
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseFile;
  const inputs = parseObjects(readFileSync(join(dir, 'input.yaml'), 'utf8'));
  const { canary, source } = inputsOf(inputs);
  const base: RenderInput = {
    canary,
    source,
    primary: { from: 'source' },
    canaryReplicas: c.canaryReplicas,
    routes: c.routes,
    phase: c.phase,
    iterations: c.iterations,
    revision: c.revision,
    runRevision: c.revision,
    lookup: (kind, name) => inputs.find((o) => o.kind === kind && o.metadata.name === name),
  };
  if (c.primaryFrom === 'source') return base;
  if (!c.previousImage || !c.previousRevision)
    throw new Error(`${dir}: existing primary needs previousImage/Revision`);
  const previous = render({
    ...base,
    source: withImage(source, c.previousImage, c.previousRevisionName),
    revision: c.previousRevision,
  });
  const objects = previous.flatMap((f) => parseObjects(f.content)).filter((o) => o.kind !== 'Kustomization');
  return { ...base, primary: { from: 'existing', objects: existingPrimary(objects, canary) } };
}
