/**
 * Renders Flagger MetricTemplate queries: the subset of Go `text/template` Flagger's queries use
 * (`{{ name }}`, `{{ namespace }}`, `{{ target }}`, `{{ service }}`, `{{ ingress }}`, `{{ route }}`,
 * `{{ interval }}`, `{{ variables.<key> }}`, `{{- … -}}` trim markers and `{{/* comments *\/}}`).
 * Like Go with `missingkey=error`, anything unknown is an error, which fails the check.
 *
 * Values cannot inject PromQL: inside a "…" or '…' string literal they are escaped (backslash and
 * the quote), inside a `…` raw string a backtick is refused, and outside any string (e.g.
 * `[{{ interval }}]`) only letters, digits, `_`, `.` and `:` are accepted.
 */

/** Values available to a template (Flagger `MetricTemplateModel`). */
export interface TemplateModel {
  /** Canary name. */
  name: string;
  namespace: string;
  /** targetRef.name */
  target: string;
  /** service.name, else the target. */
  service: string;
  /** ingressRef.name, else the target. */
  ingress: string;
  /** routeRef.name, else the target. */
  route: string;
  /** The metric's interval; '' for template metrics that set none (Flagger renders it empty). */
  interval: string;
  /** The metric's `templateVariables`. */
  variables: Record<string, string>;
}

export type RenderResult = { ok: true; query: string } | { ok: false; error: string };

const fields = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'] as const;
type Field = (typeof fields)[number];
const isField = (s: string): s is Field => (fields as readonly string[]).includes(s);

/** Where a placeholder sits in the PromQL text. */
type Context = 'code' | 'dquote' | 'squote' | 'raw' | 'comment';

/**
 * Renders a query template against a model.
 * @example renderQuery('up{namespace="{{ namespace }}"}[{{interval}}]', model)
 *   → { ok: true, query: 'up{namespace="test"}[1m]' }
 * @example renderQuery('{{ variables.missing }}', model)
 *   → { ok: false, error: 'map has no entry for key "missing" in {{ variables.missing }}' }
 */
export function renderQuery(template: string, model: TemplateModel): RenderResult {
  const parts = split(template);
  if (typeof parts === 'string') return { ok: false, error: parts };
  let out = '';
  let ctx: Context = 'code';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      ctx = advance(ctx, part.text);
      continue;
    }
    if (part.comment) continue;
    const value = lookup(part.expr, model);
    if (typeof value !== 'string') return { ok: false, error: `${value.error} in {{ ${part.expr} }}` };
    const safe = escapeFor(ctx, value);
    if (safe === undefined) return { ok: false, error: unsafeMessage(ctx, part.expr, value) };
    out += safe;
  }
  return { ok: true, query: out };
}

/**
 * Replaces every non-word character with `_` in the name fields (Flagger's skipper observer
 * `encodeModelForSkipper`, so names match Skipper's route ids).
 * @example encodeNonWord(m).namespace === 'my_ns' when m.namespace === 'my-ns'
 */
export function encodeNonWord(model: TemplateModel): TemplateModel {
  const enc = (s: string): string => s.replace(/[^0-9A-Za-z_]/g, '_');
  return {
    ...model,
    name: enc(model.name),
    namespace: enc(model.namespace),
    target: enc(model.target),
    service: enc(model.service),
    ingress: enc(model.ingress),
  };
}

type Part = { kind: 'text'; text: string } | { kind: 'action'; expr: string; comment: boolean };

/** Splits into text and actions, applying `{{-`/`-}}` trims; a string result is a parse error. */
function split(template: string): Part[] | string {
  const parts: Part[] = [];
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const open = template.indexOf('{{', pos);
    let text = template.slice(pos, open < 0 ? undefined : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      parts.push({ kind: 'text', text });
      return parts;
    }
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return `unclosed action at offset ${open}`;
    let inner = template.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    parts.push({ kind: 'text', text });
    const expr = inner.trim();
    const comment = expr.startsWith('/*');
    if (comment && !expr.endsWith('*/')) return `unclosed comment at offset ${open}`;
    parts.push({ kind: 'action', expr, comment });
    pos = close + 2;
  }
}

function lookup(expr: string, model: TemplateModel): string | { error: string } {
  if (isField(expr)) return model[expr];
  const variable = /^variables\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
  if (variable) {
    const key = variable[1]!;
    return Object.hasOwn(model.variables, key)
      ? (model.variables[key] as string)
      : { error: `map has no entry for key "${key}"` };
  }
  const fn = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr)?.[0];
  if (fn && fn !== 'variables') return { error: `function "${fn}" not defined` };
  return {
    error: `unsupported action (use one of ${fields.map((f) => `{{ ${f} }}`).join(', ')}, {{ variables.<key> }})`,
  };
}

/** PromQL lexer state after `text`, starting in `ctx`. */
function advance(ctx: Context, text: string): Context {
  let state = ctx;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'code') {
      if (c === '"') state = 'dquote';
      else if (c === "'") state = 'squote';
      else if (c === '`') state = 'raw';
      else if (c === '#') state = 'comment';
    } else if (state === 'dquote' || state === 'squote') {
      if (c === '\\') i++;
      else if (c === (state === 'dquote' ? '"' : "'")) state = 'code';
    } else if (state === 'raw') {
      if (c === '`') state = 'code';
    } else if (c === '\n') {
      state = 'code';
    }
  }
  return state;
}

function escapeFor(ctx: Context, value: string): string | undefined {
  switch (ctx) {
    case 'dquote':
      return value
        .replace(/[\\"]/g, (c) => `\\${c}`)
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r');
    case 'squote':
      return value
        .replace(/[\\']/g, (c) => `\\${c}`)
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r');
    case 'raw':
      return value.includes('`') ? undefined : value;
    default:
      return /^[A-Za-z0-9_.:]*$/.test(value) ? value : undefined;
  }
}

function unsafeMessage(ctx: Context, expr: string, value: string): string {
  if (ctx === 'raw') return `value of {{ ${expr} }} contains a backtick and is used inside a \`raw\` string`;
  return (
    `value ${JSON.stringify(value)} of {{ ${expr} }} is used outside a PromQL string literal, where only ` +
    'letters, digits, "_", "." and ":" are allowed (quote the placeholder in the template)'
  );
}
