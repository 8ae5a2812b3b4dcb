/**
 * The pull request of one canary step: title, body, hidden marker, verdict comments and the
 * commit-status line. Pure: no I/O, no clock (only `node:crypto` for the body hash).
 *
 * The body starts with a hidden marker, `<!-- gitcanary:v1 {json} -->`, which carries the
 * `PullRequestMarker` and a hash of the rest of the body without the volatile parts (decision
 * time, base commit): the same evidence at a later tick hashes the same, so the shell updates a
 * pull request only when its evidence changed. Everything shown comes from `StepEvidence`.
 *
 * Charts: one Mermaid `xychart-beta` line for the canary weight per history entry and one per
 * metric, over the last 30 entries. An entry without a value for a metric (no verdict, no data,
 * NaN, ±Inf) is skipped in that metric's chart rather than drawn as the previous value: a chart
 * never shows a number that was not observed. So metric charts can have fewer points than the
 * weight chart; every point is labelled with its own time. A chart needs two points (a one-point
 * line draws nothing); the table shows the single value meanwhile.
 *
 * Size: the body stays under 65,000 characters. The oldest history rows go first (the body says
 * how many), then the charts; only absurd inputs are cut. Free text is capped per field
 * (queries 1,000 characters, messages and reasons 300–500).
 */
import { createHash } from 'node:crypto';
import {
  type HistoryEntry,
  type HookRecord,
  type MetricVerdict,
  type Phase,
  phases,
  type Verdict,
} from '../core/types.js';
import { decimal, lineChart, yRange } from './mermaid.js';

export interface StepEvidence {
  /** `file` is the repository-relative Canary file. */
  canary: { namespace: string; name: string; file: string };
  /** Revision (pod template hash) under analysis. */
  revision: string;
  from: { phase: Phase; weight: number };
  to: { phase: Phase; weight: number };
  /** The decision's summary (e.g. "Advance podinfo.test canary weight 20"). */
  message: string;
  failedChecks: number;
  threshold: number;
  /** Planned weights of the whole run, e.g. [10,20,30,40,50] (to show where this step sits). */
  plannedWeights: number[];
  /** The verdict that justified this step (absent for steps without analysis, e.g. the scale-up). */
  verdict?: Verdict;
  /** The webhooks called for this step, with their answers (durations are left out: they change every run). */
  hooks?: HookRecord[];
  /** The status history so far, oldest first, including this step's entry. */
  history: HistoryEntry[];
  /** When the step was decided (ISO). Shown, but not part of the hash. */
  decidedAt: string;
  /** The base commit the PR branch was built on (shown, not hashed). */
  baseSha: string;
}

/** The JSON of the hidden first line of every gitcanary pull-request body. */
export interface PullRequestMarker {
  /** `namespace/name`. */
  canary: string;
  /** First 16 hex digits of the sha256 of the body without marker, decision time and base commit. */
  hash: string;
  revision: string;
  fromWeight: number;
  toWeight: number;
  toPhase: Phase;
  decidedAt: string;
  baseSha: string;
  /** Set when gitcanary closed the pull request itself (superseded, halted …). */
  closedBy?: 'gitcanary';
}

/** Body limit: GitHub refuses more than 65,536 characters; this leaves room for edits. */
export const maxBodyLength = 65_000;
/** Room kept for the marker line and the footer's time and base commit (string fields are capped). */
const reserved = 4_000;
/** Points per chart: the last 30 history entries; a line needs two points to show. */
export const maxChartPoints = 30;
const minChartPoints = 2;
const maxTitleLength = 256;
const maxStatusLength = 140;
const mergeNote =
  'Merging this pull request makes the step live; gitcanary decides the next step only after the merge. ' +
  'Closing it unmerged halts the canary.';
const markerPattern = /<!--\s*gitcanary:v1\s+(\{[^\n]*?\})\s*-->/g;
const closedPrefix = '> **Closed by gitcanary:** ';
const phaseNames: ReadonlySet<string> = new Set<Phase>(phases);

