/**
 * The latest step pull request of each canary, for `status` and its "waiting for" line. Read only
 * when GitHub is reachable (a token and a repository, as `reconcile` takes them): without them
 * the map is empty and status says what the files say. A failing API is one warning line, never
 * a failed status.
 */
import { resolve } from 'node:path';
import type { PendingStep } from '../delivery/pending.js';
import { listStepPulls, pendingSteps } from '../delivery/pull-requests.js';
import { errorMessage } from '../errors.js';
import { openRepo } from '../git/cli-repo.js';
import { loadConfig } from '../inputs/config.js';
import { str } from './commands/common.js';
import type { FlagValues } from './commands/context.js';
import { forgeFromEnv } from './forge.js';

export async function stepPulls(
  values: FlagValues,
  dir: string,
  warn: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Map<string, PendingStep>> {
  const flags = { repository: str(values, 'github-repository'), apiUrl: str(values, 'github-api-url') };
  const forge = forgeFromEnv(flags, env);
  if (!forge) return new Map();
  try {
    const config = await loadConfig(resolve(dir), {});
    const local = await openRepo(dir)
      .then((r) => r.branch())
      .catch(() => undefined);
    const base = str(values, 'branch') ?? config.branch ?? (local || 'main');
    return pendingSteps(await listStepPulls(forge, base));
  } catch (e) {
    warn(`warning: step pull requests not read: ${errorMessage(e)}`);
    return new Map();
  }
}
