/**
 * A commit's files, read without a checkout: the tree of another branch (the target branch of a
 * pull request) is copied into a temporary folder through a throwaway index, so the working
 * tree, its index and HEAD stay as they are. Used by `plan` to compare a branch with the branch
 * it would merge into.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTempIndex } from './cli-repo.js';

/** A commit's tracked files in a temporary folder; `dispose` deletes the folder. */
export interface ExportedTree {
  commit: string;
  dir: string;
  dispose(): Promise<void>;
}

/**
 * The commit `ref` names in the repository at `top`, or undefined when it names none.
 * @example resolveCommit('/repo', 'origin/main') // '3f2a…' (40 hex digits)
 */
export async function resolveCommit(top: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  return withTempIndex(
    top,
    async (run) =>
      (await run(['rev-parse', '--verify', '-q', `${ref}^{commit}`]).catch(() => '')).trim() || undefined,
  );
}

/**
 * Fetches `branch` from `remote` into `refs/remotes/<remote>/<branch>` (one commit deep when the
 * clone is shallow), for a CI checkout that holds only the pull request's merge commit.
 */
export async function fetchBranch(top: string, remote: string, branch: string): Promise<void> {
  await withTempIndex(top, async (run) => {
    const shallow = (await run(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    await run([
      'fetch',
      '--no-tags',
      ...(shallow ? ['--depth=1'] : []),
      remote,
      `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`,
    ]);
  });
}

/** Copies the files of `commit` into a new temporary folder (symbolic links stay links). */
export async function exportTree(top: string, commit: string): Promise<ExportedTree> {
  const dir = await mkdtemp(join(tmpdir(), 'gitcanary-target-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await withTempIndex(top, async (run) => {
      await run(['read-tree', commit]);
      await run(['checkout-index', '-a', '-f', `--prefix=${dir}/`]);
    });
  } catch (e) {
    await dispose();
    throw e;
  }
  return { commit, dir, dispose };
}
