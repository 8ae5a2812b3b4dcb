/**
 * The `gitcanary` command line: a thin layer over the library.
 * Exit codes: 0 run completed (whatever the phases), 1 some canary could not be reconciled,
 * 2 usage or configuration error.
 */
import { parseArgs } from 'node:util';
import type { DeliveryMode } from '../delivery/types.js';
import { runDemo } from '../demo/demo.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import type { GitRepo } from '../git/port.js';
import { secretsOfEnv } from '../net/redact.js';
import { canaryHistory } from '../reconcile/history.js';
import { stderrLogger } from '../reconcile/logger.js';
import { requestOperation } from '../reconcile/manual.js';
import { reconcile } from '../reconcile/run.js';
import { type AccessFlags, githubAccess } from './forge.js';
import { resolveAuthor } from './identity.js';
import { formatHistory, formatPlan, formatReconcile, jsonReconcile } from './output.js';
import { formatSimulation, runSimulate } from './simulate.js';
import { formatStatusTable, statusRows } from './status.js';
import { runValidate } from './validate.js';

const usage = `gitcanary — Flagger-compatible progressive delivery that writes every step to Git

Usage:
  gitcanary reconcile [--repo DIR] [--now RFC3339] [--metrics-server URL] [--mesh-provider P]
                      [--mode commit|pull-request] [--config FILE] [--dry-run] [--no-push] [-o text|json]
                      [--commit-via git|api] [--branch B]
  gitcanary plan      [--repo DIR] [--now RFC3339] [--metrics-server URL] [--mesh-provider P] [-o text|json]
                      [--commit-via git|api] [--branch B]
  gitcanary status    [--repo DIR] [-o text|json]
  gitcanary validate  [--repo DIR]
  gitcanary history   NAMESPACE/NAME [--repo DIR] [-o text|json]
  gitcanary simulate  NAMESPACE/NAME [--repo DIR] (--observations FILE | --from-status) [-o text|json]
  gitcanary promote|abort|retry|pause|resume NAMESPACE/NAME [--repo DIR] [--message M]
                      [--author "Name <email>"] [--mode commit|pull-request] [--no-push]
                      [--commit-via git|api] [--branch B]
  gitcanary demo      [--keep]

Pull requests (delivery pull-request, or a step policy in gitcanary.yaml) need GitHub: the token
from GITHUB_TOKEN or GH_TOKEN, the repository from --github-repository OWNER/NAME or
GITHUB_REPOSITORY, the API from --github-api-url or GITHUB_API_URL (default api.github.com).

--commit-via api works without a clone: the branch (--branch, default the repository's default
branch) is read through the GitHub API into --repo, a folder that must be new, empty or an earlier
materialisation (cache it between runs), and each commit is one GraphQL createCommitOnBranch,
attributed to the token's identity and signed by GitHub. It needs the same GitHub access, and
works for reconcile, plan, the manual operations, history, status, validate and simulate.

Exit codes: 0 done, 1 some canary could not be reconciled, 2 usage or configuration error.`;

