import type { Phase, Routes } from '../core/types.js';
import type { K8sObject, LoadedCanary, SourceWorkload } from '../inputs/model.js';

export interface RenderInput {
  canary: LoadedCanary;
  source: SourceWorkload;
  /**
   * Where the primary workload (and its `-primary` config copies) comes from:
   * `source` on bootstrap and promotion; otherwise the objects already rendered, kept as they are.
   */
  primary: { from: 'source' } | { from: 'existing'; objects: K8sObject[] };
  /** Canary workload replicas: the source's, or 0 when idle. */
  canaryReplicas: 'source' | 0;
  routes: Routes;
  phase: Phase;
  iterations: number;
  /** The revision hash of the source, recorded on the primary when promoted. */
  revision: string;
  /** Revision of the current (or last) analysis run, `status.lastAppliedSpec` (see RouterInput). */
  runRevision: string;
  /** Finds a user-owned object in the repository (for routers that read one, e.g. NGINX ingressRef). */
  lookup(kind: string, name: string, namespace?: string): K8sObject | undefined;
}

/** A file to write, repository-relative POSIX path, full content. */
export interface RenderedFile {
  path: string;
  content: string;
}
