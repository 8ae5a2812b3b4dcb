/**
 * The JSON Schema of `gitcanary.yaml` (schema/gitcanary.schema.json) is what the zod schema
 * generates, and an editor using it accepts a valid config and flags a typo.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(join(root, 'schema/gitcanary.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

describe('schema/gitcanary.schema.json', () => {
  it('is what scripts/config-schema.ts generates from the config schema', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/config-schema.ts', '--check'], { cwd: root });
  });

  it('accepts a config using every section, and flags an unknown field and a bad value', () => {
    const good = parse(
      'metricsServer: http://prometheus.monitoring:9090\nmeshProvider: gatewayapi:v1\n' +
        'delivery:\n  mode: pull-request\n  pullRequestFor: { weightAbove: 50, promotion: true }\n' +
        'historyLimit: 20\nprometheusTimeout: 10s\n',
    );
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ meshProvidr: 'istio' })).toBe(false);
    expect(validate.errors?.[0]?.params).toEqual({ additionalProperty: 'meshProvidr' });
    expect(validate({ delivery: { mode: 'push' } })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/delivery/mode');
  });
});
