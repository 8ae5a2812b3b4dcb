/**
 * The checkout `status` and `wait` read, and the commit it is at. With `fetch`, the remote is
 * read first: the checkout is fast-forwarded (refused, with the reason, when it has uncommitted
 * changes or local commits the remote lacks: local work is never lost). With `--commit-via api`
 * the branch is read through the API into --repo, which is always fresh.
 */
import { openRepo } from '../../git/cli-repo.js';
import { apiRepo, str } from './common.js';
import type { FlagValues } from './context.js';

export interface Checkout {
  dir: string;
  /** HEAD of what was read; null in a repository without commits. */
  commit: string | null;
  /** Whether the remote was read just now. */
  fetched: boolean;
}

export async function checkout(values: FlagValues, fetch: boolean): Promise<Checkout> {
  const dir = str(values, 'repo') ?? '.';
  const api = await apiRepo(values);
  if (api) return { dir, commit: await api.head().catch(() => null), fetched: true };
  if (!fetch) {
    // A folder that is not a git checkout still has status files to read.
    const repo = await openRepo(dir).catch(() => undefined);
    return { dir, commit: repo ? await repo.head().catch(() => null) : null, fetched: false };
  }
  const synced = await (await openRepo(dir)).sync();
  return { dir, commit: synced.head, fetched: synced.upstream !== null };
}
