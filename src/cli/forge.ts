/**
 * The GitHub forge from the environment, for the CLI: the repository from
 * `--github-repository` or `GITHUB_REPOSITORY`, the token from `GITHUB_TOKEN` or `GH_TOKEN`
 * (never a flag: flags show in process lists and shell history), the API from
 * `--github-api-url`, `GITHUB_API_URL` or api.github.com.
 */
import { ConfigurationError } from '../errors.js';
import { type EtagStore, etagsFor } from '../forge/etag-store.js';
import { createGitHubForge } from '../forge/github.js';
import type { Forge } from '../forge/port.js';
import { openGitHubRepo } from '../git/github-repo.js';
import type { GitRepo } from '../git/port.js';

export interface ForgeFlags {
  repository?: string | undefined;
  apiUrl?: string | undefined;
}

/** undefined when no repository or no token is known (commit delivery needs neither). */
export function forgeFromEnv(
  flags: ForgeFlags,
  env: NodeJS.ProcessEnv = process.env,
  etags?: EtagStore,
): Forge | undefined {
  const repository = flags.repository ?? env.GITHUB_REPOSITORY;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!repository || !token) return undefined;
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!m) throw new ConfigurationError(`--github-repository must be OWNER/NAME, got ${repository}`);
  const apiUrl = (flags.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const graphqlUrl = env.GITHUB_GRAPHQL_URL ?? graphqlUrlFor(apiUrl);
  return createGitHubForge({
    token,
    repo: { owner: m[1]!, repo: m[2]! },
    apiUrl,
    graphqlUrl,
    ...(etags ? { etags } : {}),
  });
}

/**
 * GitHub's GraphQL endpoint next to a REST base URL.
 * @example graphqlUrlFor('https://api.github.com') === 'https://api.github.com/graphql'
 * @example graphqlUrlFor('https://ghe.example.com/api/v3') === 'https://ghe.example.com/api/graphql'
 */
export function graphqlUrlFor(apiUrl: string): string {
  return /\/api\/v3$/.test(apiUrl) ? apiUrl.replace(/\/api\/v3$/, '/api/graphql') : `${apiUrl}/graphql`;
}

/** The flags that say how gitcanary reaches the repository. */
export interface AccessFlags {
  'commit-via'?: string | undefined;
  'github-repository'?: string | undefined;
  'github-api-url'?: string | undefined;
  branch?: string | undefined;
  /** The working tree (`--commit-via git`) or the materialisation folder (`--commit-via api`). */
  repo: string;
}

/**
 * The forge (when GitHub access is configured) and, with `--commit-via api`, the repository port
 * over the GitHub API, materialised into `--repo` (created when missing). With `--commit-via git`
 * (the default) `git` is undefined: the git CLI adapter on the `--repo` working tree.
 */
export async function githubAccess(
  flags: AccessFlags,
  opts: { noPush?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ forge?: Forge; git?: GitRepo }> {
  const via = flags['commit-via'] ?? 'git';
  if (via !== 'git' && via !== 'api')
    throw new ConfigurationError(`--commit-via must be git or api, got ${via}`);
  const forge = forgeFromEnv(
    { repository: flags['github-repository'], apiUrl: flags['github-api-url'] },
    env,
    await etagsFor(flags.repo, via),
  );
  if (via === 'git') {
    if (flags.branch)
      throw new ConfigurationError('--branch is for --commit-via api (git uses the checked-out branch)');
    return forge ? { forge } : {};
  }
  if (!forge) {
    throw new ConfigurationError(
      '--commit-via api needs GitHub: the token from GITHUB_TOKEN or GH_TOKEN and the repository from --github-repository OWNER/NAME or GITHUB_REPOSITORY',
    );
  }
  if (opts.noPush) {
    throw new ConfigurationError(
      '--no-push cannot be used with --commit-via api: an API commit lands on GitHub at once',
    );
  }
  const git = await openGitHubRepo({
    forge,
    dir: flags.repo,
    ...(flags.branch ? { branch: flags.branch } : {}),
  });
  return { forge, git };
}
