/**
 * PromQL injection: MetricTemplate placeholders filled from a Canary (`{{ variables.x }}` from
 * `templateVariables`, `{{ interval }}`, names) must never change the structure of the query. For
 * every template context and every hostile value, `planChecks` either makes the check an error,
 * or renders a query whose code (everything outside string literals) is exactly the code of the
 * same template rendered with a harmless value, and whose string literals decode to the value
 * itself: it stayed inside the quoted label value, escaped.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/inputs/config.js';
import { loadRepo, validateRepo } from '../../src/inputs/load.js';
import { formatIssue, type LoadedCanary, type Located } from '../../src/inputs/model.js';
import type { MetricSpec, MetricTemplate } from '../../src/inputs/schema.js';
import { loadBuiltins } from '../../src/metrics/builtins.js';
import { type PlannedCheck, planChecks } from '../../src/metrics/checks.js';
import { codeOf, lexPromql, stringsOf } from './promql-lexer.js';

// A fixed seed keeps CI reproducible; FUZZ_SEED explores other corners.
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261123) });

const builtins = loadBuiltins();
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const template = (query: string): Located<MetricTemplate> => ({
  origin: { file: 'templates/t.yaml', line: 1 },
  value: {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: { name: 't', namespace: 'test' },
    spec: { provider: { type: 'prometheus', address: 'http://prometheus:9090' }, query },
  },
});

function canaryWith(metric: MetricSpec): LoadedCanary {
  return {
    ref: { namespace: 'test', name: 'podinfo' },
    origin: { file: 'apps/podinfo/canary.yaml', line: 1 },
    dir: 'apps/podinfo',
    provider: 'istio',
    warnings: [],
    canary: {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898 },
        analysis: { interval: '1m', threshold: 2, stepWeight: 10, metrics: [metric] },
      },
    },
  };
}

/** The single check of a canary whose only metric uses template `query` with `x` = value. */
function checkFor(query: string, value: string, interval = '1m'): PlannedCheck {
  const metric: MetricSpec = {
    name: 'm',
    interval,
    templateRef: { name: 't' },
    templateVariables: { x: value },
  };
  const checks = planChecks(canaryWith(metric), [template(query)], builtins, 'istio');
  expect(checks).toHaveLength(1);
  return checks[0]!;
}

/** Template contexts a placeholder can sit in. */
const contexts = [
  'sum(rate(http_requests_total{app="{{ variables.x }}"}[{{ interval }}]))',
  "x{a='{{ variables.x }}'}",
  'x{a=`{{ variables.x }}`}',
  'x{a=~"{{ variables.x }}.*",b!="{{ variables.x }}"}',
  'x{a="pre-{{ variables.x }}-post"} / y{b=\'{{ variables.x }}\'}',
  'x{a="q\\"{{ variables.x }}"}',
  'x{a="#{{ variables.x }}"} # a comment with "quotes" and \'more\'\n+ y{b="{{ variables.x }}"}',
  'x{a="{{ variables.x }}{{ variables.x }}"}',
  'label_replace(x, "dst", "{{ variables.x }}", "src", "(.*)")',
  'sum(\n  x{\n    a="{{ variables.x }}"\n  }[{{ interval }}]\n)',
  'x[{{ variables.x }}]',
  'sum by ({{ variables.x }}) (x)',
  '# {{ variables.x }}\nvector(1)',
  'x{a="{{- variables.x -}}"}',
];

/** Classic injections, then generated strings over PromQL's special characters. */
const classic = [
  'foo"} or vector(1) #',
  'foo"} or vector(1)',
  "foo'} or vector(1) #",
  'foo`} or vector(1) #',
  '\\"} or vector(1) #',
  '\\',
  '\\\\"',
  '"',
  "'",
  '`',
  '}',
  '#',
  '{{ namespace }}',
  '}} {{ variables.x',
  '$& $1 $$',
  '.*',
  'a\u2028b',
  '\u0000',
  '\u201c} or vector(1) \u201d',
  '5m]) or vector(1) or (x[1m',
];
const special = fc.constantFrom(
  '"',
  "'",
  '`',
  '\\',
  '{',
  '}',
  '#',
  '(',
  ')',
  '[',
  ']',
  ' ',
  '=',
  '~',
  '|',
  '$',
  '&',
);
const hostileValue = fc.oneof(
  fc.constantFrom(...classic),
  fc.string({
    unit: fc.oneof(special, fc.constantFrom('o', 'r', 'a', '1', '\r', '\t', '\u2028', 'é', '🐤')),
  }),
  fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !s.includes('\n')),
);

/**
 * Empty when `value` is safe in `query`: the check is an error, or the query has the code of the
 * harmless rendering (the value in it only as one plain token) and every string literal decodes
 * to the harmless one with the value substituted.
 */
