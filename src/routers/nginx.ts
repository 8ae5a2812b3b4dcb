/**
 * NGINX Ingress router (Flagger `pkg/router/ingress.go`, provider `nginx`; docs/flagger-behaviour.md §5.3).
 *
 * The user's Ingress named by `spec.ingressRef` is read, never rewritten: it keeps routing to the
 * apex Service, which selects the primary pods. gitcanary renders only the canary Ingress
 * `<ingressRef.name>-canary`: the same spec with every `<apex>` backend renamed `<apex>-canary`,
 * and NGINX's canary annotations carrying the split (weights) or the A/B header/cookie rule.
 */

import type { Routes } from '../core/types.js';
import { analysisOf } from '../inputs/defaults.js';
import type { K8sObject, LoadedCanary } from '../inputs/model.js';
import { type Raw, rec } from '../render/meta.js';
import { findObject } from './common.js';
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
import { abIssues, abRule } from './nginx-match.js';
import { analysisAt, lackingFeatures } from './provider-limits.js';
import type { Router, RouterInput } from './types.js';

/** Flagger's `-ingress-annotations-prefix` default. */
export const defaultAnnotationsPrefix = 'nginx.ingress.kubernetes.io';

/** Canary annotation overriding the NGINX annotation prefix (Flagger's operator flag, per canary here). */
export const annotationsPrefixAnnotation = 'gitcanary.dev/ingress-annotations-prefix';

/**
 * The NGINX annotation prefix of a canary: its `gitcanary.dev/ingress-annotations-prefix`
 * annotation (trailing `/` ignored), else `nginx.ingress.kubernetes.io`.
 * @example annotationsPrefix(canaryWithoutAnnotation) // 'nginx.ingress.kubernetes.io'
 */
export function annotationsPrefix(c: LoadedCanary): string {
  const custom = c.canary.metadata.annotations?.[annotationsPrefixAnnotation]?.replace(/\/+$/, '');
  return custom || defaultAnnotationsPrefix;
}

/** `<prefix>/<suffix>` for a canary. */
const keyOf = (c: LoadedCanary) => (suffix: string) => `${annotationsPrefix(c)}/${suffix}`;

const isAb = (c: LoadedCanary): boolean => (analysisOf(c.canary)?.match?.length ?? 0) > 0;

/**
 * Annotations of the canary Ingress: the user's Ingress annotations minus every key containing
 * `<prefix>/canary` and `kubectl.kubernetes.io/last-applied-configuration`, plus
 * `<prefix>/canary: "true"` and `<prefix>/canary-weight`:
 * - weighted (canary, blue/green): `canary-weight: "<C>"` — blue/green gets the 0/100 the core decides;
 * - A/B (`analysis.match` set): `canary-weight: "0"` always (what Flagger's reset writes and its
 *   header update leaves in place, §10.15; it keeps unmatched requests on the primary), and while
 *   C > 0 the `canary-by-header` / `-value` / `-pattern` and `canary-by-cookie` of {@link abRule}.
 */
function canaryAnnotations(input: RouterInput, ingress: K8sObject): Record<string, string> {
  const c = input.canary;
  const key = keyOf(c);
  const { annotations } = copiedMetadata(ingress, (k) => k.includes(key('canary')));
  annotations[key('canary')] = 'true';
  if (!isAb(c)) {
    annotations[key('canary-weight')] = String(input.routes.canary);
    return annotations;
  }
  annotations[key('canary-weight')] = '0';
  if (input.routes.canary > 0) {
    const rule = abRule(analysisOf(c.canary)?.match ?? []);
    if (rule.cookie) annotations[key('canary-by-cookie')] = rule.cookie;
    if (rule.header) annotations[key('canary-by-header')] = rule.header;
    if (rule.headerValue) annotations[key('canary-by-header-value')] = rule.headerValue;
    if (rule.headerPattern) annotations[key('canary-by-header-pattern')] = rule.headerPattern;
  }
  return annotations;
}

/**
 * The user's Ingress spec with every backend Service `<apex>` (rule paths and `defaultBackend`)
 * renamed `<apex>-canary`. Throws when no rule path routes to the apex (Flagger's "backend not found").
 */
function canarySpec(input: RouterInput, ingress: K8sObject): Raw {
  const canary = `${input.apex}-canary`;
  let found = false;
  const spec = mapRulePaths(ingress['spec'], (paths) =>
    paths.map((p) => {
      if (backendService(p['backend']) !== input.apex) return p;
      found = true;
      return { ...p, backend: renamedBackend(p['backend'], canary) };
    }),
  );
  if (!found) throw noApexBackend(input, ingress);
  if (backendService(spec['defaultBackend']) === input.apex)
    spec['defaultBackend'] = renamedBackend(spec['defaultBackend'], canary);
  return spec;
}

function render(input: RouterInput): K8sObject[] {
  return canaryIngress(input, 'nginx', (ingress) => ({
    annotations: canaryAnnotations(input, ingress),
    spec: canarySpec(input, ingress),
  }));
}

/**
 * Parses a `canary-weight` value: an integer 0–100 (Flagger `strconv.Atoi`, bounded here).
 * @example parseWeight('30') // 30
 */
function parseWeight(value: string, where: string): number {
  if (!/^[+-]?\d+$/.test(value.trim()) || Number(value) < 0 || Number(value) > 100)
    throw new Error(`${where}: "${value}" is not a weight between 0 and 100; fix or delete the file`);
  return Number(value);
}

/**
 * Flagger `GetRoutes`: with `analysis.match` set and a `canary-by-cookie` or `canary-by-header`
 * annotation present → 0/100; otherwise C = `canary-weight` (0 when absent), P = 100 − C. Never
 * mirrored. Undefined without spec.ingressRef or the rendered canary Ingress; throws on a weight
 * that is not an integer 0–100.
 */
function readRoutes(rendered: K8sObject[], input: Omit<RouterInput, 'routes'>): Routes | undefined {
  const ref = input.canary.canary.spec.ingressRef;
  if (!ref) return undefined;
  const name = canaryIngressName(ref.name);
  const ingress = findObject(rendered, 'Ingress', name);
  if (!ingress) return undefined;
  const annotations = rec(ingress.metadata.annotations);
  const key = keyOf(input.canary);
  const has = (k: string) => Object.hasOwn(annotations, k);
  if (isAb(input.canary) && (has(key('canary-by-cookie')) || has(key('canary-by-header'))))
    return { primary: 0, canary: 100, mirrored: false };
  const raw = annotations[key('canary-weight')];
  const canary =
    raw === undefined
      ? 0
      : parseWeight(String(raw), `Ingress ${input.namespace}/${name} ${key('canary-weight')}`);
  return { primary: 100 - canary, canary, mirrored: false };
}

/**
 * NGINX: canary Ingress with weight or header/cookie annotations; canary, blue/green and A/B.
 * Needs spec.ingressRef; no mirroring, no session affinity.
 */
export const nginxRouter: Router = {
  render,
  readRoutes,
  validate: (c) => {
    const a = analysisOf(c.canary);
    return [
      ...ingressRefIssues(c, 'nginx'),
      ...lackingFeatures(c, 'nginx', ['mirror', 'sessionAffinity']),
      ...abIssues(a?.match ?? [], analysisAt(c), a?.iterations),
    ];
  },
};
