/**
 * Documents meant for Flagger but not quite Flagger's: another `flagger.app` version, a kind
 * one typo away (`Canery`), a group one edit from `flagger.app`, or an invisible character in
 * the `apiVersion`/`kind` key or value. They are reported instead of silently passing for
 * unrelated objects.
 */
import type { SpecIssue } from './model.js';
import { type DocSource, lineIn } from './validate.js';

/** The one apiVersion Flagger serves, and the kinds of its group. */
export const flaggerApiVersion = 'flagger.app/v1beta1';
export const flaggerKinds = ['Canary', 'MetricTemplate', 'AlertProvider'] as const;
export type FlaggerKind = (typeof flaggerKinds)[number];
const flaggerGroup = 'flagger.app';
/** What people write for a kind besides its name: the CRD's singular and plural resource names. */
const kindSpellings: Record<FlaggerKind, readonly string[]> = {
  Canary: ['canary', 'canaries'],
  MetricTemplate: ['metrictemplate', 'metrictemplates'],
  AlertProvider: ['alertprovider', 'alertproviders'],
};

/**
 * Characters that show as nothing or as a plain space: controls and format characters (soft hyphen,
 * zero-width and bidi marks, BOM, tag characters), line and paragraph separators, NBSP and other
 * non-ASCII spaces, fillers, variation selectors.
 */
const invisible =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00A0\u115F\u1160\u2000-\u200A\u202F\u205F\u3000\u3164\uFFA0]|\u034F|[\u17B4\u17B5]|[\u180B-\u180D]|[\uFE00-\uFE0F]/gu;
const hasInvisible = (s: string): boolean => s.search(invisible) >= 0;
const visible = (s: string): string => s.replace(invisible, '');
const codePoint = (c: string): string => (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
/** `s` cut at 80 UTF-16 units (never inside a surrogate pair). */
const clip = (s: string): string => {
  if (s.length <= 80) return s;
  const end = (s.codePointAt(79) ?? 0) > 0xffff ? 79 : 80;
  return `${s.slice(0, end)}…`;
};
/** `s` clipped and quoted, invisible characters written `\uXXXX` (`\u{XXXXX}` beyond U+FFFF). */
const shown = (s: string): string =>
  `"${clip(s).replace(invisible, (c) => (c.length > 1 ? `\\u{${codePoint(c)}}` : `\\u${codePoint(c)}`))}"`;
const invisibleNamed = (s: string): string => {
  const found = [...new Set(s.match(invisible) ?? [])].map((c) => `U+${codePoint(c)}`);
  return `${found.length > 1 ? 'invisible characters' : 'an invisible character'} ${found.join(', ')}`;
};

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours: 1 each),
 * or `max + 1` when it is over `max`.
 * @example editDistance('canery', 'canary', 2) === 1; editDistance('flgager.app', 'flagger.app', 1) === 1
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return Math.min(prev[b.length] ?? 0, max + 1);
}

/**
 * The Flagger kind `kind` spells, exactly or nearly: its name, singular or plural in any case, or
 * (for 5 characters or more) within 2 edits of one of those.
 * @example flaggerKindLike('Canery') === 'Canary'; flaggerKindLike('Canaries') === 'Canary'; flaggerKindLike('Rollout') === undefined
 */
export function flaggerKindLike(kind: string): FlaggerKind | undefined {
  const lower = kind.toLowerCase();
  let best: { kind: FlaggerKind; d: number } | undefined;
  for (const k of flaggerKinds) {
    for (const s of kindSpellings[k]) {
      const d = lower === s ? 0 : kind.length >= 5 ? editDistance(lower, s, 2) : 3;
      if (d <= 2 && (!best || d < best.d)) best = { kind: k, d };
    }
  }
  return best?.kind;
}

/** The top-level key that stands for `field`: itself, else one equal to it but for case and invisible characters. */
const keyFor = (v: Record<string, unknown>, field: string): string | undefined =>
  Object.hasOwn(v, field)
    ? field
    : Object.keys(v).find((k) => visible(k).toLowerCase() === field.toLowerCase());

