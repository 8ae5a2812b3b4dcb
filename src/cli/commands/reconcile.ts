/** `gitcanary reconcile` and `gitcanary plan` (a run that writes nothing). */

import { afterRun } from '../../export/after-run.js';
import { secretsOfEnv } from '../../net/redact.js';
import { stderrLogger } from '../../reconcile/logger.js';
import { reconcile } from '../../reconcile/run.js';
import { githubAccess } from '../forge.js';
import { formatPlan, formatReconcile, jsonReconcile } from '../output.js';
import { version } from '../version.js';
import { accessFlags, list, parseHookHosts, parseMode, parseNow, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ name, values, out, err }: CommandContext): Promise<number> {
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
  const logger = stderrLogger(level, secretsOfEnv(process.env));
  const targetBranch = str(values, 'target-branch');
  const hookHosts = parseHookHosts(list(values, 'hook-host'));
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
    ...(hookHosts ? { hookHosts } : {}),
    dryRun,
    push: !noPush,
    logger,
  });
  if (!dryRun) {
    const pushgateway = str(values, 'pushgateway');
    await afterRun(flags.repo, result, {
      version: version(),
      ...(pushgateway ? { pushgateway } : {}),
      ...(config ? { configFile: config } : {}),
      warn: (m) => err(`warning: ${m}`),
      info: (m) => logger.info(m),
    });
  }
  await printResult(str(values, 'output'), out, jsonReconcile(result), () =>
    dryRun ? formatPlan(result, flags.repo) : formatReconcile(result),
  );
  return result.canaries.some((c) => c.error) ? 1 : 0;
}
