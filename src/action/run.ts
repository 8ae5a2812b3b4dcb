/**
 * One Action run: build the forge, call the library's `reconcile()` inside a log group, then turn
 * the result into annotations, outputs and the job summary. Never prints the token: it goes to
 * the forge (an HTTP header) only; pushes use the credentials actions/checkout left in the clone.
 */
import { resolve } from 'node:path';
import { version } from '../cli/version.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import { afterRun } from '../export/after-run.js';
import { etagsFor } from '../forge/etag-store.js';
import { createGitHubForge } from '../forge/github.js';
import type { Forge, RepoRef } from '../forge/port.js';
import { openGitHubRepo } from '../git/github-repo.js';
import type { CanaryReport } from '../reconcile/report.js';
import { type ReconcileOptions, type ReconcileResult, reconcile } from '../reconcile/run.js';
import { canaryErrors, configurationErrors, type Place, warningAnnotations } from './annotations.js';
import type { ActionInputs } from './inputs.js';
import { command, type Env } from './io.js';
import { actionsLogger, masker } from './logger.js';
import { summaryMarkdown } from './summary.js';

export interface ForgeOptions {
  token: string;
  repo: RepoRef;
  apiUrl?: string;
  graphqlUrl?: string;
}

export interface ActionDeps {
  env: Env;
  /** Writes one line of the log (stdout, where the runner reads workflow commands). */
  write: (line: string) => void;
  /** The step's working directory (the runner starts actions in `GITHUB_WORKSPACE`). */
  cwd: string;
  /** Values to replace by `***` in everything printed or written. */
  secrets: string[];
  reconcile?: (opts: ReconcileOptions) => Promise<ReconcileResult>;
  createForge?: (opts: ForgeOptions) => Forge;
}

export interface ActionOutcome {
  exitCode: 0 | 1;
  outputs: { 'commit-sha': string; 'pull-requests': string; canaries: string };
  /** Job summary markdown. */
  summary: string;
}

export function placeOf(inputs: Pick<ActionInputs, 'path'>, deps: Pick<ActionDeps, 'env' | 'cwd'>): Place {
  return {
    root: resolve(deps.cwd, inputs.path),
    workspace: resolve(deps.cwd, deps.env.GITHUB_WORKSPACE ?? '.'),
  };
}

export async function runAction(inputs: ActionInputs, deps: ActionDeps): Promise<ActionOutcome> {
  const mask = masker(deps.secrets);
  const write = (line: string) => deps.write(mask(line));
  const place = placeOf(inputs, deps);
  const logger = actionsLogger(inputs.logLevel, deps.write, deps.secrets);
  const opts: ReconcileOptions = {
    repoDir: place.root,
    dryRun: inputs.dryRun,
    logger,
    ...(inputs.mode ? { mode: inputs.mode } : {}),
    ...(inputs.configFile ? { configFile: inputs.configFile } : {}),
    ...(inputs.metricsServer ? { metricsServer: inputs.metricsServer } : {}),
    ...(inputs.meshProvider ? { meshProvider: inputs.meshProvider } : {}),
  };
  let result: ReconcileResult;
  write(command('group', {}, `gitcanary reconcile ${inputs.path}${inputs.dryRun ? ' (dry run)' : ''}`));
  try {
    const forge = await forgeOf(inputs, deps, place.root);
    if (forge) opts.forge = forge;
    if (forge && inputs.commitVia === 'api') {
      // No checkout: `path` is where the branch's YAML files are materialised (a cache folder).
      opts.git = await openGitHubRepo({ forge, dir: place.root });
    }
    result = await (deps.reconcile ?? reconcile)(opts);
  } catch (e) {
    write(command('endgroup', {}, ''));
    return failedOutcome(place, e, deps);
  }
  write(command('endgroup', {}, ''));
  if (!inputs.dryRun && inputs.commitVia === 'git')
    await afterRun(place.root, result, {
      version: version(),
      ...(inputs.pushgateway ? { pushgateway: inputs.pushgateway } : {}),
      ...(inputs.configFile ? { configFile: inputs.configFile } : {}),
      warn: (m) => logger.warn(m),
      info: (m) => logger.info(m),
    });

  for (const c of result.canaries) for (const line of canaryLog(c)) write(line);
  for (const line of warningAnnotations(place, result.warnings)) write(line);
  for (const line of canaryErrors(place, result.canaries)) write(line);
  for (const pr of result.pullRequests) write(`pull request #${pr.number} ${pr.action}: ${pr.url}`);
  if (inputs.dryRun) write(`dry run: ${result.changes.length} file change(s) planned, nothing written`);
  else if (result.commit) write(`commit ${result.commit}`);
  else if (result.pullRequests.length === 0) write('nothing changed');

  const repository = repositoryName(inputs, deps.env);
  return {
    exitCode: result.canaries.some((c) => c.error) ? 1 : 0,
    outputs: {
      'commit-sha': result.commit ?? '',
      'pull-requests': mask(JSON.stringify(result.pullRequests)),
      canaries: mask(JSON.stringify(result.canaries)),
    },
    summary: mask(
      summaryMarkdown({
        canaries: result.canaries,
        commit: result.commit,
        pullRequests: result.pullRequests,
        dryRun: inputs.dryRun,
        changes: result.changes.length,
        serverUrl: deps.env.GITHUB_SERVER_URL || 'https://github.com',
        ...(repository ? { repository } : {}),
      }),
    ),
  };
}

