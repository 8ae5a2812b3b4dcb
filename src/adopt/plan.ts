/**
 * What `gitcanary adopt` concludes for one canary from Flagger's live objects, pure: the live
 * Canary's phase and the live `-primary` pod template against the repository's source template.
 * The status it writes makes the first run neither re-promote nor roll back.
 */
import { canonicalJson, revisionOf } from '../core/revision.js';
import type { CanaryStatus, Phase } from '../core/types.js';

/** Flagger phases a run has settled in. */
const settled = new Set(['Initialized', 'Succeeded', 'Failed']);

type Json = Record<string, unknown>;

/** Flagger phases where a run is in flight: adopting then would cut it off. */
const midRun = new Set([
  'Initializing',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
]);

export interface AdoptInput {
  id: string;
  /** The live Flagger Canary (its `status` is read). */
  liveCanary: Json;
  /** The live `<target>-primary` workload, or undefined when it does not exist. */
  livePrimary: Json | undefined;
  /** The source workload's pod template as the repository has it. */
  sourceTemplate: unknown;
  /** gitcanary's revision of the source (`sourceRevision`) and its tracked config checksums. */
  sourceRevision: string;
  trackedConfigs: Record<string, string>;
  /** Adopt a mid-run canary anyway, its primary taken as promoted. */
  force: boolean;
  now: Date;
}

export type AdoptPlan =
  | {
      outcome: 'promoted' | 'primary-differs';
      status: CanaryStatus;
      /** Flagger's phase, and what was concluded, in words. */
      flaggerPhase: string;
      message: string;
    }
  | { outcome: 'refused'; flaggerPhase: string; message: string };

const rec = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};

/**
 * The live pod template with what Flagger adds taken out: the `flagger-id` annotation, the
 * `-primary` names of the ConfigMap/Secret copies it points at, and the
 * `-primary` suffix Flagger puts on label values (`app: podinfo-primary` → `app: podinfo`).
 */
export function flaggerNeutral(template: unknown): Json {
  const t = structuredClone(rec(template));
  const meta = rec(t.metadata);
  const annotations = { ...rec(meta.annotations) };
  delete annotations['flagger-id'];
  const labels = Object.fromEntries(
    Object.entries(rec(meta.labels)).map(([k, v]) => [
      k,
      typeof v === 'string' ? v.replace(/-primary$/, '') : v,
    ]),
  );
  const next: Json = { ...meta };
  delete next.annotations;
  delete next.labels;
  delete next.creationTimestamp;
  if (Object.keys(annotations).length > 0) next.annotations = annotations;
  if (Object.keys(labels).length > 0) next.labels = labels;
  t.metadata = next;
  return unprimed(t) as Json;
}

/** Where a pod template names a ConfigMap or Secret (Flagger points the primary at `<name>-primary` copies). */
const configKeys = new Set([
  'configMapRef',
  'secretRef',
  'configMap',
  'secret',
  'configMapKeyRef',
  'secretKeyRef',
]);

function unprimed(v: unknown, underConfig = false): unknown {
  if (Array.isArray(v)) return v.map((x) => unprimed(x, underConfig));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Json).map(([k, x]) => [
      k,
      underConfig && (k === 'name' || k === 'secretName') && typeof x === 'string'
        ? x.replace(/-primary$/, '')
        : unprimed(x, configKeys.has(k)),
    ]),
  );
}

/**
 * True when every field the source sets has the same value live. The API server defaults the
 * rest (`imagePullPolicy`, `terminationMessagePath`, `dnsPolicy`…), so extra live fields are
 * not a difference; arrays must have the same length, element by element.
 * @example covers({ a: 1 }, { a: 1, b: 2 }) === true; covers({ a: [1] }, { a: [1, 2] }) === false
 */
