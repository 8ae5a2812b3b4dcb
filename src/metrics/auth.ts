/**
 * Credentials for Prometheus, the way Flagger reads them from a Secret (`token` → Bearer, else
 * `username` + `password` → basic), but from places a Git-driven tool can see: a mounted-Secret
 * folder or environment variables. Values never leave this module except inside the auth object.
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

/**
 * Environment prefix for a secret name: upper case, every non-alphanumeric character → `_`.
 * @example secretEnvPrefix('prom-auth.v2') === 'GITCANARY_SECRET_PROM_AUTH_V2_'
 */
export const secretEnvPrefix = (name: string): string =>
  `GITCANARY_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;

/**
 * Resolves credentials.
 * - With `secretName` (a MetricTemplate's `provider.secretRef.name`): files
 *   `<secretsDir>/<name>/{token,username,password}` when that folder exists (a mounted Secret;
 *   `secretsDir` defaults to env GITCANARY_SECRETS_DIR; one trailing newline is stripped), else env
 *   `GITCANARY_SECRET_<NAME>_TOKEN|_USERNAME|_PASSWORD`. Token wins over basic; without a token both
 *   username and password are required, and a secret that cannot be found is an error (Flagger fails
 *   the check when the Secret is missing).
 * - Without `secretName` (the global metrics server): env PROMETHEUS_TOKEN, else
 *   PROMETHEUS_USERNAME + PROMETHEUS_PASSWORD, else no auth.
 * @throws ConfigurationError naming the secret and where it looked (never the values).
 * @example resolveAuth('prom', { GITCANARY_SECRET_PROM_TOKEN: 't' }) → { bearer: 't' }
 */
export function resolveAuth(
  secretName?: string,
  env: NodeJS.ProcessEnv = process.env,
  secretsDir: string | undefined = env.GITCANARY_SECRETS_DIR,
): PrometheusAuth | undefined {
  if (secretName === undefined) {
    const creds = pick({
      token: env.PROMETHEUS_TOKEN,
      username: env.PROMETHEUS_USERNAME,
      password: env.PROMETHEUS_PASSWORD,
    });
    if (!creds.token && !creds.username && !creds.password) return undefined;
    return toAuth(
      creds,
      'the global metrics server',
      'env PROMETHEUS_TOKEN or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD',
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(secretName) || secretName.includes('..')) {
    throw new ConfigurationError(`secret name "${secretName}" is not a valid Kubernetes name`);
  }
  const what = `secret "${secretName}"`;
  const folder = secretsDir ? join(secretsDir, secretName) : undefined;
  if (folder && isDirectory(folder)) {
    const creds = pick({
      token: readKey(folder, 'token'),
      username: readKey(folder, 'username'),
      password: readKey(folder, 'password'),
    });
    return toAuth(creds, what, `files in ${folder}`);
  }
  const prefix = secretEnvPrefix(secretName);
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
