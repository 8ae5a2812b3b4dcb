/**
 * Comments cite only what is in the repository: every `§N.M` in src/ and test/ names a section of
 * docs/flagger-behaviour.md (headings `### N.M` / `## N.`, sharp edges `§10.K` as list items).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const doc = readFileSync('docs/flagger-behaviour.md', 'utf8');
const sections = new Set<string>();
for (const m of doc.matchAll(/^#{2,3} (\d+(?:\.\d+[a-z]?)?)(?:\.| |\s–)/gm)) sections.add(m[1] as string);
for (const m of doc.matchAll(/^### (\d+\.\d+) – (\d+\.\d+)/gm)) {
  const [major, from] = (m[1] as string).split('.').map(Number) as [number, number];
  const to = Number((m[2] as string).split('.')[1]);
  for (let i = from; i <= to; i++) sections.add(`${major}.${i}`);
}
const edges = doc.slice(doc.indexOf('## 10. Sharp edges'));
for (const m of edges.matchAll(/^(\d+)\. /gm)) sections.add(`10.${m[1]}`);
for (const m of doc.matchAll(/^### (\d+\.\d+) \S+ and (\d+\.\d+) /gm)) sections.add(m[2] as string);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `§3.4–3.5` and `§3.2` cite sections; a citation of another document names it right before. */
function citations(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(\S+\s)?§(\d+(?:\.\d+[a-z]?)?)(?:–(\d+\.\d+))?/g)) {
    if (m[1] && /\.md$/.test(m[1].trim()) && !m[1].includes('flagger-behaviour')) continue;
    out.push(m[2] as string);
    if (m[3]) out.push(m[3]);
  }
  return out;
}

describe('§ citations', () => {
  it('the doc has the sections the code relies on', () => {
    for (const s of ['3.2', '3.3b', '3.4', '3.6', '4.1', '5.3', '6.2', '10.15'])
      expect(sections).toContain(s);
  });

  it('every § in src/ and test/ is a section of docs/flagger-behaviour.md', () => {
    const missing: string[] = [];
    for (const f of [...files('src'), ...files('test')]) {
      for (const c of citations(readFileSync(f, 'utf8'))) if (!sections.has(c)) missing.push(`${f}: §${c}`);
    }
    expect(missing).toEqual([]);
  });

  it('no comment points at documents outside the repository', () => {
    const outside = [...files('src'), ...files('test')].filter((f) =>
      /shared\/reference|flagger-semantics\.md|applied-state\.md|analysis\.md §/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(outside).toEqual([]);
  });
});