/**
 * The pull request's title (at most 256 characters).
 *
 * @example pullRequestTitle(e) // 'gitcanary: test/podinfo canary weight 10% → 20%'
 * @example pullRequestTitle(promotion) // 'gitcanary: promote test/podinfo'
 */
export function pullRequestTitle(e: StepEvidence): string {
  return cut(oneLine(`gitcanary: ${stepSummary(e)}`), maxTitleLength);
}

/** The markdown body (under 65,000 characters) and the hash its marker carries. */
export function pullRequestBody(e: StepEvidence): { body: string; hash: string } {
  const content = layout(e);
  const hash = sha16(content(undefined));
  const marker: PullRequestMarker = {
    canary: cap(id(e), 320),
    hash,
    revision: cap(e.revision, 128),
    fromWeight: e.from.weight,
    toWeight: e.to.weight,
    toPhase: e.to.phase,
    decidedAt: cap(e.decidedAt, 64),
    baseSha: cap(e.baseSha, 64),
  };
  return { body: `${markerLine(marker)}\n${content({ decidedAt: e.decidedAt, baseSha: e.baseSha })}`, hash };
}

/**
 * The marker of a gitcanary body, wherever it is (people may add text around it); the first
 * well-formed one wins. Absent, garbled or incomplete → undefined.
 */
export function readMarker(body: string | null | undefined): PullRequestMarker | undefined {
  if (typeof body !== 'string') return undefined;
  for (const m of body.matchAll(markerPattern)) {
    const marker = parseMarker(m[1]!);
    if (marker) return marker;
  }
  return undefined;
}

/**
 * The body of a pull request gitcanary closes itself: the marker gets `closedBy: 'gitcanary'`
 * and a visible line under it says why. Idempotent (an earlier closing line is replaced). A body
 * without a marker only gets the line.
 */
export function withClosedMarker(body: string, reason: string): string {
  const marker = readMarker(body);
  const rest = body.replace(/\r\n?/g, '\n').replace(markerPattern, '').split('\n');
  while (rest.length > 0 && (rest[0]!.startsWith(closedPrefix) || rest[0]!.trim() === '')) rest.shift();
  const notice = `${closedPrefix}${text(reason, 500) || 'no reason given'}`;
  const head = marker ? [markerLine({ ...marker, closedBy: 'gitcanary' }), notice] : [notice];
  return [...head, '', ...rest].join('\n');
}

/**
 * A pull-request comment when the analysis result changed (pass ↔ fail) or a metric flipped
 * between `prev` and `next`; undefined when nothing changed. Without a previous verdict only a
 * failing one is news (the body already shows a passing one).
 */
export function verdictComment(
  prev: Verdict | undefined,
  next: Verdict,
  e: { canary: string; failedChecks: number; threshold: number; time: string },
): string | undefined {
  const before = new Map((prev?.metrics ?? []).map((m) => [m.name, m.result]));
  const flipped = new Set(
    next.metrics.filter((m) => before.has(m.name) && before.get(m.name) !== m.result).map((m) => m.name),
  );
  const changed = prev ? prev.result !== next.result || flipped.size > 0 : next.result === 'fail';
  if (!changed) return undefined;
  const was = (m: MetricVerdict): string => {
    const r = before.get(m.name);
    return r ? resultText(r) : '—';
  };
  const rows = next.metrics.map((m) => {
    const name = flipped.has(m.name) ? `**${text(m.name, 200)}**` : text(m.name, 200);
    return `| ${name} | ${valueText(m.value)} | ${rangeText(m)} | ${was(m)} | ${resultCell(m)} |`;
  });
  return [
    `### gitcanary: analysis ${next.result === 'pass' ? 'passes' : 'fails'} now for ${code(e.canary, 320)}`,
    '',
    `${sentence(next.reason)} Failed checks: **${decimal(e.failedChecks)} / ${decimal(e.threshold)}** (${text(e.time, 64)}).`,
    '',
    ...(rows.length > 0
      ? ['| Metric | Value | Range | Before | Now |', '| --- | --- | --- | --- | --- |', ...rows]
      : []),
  ]
    .join('\n')
    .trimEnd();
}

