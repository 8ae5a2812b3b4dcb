/**
 * The Action's inputs (declared in `action.yml`), read from the runner's `INPUT_*` variables and
 * validated at the edge: every bad input is reported at once, by name.
 */
import type { DeliveryMode } from '../delivery/types.js';
import { ConfigurationError } from '../errors.js';
import type { RepoRef } from '../forge/port.js';
import { secretsOfEnv } from '../net/redact.js';
import { type Env, readInput } from './io.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ActionInputs {
  /** '' when none was given (then no forge: commit mode only). */
  token: string;
  /** Unset: `gitcanary.yaml`'s `delivery.mode`. */
  mode?: DeliveryMode;
  /** The checkout, as given (relative to the workspace). */
  path: string;
  repository?: RepoRef;
  /** Path of `gitcanary.yaml` relative to `path`. */
  configFile?: string;
  metricsServer?: string;
  meshProvider?: string;
  /** Where Flagger's metrics are pushed after the run (a Prometheus Pushgateway). */
  pushgateway?: string;
  dryRun: boolean;
  logLevel: LogLevel;
  apiUrl?: string;
  graphqlUrl?: string;
  /** `api`: no checkout needed; read through the REST API, commit with GraphQL (Verified commits). */
  commitVia: 'git' | 'api';
}

const modes: DeliveryMode[] = ['commit', 'pull-request'];
const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Parses the inputs. `RUNNER_DEBUG=1` (a re-run with debug logging) lowers the log level to
 * debug. Throws ConfigurationError naming each bad input.
 */
export function parseInputs(env: Env): ActionInputs {
  const input = (name: string) => readInput(env, name);
  const problems: string[] = [];
  const bad = (name: string, message: string, value: string) =>
    problems.push(`input ${name}: ${message}, got ${JSON.stringify(value)}`);

  const inputs: ActionInputs = {
    token: input('token'),
    path: input('path') || '.',
    dryRun: false,
    logLevel: 'info',
    commitVia: 'git',
  };

  const via = input('commit-via') || 'git';
  if (via === 'git' || via === 'api') inputs.commitVia = via;
  else bad('commit-via', 'must be git or api', via);

  const mode = input('mode');
  if (mode) {
    if ((modes as string[]).includes(mode)) inputs.mode = mode as DeliveryMode;
    else bad('mode', `must be ${modes.join(' or ')} (or empty for gitcanary.yaml's)`, mode);
  }

  const repository = input('repository');
  if (repository) {
    const m = /^([\w.-]+)\/([\w.-]+)$/.exec(repository);
    if (m) inputs.repository = { owner: m[1]!, repo: m[2]! };
    else bad('repository', 'must be owner/name', repository);
  }

  const dryRun = input('dry-run');
  if (/^(true|True|TRUE)$/.test(dryRun)) inputs.dryRun = true;
  else if (dryRun && !/^(false|False|FALSE)$/.test(dryRun)) bad('dry-run', 'must be true or false', dryRun);

  const level = input('log-level') || 'info';
  if ((levels as string[]).includes(level)) inputs.logLevel = level as LogLevel;
  else bad('log-level', `must be one of ${levels.join(', ')}`, level);
  if (env.RUNNER_DEBUG === '1') inputs.logLevel = 'debug';

  const config = input('config');
  if (config) inputs.configFile = config;
  const metricsServer = input('metrics-server');
  if (metricsServer) inputs.metricsServer = metricsServer;
  const meshProvider = input('mesh-provider');
  if (meshProvider) inputs.meshProvider = meshProvider;

  for (const [name, key] of [
    ['api-url', 'apiUrl'],
    ['graphql-url', 'graphqlUrl'],
    ['pushgateway', 'pushgateway'],
  ] as const) {
    const url = input(name);
    if (!url) continue;
    if (/^https?:\/\/[^\s]+$/.test(url)) inputs[key] = url.replace(/\/+$/, '');
    else bad(name, 'must be an http(s) URL', url);
  }

  if (inputs.commitVia === 'api' && !(inputs.token && inputs.repository)) {
    problems.push('input commit-via: api needs the token and repository inputs');
  }
  if (inputs.mode === 'pull-request' && !(inputs.token && inputs.repository)) {
    problems.push(
      'input mode: pull-request needs the token and repository inputs (the GitHub API opens the PRs)',
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'));
  return inputs;
}

/**
 * Values to mask before anything is printed: the token, every input whose name looks secret,
 * the password in a URL input (`https://user:pass@host`), and environment variables named like
 * secrets (`PROMETHEUS_TOKEN`, `GITCANARY_SECRET_X_PASSWORD`).
 */
export function secretValues(env: Env): string[] {
  const token = readInput(env, 'token');
  return [...new Set([...(token ? [token] : []), ...secretsOfEnv(env)])];
}