/**
 * Sorts a document by its apiVersion and kind: a Flagger kind (`kind` set), an unrelated object
 * (neither set), or a near miss (`issues` set: an error per problem, naming the field, with a hint).
 * A near miss is a document meant for Flagger that would be ignored: a `flagger.app/*` apiVersion
 * other than `flagger.app/v1beta1`; a kind of that group that is not Canary, MetricTemplate or
 * AlertProvider (`Canery`, `canary`, `Canaries`); a one-edit typo of the group (`flager.app`,
 * `Flagger.app`) with a Flagger kind; a Flagger kind without an apiVersion; an `apiVersion`/`kind`
 * key or value holding invisible characters (`api\uFEFFVersion`, `Canary\u200B`) or in another case.
 * Any other group is unrelated, even with `kind: Canary` (Argo Rollouts, Kayenta …).
 */
export function flaggerType(
  v: Record<string, unknown>,
  src: DocSource,
  object?: string,
): { kind?: FlaggerKind; issues: SpecIssue[] } {
  const avKey = keyFor(v, 'apiVersion');
  const kindKey = keyFor(v, 'kind');
  const av = avKey === undefined ? undefined : v[avKey];
  const kind = kindKey === undefined ? undefined : v[kindKey];
  const exact = flaggerKinds.find((k) => k === kind);
  if (av === flaggerApiVersion && avKey === 'apiVersion' && kindKey === 'kind' && exact) {
    return { kind: exact, issues: [] };
  }
  const group = typeof av === 'string' ? (visible(av).split('/')[0] ?? '') : undefined;
  const kindLike = typeof kind === 'string' ? flaggerKindLike(visible(kind)) : undefined;
  const exactKind = typeof kind === 'string' && flaggerKinds.some((k) => k === visible(kind));
  const meant =
    group === flaggerGroup ||
    (group !== undefined &&
      kindLike !== undefined &&
      editDistance(group.toLowerCase(), flaggerGroup, 1) <= 1) ||
    (typeof av !== 'string' && exactKind);
  if (!meant) return { issues: [] };

  const out: SpecIssue[] = [];
  const at = (field: 'apiVersion' | 'kind', key: string | undefined, message: string): void => {
    const line = key === undefined ? src.line : lineIn(src, [key]);
    out.push({ file: src.file, line, object, path: field, message, severity: 'error' });
  };
  const keyIssue = (field: 'apiVersion' | 'kind', key: string | undefined): void => {
    if (key === undefined || key === field) return;
    at(
      field,
      key,
      hasInvisible(key)
        ? `key ${shown(key)} contains ${invisibleNamed(key)}`
        : `key ${shown(key)} must be spelled ${field}`,
    );
  };
  const kinds = flaggerKinds.join(', ');
  keyIssue('apiVersion', avKey);
  if (av === undefined) at('apiVersion', avKey, `apiVersion is missing; use ${flaggerApiVersion}`);
  else if (typeof av !== 'string') at('apiVersion', avKey, `apiVersion must be ${flaggerApiVersion}`);
  else {
    if (hasInvisible(av)) at('apiVersion', avKey, `apiVersion: ${shown(av)} contains ${invisibleNamed(av)}`);
    if (visible(av) !== flaggerApiVersion) {
      at(
        'apiVersion',
        avKey,
        `apiVersion: ${clip(visible(av))} is not served by Flagger; use ${flaggerApiVersion}`,
      );
    }
  }
  keyIssue('kind', kindKey);
  if (kind === undefined) at('kind', kindKey, `kind is missing; Flagger kinds are ${kinds}`);
  else if (typeof kind !== 'string') at('kind', kindKey, `kind must be one of ${kinds}`);
  else {
    if (hasInvisible(kind)) at('kind', kindKey, `kind: ${shown(kind)} contains ${invisibleNamed(kind)}`);
    if (!exactKind) {
      const hint = kindLike ? `did you mean ${kindLike}?` : `Flagger kinds are ${kinds}`;
      at('kind', kindKey, `kind: ${shown(visible(kind))} is not a Flagger kind; ${hint}`);
    }
  }
  return { issues: out };
}
