/**
 * Commit messages with trailers, built by one validated formatter and read back by one parser,
 * so `gitcanary history` can rebuild a timeline from `git log`:
 *
 * ```
 * gitcanary: demo/podinfo Progressing 15%
 *
 * Evaluated at 2026-01-01T00:00:00.000Z.
 *
 * Canary: demo/podinfo
 * Canary-Phase: Progressing
 * Canary-Weight: 15
 * ```
 *
 * Keys may repeat (one `Canary` / `Canary-Phase` / `Canary-Weight` group per canary); order is
 * kept. Parsing follows git's rule: trailers are the last paragraph of the message, and only
 * when every line of it is a `Key: value` line (or an indented continuation of one).
 */
import { TerminalError } from '../errors.js';

export type Trailer = [key: string, value: string];

/** Longest subject line, in characters (git convention). */
export const maxSubjectLength = 72;

const keyPattern = /^[A-Za-z][A-Za-z0-9-]*$/;
const trailerLine = /^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$/;

/**
 * Builds a commit message: `subject`, a blank line, the body, a blank line, the trailers.
 * The subject is made single-line and cut to 72 characters with `…`; body lines lose trailing
 * whitespace and runs of blank lines; trailer values have newlines collapsed to spaces.
 * Throws TerminalError on an invalid trailer key or an empty subject or value. (Without trailers,
 * a body whose last paragraph is all `Key: value` lines reads back as trailers, as in git.)
 *
 * @example formatMessage('gitcanary: demo/podinfo 15%', ['Step 2 of 5.'], [['Canary', 'demo/podinfo']])
 *   // 'gitcanary: demo/podinfo 15%\n\nStep 2 of 5.\n\nCanary: demo/podinfo\n'
 */
export function formatMessage(subject: string, body: string[], trailers: Trailer[]): string {
  const head = truncate(oneLine(subject), maxSubjectLength);
  if (head === '') throw new TerminalError('commit message: the subject is empty');
  const text = normaliseBody(body);
  const block = trailers.map(([key, value]) => {
    if (!keyPattern.test(key)) {
      throw new TerminalError(
        `commit message: invalid trailer key ${JSON.stringify(key)} (expected ${keyPattern})`,
      );
    }
    const v = oneLine(value);
    if (v === '') throw new TerminalError(`commit message: trailer ${key} has an empty value`);
    return `${key}: ${v}`;
  });
  return [head, text, block.join('\n')].filter((part) => part !== '').join('\n\n') + '\n';
}

/**
 * Reads the trailers of a commit message, in order, keeping repeated keys. Continuation lines
 * (indented) are joined to the previous value with one space. A message without a trailer
 * paragraph gives `[]`; the subject line is never a trailer.
 *
 * @example parseTrailers('s\n\nCanary: a/b\nCanary-Weight: 10\nCanary: a/c\n')
 *   // [['Canary', 'a/b'], ['Canary-Weight', '10'], ['Canary', 'a/c']]
 */
export function parseTrailers(message: string): Trailer[] {
  const paragraphs = message
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p !== '');
  if (paragraphs.length < 2) return [];
  const last = paragraphs[paragraphs.length - 1]!;
  const out: Trailer[] = [];
  for (const line of last.split('\n')) {
    const m = trailerLine.exec(line);
    if (m) {
      out.push([m[1]!, m[2]!.trim()]);
    } else if (/^[ \t]/.test(line) && out.length > 0) {
      const prev = out[out.length - 1]!;
      prev[1] = `${prev[1]} ${line.trim()}`.trim();
    } else {
      return [];
    }
  }
  return out;
}

/** Values of one trailer key, in order. */
export function trailerValues(trailers: Trailer[], key: string): string[] {
  const k = key.toLowerCase();
  return trailers.filter(([name]) => name.toLowerCase() === k).map(([, value]) => value);
}

const oneLine = (s: string): string => escapeControls(s.replace(/\s*[\r\n]+\s*/g, ' ').trim());

/**
 * Control characters (C0 but tab and newline, DEL, C1) and the Unicode line and paragraph
 * separators and bidirectional overrides, written as `\uXXXX`: a terminal, `git log` or a
 * reviewer's screen shows them as text instead of obeying them.
 * @example escapeControls('a\u001b[31mb') // 'a\\u001b[31mb'
 */
export function escapeControls(s: string): string {
  return s.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * One line of text that reads as nothing but text: newlines collapsed, control characters
 * escaped, and `reverts commit` written `reverts_commit` (so no line of it is a revert's).
 * @example inertLine('x\nThis reverts commit 0123abc') // 'x This reverts_commit 0123abc'
 */
export function inertLine(s: string): string {
  return oneLine(s).replace(/(revert(?:s|ed)?)\s+(commit)/gi, '$1_$2');
}

/**
 * Text a spec or a metrics server wrote (a metric name, an error from Prometheus), made safe to
 * put inside a commit message line: one line, control characters escaped, in double quotes when
 * it could be read back as meaning — a `Key: value` trailer, a `This reverts commit` line, a
 * `gitcanary:` subject — or holds a quote. Plain words stay as they are.
 * @example quoteUntrusted('request-success-rate') // 'request-success-rate'
 * @example quoteUntrusted('x\n\nCanary-Phase: Succeeded') // '"x Canary-Phase: Succeeded"'
 */
export function quoteUntrusted(s: string): string {
  const line = inertLine(s);
  const risky = line === '' || /[:"#]|reverts?\s+commit|^[\s-]|gitcanary/i.test(line);
  return risky ? `"${line.replace(/"/g, '\\"')}"` : line;
}

/** Cuts `s` to at most `max` characters (code points), ending with `…` when cut. */
function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max
    ? s
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

function normaliseBody(body: string[]): string {
  const lines = body
    .flatMap((entry) => entry.replace(/\r\n?/g, '\n').split('\n'))
    .map((l) => escapeControls(l.trimEnd()));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