/**
 * The outcome of a run that could not start or finish (bad inputs or gitcanary.yaml, an
 * unreachable forge): annotations naming the file and field, empty outputs, exit code 1.
 */
export function failedOutcome(
  place: Place,
  e: unknown,
  deps: Pick<ActionDeps, 'write' | 'secrets'>,
): ActionOutcome {
  const mask = masker(deps.secrets);
  const message = mask(errorMessage(e));
  const lines =
    e instanceof ConfigurationError
      ? configurationErrors(place, message)
      : [command('error', { title: 'gitcanary: the run failed' }, message)];
  for (const line of lines) deps.write(line);
  return {
    exitCode: 1,
    outputs: { 'commit-sha': '', 'pull-requests': '[]', canaries: '[]' },
    summary: [
      '### gitcanary',
      '',
      'The run failed:',
      '',
      '```',
      message.replace(/```/g, "'''"),
      '```',
      '',
    ].join('\n'),
  };
}

/** A collapsed group per canary: its headline, then what the run did and why. */
export function canaryLog(c: CanaryReport): string[] {
  const id = c.namespace ? `${c.namespace}/${c.name}` : c.file;
  const lines = [c.message];
  for (const m of c.verdict?.metrics ?? []) {
    const value = m.value === undefined ? 'no value' : String(m.value);
    lines.push(`  ${m.name}: ${value} ${m.result} (${m.reason})`);
  }
  if (c.nextStepAt) lines.push(`next step due at ${c.nextStepAt}`);
  for (const note of c.notes ?? []) lines.push(`note: ${note}`);
  const headline = `${id}: ${c.error ? 'Error' : (c.phase ?? '-')} ${c.canaryWeight}%`;
  return [command('group', {}, headline), ...lines, command('endgroup', {}, '')];
}

async function forgeOf(inputs: ActionInputs, deps: ActionDeps, root: string): Promise<Forge | undefined> {
  if (!inputs.token || !inputs.repository) return undefined;
  return (deps.createForge ?? createGitHubForge)({
    token: inputs.token,
    repo: inputs.repository,
    etags: await etagsFor(root, inputs.commitVia),
    ...(inputs.apiUrl ? { apiUrl: inputs.apiUrl } : {}),
    ...(inputs.graphqlUrl ? { graphqlUrl: inputs.graphqlUrl } : {}),
  });
}

function repositoryName(inputs: ActionInputs, env: Env): string | undefined {
  return inputs.repository ? `${inputs.repository.owner}/${inputs.repository.repo}` : env.GITHUB_REPOSITORY;
}
