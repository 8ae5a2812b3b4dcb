/**
 * Rendered Ingresses are valid `networking.k8s.io/v1` objects: every Ingress in the golden
 * `expected/` files (which golden.test.ts keeps byte-identical to what render produces) is checked
 * against the Kubernetes OpenAPI schema with kubernetes-models.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { describe, expect, it } from 'vitest';
import { parseObjects } from './cases.js';

const root = resolve('fixtures/golden');
const files = readdirSync(root).flatMap((provider) =>
  readdirSync(join(root, provider)).flatMap((name) => {
    const expected = join(root, provider, name, 'expected');
    if (!existsSync(expected)) return [];
    return readdirSync(expected)
      .filter((f) => f.startsWith('ingress-'))
      .map((f) => ({ file: `${provider}/${name}/expected/${f}`, path: join(expected, f) }));
  }),
);

/** Throws when `obj` does not match the Ingress schema. */
const validateIngress = (obj: unknown): void =>
  new Ingress(obj as ConstructorParameters<typeof Ingress>[0]).validate();

describe('rendered Ingresses match the networking.k8s.io/v1 schema', () => {
  it('the golden cases include NGINX and Skipper Ingresses', () => {
    expect(files.map((f) => f.file.split('/')[0])).toEqual(expect.arrayContaining(['nginx', 'skipper']));
  });

  it.each(files)('$file', ({ path }) => {
    const objects = parseObjects(readFileSync(path, 'utf8'));
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['networking.k8s.io/v1 Ingress']);
    for (const o of objects) expect(() => validateIngress(o)).not.toThrow();
  });

  it('the check does catch an invalid Ingress', () => {
    const bad = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'x' },
      spec: { rules: 'no' },
    };
    expect(() => validateIngress(bad)).toThrow();
    const badPath = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'x', annotations: { weight: 10 } },
      spec: { rules: [{ http: { paths: [{ path: '/', backend: {} }] } }] },
    };
    expect(() => validateIngress(badPath)).toThrow();
  });
});
