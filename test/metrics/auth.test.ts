import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { operatorAuth, secretAuth, secretEnvPrefix } from '../../src/metrics/auth.js';

/** The old call shape, over the namespaced layout (namespace `apps`) unless `flat`. */
const resolveAuth = (name: string | undefined, env: NodeJS.ProcessEnv = {}, dir?: string, layout?: 'flat') =>
  name === undefined
    ? operatorAuth(env)
    : secretAuth(
        { namespace: 'apps', name },
        { env, secretsDir: dir ?? env.GITCANARY_SECRETS_DIR, ...(layout ? { layout } : {}) },
      );

const dir = mkdtempSync(join(tmpdir(), 'gitcanary-secrets-'));
const secret = (name: string, files: Record<string, string>) => {
  mkdirSync(join(dir, 'apps', name), { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, 'apps', name, k), v);
};
secret('prom-token', { token: 'file-token\n', username: 'u', password: 'p' });
secret('prom-basic', { username: 'alice', password: 's3cret\n' });
secret('prom-half', { username: 'alice' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveAuth for a MetricTemplate secretRef', () => {
  it('reads a mounted-Secret folder; token wins over basic; one trailing newline is dropped', () => {
    expect(resolveAuth('prom-token', {}, dir)).toEqual({ bearer: 'file-token' });
    expect(resolveAuth('prom-basic', {}, dir)).toEqual({ username: 'alice', password: 's3cret' });
  });

  it('takes the folder from GITCANARY_SECRETS_DIR', () => {
    expect(resolveAuth('prom-token', { GITCANARY_SECRETS_DIR: dir })).toEqual({ bearer: 'file-token' });
  });

  it('falls back to GITCANARY_SECRET_<NAMESPACE>__<NAME>_* env', () => {
    expect(secretEnvPrefix({ namespace: 'apps', name: 'prom-auth.v2' })).toBe(
      'GITCANARY_SECRET_APPS__PROM_AUTH_V2_',
    );
    const env = {
      GITCANARY_SECRET_APPS__PROM_AUTH_TOKEN: 'env-token',
      GITCANARY_SECRET_APPS__PROM_AUTH_USERNAME: 'u',
      GITCANARY_SECRET_APPS__PROM_AUTH_PASSWORD: 'p',
      GITCANARY_SECRET_APPS__OTHER_USERNAME: 'u',
      GITCANARY_SECRET_APPS__OTHER_PASSWORD: 'p',
    };
    expect(resolveAuth('prom-auth', env, dir)).toEqual({ bearer: 'env-token' });
    expect(resolveAuth('other', env)).toEqual({ username: 'u', password: 'p' });
  });

  it('a missing secret or half a basic pair is a ConfigurationError that shows no values', () => {
    expect(() => resolveAuth('missing', {}, dir)).toThrow(ConfigurationError);
    expect(() => resolveAuth('missing', {}, dir)).toThrow(
      /secret "missing" \(namespace apps\) not found: no folder .*GITCANARY_SECRET_APPS__MISSING_TOKEN/,
    );
    expect(() => resolveAuth('prom-half', {}, dir)).toThrow(/has no token and no password/);
    expect(() => resolveAuth('x', { GITCANARY_SECRET_APPS__X_PASSWORD: 'pw-value' })).toThrow(/no username/);
    try {
      resolveAuth('x', { GITCANARY_SECRET_APPS__X_PASSWORD: 'pw-value' });
    } catch (e) {
      expect(String(e)).not.toContain('pw-value');
    }
  });

  it('rejects names that could escape the secrets folder', () => {
    expect(() => resolveAuth('../etc', {}, dir)).toThrow(/not a valid Kubernetes name/);
  });
});

describe('secret layouts', () => {
  it('a secret of another namespace is not found; the flat layout reads the old places only when chosen', () => {
    const env = { GITCANARY_SECRET_PROM_TOKEN: 'flat-token', GITCANARY_SECRET_OTHER__PROM_TOKEN: 'other-ns' };
    expect(() => resolveAuth('prom', env)).toThrow(/secret "prom" \(namespace apps\) not found/);
    expect(resolveAuth('prom', env, undefined, 'flat')).toEqual({ bearer: 'flat-token' });
    expect(() => secretAuth({ namespace: '..', name: 'x' }, { env })).toThrow(/not a valid Kubernetes name/);
  });
});

describe('resolveAuth for the global metrics server', () => {
  it.each([
    [{}, undefined],
    [{ PROMETHEUS_TOKEN: 't', PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' }, { bearer: 't' }],
    [
      { PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' },
      { username: 'u', password: 'p' },
    ],
    [{ PROMETHEUS_TOKEN: '' }, undefined],
  ])('%j → %j', (env, expected) => {
    expect(resolveAuth(undefined, env)).toEqual(expected);
  });

  it('half a basic pair is an error', () => {
    expect(() => resolveAuth(undefined, { PROMETHEUS_USERNAME: 'u' })).toThrow(
      /operator.s metrics server has no token and no password/,
    );
  });
});
