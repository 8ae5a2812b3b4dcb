/**
 * The traffic-provider port: one module per provider implements `Router`, picked from the
 * registry in `registry.ts`. Routers are pure: they only build and read plain objects.
 */
import type { Phase, Routes } from '../core/types.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';

export interface RouterInput {
  canary: LoadedCanary;
  /** Namespace of the canary (metadata.namespace, defaulted). */
  namespace: string;
  /** `spec.service.name` or the target's name: names Services and routing objects. */
  apex: string;
  /** `spec.targetRef.name`: names workloads. */
  target: string;
  /** The split to render. */
  routes: Routes;
  phase: Phase;
  iterations: number;
  /**
   * Revision of the current (or, when idle, the last) analysis run: `status.lastAppliedSpec`.
   * Stable for a whole run, so values derived from it (session-affinity cookies) are too.
   */
  runRevision: string;
  /**
   * Finds a user-owned object in the repository (e.g. the Ingress named by ingressRef), in the
   * canary's namespace unless `namespace` is given (e.g. `upstreamRef.namespace`).
   */
  lookup(kind: string, name: string, namespace?: string): K8sObject | undefined;
}

/** A problem with a spec that this provider cannot honour. */
export interface RouterIssue {
  /** Dot path in the Canary (`spec.analysis.match`). */
  path: string;
  message: string;
}

export interface Router {
  /** Routing objects for `input.routes` (VirtualService + DestinationRules, HTTPRoute, …). */
  render(input: RouterInput): K8sObject[];
  /**
   * The split currently written in previously rendered routing objects, or undefined when
   * they are absent (then the caller assumes 100/0).
   */
  readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined;
  /** Spec combinations this provider cannot honour (each one a validation error). */
  validate(canary: LoadedCanary): RouterIssue[];
}
