import { describe, expect, it } from 'vitest';
import { encodeNonWord, renderQuery, type TemplateModel } from '../../src/metrics/template.js';

const model: TemplateModel = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo-deploy',
  service: 'podinfo-svc',
  ingress: 'podinfo-ing',
  route: 'podinfo-route',
  interval: '1m',
  variables: { direction: 'inbound', quote: 'a"b\\c', code: '5..' },
};
const render = (t: string, m: TemplateModel = model) => renderQuery(t, m);

describe('renderQuery', () => {
  it('renders every model field, with or without spaces inside the braces', () => {
    const t =
      '"{{ name }}|{{namespace}}|{{  target  }}|{{ service }}|{{ ingress }}|{{ route }}|{{interval}}"';
    expect(render(t)).toEqual({
      ok: true,
      query: '"podinfo|test|podinfo-deploy|podinfo-svc|podinfo-ing|podinfo-route|1m"',
    });
  });

  it('renders a Flagger-style template with variables', () => {
    const t =
      'sum(rate(x{ns="{{ namespace }}",dir="{{ variables.direction }}",code=~"{{variables.code}}"}[{{ interval }}]))';
    expect(render(t)).toEqual({
      ok: true,
      query: 'sum(rate(x{ns="test",dir="inbound",code=~"5.."}[1m]))',
    });
  });

  it('escapes backslash and the quote inside string literals, so values cannot close the string', () => {
    expect(render('x{a="{{ variables.quote }}"}')).toEqual({ ok: true, query: 'x{a="a\\"b\\\\c"}' });
    expect(render("x{a='{{ variables.quote }}'}")).toEqual({ ok: true, query: "x{a='a\"b\\\\c'}" });
    const injection = { ...model, variables: { v: '"} or vector(1) or x{a="' } };
    const r = render('x{a="{{ variables.v }}"}', injection);
    expect(r).toEqual({ ok: true, query: 'x{a="\\"} or vector(1) or x{a=\\""}' });
  });

  it('refuses unsafe values outside string literals and backticks inside raw strings', () => {
    const unsafe = { ...model, interval: '1m]) or vector(1) or (x[1m' };
    const r = render('rate(x[{{ interval }}])', unsafe);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/outside a PromQL string literal/);
    expect(render('x{a=`{{ variables.v }}`}', { ...model, variables: { v: 'a`b' } }).ok).toBe(false);
    expect(render('x{a=`{{ variables.v }}`}', { ...model, variables: { v: 'a"b' } })).toEqual({
      ok: true,
      query: 'x{a=`a"b`}',
    });
  });

  it('an escaped quote in the template does not end the string', () => {
    expect(render('x{a="q\\"{{ variables.quote }}"}')).toEqual({ ok: true, query: 'x{a="q\\"a\\"b\\\\c"}' });
  });

  it('an empty interval renders as "" (template metrics without interval)', () => {
    expect(render('rate(x[{{ interval }}])', { ...model, interval: '' })).toEqual({
      ok: true,
      query: 'rate(x[])',
    });
  });

  it('supports trim markers and comments', () => {
    expect(render('a  {{- name -}}  b{{/* note */}}c')).toEqual({ ok: true, query: 'apodinfobc' });
    expect(render('a {{-name}}').ok).toBe(false); // Go needs a space after the trim marker
  });

  it.each([
    ['{{ variables.missing }}', 'map has no entry for key "missing" in {{ variables.missing }}'],
    ['{{ printf "%s" name }}', 'function "printf" not defined in {{ printf "%s" name }}'],
    ['{{ .Name }}', 'unsupported action'],
    ['{{ variables }}', 'unsupported action'],
    ['up{{ name', 'unclosed action at offset 2'],
  ])('%s is an error', (t, message) => {
    const r = render(t);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });
});

describe('encodeNonWord', () => {
  it('replaces non-word characters in the names (skipper route ids), not the interval or route', () => {
    const m = encodeNonWord({ ...model, namespace: 'my-ns', interval: '1m' });
    expect(m).toMatchObject({
      name: 'podinfo',
      namespace: 'my_ns',
      target: 'podinfo_deploy',
      service: 'podinfo_svc',
      ingress: 'podinfo_ing',
      route: 'podinfo-route',
      interval: '1m',
    });
  });
});
