/**
 * `plan` on a branch that is not the target branch (a pull request's): the egress policy and the
 * credentialed uses come from the target branch, read through git without a checkout, so a
 * branch cannot point an existing credentialed use at a new URL, nor widen `gitcanary.yaml`'s
 * `egress` section, and have `plan` send the credential there.
 *
 * The target is `--target-branch`, else `origin/$GITHUB_BASE_REF` (a pull_request workflow;
 * fetched when the checkout lacks it), else the remote's default branch (`origin/HEAD`).
 */
import { ConfigurationError, errorMessage } from '../errors.js';
import { exportTree, fetchBranch, resolveCommit } from '../git/tree-export.js';
import { loadConfig, type RepoConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import type { RepoInventory } from '../inputs/model.js';
import { planChecks } from '../metrics/checks.js';
import { useKey } from '../net/egress.js';
import type { Logger } from './logger.js';
import { builtinTemplates } from './observe.js';

/** The target branch as `plan` compares with it. */
export interface TargetSide {
  /** The ref as given (`origin/main`) and the commit it named. */
  ref: string;
  commit: string;
  /** The target branch's `gitcanary.yaml` (with the same flags applied): its egress policy rules. */
  config: RepoConfig;
  /** Every use (URL and secret, see `useKey`) the target branch's specs make. */
  uses: ReadonlySet<string>;
}

export interface TargetOptions {
  /** `--target-branch`: a branch or ref; an unknown one is an error. */
  explicit?: string;
  overrides: Parameters<typeof loadConfig>[1];
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

/**
 * The target side of `plan` in the working tree `root`, or undefined when no target is known
 * (no flag, no GITHUB_BASE_REF, no `origin/HEAD`): then the branch is taken as the target.
 * Throws ConfigurationError when a named target cannot be read.
 */
export async function readTarget(root: string, o: TargetOptions): Promise<TargetSide | undefined> {
  const env = o.env ?? process.env;
  const found = await findTarget(root, o.explicit, env.GITHUB_BASE_REF);
  if (!found) {
    o.logger.debug('plan: no target branch known (--target-branch, GITHUB_BASE_REF, origin/HEAD)');
    return undefined;
  }
  const tree = await exportTree(root, found.commit);
  try {
    const config = await loadConfig(tree.dir, o.overrides, o.configFile);
    const inventory = await loadRepo(tree.dir, config);
    o.logger.debug(`plan: credentials follow the target branch ${found.ref} (${found.commit.slice(0, 7)})`);
    return { ...found, config, uses: usesOf(config, inventory) };
  } catch (e) {
    throw new ConfigurationError(`plan: target branch ${found.ref}: ${errorMessage(e)}`, { cause: e });
  } finally {
    await tree.dispose();
  }
}

async function findTarget(
  root: string,
  explicit: string | undefined,
  baseRef: string | undefined,
): Promise<{ ref: string; commit: string } | undefined> {
  if (explicit) {
    for (const ref of [explicit, `origin/${explicit}`]) {
      const commit = await resolveCommit(root, ref);
      if (commit) return { ref, commit };
    }
    throw new ConfigurationError(`--target-branch ${explicit}: no such branch or commit in ${root}`);
  }
  if (baseRef) {
    const ref = `origin/${baseRef}`;
    let commit = await resolveCommit(root, ref);
    if (!commit) {
      await fetchBranch(root, 'origin', baseRef).catch((e: unknown) => {
        throw new ConfigurationError(
          `plan: cannot fetch the target branch ${baseRef} (GITHUB_BASE_REF): ${errorMessage(e)}`,
          { cause: e },
        );
      });
      commit = await resolveCommit(root, ref);
    }
    if (!commit) throw new ConfigurationError(`plan: target branch ${ref} (GITHUB_BASE_REF) not found`);
    return { ref, commit };
  }
  const commit = await resolveCommit(root, 'refs/remotes/origin/HEAD');
  return commit ? { ref: 'origin/HEAD', commit } : undefined;
}

/**
 * The credentialed uses of an inventory: for every check with a `secretRef`, its URL and secret.
 * @example usesOf(config, inv) // Set { 'http://prom.apps:9090 apps/prom-auth' }
 */
export function usesOf(config: RepoConfig, inventory: RepoInventory): Set<string> {
  const uses = new Set<string>();
  for (const c of inventory.canaries) {
    const server = c.canary.spec.metricsServer ?? config.metricsServer;
    for (const check of planChecks(c, inventory.templates, builtinTemplates(), config.meshProvider)) {
      if (!check.secret) continue;
      uses.add(useKey({ url: check.address ?? server, from: 'spec', secret: check.secret }));
    }
  }
  return uses;
}