/**
 * The commit-status description (at most 140 characters).
 *
 * @example statusDescription('Progressing', 20, 1, 5) // 'Progressing: canary at 20%, failed checks 1/5'
 */
export function statusDescription(
  phase: Phase,
  weight: number,
  failedChecks: number,
  threshold: number,
): string {
  const checks = `failed checks ${decimal(failedChecks)}/${decimal(threshold)}`;
  const what: Record<Phase, string> = {
    Initializing: 'creating the primary',
    Initialized: 'primary ready, waiting for a new revision',
    Waiting: 'waiting for approval',
    Progressing: `canary at ${decimal(weight)}%, ${checks}`,
    WaitingPromotion: `canary at ${decimal(weight)}%, waiting for promotion approval`,
    Promoting: 'copying the canary spec to the primary',
    Finalising: 'routing all traffic back to the primary',
    Succeeded: 'promotion complete',
    Failed: `rolled back, ${checks}`,
  };
  return cut(oneLine(`${phase}: ${what[phase]}`), maxStatusLength);
}

// ---- body layout ----

type Stamp = { decidedAt: string; baseSha: string };

/** Renders the body without marker; `stamp` absent gives the hashed text. Sizes are fixed here. */
function layout(e: StepEvidence): (stamp: Stamp | undefined) => string {
  const head = [
    `## ${text(stepSummary(e), 400)}`,
    '',
    stepLine(e),
    '',
    ...(e.message.trim() ? [`> ${text(e.message, 500)}`, ''] : []),
    mergeNote,
    '',
    '### Progress',
    '',
    progressLine(e),
    '',
    '### Evidence',
    '',
    ...evidence(e),
    ...hookRows(e.hooks ?? []),
  ].join('\n');
  const charts = chartsSection(e.history, e.verdict);
  const rows = e.history.map(historyRow);
  const assemble = (dropped: number, withCharts: boolean, stamp: Stamp | undefined): string =>
    [head, ...(withCharts ? [charts] : []), historySection(rows, dropped), footer(e, stamp)].join('\n\n') +
    '\n';
  const limit = maxBodyLength - reserved;
  let dropped = 0;
  let withCharts = true;
  let excess = assemble(0, true, undefined).length - limit;
  for (let i = 0; excess > 0 && i < rows.length; i++) {
    excess -= rows[i]!.length + 1;
    dropped = i + 1;
  }
  while (assemble(dropped, true, undefined).length > limit && dropped < rows.length) dropped++;
  if (assemble(dropped, true, undefined).length > limit) withCharts = false;
  // Only absurd inputs (hundreds of metrics) get here: cut the text (the stamp is at the end, so the
  // hashed and the shown text are cut at the same place).
  const tooBig = assemble(dropped, withCharts, undefined).length > limit;
  return (stamp) => {
    const out = assemble(dropped, withCharts, stamp);
    if (!tooBig) return out;
    const note = '\n\n_This body was cut to stay under GitHub’s size limit._\n';
    return out.slice(0, limit - note.length) + note;
  };
}

function stepLine(e: StepEvidence): string {
  const from = `${e.from.phase} ${decimal(e.from.weight)}%`;
  const to = `${e.to.phase} ${decimal(e.to.weight)}%`;
  return `**Step:** ${from} → **${to}** · revision ${code(e.revision, 128)}`;
}

