/**
 * Pod spec rewrites for the primary copy (Flagger `ApplyPrimaryConfigs` and
 * `appendPrimarySuffixToValuesIfNeeded`): tracked ConfigMap/Secret references point at their
 * `-primary` copies and anti-affinity / topology-spread selectors at the primary pods.
 */
import { defaults } from '../inputs/defaults.js';
import { list, type Raw, rec } from './meta.js';

export type ConfigKind = 'ConfigMap' | 'Secret';

/** Where a pod spec can name a ConfigMap or Secret: the map holding the name and its key. */
interface ConfigRefSite {
  kind: ConfigKind;
  holder: Raw;
  key: 'name' | 'secretName';
}

/** Every ConfigMap/Secret reference in a pod spec: volumes, projected volumes, env and envFrom. */
function configRefSites(podSpec: Raw): ConfigRefSite[] {
  const sites: ConfigRefSite[] = [];
  const add = (kind: ConfigKind, holder: unknown, key: 'name' | 'secretName' = 'name') => {
    if (typeof holder === 'object' && holder !== null && typeof rec(holder)[key] === 'string') {
      sites.push({ kind, holder: holder as Raw, key });
    }
  };
  for (const v of list(podSpec['volumes']).map(rec)) {
    add('ConfigMap', v['configMap']);
    add('Secret', v['secret'], 'secretName');
    for (const s of list(rec(v['projected'])['sources']).map(rec)) {
      add('ConfigMap', s['configMap']);
      add('Secret', s['secret']);
    }
  }
  for (const c of [...list(podSpec['initContainers']), ...list(podSpec['containers'])].map(rec)) {
    for (const e of list(c['env']).map(rec)) {
      const from = rec(e['valueFrom']);
      add('ConfigMap', from['configMapKeyRef']);
      add('Secret', from['secretKeyRef']);
    }
    for (const e of list(c['envFrom']).map(rec)) {
      add('ConfigMap', e['configMapRef']);
      add('Secret', e['secretRef']);
    }
  }
  return sites;
}

/** `ConfigMap/name` key used to match references against tracked configs. */
export const configKey = (kind: string, name: string): string => `${kind}/${name}`;

/**
 * The ConfigMaps and Secrets a pod spec references, deduplicated, in order of appearance.
 * @example configRefs({ volumes: [{ configMap: { name: 'cfg' } }] }) // [{ kind: 'ConfigMap', name: 'cfg' }]
 */
export function configRefs(podSpec: unknown): { kind: ConfigKind; name: string }[] {
  const seen = new Set<string>();
  const out: { kind: ConfigKind; name: string }[] = [];
  for (const s of configRefSites(rec(podSpec))) {
    const name = s.holder[s.key] as string;
    if (seen.has(configKey(s.kind, name))) continue;
    seen.add(configKey(s.kind, name));
    out.push({ kind: s.kind, name });
  }
  return out;
}

/** Points the anti-affinity / topology-spread selector values equal to the target name at `-primary`. */
function renameSelector(labelSelector: unknown, target: string): void {
  const sel = rec(labelSelector);
  const isSelectorKey = (k: unknown) =>
    typeof k === 'string' && (defaults.selectorLabels as readonly string[]).includes(k);
  for (const expr of list(sel['matchExpressions']).map(rec)) {
    if (!isSelectorKey(expr['key'])) continue;
    const values = list(expr['values']);
    const i = values.indexOf(target);
    if (i >= 0) values[i] = `${target}-primary`;
  }
  const labels = rec(sel['matchLabels']);
  for (const [k, v] of Object.entries(labels))
    if (isSelectorKey(k) && v === target) labels[k] = `${target}-primary`;
}

/**
 * A copy of the source pod spec for the primary workload: references to tracked configs (keys
 * from `configKey`) renamed `<name>-primary`, anti-affinity and topology-spread selectors whose
 * selector-label value equals `target` renamed `<target>-primary`.
 * @example primaryPodSpec({ volumes: [{ configMap: { name: 'cfg' } }] }, new Set(['ConfigMap/cfg']), 'podinfo')
 * // { volumes: [{ configMap: { name: 'cfg-primary' } }] }
 */
export function primaryPodSpec(podSpec: unknown, tracked: ReadonlySet<string>, target: string): Raw {
  const spec = structuredClone(rec(podSpec));
  for (const s of configRefSites(spec)) {
    const name = s.holder[s.key] as string;
    if (tracked.has(configKey(s.kind, name))) s.holder[s.key] = `${name}-primary`;
  }
  for (const t of list(spec['topologySpreadConstraints']).map(rec))
    renameSelector(t['labelSelector'], target);
  const anti = rec(rec(spec['affinity'])['podAntiAffinity']);
  for (const p of list(anti['preferredDuringSchedulingIgnoredDuringExecution']).map(rec)) {
    renameSelector(rec(p['podAffinityTerm'])['labelSelector'], target);
  }
  for (const r of list(anti['requiredDuringSchedulingIgnoredDuringExecution']).map(rec)) {
    renameSelector(r['labelSelector'], target);
  }
  return spec;
}
