/**
 * The fast YAML writer gives the `yaml` library's bytes, or leaves the value to the library:
 * compared on generated documents mixing plain-safe strings and strings that must be quoted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { fastYaml } from '../../src/render/yaml.js';

const library = (doc: unknown) =>
  stringify(doc, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });

const tricky = [
  'true',
  'False',
  'NULL',
  '~',
  '1',
  '0.5',
  '1e3',
  '.5',
  '0x1f',
  '0o7',
  '+1',
  '-1',
  '1_000',
  '12:30',
  'a:',
  'a: b',
  'a #b',
  '#',
  '@x',
  '-',
  '-x',
  'x-',
  '',
  ' x',
  'x ',
  'yes',
  'on',
  '10m',
  '6.1.6',
  'a:b',
  'é',
  'a\nb',
  'ghcr.io/stefanprodan/podinfo:6.1.6',
  'app.kubernetes.io/name',
  'http://a:80/x',
  'a=b',
  '0123',
  '1.2.3',
];
const word = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/:@=+-]{0,10}$/), weight: 12 },
  { arbitrary: fc.constantFrom(...tricky), weight: 1 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._/:@=+ #-]{0,12}$/), weight: 1 },
);
const leaf = fc.oneof(
  { arbitrary: word, weight: 6 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);
const { doc } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), fc.array(tie('value'), { maxLength: 3 })),
  map: fc.dictionary(word, tie('value'), { maxKeys: 4 }),
  doc: fc.dictionary(word, tie('value'), { minKeys: 1, maxKeys: 5 }),
}));

describe('fastYaml', () => {
  it('writes what the yaml library writes, or leaves it to the library', () => {
    let written = 0;
    fc.assert(
      fc.property(doc, (d) => {
        const fast = fastYaml(d);
        if (fast !== undefined) {
          written++;
          expect(fast).toBe(library(d));
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
    expect(written).toBeGreaterThan(300);
  });

  it('writes a rendered Deployment itself', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', namespace: 'test', labels: { app: 'podinfo' }, annotations: {} },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'podinfo' } },
        template: {
          spec: {
            containers: [
              {
                name: 'podinfo',
                image: 'ghcr.io/stefanprodan/podinfo:6.1.6',
                ports: [{ containerPort: 9898 }],
              },
            ],
            volumes: [],
          },
        },
      },
    };
    expect(fastYaml(d)).toBe(library(d));
  });
});
