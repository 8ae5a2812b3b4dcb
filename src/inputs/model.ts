/**
 * Loaded, validated inputs for one canary: the Canary document, its source workload and the
 * objects it references, each with the repository-relative file it came from.
 */
import type { AlertProvider, Canary, MetricTemplate, ProviderId } from './schema.js';

/** A plain Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** Where a document came from: repository-relative POSIX path and 1-based line of the document start. */
export interface Origin {
  file: string;
  line: number;
}

export interface Located<T> {
  origin: Origin;
  value: T;
}

export interface CanaryRef {
  namespace: string;
  name: string;
}

/** `namespace/name` */
export const refId = (r: CanaryRef): string => `${r.namespace}/${r.name}`;

export interface LoadedCanary {
  ref: CanaryRef;
  origin: Origin;
  /** Folder of the Canary file, repository-relative POSIX ('' for the root). */
  dir: string;
  canary: Canary;
  /** spec.provider, else the configured mesh provider. */
  provider: ProviderId;
  /** gitcanary.yaml `contour.ingressClass`: the default of the `gitcanary.dev/ingress-class` annotation. */
  ingressClass?: string;
  /** Non-fatal findings (unknown fields, deprecated fields), already formatted. */
  warnings: string[];
}

/** The workload named by targetRef and what it references, as found in the repository. */
export interface SourceWorkload {
  origin: Origin;
  object: K8sObject;
  /** ConfigMaps/Secrets referenced by the pod template whose manifests are in the repo (tracked). */
  configs: Located<K8sObject>[];
  /** The object named by autoscalerRef, when set. */
  autoscaler?: Located<K8sObject>;
}

/** Every document of interest in the repository. */
export interface RepoInventory {
  canaries: LoadedCanary[];
  templates: Located<MetricTemplate>[];
  alertProviders: Located<AlertProvider>[];
  /** Every other Kubernetes object found (Deployments, ConfigMaps, HPAs, Ingresses …). */
  objects: Located<K8sObject>[];
  /** Per-file/per-canary problems: a bad canary never stops the others. */
  errors: SpecIssue[];
}

/** One validation finding: `file:line: ns/name: path: message`. */
export interface SpecIssue {
  file: string;
  line: number;
  /** `namespace/name` of the object, when known. */
  object?: string;
  /** Dot path inside the object (`spec.analysis.stepWeight`). */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export const formatIssue = (i: SpecIssue): string =>
  `${i.file}:${i.line}: ${i.object ?? '-'}: ${i.path}: ${i.message}`;