function evidence(e: StepEvidence): string[] {
  const checks = `Failed checks: **${decimal(e.failedChecks)} / ${decimal(e.threshold)}**.`;
  const v = e.verdict;
  if (!v) return [`No analysis ran for this step. ${checks}`];
  const outcome =
    v.result === 'fail' ? 'failed' : v.metrics.some((m) => m.result === 'inconclusive') ? 'held' : 'passed';
  const summary = `Analysis **${outcome}**: ${sentence(v.reason)} ${checks}`;
  if (v.metrics.length === 0) return [summary];
  const rows = v.metrics.map(
    (m) =>
      `| ${text(m.name, 200)} | ${code(m.query ?? '', 1000)} | ${valueText(m.value)} | ${rangeText(m)} | ${resultCell(m)} |`,
  );
  return [
    summary,
    '',
    '| Metric | Query | Value | Range | Result |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The webhook calls as a table; names and answers are anyone's text, escaped as plain text. */
function hookRows(hooks: readonly HookRecord[]): string[] {
  if (hooks.length === 0) return [];
  const rows = hooks.map(
    (h) =>
      `| ${text(h.name, 200)} | ${h.type} | ${h.status === undefined ? 'no answer' : decimal(h.status)} | ${h.ok ? resultText('pass') : resultText('fail')} | ${decimal(h.attempts)} | ${text(h.snippet, 200) || '—'} |`,
  );
  return [
    '',
    '| Webhook | Type | Status | Result | Attempts | Answer |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** `scale up ✓ → 10% (live) → **20% (this step)** → 30% → promote`. */
function progressLine(e: StepEvidence): string {
  const stages = ['scale up', ...e.plannedWeights.map((w) => `${decimal(w)}%`), 'promote'];
  const last = stages.length - 1;
  const at = (w: number): number | undefined => {
    const i = e.plannedWeights.indexOf(w);
    return i < 0 ? undefined : i + 1;
  };
  const kind = stepKind(e);
  const running = e.from.phase === 'Progressing' || e.from.phase === 'WaitingPromotion';
  const live = running ? (e.from.weight > 0 ? at(e.from.weight) : 0) : undefined;
  let next: number | undefined;
  if (kind === 'scale-up') next = 0;
  else if (kind === 'weight' && e.to.phase === 'Progressing') next = at(e.to.weight);
  else if (kind === 'promote') next = last;
  const done = kind === 'finalise' || kind === 'succeeded' ? stages.length : (live ?? next ?? 0);
  return stages
    .map((s, i) => {
      if (i === next) return `**${s} (this step)**`;
      if (i === live && i > 0) return `${s} (live)`;
      return i < done || i === live ? `${s} ✓` : s;
    })
    .join(' → ');
}

function chartsSection(history: HistoryEntry[], verdict: Verdict | undefined): string {
  const window = history.slice(-maxChartPoints);
  const head = '### Over this run';
  if (window.length < minChartPoints)
    return `${head}\n\nCharts start once the run has ${minChartPoints} ticks.`;
  const labels = window.map((h) => hhmm(h.time));
  const ticks =
    history.length > window.length
      ? `The last ${window.length} of ${history.length} ticks`
      : `${window.length} ticks`;
  const out = [
    head,
    '',
    `${ticks}, times in UTC.`,
    '',
    lineChart({
      title: 'Canary weight %',
      xTitle: 'time (UTC)',
      labels,
      yTitle: 'weight %',
      yRange: [0, 100],
      lines: [window.map((h) => h.canaryWeight)],
    }),
  ];
  const names = [...(verdict?.metrics ?? []), ...window.flatMap((h) => h.verdict?.metrics ?? [])].map(
    (m) => m.name,
  );
  const few: string[] = [];
  const intro = out.length;
  for (const name of new Set(names)) {
    const points = window.flatMap((h, i) => {
      const v = h.verdict?.metrics.find((m) => m.name === name)?.value;
      return typeof v === 'number' && Number.isFinite(v) ? [{ label: labels[i]!, value: v }] : [];
    });
    if (points.length < minChartPoints) {
      few.push(name);
      continue;
    }
    const spec = [verdict, ...window.map((h) => h.verdict).reverse()]
      .map((v) => v?.metrics.find((m) => m.name === name))
      .find((m) => m?.min !== undefined || m?.max !== undefined);
    const bounds = (['min', 'max'] as const).flatMap((k) => {
      const b = spec?.[k];
      return typeof b === 'number' && Number.isFinite(b) ? [{ k, b }] : [];
    });
    const range = bounds.map(({ k, b }) => `${k} ${decimal(b)}`).join(', ');
    out.push(
      '',
      lineChart({
        title: range ? `${name} (${range})` : name,
        xTitle: 'time (UTC)',
        labels: points.map((p) => p.label),
        yTitle: 'value',
        yRange: yRange([...points.map((p) => p.value), ...bounds.map(({ b }) => b)]),
        lines: [points.map((p) => p.value), ...bounds.map(({ b }) => points.map(() => b))],
      }),
    );
  }
  if (out.length > intro) {
    out[2] += ' Metric charts skip ticks without a value; flat lines mark the metric’s range.';
  }
  if (few.length > 0) {
    const list = few.map((n) => text(n, 200)).join(', ');
    out.push('', `Fewer than ${minChartPoints} values to chart for ${list}.`);
  }
  return out.join('\n');
}

function historyRow(h: HistoryEntry): string {
  return `| ${dateTime(h.time)} | ${h.phase} | ${decimal(h.canaryWeight)}% | ${decimal(h.failedChecks)} | ${text(h.message, 300)} |`;
}

function historySection(rows: string[], dropped: number): string {
  const kept = rows.slice(dropped);
  return [
    '<details>',
    `<summary>History (${kept.length} ${kept.length === 1 ? 'entry' : 'entries'})</summary>`,
    '',
    ...(dropped > 0 ? [`_${dropped} older entries left out to stay under GitHub’s size limit._`, ''] : []),
    ...(kept.length > 0
      ? [
          '| Time (UTC) | Phase | Weight | Failed checks | Message |',
          '| --- | --- | --- | --- | --- |',
          ...kept,
          '',
        ]
      : []),
    '</details>',
  ].join('\n');
}

function footer(e: StepEvidence, stamp: Stamp | undefined): string {
  const when = stamp
    ? ` · decided at ${text(stamp.decidedAt, 64)} on base ${code(stamp.baseSha.slice(0, 7), 7)}`
    : '';
  return `---\n<sub>Canary file ${code(e.canary.file, 500)}${when} · written by gitcanary</sub>`;
}

// ---- steps ----

type StepKind =
  | 'initialize'
  | 'scale-up'
  | 'weight'
  | 'promote'
  | 'finalise'
  | 'succeeded'
  | 'rollback'
  | 'other';

function stepKind(e: StepEvidence): StepKind {
  switch (e.to.phase) {
    case 'Initializing':
    case 'Initialized':
      return 'initialize';
    case 'Promoting':
      return 'promote';
    case 'Finalising':
      return 'finalise';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'rollback';
  }
  if (e.from.weight !== e.to.weight) return 'weight';
  const running = e.from.phase === 'Progressing' || e.from.phase === 'WaitingPromotion';
  if (e.to.phase === 'Progressing' && e.to.weight === 0 && !running) return 'scale-up';
  return 'other';
}

function stepSummary(e: StepEvidence): string {
  const who = id(e);
  const rev = cap(e.revision, 64);
  const weights = `canary weight ${decimal(e.from.weight)}% → ${decimal(e.to.weight)}%`;
  switch (stepKind(e)) {
    case 'initialize':
      return `initialize ${who}`;
    case 'scale-up':
      return `${who} scale up canary for revision ${rev}`;
    case 'weight':
      return `${who} ${weights}`;
    case 'promote':
      return e.from.phase === 'Promoting' && e.from.weight !== e.to.weight
        ? `promote ${who}: ${weights}`
        : `promote ${who}`;
    case 'finalise':
      return `${who} finalise promotion: route all traffic to the primary`;
    case 'succeeded':
      return `${who} promotion succeeded: scale down the canary`;
    case 'rollback':
      return `roll back ${who} (revision ${rev})`;
    default:
      return e.to.phase === 'Progressing' && e.verdict?.result === 'fail'
        ? `${who} hold canary weight ${decimal(e.to.weight)}% (failed checks ${decimal(e.failedChecks)}/${decimal(e.threshold)})`
        : `${who} ${e.to.phase} at ${decimal(e.to.weight)}%`;
  }
}

// ---- marker ----

/**
 * `<!-- gitcanary:v1 {…} -->`. Inside JSON strings, a `-` followed by another `-`, and `<`, `>`, are
 * written as `\u` escapes, so the JSON never holds `--` (which would end or break the comment).
 */
function markerLine(m: PullRequestMarker): string {
  const json = JSON.stringify(m).replace(/"(?:[^"\\]|\\.)*"/g, (s) =>
    s.replace(/-(?=-)|[<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
  return `<!-- gitcanary:v1 ${json} -->`;
}

function parseMarker(json: string): PullRequestMarker | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const str = (k: string): k is string => typeof r[k] === 'string';
  const num = (k: string): boolean => typeof r[k] === 'number' && Number.isFinite(r[k]);
  const strings = ['canary', 'hash', 'revision', 'decidedAt', 'baseSha'].every(str);
  if (!strings || !num('fromWeight') || !num('toWeight')) return undefined;
  if (typeof r['toPhase'] !== 'string' || !phaseNames.has(r['toPhase'])) return undefined;
  if (r['closedBy'] !== undefined && r['closedBy'] !== 'gitcanary') return undefined;
  const m: PullRequestMarker = {
    canary: r['canary'] as string,
    hash: r['hash'] as string,
    revision: r['revision'] as string,
    fromWeight: r['fromWeight'] as number,
    toWeight: r['toWeight'] as number,
    toPhase: r['toPhase'] as Phase,
    decidedAt: r['decidedAt'] as string,
    baseSha: r['baseSha'] as string,
  };
  if (r['closedBy'] === 'gitcanary') m.closedBy = 'gitcanary';
  return m;
}

// ---- text ----

const id = (e: StepEvidence): string => `${e.canary.namespace}/${e.canary.name}`;
const sha16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);
const oneLine = (s: string): string => s.replace(/[\s\p{Cc}]+/gu, ' ').trim();
const cap = (s: string, max: number): string => Array.from(s).slice(0, max).join('');

/** At most `max` characters (code points), ending with `…` when cut. */
function cut(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Plain text for one line of markdown (also a table cell): whitespace collapsed, markdown
 * punctuation backslash-escaped, `@` broken so it mentions nobody, cut to `max`.
 */
function text(s: string, max: number): string {
  return cut(oneLine(s), max)
    .replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/@/g, '@&#8203;');
}

/**
 * An inline code span on one line: a fence longer than any backtick run inside, `|` escaped for
 * tables (GFM unescapes it inside code spans too). Empty → `—`.
 */
function code(s: string, max: number): string {
  const body = cut(oneLine(s), max).replace(/\|/g, '\\|');
  if (body === '') return '—';
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** `s` as text ending with one full stop. */
const sentence = (s: string): string => `${text(s.trim().replace(/\.+$/, ''), 500)}.`;

const valueText = (v: number | undefined): string =>
  v === undefined || Number.isNaN(v) ? 'no data' : decimal(v);

function rangeText(m: MetricVerdict): string {
  if (m.min !== undefined && m.max !== undefined) return `${decimal(m.min)} to ${decimal(m.max)}`;
  if (m.min !== undefined) return `≥ ${decimal(m.min)}`;
  if (m.max !== undefined) return `≤ ${decimal(m.max)}`;
  return '—';
}

const resultText = (r: MetricVerdict['result']): string =>
  r === 'pass' ? '✅ pass' : r === 'fail' ? '❌ fail' : '⏸ inconclusive';
const resultCell = (m: MetricVerdict): string =>
  m.result === 'pass' && !m.comparison
    ? resultText('pass')
    : `${resultText(m.result)}: ${text(m.reason, 500)}`;

/** `HH:MM` in UTC, `?` when the time does not parse. */
function hhmm(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(11, 16);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, or the text itself when it does not parse. */
function dateTime(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? text(time, 64) : d.toISOString().slice(0, 19).replace('T', ' ');
}
