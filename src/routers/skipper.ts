/**
 * Skipper router (Flagger `pkg/router/skipper.go`; docs/flagger-behaviour.md §5.10).
 *
 * The user's Ingress named by `spec.ingressRef` is read, never rewritten. gitcanary renders the
 * canary Ingress `<ingressRef.name>-canary`: a copy where each path to `<apex>` goes to
 * `<apex>-primary`, with a duplicate of that path to `<apex>-canary` appended to the rule, and two
 * annotations: `zalando.org/backend-weights` (the split) and `zalando.org/skipper-predicate`
 * (`Weight(100)` so this Ingress wins over the original, or `False()` to switch it off at C = 0).
 */

import type { Routes } from '../core/types.js';
import type { K8sObject } from '../inputs/model.js';
import { type Raw, rec } from '../render/meta.js';
import { findObject, serviceNames } from './common.js';
import {
  backendService,
  canaryIngress,
  canaryIngressName,
  copiedMetadata,
  ingressRefIssues,
  mapRulePaths,
  noApexBackend,
  renamedBackend,
} from './ingress-ref.js';
import { lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

export const backendWeightsAnnotation = 'zalando.org/backend-weights';
export const predicateAnnotation = 'zalando.org/skipper-predicate';
const routeWeight = 'Weight(100)';
const routeDisable = 'False()';

/**
 * Flagger `insertPredicate`: `insert` first, then the `&&`-separated predicates of `raw`, trimmed,
 * without empty ones, `Weight(100)` and `False()`.
 * @example insertPredicate('Host(/^a[.]example[.]com$/)', 'Weight(100)') // 'Weight(100) && Host(/^a[.]example[.]com$/)'
 * @example insertPredicate('Weight(100) && Path("/")', 'False()') // 'False() && Path("/")'
 */
export function insertPredicate(raw: string | undefined, insert: string): string {
  const kept = (raw ?? '')
    .split('&&')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== routeWeight && p !== routeDisable);
  return [insert, ...kept].join(' && ');
}

/**
 * The `backend-weights` JSON with keys sorted, byte for byte what Flagger writes (Go's
 * `json.Marshal` of a map sorts its keys, so the canary Service comes first).
 * @example backendWeights({ 'podinfo-primary': 70, 'podinfo-canary': 30 }) // '{"podinfo-canary":30,"podinfo-primary":70}'
 */
export function backendWeights(weights: Record<string, number>): string {
  const sorted = Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted));
}

/**
 * The user's Ingress spec where each rule path to `<apex>` is switched to `<apex>-primary` and a
 * copy of it pointing at `<apex>-canary` is appended to that rule's paths (in path order).
 * Throws when no rule path routes to the apex (Flagger's own check compares pointers and never fires).
 */
function canarySpec(input: RouterInput, ingress: K8sObject): Raw {
  const names = serviceNames(input);
  let found = false;
  const spec = mapRulePaths(ingress['spec'], (paths) => {
    const canaries: Raw[] = [];
    const out = paths.map((p) => {
      if (backendService(p['backend']) !== names.apex) return p;
      found = true;
      canaries.push({ ...p, backend: renamedBackend(p['backend'], names.canary) });
      return { ...p, backend: renamedBackend(p['backend'], names.primary) };
    });
    return [...out, ...canaries];
  });
  if (!found) throw noApexBackend(input, ingress);
  return spec;
}

/**
 * Annotations: the user's Ingress annotations (without `last-applied-configuration` and Flux keys),
 * `backend-weights` `{"<apex>-canary":C,"<apex>-primary":P}` and the predicate with `Weight(100)`
 * first, or `False()` first (and no `Weight(100)`) when C = 0, as Flagger's `SetRoutes` leaves it.
 */
function canaryAnnotations(input: RouterInput, ingress: K8sObject): Record<string, string> {
  const names = serviceNames(input);
  const { annotations } = copiedMetadata(ingress);
  annotations[backendWeightsAnnotation] = backendWeights({
    [names.primary]: input.routes.primary,
    [names.canary]: input.routes.canary,
  });
  annotations[predicateAnnotation] = insertPredicate(
    annotations[predicateAnnotation],
    input.routes.canary === 0 ? routeDisable : routeWeight,
  );
  return annotations;
}

function render(input: RouterInput): K8sObject[] {
  return canaryIngress(input, 'skipper', (ingress) => ({
    annotations: canaryAnnotations(input, ingress),
    spec: canarySpec(input, ingress),
  }));
}

/**
 * Flagger `GetRoutes`: P and C from the `backend-weights` JSON of the canary Ingress; never
 * mirrored. Undefined without spec.ingressRef or the rendered canary Ingress; throws when the
 * annotation is missing, is not JSON, or lacks an integer weight for either Service.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const ref = input.canary.canary.spec.ingressRef;
  if (!ref) return undefined;
  const name = canaryIngressName(ref.name);
  const ingress = findObject(rendered, 'Ingress', name);
  if (!ingress) return undefined;
  const where = `Ingress ${input.namespace}/${name} ${backendWeightsAnnotation}`;
  const raw = rec(ingress.metadata.annotations)[backendWeightsAnnotation];
  if (typeof raw !== 'string') throw new Error(`${where}: annotation missing; fix or delete the file`);
  let weights: Raw;
  try {
    weights = rec(JSON.parse(raw));
  } catch (e) {
    throw new Error(`${where}: not JSON; fix or delete the file`, { cause: e });
  }
  const weightOf = (service: string): number => {
    const w = weights[service];
    if (typeof w !== 'number' || !Number.isInteger(w))
      throw new Error(`${where}: no integer weight for ${service}; fix or delete the file`);
    return w;
  };
  const names = serviceNames(input);
  return { primary: weightOf(names.primary), canary: weightOf(names.canary), mirrored: false };
}

/** Skipper: canary Ingress with backend weights; canary and blue/green. No A/B, mirror or session affinity. */
export const skipperRouter: Router = {
  render,
  readRoutes,
  validate: (c) => [
    ...ingressRefIssues(c, 'skipper'),
    ...lackingFeatures(c, 'skipper', ['match', 'mirror', 'sessionAffinity']),
  ],
};
