/**
 * The keys of a MetricTemplate's `secretRef` for the vendor providers (datadog_api_key,
 * sf_token_key, …), read from the places a Git-driven tool can see, as `secretAuth` reads
 * Prometheus' token: the mounted-Secret folder `<GITCANARY_SECRETS_DIR>/<namespace>/<name>/<key>`
 * (`flat` layout: `<dir>/<name>/<key>`) when it exists, else the environment
 * `GITCANARY_SECRET_<NAMESPACE>__<NAME>_<KEY>` (key upper-cased, non-alphanumerics → `_`).
 * Values stay in the returned record; messages name the secret and the places, never a value.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { type SecretPlaces, type SecretRef, secretEnvPrefix } from './auth.js';

/**
 * The env variable that holds one key of a secret.
 * @example secretKeyEnv({ namespace: 'apps', name: 'dd' }, 'datadog_api_key') === 'GITCANARY_SECRET_APPS__DD_DATADOG_API_KEY'
 */
export const secretKeyEnv = (ref: SecretRef, key: string, layout: SecretPlaces['layout'] = 'namespaced') =>
  `${secretEnvPrefix(ref, layout)}${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * The present keys among `keys` (an empty value counts as absent, one trailing newline of a file
 * is stripped). A secret with none of them in either place is an error, as Flagger fails a check
 * whose Secret is missing; a secret with some keys is returned as is (the provider names the
 * missing one).
 * @throws ConfigurationError naming the secret and where it looked.
 */
export function secretKeys(
  ref: SecretRef,
  keys: readonly string[],
  places: SecretPlaces = {},
): Record<string, string> {
  const env = places.env ?? process.env;
  const dir = 'secretsDir' in places ? places.secretsDir : env.GITCANARY_SECRETS_DIR;
  const layout = places.layout ?? 'namespaced';
  for (const part of [ref.namespace, ref.name]) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.includes('..'))
      throw new ConfigurationError(`secret name "${part}" is not a valid Kubernetes name`);
  }
  const what = `secret "${ref.name}" (namespace ${ref.namespace})`;
  const folder = dir
    ? layout === 'flat'
      ? join(dir, ref.name)
      : join(dir, ref.namespace, ref.name)
    : undefined;
  const out: Record<string, string> = {};
  if (folder && isDirectory(folder)) {
    for (const key of keys) {
      const v = readKey(folder, key);
      if (v) out[key] = v;
    }
    if (Object.keys(out).length === 0)
      throw new ConfigurationError(`${what} has none of the keys ${keys.join(', ')} (looked in ${folder})`);
    return out;
  }
  for (const key of keys) {
    const v = env[secretKeyEnv(ref, key, layout)];
    if (v) out[key] = v;
  }
  if (Object.keys(out).length === 0) {
    const names = keys.map((k) => secretKeyEnv(ref, k, layout)).join(', ');
    const where = folder
      ? `no folder ${folder} and none of env ${names}`
      : `none of env ${names} (GITCANARY_SECRETS_DIR is not set)`;
    throw new ConfigurationError(`${what} not found: ${where}`);
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readKey(folder: string, key: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(key)) return undefined;
  try {
    return readFileSync(join(folder, key), 'utf8').replace(/\r?\n$/, '');
  } catch {
    return undefined;
  }
}