function injectionProblems(query: string, value: string): string[] {
  const safe = checkFor(query, 'HARMLESS');
  const check = checkFor(query, value);
  if (check.error !== undefined) return [];
  if (safe.error !== undefined) return [`a harmless value is refused: ${safe.error}`];
  const a = lexPromql(safe.query!);
  const b = lexPromql(check.query!);
  if (typeof a === 'string') return [`the harmless rendering does not lex: ${a}`];
  if (typeof b === 'string') return [`${JSON.stringify(check.query)} does not lex: ${b}`];
  const problems: string[] = [];
  // Outside string literals a value may only be one plain token (a label name, a duration …).
  const expectedCode = codeOf(a).split('HARMLESS').join(value);
  if (codeOf(a).includes('HARMLESS') && !/^[A-Za-z0-9_.:]*$/.test(value)) {
    problems.push('accepted outside a string literal');
  }
  if (codeOf(b) !== expectedCode) {
    problems.push(`code changed: ${JSON.stringify(codeOf(b))}, expected ${JSON.stringify(expectedCode)}`);
  }
  const expected = stringsOf(a).map((s) => s.split('HARMLESS').join(value));
  if (JSON.stringify(stringsOf(b)) !== JSON.stringify(expected)) {
    problems.push(`strings ${JSON.stringify(stringsOf(b))}, expected ${JSON.stringify(expected)}`);
  }
  return problems.map((p) => `${JSON.stringify(value)} in ${JSON.stringify(query)}: ${p}`);
}

describe('template variables cannot inject PromQL', () => {
  it('foo"} or vector(1) # stays inside the label value, escaped', () => {
    const check = checkFor('sum(rate(x{app="{{ variables.x }}"}[{{ interval }}]))', 'foo"} or vector(1) #');
    expect(check.error).toBeUndefined();
    expect(check.query).toBe('sum(rate(x{app="foo\\"} or vector(1) #"}[1m]))');
  });

  it.each(classic)('%j in every template context', (value) => {
    expect(contexts.flatMap((q) => injectionProblems(q, value))).toEqual([]);
  });

  it('generated values in every template context (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...contexts), hostileValue, (query, value) => {
        expect(injectionProblems(query, value)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('a value with a newline is escaped or refused, never a query Prometheus cannot lex', () => {
    const query = 'x{a="{{ variables.x }}"}';
    expect(injectionProblems(query, 'a\nb')).toEqual([]);
    expect(injectionProblems(query, '"}\nor vector(1) #')).toEqual([]);
  });

  it('an interval that is a duration only by prefix cannot inject either (built-in and template metrics)', () => {
    // The schema accepts Flagger's CRD pattern ^[0-9]+(m|s), which only anchors the start.
    const interval = '1m]) or vector(1) or (x[1m';
    const metric: MetricSpec = { name: 'request-success-rate', interval, templateRef: { name: 't' } };
    const checks = planChecks(canaryWith(metric), [template('rate(x[{{ interval }}])')], builtins, 'istio');
    expect(checks).toHaveLength(2);
    for (const c of checks) {
      expect(c.query).toBeUndefined();
      expect(c.error).toMatch(/outside a PromQL string literal/);
    }
  });

  it('a hostile templateVariable read from YAML by loadRepo stays inside the label value', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitcanary-promql-'));
    dirs.push(root);
    const files: Record<string, string> = {
      'templates/t.yaml': `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: t, namespace: test }
spec:
  provider: { type: prometheus, address: 'http://prometheus:9090' }
  query: |
    sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ variables.x }}"}[{{ interval }}]))
`,
      'apps/podinfo/canary.yaml': `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo, namespace: test }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  service: { port: 9898 }
  analysis:
    interval: 1m
    threshold: 2
    stepWeight: 10
    metrics:
      - name: errors
        interval: 1m
        templateRef: { name: t }
        templateVariables:
          x: 'foo"} or vector(1) #'
`,
    };
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    const inv = await loadRepo(root, defaultConfig());
    expect(inv.errors.filter((i) => i.severity === 'error').map(formatIssue)).toEqual([]);
    const [check] = planChecks(inv.canaries[0]!, inv.templates, builtins, 'istio');
    expect(check?.query).toBe(
      'sum(rate(http_requests_total{namespace="test",app="foo\\"} or vector(1) #"}[1m]))\n',
    );
  });

  it('regex metacharacters in targetRef.name (used by built-in =~ matchers) are rejected by the name rule', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitcanary-promql-'));
    dirs.push(root);
    await mkdir(join(root, 'apps/podinfo'), { recursive: true });
    await writeFile(
      join(root, 'apps/podinfo/canary.yaml'),
      `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo, namespace: test }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: '.*|other' }
  service: { port: 9898 }
  analysis: { interval: 1m, threshold: 2, stepWeight: 10, metrics: [{ name: request-success-rate }] }
`,
    );
    await writeFile(
      join(root, 'apps/podinfo/deployment.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: '.*|other', namespace: test }
spec:
  selector: { matchLabels: { app: podinfo } }
  template: { metadata: { labels: { app: podinfo } }, spec: { containers: [{ name: a, image: a }] } }
`,
    );
    const issues = validateRepo(await loadRepo(root, defaultConfig()));
    expect(issues.filter((i) => i.severity === 'error').map(formatIssue)).toEqual([
      expect.stringMatching(
        /^apps\/podinfo\/canary\.yaml:5: test\/podinfo: spec\.targetRef\.name: must be a lowercase RFC 1123/,
      ),
    ]);
  });
});
