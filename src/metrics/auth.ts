/**
 * Credentials for Prometheus, the way Flagger reads them from a Secret (`token` → Bearer, else
 * `username` + `password` → basic), but from places a Git-driven tool can see: a mounted-Secret
 * folder or environment variables. Values never leave this module except inside the auth object.
 * Which URL may receive which credential is the egress policy's decision (src/net/egress.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../errors.js';

export type PrometheusAuth = { bearer: string } | { username: string; password: string };

interface Creds {
  token?: string;
  username?: string;
  password?: string;
}

/** Where MetricTemplate secrets are read: per namespace (default), or the old flat layout. */
export type SecretsLayout = 'namespaced' | 'flat';

/**
 * Environment prefix for a secret: upper case, every non-alphanumeric character → `_`; in the
 * namespaced layout the namespace comes first, then `__`.
 * @example secretEnvPrefix({ namespace: 'apps', name: 'prom-auth.v2' }) === 'GITCANARY_SECRET_APPS__PROM_AUTH_V2_'
 * @example secretEnvPrefix({ namespace: 'apps', name: 'prom' }, 'flat') === 'GITCANARY_SECRET_PROM_'
 */
export const secretEnvPrefix = (ref: SecretRef, layout: SecretsLayout = 'namespaced'): string =>
  `GITCANARY_SECRET_${layout === 'flat' ? '' : `${envPart(ref.namespace)}__`}${envPart(ref.name)}_`;

const envPart = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** A MetricTemplate's `provider.secretRef`, in the template's namespace (Flagger reads it there). */
export interface SecretRef {
  namespace: string;
  name: string;
}

export interface SecretPlaces {
  env?: NodeJS.ProcessEnv;
  /** Default: env GITCANARY_SECRETS_DIR. */
  secretsDir?: string | undefined;
  /** Default `namespaced`: `<dir>/<namespace>/<name>/<key>`; `flat` (opt-in): `<dir>/<name>/<key>`. */
  layout?: SecretsLayout;
}

/**
 * The operator's own Prometheus credentials: env PROMETHEUS_TOKEN, else PROMETHEUS_USERNAME +
 * PROMETHEUS_PASSWORD, else none. The egress policy sends them only to the operator's server.
 * @throws ConfigurationError when only half a basic pair is set.
 */
export function operatorAuth(env: NodeJS.ProcessEnv = process.env): PrometheusAuth | undefined {
  const creds = pick({
    token: env.PROMETHEUS_TOKEN,
    username: env.PROMETHEUS_USERNAME,
    password: env.PROMETHEUS_PASSWORD,
  });
  if (!creds.token && !creds.username && !creds.password) return undefined;
  return toAuth(
    creds,
    "the operator's metrics server",
    'env PROMETHEUS_TOKEN or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD',
  );
}

/**
 * A MetricTemplate's secret, read only within the template's namespace: files
 * `<secretsDir>/<namespace>/<name>/{token,username,password}` when that folder exists (a mounted
 * Secret; one trailing newline stripped), else env `GITCANARY_SECRET_<NAMESPACE>__<NAME>_TOKEN|
 * _USERNAME|_PASSWORD`. With `layout: 'flat'` (the operator's explicit choice) the old
 * namespace-less places are read instead. Token wins over basic; a secret that cannot be found is
 * an error (Flagger fails the check when the Secret is missing).
 * @throws ConfigurationError naming the secret and where it looked (never the values).
 * @example secretAuth({ namespace: 'a', name: 'prom' }, { env: { GITCANARY_SECRET_A__PROM_TOKEN: 't' } }) → { bearer: 't' }
 */
export function secretAuth(ref: SecretRef, places: SecretPlaces = {}): PrometheusAuth {
  const env = places.env ?? process.env;
  const secretsDir = 'secretsDir' in places ? places.secretsDir : env.GITCANARY_SECRETS_DIR;
  const layout = places.layout ?? 'namespaced';
  for (const part of [ref.namespace, ref.name]) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part) || part.includes('..')) {
      throw new ConfigurationError(`secret name "${part}" is not a valid Kubernetes name`);
    }
  }
  const what = `secret "${ref.name}" (namespace ${ref.namespace})`;
  const folder = secretsDir
    ? layout === 'flat'
      ? join(secretsDir, ref.name)
      : join(secretsDir, ref.namespace, ref.name)
    : undefined;
  if (folder && isDirectory(folder)) {
    const creds = pick({
      token: readKey(folder, 'token'),
      username: readKey(folder, 'username'),
      password: readKey(folder, 'password'),
    });
    return toAuth(creds, what, `files in ${folder}`);
  }
  const prefix = secretEnvPrefix(ref, layout);
  const creds = pick({
    token: env[`${prefix}TOKEN`],
    username: env[`${prefix}USERNAME`],
    password: env[`${prefix}PASSWORD`],
  });
  const envPlace = `env ${prefix}TOKEN or ${prefix}USERNAME/${prefix}PASSWORD`;
  if (!creds.token && !creds.username && !creds.password) {
    const where = folder
      ? `no folder ${folder} and no ${envPlace}`
      : `no ${envPlace} (GITCANARY_SECRETS_DIR is not set)`;
    throw new ConfigurationError(`${what} not found: ${where}`);
  }
  return toAuth(creds, what, envPlace);
}

function toAuth(creds: Creds, what: string, where: string): PrometheusAuth {
  if (creds.token) return { bearer: creds.token };
  if (creds.username && creds.password) return { username: creds.username, password: creds.password };
  const missing = creds.username ? 'password' : 'username';
  throw new ConfigurationError(`${what} has no token and no ${missing} (looked in ${where})`);
}

/** Drops empty values so `''` counts as unset. */
function pick(c: Creds): Creds {
  const out: Creds = {};
  if (c.token) out.token = c.token;
  if (c.username) out.username = c.username;
  if (c.password) out.password = c.password;
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
  try {
    return readFileSync(join(folder, key), 'utf8').replace(/\r?\n$/, '');
  } catch {
    return undefined;
  }
}