export function covers(source: unknown, live: unknown): boolean {
  if (Array.isArray(source)) {
    return Array.isArray(live) && live.length === source.length && source.every((s, i) => covers(s, live[i]));
  }
  if (source !== null && typeof source === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    return Object.entries(source as Json).every(([k, v]) => v === undefined || covers(v, (live as Json)[k]));
  }
  // `100` and `"100"` are the same to the API (resource quantities, ports by name aside).
  return source === live || (source !== undefined && live !== undefined && String(source) === String(live));
}

/**
 * The template's labels and annotations are equal both ways: the API server defaults none of
 * them, so one added live (or removed from Git) is a difference.
 */
function sameMetadata(source: unknown, live: Json): boolean {
  const pick = (t: unknown) => {
    const m = rec(rec(t).metadata);
    return canonicalJson({ labels: rec(m.labels), annotations: rec(m.annotations) });
  };
  return pick(source) === pick(live);
}

/** The containers' images of a pod template, `name=image`, in order. */
export function images(template: unknown): string[] {
  const spec = rec(rec(template).spec);
  const list = [
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
    ...(Array.isArray(spec.containers) ? spec.containers : []),
  ];
  return list.map((c) => `${String(rec(c).name)}=${String(rec(c).image)}`);
}

export function planAdoption(input: AdoptInput): AdoptPlan {
  const fs = rec(input.liveCanary.status);
  const flaggerPhase = typeof fs.phase === 'string' ? fs.phase : 'Initializing';
  if (!input.livePrimary) {
    return {
      outcome: 'refused',
      flaggerPhase,
      message: `${input.id}: Flagger's primary workload is missing; nothing to adopt (gitcanary reconcile initializes the canary)`,
    };
  }
  const forced = midRun.has(flaggerPhase);
  if (!forced && !settled.has(flaggerPhase)) {
    return {
      outcome: 'refused',
      flaggerPhase,
      message: `${input.id}: Flagger's phase ${flaggerPhase} cannot be adopted; wait until it is Succeeded or Failed`,
    };
  }
  if (forced && !input.force) {
    return {
      outcome: 'refused',
      flaggerPhase,
      message:
        `${input.id}: Flagger is mid-run (phase ${flaggerPhase}, weight ${Number(fs.canaryWeight ?? 0)}%); ` +
        'wait until it is Succeeded or Failed, or pass --force to adopt what the primary runs as promoted',
    };
  }
  const liveTemplate = flaggerNeutral(rec(input.livePrimary.spec).template);
  const same =
    images(input.sourceTemplate).join(',') === images(liveTemplate).join(',') &&
    sameMetadata(input.sourceTemplate, liveTemplate) &&
    covers(input.sourceTemplate, liveTemplate);
  const at = input.now.toISOString();
  const phase: Phase = forced ? 'Succeeded' : (flaggerPhase as Phase);
  const revision = same ? input.sourceRevision : revisionOf(liveTemplate, {});
  const message = same
    ? `adopted from Flagger (phase ${flaggerPhase}): the primary runs the repository's template (${images(liveTemplate).join(', ')}); recorded as promoted, the next run changes nothing`
    : `adopted from Flagger (phase ${flaggerPhase}${forced ? ', forced' : ''}): the primary runs ${images(liveTemplate).join(', ')}, the repository has ${images(input.sourceTemplate).join(', ')}; the primary is recorded as promoted, the next run analyses the repository's revision as a new one`;
  const status: CanaryStatus = {
    phase,
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    lastAppliedSpec: revision,
    lastPromotedSpec: revision,
    lastTransitionTime: at,
    lastStepTime: at,
    trackedConfigs: same ? input.trackedConfigs : {},
    conditions: [
      {
        type: 'Promoted',
        status: phase === 'Failed' ? 'False' : 'True',
        reason: phase,
        message,
        lastUpdateTime: at,
        lastTransitionTime: at,
      },
    ],
    history: [{ time: at, phase, canaryWeight: 0, failedChecks: 0, message }],
  };
  return { outcome: same ? 'promoted' : 'primary-differs', status, flaggerPhase, message };
}
