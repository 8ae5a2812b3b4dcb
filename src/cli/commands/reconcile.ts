/** `gitcanary reconcile` and `gitcanary plan` (a run that writes nothing). */

import { secretsOfEnv } from '../../net/redact.js';
import { stderrLogger } from '../../reconcile/logger.js';
import { reconcile } from '../../reconcile/run.js';
import { githubAccess } from '../forge.js';
import { formatPlan, formatReconcile, jsonReconcile } from '../output.js';
import { accessFlags, parseMode, parseNow, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ name, values, out }: CommandContext): Promise<number> {
  const now = parseNow(str(values, 'now'));
  const level = (str(values, 'log-level') ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
  const dryRun = name === 'plan' || values['dry-run'] === true;
  const noPush = values['no-push'] === true;
  const flags = accessFlags(values);
  const { forge, git } = await githubAccess(flags, { noPush: noPush && !dryRun });
  const mode = parseMode(str(values, 'mode'));
  const config = str(values, 'config');
  const metricsServer = str(values, 'metrics-server');
  const meshProvider = str(values, 'mesh-provider');
  const targetBranch = str(values, 'target-branch');
  const result = await reconcile({
    repoDir: flags.repo,
    ...(git ? { git } : {}),
    ...(mode ? { mode } : {}),
    ...(config ? { configFile: config } : {}),
    ...(forge ? { forge } : {}),
    ...(now ? { now } : {}),
    ...(metricsServer ? { metricsServer } : {}),
    ...(meshProvider ? { meshProvider } : {}),
    ...(targetBranch ? { targetBranch } : {}),
    dryRun,
    push: !noPush,
    logger: stderrLogger(level, secretsOfEnv(process.env)),
  });
  await printResult(str(values, 'output'), out, jsonReconcile(result), () =>
    dryRun ? formatPlan(result, flags.repo) : formatReconcile(result),
  );
  return result.canaries.some((c) => c.error) ? 1 : 0;
}
