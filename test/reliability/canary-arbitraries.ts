/**
 * fast-check arbitraries for the spec fuzzing: valid Canary specs covering every field of
 * `src/inputs/schema.ts`, object-level mutations (dropped fields, wrong types, out-of-range numbers,
 * unknown keys, huge strings, unicode, garbage, deep nesting) and YAML-text mutations (indentation,
 * duplicate keys, anchors/aliases, tabs, long lines, tags, directives, stray characters).
 */

import fc from 'fast-check';
import { Document, isCollection, visit } from 'yaml';
import { providerIds, webhookTypes } from '../../src/inputs/schema.js';
import { dotPath } from '../../src/inputs/validate.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: unknown };

/** RFC 1123 names, always starting with `g` so they never collide with the fixed sibling canary. */
export const k8sNameArb = fc.stringMatching(/^g[a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}$/);
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const text = fc.oneof(word, fc.string({ maxLength: 16 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
const durationArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom('s', 'm')).map(([n, u]) => `${n}${u}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 59 })).map(([m, s]) => `${m}m${s}s`),
);
const weight = fc.integer({ min: 0, max: 100 });
const labelMap = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9./-]{0,20}$/), text, { maxKeys: 3 });
/**
 * A record with the required keys and a few of the optional ones (at most `max`), so one spec stays
 * small while thousands of them still cover every field.
 */
const opt = <T extends Obj>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
  requiredKeys: (keyof T & string)[] = [],
  max = 4,
): fc.Arbitrary<Partial<T>> => {
  const optional = (Object.keys(model) as (keyof T & string)[]).filter((k) => !requiredKeys.includes(k));
  return fc.subarray(optional, { maxLength: Math.min(max, optional.length) }).chain((keys) => {
    const picked: Record<string, fc.Arbitrary<unknown>> = {};
    for (const k of [...requiredKeys, ...keys]) picked[k] = model[k];
    return fc.record(picked) as fc.Arbitrary<Partial<T>>;
  });
};

const stringMatch = fc.oneof(
  word.map((exact) => ({ exact })),
  word.map((prefix) => ({ prefix })),
  word.map((suffix) => ({ suffix })),
  fc.constantFrom('.*', '^/api', '(?i)firefox').map((regex) => ({ regex })),
);

const httpMatch = opt<Obj>({
  name: word,
  uri: stringMatch,
  scheme: stringMatch,
  method: stringMatch,
  authority: stringMatch,
  headers: fc.dictionary(word, stringMatch, { maxKeys: 2 }),
  port: fc.integer({ min: 1, max: 65535 }),
  sourceLabels: labelMap,
  gateways: fc.array(word, { maxLength: 2 }),
  queryParams: fc.dictionary(word, stringMatch, { maxKeys: 2 }),
  ignoreUriCase: fc.boolean(),
  withoutHeaders: fc.dictionary(word, stringMatch, { maxKeys: 2 }),
  sourceNamespace: word,
});

const headerOps = opt<Obj>({
  add: labelMap,
  set: labelMap,
  remove: fc.array(word, { maxLength: 2 }),
});
const objectMeta = opt<Obj>({ labels: labelMap, annotations: labelMap });

const serviceArb = opt<Obj>(
  {
    name: k8sNameArb,
    port: fc.integer({ min: 1, max: 65535 }),
    portName: word,
    targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), word),
    appProtocol: fc.constantFrom('http', 'grpc', 'kubernetes.io/h2c'),
    trafficDistribution: fc.constantFrom('PreferClose', 'PreferSameZone', 'PreferSameNode'),
    portDiscovery: fc.boolean(),
    headless: fc.boolean(),
    timeout: durationArb,
    backendTimeout: durationArb,
    gateways: fc.array(word, { maxLength: 2 }),
    gatewayRefs: fc.array(
      opt<Obj>(
        {
          group: word,
          kind: fc.constant('Gateway'),
          name: word,
          namespace: word,
          sectionName: word,
          port: fc.integer({ min: 1, max: 65535 }),
        },
        ['name'],
      ),
      { maxLength: 2 },
    ),
    hosts: fc.array(fc.domain(), { maxLength: 2 }),
    delegation: fc.boolean(),
    trafficPolicy: fc.constant({ tls: { mode: 'ISTIO_MUTUAL' } }),
    match: fc.array(httpMatch, { maxLength: 2 }),
    rewrite: opt<Obj>({ uri: word, authority: word, type: word }),
    retries: opt<Obj>({
      attempts: fc.integer({ min: 0, max: 10 }),
      perTryTimeout: durationArb,
      retryOn: fc.constantFrom('gateway-error,connect-failure', '5xx'),
    }),
    headers: opt<Obj>({ request: headerOps, response: headerOps }),
    corsPolicy: fc.constant({ allowOrigins: [{ exact: 'https://example.com' }], maxAge: '24h' }),
    mirror: fc.array(fc.constant({ destination: { host: 'x' } }), { maxLength: 1 }),
    meshName: word,
    backends: fc.array(word, { maxLength: 2 }),
    apex: objectMeta,
    primary: objectMeta,
    canary: objectMeta,
    unmanagedMetadata: opt<Obj>({
      annotations: fc.array(word, { maxLength: 2 }),
      labels: fc.array(word, { maxLength: 2 }),
    }),
  },
  ['port'],
);

// Valid specs keep min ≤ max (min > max is a validation error since validate became truthful).
const thresholds = opt<Obj>({
  min: fc.double({ noNaN: true, noDefaultInfinity: true, max: -2_147_483_649 }),
  max: fc.integer(),
});
const metricArb = fc
  .oneof(
    fc.tuple(
      fc.constantFrom('request-success-rate', 'request-duration'),
      opt<Obj>({ interval: durationArb }),
    ),
    fc.tuple(word, fc.record({ query: fc.constantFrom('sum(up)', 'vector(1)', 'rate(x[1m])') })),
    // templateRef metrics are left out of valid specs: a reference to a MetricTemplate that is not
    // in the repository is a validation error (validate/metric-rules tests cover it).
  )
  .chain(([name, rest]) =>
    fc
      .record(
        { thresholdRange: thresholds, threshold: fc.integer({ min: 0, max: 100 }), interval: durationArb },
        { requiredKeys: [] },
      )
      .map((extra) => ({ name, ...extra, ...rest })),
  );

const webhookArb = opt<Obj>(
  {
    name: word,
    type: fc.constantFrom(...webhookTypes),
    url: fc.webUrl(),
    timeout: durationArb,
    retries: fc.integer({ min: 0, max: 5 }),
    disableTLS: fc.boolean(),
    muteAlert: fc.boolean(),
    metadata: labelMap,
  },
  ['name', 'url'],
);

const alertArb = opt<Obj>(
  {
    name: word,
    severity: fc.constantFrom('', 'info', 'warn', 'error'),
    providerRef: opt<Obj>({ name: word, namespace: word }, ['name']),
  },
  ['name', 'providerRef'],
);

const sessionAffinityArb = fc
  .tuple(
    word,
    opt<Obj>({
      primaryCookieName: word,
      maxAge: fc.integer({ min: 0, max: 86400 }),
      domain: fc.domain(),
      httpOnly: fc.boolean(),
      partitioned: fc.boolean(),
      path: fc.constantFrom('/', '/api'),
      sameSite: fc.constantFrom('Strict', 'Lax', 'None'),
      secure: fc.boolean(),
    }),
  )
  .map(([cookie, rest]) => ({
    ...rest,
    cookieName: `c-${cookie}`,
    ...(rest.primaryCookieName ? { primaryCookieName: `p-${rest.primaryCookieName as string}` } : {}),
  }));

/** Exactly one of iterations, stepWeight or stepWeights (the analysis `oneOf`). */
const modeArb = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map((iterations) => ({ iterations })),
  weight.map((stepWeight) => ({ stepWeight })),
  fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 })
    .map((ws) => ({ stepWeights: ws.sort((a, b) => a - b) })),
);

const analysisArb = fc
  .tuple(
    opt<Obj>(
      {
        interval: durationArb,
        threshold: fc.integer({ min: 0, max: 10 }),
        maxWeight: weight,
        stepWeightPromotion: weight,
        mirror: fc.boolean(),
        mirrorWeight: weight,
        primaryReadyThreshold: weight,
        canaryReadyThreshold: weight,
        match: fc.array(httpMatch, { maxLength: 2 }),
        sessionAffinity: sessionAffinityArb,
        metrics: fc.array(metricArb, { maxLength: 3 }),
        webhooks: fc.array(webhookArb, { maxLength: 2 }),
        alerts: fc.array(alertArb, { maxLength: 2 }),
      },
      ['interval', 'threshold'],
    ),
    modeArb,
  )
  .map(([a, mode]) => ({ ...a, ...mode }));

const specArb = fc
  .tuple(
    opt<Obj>(
      {
        provider: fc.constantFrom(...providerIds),
        metricsServer: fc.webUrl(),
        targetRef: opt<Obj>(
          {
            apiVersion: fc.constant('apps/v1'),
            kind: fc.constantFrom('Deployment', 'DaemonSet', 'Service'),
            name: k8sNameArb,
          },
          ['kind', 'name'],
        ),
        autoscalerRef: opt<Obj>(
          {
            apiVersion: fc.constantFrom('autoscaling/v2', 'keda.sh/v1alpha1'),
            kind: fc.constantFrom('HorizontalPodAutoscaler', 'ScaledObject'),
            name: k8sNameArb,
            primaryScalerQueries: labelMap,
            primaryScalerReplicas: opt<Obj>({
              minReplicas: fc.integer({ min: 1, max: 5 }),
              maxReplicas: fc.integer({ min: 1, max: 50 }),
            }),
          },
          ['kind', 'name'],
        ),
        ingressRef: opt<Obj>(
          { apiVersion: fc.constant('networking.k8s.io/v1'), kind: fc.constant('Ingress'), name: k8sNameArb },
          ['kind', 'name'],
        ),
        routeRef: opt<Obj>(
          {
            apiVersion: fc.constant('apisix.apache.org/v2'),
            kind: fc.constant('ApisixRoute'),
            name: k8sNameArb,
          },
          ['kind', 'name'],
        ),
        upstreamRef: opt<Obj>(
          {
            apiVersion: fc.constant('gloo.solo.io/v1'),
            kind: fc.constant('Upstream'),
            name: k8sNameArb,
            namespace: k8sNameArb,
          },
          ['kind', 'name'],
        ),
        service: serviceArb,
        progressDeadlineSeconds: fc.integer({ min: 0, max: 3600 }),
        skipAnalysis: fc.boolean(),
        revertOnDeletion: fc.boolean(),
        suspend: fc.boolean(),
      },
      ['targetRef', 'service'],
    ),
    // `analysis`, the deprecated `canaryAnalysis`, both, or neither.
    fc.oneof(
      { weight: 6, arbitrary: analysisArb.map((analysis) => ({ analysis })) },
      { weight: 1, arbitrary: analysisArb.map((canaryAnalysis) => ({ canaryAnalysis })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(analysisArb, analysisArb)
          .map(([analysis, canaryAnalysis]) => ({ analysis, canaryAnalysis })),
      },
      { weight: 1, arbitrary: fc.constant({}) },
    ),
  )
  .map(([spec, analysis]) => ({ ...spec, ...analysis }));

/** A schema-valid Canary object covering every field of `canarySchema`. */
export const validCanaryArb: fc.Arbitrary<Obj> = fc
  .tuple(
    opt<Obj>(
      {
        name: k8sNameArb,
        namespace: k8sNameArb,
        labels: labelMap,
        annotations: labelMap,
        generation: fc.nat(),
      },
      ['name'],
    ),
    specArb,
    fc.option(fc.constant({ phase: 'Progressing', canaryWeight: 10 }), { nil: undefined }),
  )
  .map(([metadata, spec, status]) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata,
    spec,
    ...(status ? { status } : {}),
  }));

// ---------------------------------------------------------------- object-level mutations

/** Nests a value `depth` times in alternating lists and maps. */
export const nest = (depth: number, leaf: unknown = 'x'): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { n: v };
  return v;
};

/** Big values: rare, so a batch stays fast, but always in the mix. */
const heavyValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .oneof(
      { weight: 4, arbitrary: fc.integer({ min: 2_000, max: 30_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 300_000 }) },
    )
    .map((n) => 'h'.repeat(n)),
  fc.integer({ min: 20, max: 150 }).map((d) => nest(d)),
  fc.array(fc.constant('x'), { minLength: 100, maxLength: 3000 }),
);

/** Values that break a field: wrong types, out-of-range numbers, huge or odd strings, garbage. */
export const badValueArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      1000,
      -5,
      -1,
      101,
      65536,
      0,
      1.5,
      -0,
      1e300,
      Number.MAX_SAFE_INTEGER + 2,
      Number.NaN,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      '..',
      '/',
      '../../etc/passwd',
      'a/b',
      'A',
      'x..y',
      '-',
      '0s',
      '1h',
      'ten',
      '~',
      'yes',
      'NaN',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u202e\u2066',
      'e\u0301',
      '\ud83d\udc24',
      '\uFEFF',
      'line\nbreak',
      'tab\there',
      'a: b',
      '{{ x }}',
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: heavyValueArb },
);

/** Keys to inject: typos of real fields, prototype-polluting names, odd characters. */
export const unknownKeyArb = fc.oneof(
  fc.constantFrom(
    'stepWieght',
    'targetref',
    'spec',
    'apiVersion',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
  ),
  fc.constantFrom('', ' ', 'a.b', 'a: b', '#x', 'x\ny', '0', '-1', 'é', '\ud83d\udc24', 'k'.repeat(5000)),
  fc.string({ maxLength: 12 }),
);

export type ObjectMutation =
  | { op: 'delete'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'addKey'; at: number; key: string; value: unknown };

export const objectMutationArb: fc.Arbitrary<ObjectMutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: badValueArb }),
  fc.record({ op: fc.constant('addKey' as const), at: fc.nat(), key: unknownKeyArb, value: badValueArb }),
);

type Path = (string | number)[];

/** Every path inside a JSON-like value (objects and arrays), root excluded, in a stable order. */
export function pathsOf(v: unknown, base: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...base, i], ...pathsOf(x, [...base, i])]);
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [[...base, k], ...pathsOf(x, [...base, k])]);
  return [];
}

/** Containers (root included) of a JSON-like value. */
const containersOf = (v: unknown): Path[] => [
  [],
  ...pathsOf(v).filter((p) => {
    const x = getAt(v, p);
    return x !== null && typeof x === 'object';
  }),
];

export function getAt(v: unknown, path: Path): unknown {
  let at = v;
  for (const seg of path) at = (at as Record<string | number, unknown>)?.[seg];
  return at;
}

/** Applies one mutation to a deep copy; returns it and the dot path it touched. */
export function mutateObject(value: Obj, m: ObjectMutation): { value: Obj; path: string } {
  const copy = structuredClone(value);
  if (m.op === 'addKey') {
    const targets = containersOf(copy);
    const path = targets[m.at % targets.length] ?? [];
    const c = getAt(copy, path) as Record<string | number, unknown>;
    if (Array.isArray(c)) {
      c.push({ [m.key]: m.value });
      return { value: copy, path: dotPath([...path, c.length - 1]) };
    }
    Object.defineProperty(c, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return { value: copy, path: dotPath([...path, m.key]) };
  }
  const paths = pathsOf(copy);
  const path = paths[m.at % paths.length]!;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    parent[key] = m.value;
  }
  return { value: copy, path: dotPath(path) };
}

// ---------------------------------------------------------------- YAML serialisation and text mutations

export const yamlStyleArb = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  flowLevel: fc.constantFrom(undefined, 2, 4),
  quote: fc.boolean(),
  comment: fc.boolean(),
});

export type YamlStyle = {
  indent: number;
  indentSeq: boolean;
  flowLevel: number | undefined;
  quote: boolean;
  comment: boolean;
};

/** Serialises a (possibly mutated) object as YAML in one of several styles. */
export function toYamlText(v: unknown, style: YamlStyle): string {
  const doc = new Document(v, { aliasDuplicateObjects: false });
  if (style.flowLevel !== undefined) {
    const level = style.flowLevel;
    visit(doc, {
      Collection(_key, node, path) {
        if (path.filter((p) => isCollection(p)).length >= level) node.flow = true;
      },
    });
  }
  const body = doc.toString({
    indent: style.indent,
    indentSeq: style.indentSeq,
    lineWidth: 0,
    defaultStringType: style.quote ? 'QUOTE_DOUBLE' : 'PLAIN',
    defaultKeyType: 'PLAIN',
  });
  return style.comment ? `# fuzzed canary\n${body}` : body;
}

export type TextMutation =
  | { op: 'indent'; line: number; delta: number }
  | { op: 'duplicateLine'; line: number }
  | { op: 'tab'; line: number }
  | { op: 'longLine'; line: number; length: number }
  | { op: 'anchorAlias'; from: number; to: number; kind: 'ok' | 'undefined' | 'self' }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; chars: string }
  | { op: 'separator'; line: number; marker: string }
  | { op: 'tag'; line: number; tag: string }
  | { op: 'crlf' }
  | { op: 'bom' }
  | { op: 'directive'; text: string }
  | { op: 'mergeKey'; line: number }
  | { op: 'deep'; depth: number; open: string }
  | { op: 'protoKey'; line: number };

export const textMutationArb: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('tab' as const), line: fc.nat() }),
  fc.record({
    op: fc.constant('longLine' as const),
    line: fc.nat(),
    length: fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 200, max: 5_000 }) },
      fc.integer({ min: 100_000, max: 400_000 }),
    ),
  }),
  fc.record({
    op: fc.constant('anchorAlias' as const),
    from: fc.nat(),
    to: fc.nat(),
    kind: fc.constantFrom('ok' as const, 'undefined' as const, 'self' as const),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    chars: fc.oneof(
      fc.constantFrom(
        ':',
        '- ',
        '{',
        '[',
        '"',
        "'",
        '|',
        '>',
        '&',
        '*',
        '!',
        '%',
        '@',
        '`',
        '#',
        '\t',
        '\0',
        '\r',
      ),
      fc.constantFrom('\u2028', '\uFEFF', '\ud83d\udc24', '\ud800', ': :', '? ', '<<: ', '\\', '\x1b[31m'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  }),
  fc.record({
    op: fc.constant('separator' as const),
    line: fc.nat(),
    marker: fc.constantFrom('---', '...', '--- |', '--- !!map'),
  }),
  fc.record({
    op: fc.constant('tag' as const),
    line: fc.nat(),
    tag: fc.constantFrom(
      '!!str',
      '!!int',
      '!!float',
      '!!bool',
      '!!null',
      '!!map',
      '!!seq',
      '!!binary',
      '!!set',
      '!!omap',
      '!!timestamp',
      '!custom',
      '!<tag:yaml.org,2002:str>',
      '!!python/object',
    ),
  }),
  fc.constant({ op: 'crlf' as const }),
  fc.constant({ op: 'bom' as const }),
  fc.record({
    op: fc.constant('directive' as const),
    text: fc.constantFrom(
      '%YAML 1.1\n---\n',
      '%YAML 1.2\n---\n',
      '%YAML 9.9\n---\n',
      '%TAG ! tag:example.com,2000:\n---\n',
      '%FOO bar\n---\n',
    ),
  }),
  fc.record({ op: fc.constant('mergeKey' as const), line: fc.nat() }),
  fc.record({
    op: fc.constant('deep' as const),
    depth: fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 50, max: 1500 }) },
      fc.integer({ min: 2000, max: 20_000 }),
    ),
    open: fc.constantFrom('[', '{a: ', '- '),
  }),
  fc.record({ op: fc.constant('protoKey' as const), line: fc.nat() }),
);