const options = {
  repo: { type: 'string', default: '.' },
  now: { type: 'string' },
  'metrics-server': { type: 'string' },
  'mesh-provider': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'no-push': { type: 'boolean', default: false },
  output: { type: 'string', short: 'o', default: 'text' },
  'log-level': { type: 'string', default: 'info' },
  keep: { type: 'boolean', default: false },
  message: { type: 'string', short: 'm' },
  author: { type: 'string' },
  observations: { type: 'string' },
  'from-status': { type: 'boolean', default: false },
  mode: { type: 'string' },
  config: { type: 'string' },
  'github-repository': { type: 'string' },
  'github-api-url': { type: 'string' },
  'commit-via': { type: 'string', default: 'git' },
  branch: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (e) {
    out(`error: ${errorMessage(e)}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    out(usage);
    return values.help ? 0 : 2;
  }
  if (values.output !== 'text' && values.output !== 'json') {
    out(`error: -o must be text or json, got ${values.output}`);
    return 2;
  }
  const json = values.output === 'json';
  try {
    switch (command) {
      case 'reconcile':
      case 'plan': {
        const now = parseNow(values.now);
        const level = values['log-level'] as 'debug' | 'info' | 'warn' | 'error';
        const dryRun = command === 'plan' || values['dry-run'];
        const { forge, git } = await githubAccess(values, { noPush: values['no-push'] && !dryRun });
        const result = await reconcile({
          repoDir: values.repo,
          ...(git ? { git } : {}),
          ...(parseMode(values.mode) ? { mode: parseMode(values.mode)! } : {}),
          ...(values.config ? { configFile: values.config } : {}),
          ...(forge ? { forge } : {}),
          ...(now ? { now } : {}),
          ...(values['metrics-server'] ? { metricsServer: values['metrics-server'] } : {}),
          ...(values['mesh-provider'] ? { meshProvider: values['mesh-provider'] } : {}),
          dryRun,
          push: !values['no-push'],
          logger: stderrLogger(level, secretsOfEnv(process.env)),
        });
        if (json) out(JSON.stringify(jsonReconcile(result), null, 2));
        else out(dryRun ? await formatPlan(result, values.repo) : formatReconcile(result));
        return result.canaries.some((c) => c.error) ? 1 : 0;
      }
      case 'status': {
        await apiRepo(values);
        const rows = await statusRows(values.repo);
        out(json ? JSON.stringify({ canaries: rows }, null, 2) : formatStatusTable(rows));
        return rows.some((r) => r.error) ? 1 : 0;
      }
      case 'validate':
        await apiRepo(values);
        return await runValidate(values.repo, out);
      case 'demo':
        return await runDemo({ keep: values.keep, out });
      case 'history': {
        const rows = await canaryHistory(values.repo, canaryId(positionals[1]), await apiRepo(values));
        out(json ? JSON.stringify({ history: rows }, null, 2) : formatHistory(rows));
        return 0;
      }
      case 'simulate': {
        await apiRepo(values);
        const r = await runSimulate(values.repo, canaryId(positionals[1]), {
          ...(values.observations ? { observations: values.observations } : {}),
          fromStatus: values['from-status'],
        });
        out(json ? JSON.stringify(r, null, 2) : formatSimulation(r));
        return r.reproduced === false ? 1 : 0;
      }
      case 'promote':
      case 'abort':
      case 'retry':
      case 'pause':
      case 'resume': {
        const { forge, git } = await githubAccess(values, { noPush: values['no-push'] });
        const r = await requestOperation({
          repoDir: values.repo,
          ...(git ? { git } : {}),
          id: canaryId(positionals[1]),
          action: command,
          author: resolveAuthor(values.author, values.repo),
          ...(values.message ? { message: values.message } : {}),
          ...(parseMode(values.mode) ? { mode: parseMode(values.mode)! } : {}),
          ...(forge ? { forge } : {}),
          push: !values['no-push'],
        });
        const how = r.pullRequest
          ? `pull request ${r.pullRequest} (${r.file}); the next run after its merge obeys it`
          : `commit ${r.commit} (${r.file}); the next run obeys it`;
        out(r.commit ? `${command} ${positionals[1]}: ${how}` : 'no change');
        return 0;
      }
      default:
        out(`error: unknown command ${command}\n\n${usage}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigurationError) {
      out(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** With `--commit-via api`, the repository read through the API into --repo; else undefined. */
async function apiRepo(values: AccessFlags): Promise<GitRepo | undefined> {
  return values['commit-via'] === 'git' ? undefined : (await githubAccess(values)).git;
}

function canaryId(s: string | undefined): string {
  if (!s || !/^[a-z0-9.-]+\/[a-z0-9.-]+$/.test(s))
    throw new ConfigurationError(`expected NAMESPACE/NAME, got ${s ?? 'nothing'}`);
  return s;
}

function parseMode(s: string | undefined): DeliveryMode | undefined {
  if (s === undefined) return undefined;
  if (s === 'commit' || s === 'pull-request') return s;
  throw new ConfigurationError(`--mode must be commit or pull-request, got ${s}`);
}

function parseNow(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    throw new ConfigurationError(`--now must be an RFC3339 time such as 2026-01-01T12:00:00Z, got ${s}`);
  }
  return d;
}
