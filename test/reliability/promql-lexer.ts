/**
 * A tiny PromQL lexer for the injection tests: splits a query into code and string literals
 * ("…", '…' with Go escapes, `…` raw), drops `#` comments. Enough to compare the structure of
 * two renderings of one template: the code must be identical, only string contents may differ.
 */

export type Token = { kind: 'code'; text: string } | { kind: 'string'; quote: string; value: string };

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** Tokens of a query, or an error string for an unterminated string literal or a bad escape. */
export function lexPromql(q: string): Token[] | string {
  const out: Token[] = [];
  let code = '';
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    if (c === '#') {
      while (i < q.length && q[i] !== '\n') i++;
      code += '\n';
      continue;
    }
    if (c !== '"' && c !== "'" && c !== '`') {
      code += c;
      continue;
    }
    flush();
    let value = '';
    let closed = false;
    for (i++; i < q.length; i++) {
      const d = q[i]!;
      if (d === c) {
        closed = true;
        break;
      }
      if (c !== '`' && d === '\n') return `newline inside a ${c} string at ${i}`;
      if (c !== '`' && d === '\\') {
        const e = q[++i];
        if (e === undefined) return `dangling backslash at ${i}`;
        if (e === '\\' || e === '"' || e === "'") value += e;
        else if (escapes[e]) value += escapes[e];
        else return `unsupported escape \\${e} at ${i}`;
        continue;
      }
      value += d;
    }
    if (!closed) return `unterminated ${c} string`;
    out.push({ kind: 'string', quote: c, value });
  }
  flush();
  return out;
}

/** The code of a query with every string literal replaced by its quote character. */
export const codeOf = (tokens: Token[]): string =>
  tokens.map((t) => (t.kind === 'code' ? t.text : t.quote)).join('');

/** The decoded string literals of a query, in order. */
export const stringsOf = (tokens: Token[]): string[] =>
  tokens.flatMap((t) => (t.kind === 'string' ? [t.value] : []));
