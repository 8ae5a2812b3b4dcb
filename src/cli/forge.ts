/**
 * The GitHub forge from the environment, for the CLI: the repository from
 * `--github-repository` or `GITHUB_REPOSITORY`, the token from `GITHUB_TOKEN` or `GH_TOKEN`
 * (never a flag: flags show in process lists and shell history), the API from
 * `--github-api-url`, `GITHUB_API_URL` or api.github.com.
 */
import { ConfigurationError } from '../errors.js';
import { createGitHubForge } from '../forge/github.js';
import type { Forge } from '../forge/port.js';

export interface ForgeFlags {
  repository?: string | undefined;
  apiUrl?: string | undefined;
}

/** undefined when no repository or no token is known (commit delivery needs neither). */
export function forgeFromEnv(flags: ForgeFlags, env: NodeJS.ProcessEnv = process.env): Forge | undefined {
  const repository = flags.repository ?? env.GITHUB_REPOSITORY;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!repository || !token) return undefined;
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!m) throw new ConfigurationError(`--github-repository must be OWNER/NAME, got ${repository}`);
  const apiUrl = (flags.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const graphqlUrl = env.GITHUB_GRAPHQL_URL ?? graphqlUrlFor(apiUrl);
  return createGitHubForge({ token, repo: { owner: m[1]!, repo: m[2]! }, apiUrl, graphqlUrl });
}

/**
 * GitHub's GraphQL endpoint next to a REST base URL.
 * @example graphqlUrlFor('https://api.github.com') === 'https://api.github.com/graphql'
 * @example graphqlUrlFor('https://ghe.example.com/api/v3') === 'https://ghe.example.com/api/graphql'
 */
export function graphqlUrlFor(apiUrl: string): string {
  return /\/api\/v3$/.test(apiUrl) ? apiUrl.replace(/\/api\/v3$/, '/api/graphql') : `${apiUrl}/graphql`;
}
