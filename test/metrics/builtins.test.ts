import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  loadBuiltins,
  observerFor,
  observerLabel,
  observers,
  packageRoot,
} from '../../src/metrics/builtins.js';

describe('loadBuiltins', () => {
  it('loads both metrics for every observer, as validated MetricTemplates with their origin', () => {
    const b = loadBuiltins();
    for (const observer of observers) {
      for (const metric of ['request-success-rate', 'request-duration'] as const) {
        const t = b[observer][metric];
        expect(t.origin.file).toBe(`policies/builtin/${observer}.yaml`);
        expect(t.value.metadata.name).toBe(metric);
        expect(t.value.metadata.labels?.[observerLabel]).toBe(observer);
        expect(t.value.spec.provider.type).toBe('prometheus');
        expect(t.value.spec.query).toContain('{{ interval }}');
      }
      expect(b[observer]['request-success-rate'].value.spec.query.trim()).toMatch(/\* 100$/);
    }
    expect(b.istio['request-duration'].origin.line).toBeGreaterThan(
      b.istio['request-success-rate'].origin.line,
    );
  });

  it('durations are milliseconds: seconds-based metrics are multiplied by 1000 in the PromQL', () => {
    const b = loadBuiltins();
    for (const observer of observers) {
      const q = b[observer]['request-duration'].value.spec.query;
      expect(q.includes('_seconds_'), observer).toBe(q.trim().endsWith('* 1000'));
    }
  });

  it('reports every invalid document with its file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitcanary-builtins-'));
    try {
      writeFileSync(
        join(dir, 'bad.yaml'),
        [
          'apiVersion: flagger.app/v1beta1',
          'kind: MetricTemplate',
          'metadata: { name: request-success-rate, labels: { gitcanary.dev/observer: nope } }',
          'spec: { provider: { type: prometheus }, query: "vector(1)" }',
          '---',
          'apiVersion: flagger.app/v1beta1',
          'kind: MetricTemplate',
          'metadata: { name: request-duration }',
          'spec: { provider: { type: prometheus, adress: x }, query: "vector(1)" }',
        ].join('\n'),
      );
      expect(() => loadBuiltins(dir)).toThrow(ConfigurationError);
      expect(() => loadBuiltins(dir)).toThrow(
        /bad\.yaml:1: label gitcanary\.dev\/observer "nope" is not a known observer/,
      );
      expect(() => loadBuiltins(dir)).toThrow(/bad\.yaml:6: spec\.provider: Unrecognized key/);
      expect(() => loadBuiltins(dir)).toThrow(/observer istio lacks request-success-rate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds policies/ from a bundled dist/*.mjs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitcanary-bundle-'));
    try {
      writeFileSync(join(root, 'package.json'), '{"name":"gitcanary","type":"module"}');
      cpSync(join(packageRoot(), 'policies'), join(root, 'policies'), { recursive: true });
      mkdirSync(join(root, 'dist'));
      const entry = join(root, 'entry.ts');
      const src = join(packageRoot(), 'src', 'metrics', 'builtins.ts');
      writeFileSync(
        entry,
        `import { loadBuiltins } from ${JSON.stringify(src)};\nconsole.log(Object.keys(loadBuiltins()).length);\n`,
      );
      await build({
        entryPoints: [entry],
        outfile: join(root, 'dist', 'cli.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
        // as scripts/build.mjs: CommonJS dependencies (yaml) need `require` in an ES module bundle
        banner: {
          js: "import { createRequire as __gcRequire } from 'node:module'; const require = __gcRequire(import.meta.url);",
        },
      });
      const out = execFileSync(process.execPath, [join(root, 'dist', 'cli.mjs')], {
        encoding: 'utf8',
        cwd: tmpdir(),
      });
      expect(out.trim()).toBe(String(observers.length));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('observerFor (Flagger provider selection)', () => {
  it.each([
    // global, spec.provider, target kind → observer
    ['istio', undefined, 'Deployment', 'istio'],
    ['istio', 'nginx', 'Deployment', 'nginx'],
    ['istio', 'kubernetes', 'Deployment', 'http'],
    ['istio', 'kubernetes', 'Service', 'istio'], // kubernetes:service is not a prefix match
    ['istio', 'gatewayapi:v1', 'Deployment', 'http'],
    ['istio', 'gatewayapi:v1beta1', 'Service', 'http'], // prefix survives :service
    ['istio', 'appmesh:v1beta2', 'Deployment', 'appmesh'],
    ['istio', 'appmesh', 'Service', 'appmesh'],
    ['istio', 'gloo', 'Deployment', 'gloo'],
    ['istio', 'contour', 'Deployment', 'contour'],
    ['istio', 'contour', 'Service', 'istio'], // contour:service → fallback
    ['istio', 'skipper', 'Deployment', 'skipper'],
    ['istio', 'traefik', 'DaemonSet', 'traefik'],
    ['istio', 'osm', 'Deployment', 'osm'],
    ['istio', 'kuma', 'Deployment', 'kuma'],
    ['istio', 'apisix', 'Deployment', 'apisix'],
    ['istio', 'smi:v1alpha3', 'Deployment', 'istio'],
    ['linkerd', undefined, 'Deployment', 'linkerd'],
    ['linkerd', 'nginx', 'Deployment', 'linkerd'], // global linkerd overrides spec.provider
    ['smi:linkerd', 'kubernetes', 'Deployment', 'linkerd'],
    ['linkerd', undefined, 'Service', 'istio'], // linkerd:service → fallback
    ['smi:linkerd', undefined, 'Deployment', 'istio'], // global used as is without spec.provider
    ['nginx', undefined, 'Deployment', 'nginx'],
    ['kubernetes', undefined, 'Deployment', 'http'],
    ['smi:crossover', undefined, 'Deployment', 'istio'], // crossover → no builtin → istio
    ['appmesh', 'skipper', 'Deployment', 'skipper'],
    ['', undefined, 'Deployment', 'istio'],
  ])('global %s, provider %s, %s → %s', (global, provider, kind, expected) => {
    expect(observerFor(global, provider, kind)).toBe(expected);
  });

  it('a Knative Service gets no :service suffix', () => {
    expect(observerFor('istio', 'knative', 'Service', 'serving.knative.dev/v1')).toBe('knative');
    expect(observerFor('istio', 'knative', 'Service', 'v1')).toBe('istio');
  });
});