const keyLine = /^(\s*(?:- )?)([^\s#:'"][^:#]*):(?: (.*))?$/;

/** Applies one text mutation. Line and offset indexes wrap around the text. */
export function mutateText(text: string, m: TextMutation): string {
  const lines = text.split('\n');
  const pick = (n: number): number => n % lines.length;
  const keyed = lines.map((l, i) => (keyLine.test(l) ? i : -1)).filter((i) => i >= 0);
  const pickKeyed = (n: number): number | undefined => (keyed.length ? keyed[n % keyed.length] : undefined);
  const indentOf = (l: string): string => /^\s*/.exec(l)?.[0] ?? '';
  switch (m.op) {
    case 'indent': {
      const i = pick(m.line);
      const l = lines[i]!;
      lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + l : l.slice(Math.min(-m.delta, indentOf(l).length));
      return lines.join('\n');
    }
    case 'duplicateLine': {
      const i = pickKeyed(m.line) ?? pick(m.line);
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }
    case 'tab': {
      const i = pick(m.line);
      lines[i] = lines[i]!.replace(/^ +/, '\t');
      return lines.join('\n');
    }
    case 'longLine': {
      const i = pickKeyed(m.line) ?? pick(m.line);
      const match = keyLine.exec(lines[i]!);
      const long = 'L'.repeat(m.length);
      lines[i] = match ? `${match[1]}${match[2]}: ${long}` : `${lines[i]} # ${long}`;
      return lines.join('\n');
    }
    case 'anchorAlias': {
      const a = pickKeyed(m.from);
      const b = pickKeyed(m.to);
      if (a === undefined || b === undefined) return text;
      const ma = keyLine.exec(lines[a]!)!;
      const mb = keyLine.exec(lines[b]!)!;
      if (m.kind === 'undefined') {
        lines[b] = `${mb[1]}${mb[2]}: *nowhere`;
      } else if (m.kind === 'self') {
        // An alias to a map that contains it: a cyclic structure.
        lines[a] = `${ma[1]}${ma[2]}: &loop${ma[3] ? ` ${ma[3]}` : ''}`;
        const inner = lines.findIndex((l, j) => j > a && indentOf(l).length > indentOf(lines[a]!).length);
        if (inner > a) lines.splice(inner, 0, `${indentOf(lines[inner]!)}again: *loop`);
      } else {
        lines[a] = `${ma[1]}${ma[2]}: &anchor${ma[3] ? ` ${ma[3]}` : ''}`;
        lines[b] = `${mb[1]}${mb[2]}: *anchor`;
      }
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.chars + text.slice(at);
    }
    case 'separator':
      lines.splice(pick(m.line), 0, m.marker);
      return lines.join('\n');
    case 'tag': {
      const i = pickKeyed(m.line);
      if (i === undefined) return text;
      const match = keyLine.exec(lines[i]!)!;
      lines[i] = `${match[1]}${match[2]}: ${m.tag}${match[3] ? ` ${match[3]}` : ''}`;
      return lines.join('\n');
    }
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'bom':
      return `\uFEFF${text}`;
    case 'directive':
      return m.text + text;
    case 'mergeKey': {
      const i = pickKeyed(m.line);
      if (i === undefined) return text;
      const match = keyLine.exec(lines[i]!)!;
      lines[i] = `${match[1]}${match[2]}: &base${match[3] ? ` ${match[3]}` : ''}`;
      lines.push('spec2:', '  <<: *base', '  <<: [*base, *base]');
      return lines.join('\n');
    }
    case 'deep': {
      const close = m.open === '[' ? ']' : m.open === '{a: ' ? '}' : '';
      if (m.open === '- ') {
        const depth = Math.min(m.depth, 2000);
        return `${text}\ndeep:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n')}x\n`;
      }
      return `${text}\ndeep: ${m.open.repeat(m.depth)}x${close.repeat(m.depth)}\n`;
    }
    case 'protoKey': {
      const i = pickKeyed(m.line);
      if (i === undefined) return text;
      const indent = indentOf(lines[i]!).replace('- ', '  ');
      lines.splice(
        i,
        0,
        `${indent}__proto__: { polluted: true, toString: 1 }`,
        `${indent}constructor: { prototype: { x: 1 } }`,
      );
      return lines.join('\n');
    }
  }
}

/** A generated case: a valid canary, object mutations, a YAML style and text mutations. */
export interface SpecCase {
  canary: Obj;
  objectMutations: ObjectMutation[];
  style: YamlStyle;
  textMutations: TextMutation[];
}

export const specCaseArb = (mutate: boolean): fc.Arbitrary<SpecCase> =>
  fc.record({
    canary: validCanaryArb,
    objectMutations: mutate
      ? fc.array(objectMutationArb, { maxLength: 3 })
      : fc.constant<ObjectMutation[]>([]),
    style: yamlStyleArb,
    textMutations: mutate
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constant<TextMutation[]>([]) },
          { weight: 3, arbitrary: fc.array(textMutationArb, { minLength: 1, maxLength: 2 }) },
        )
      : fc.constant<TextMutation[]>([]),
  });

/** The mutated object of a case and the dot paths its object mutations touched. */
export function mutateCase(c: SpecCase): { value: Obj; touched: string[] } {
  let value = c.canary;
  const touched: string[] = [];
  for (const m of c.objectMutations) {
    const r = mutateObject(value, m);
    value = r.value;
    touched.push(r.path);
  }
  return { value, touched };
}

/** The YAML text of a case, and the dot paths its object mutations touched. */
export function renderCase(c: SpecCase): { text: string; touched: string[] } {
  const { value, touched } = mutateCase(c);
  let text = toYamlText(value, c.style);
  for (const m of c.textMutations) text = mutateText(text, m);
  return { text, touched };
}

export type { Json, Obj };
