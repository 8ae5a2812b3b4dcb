/**
 * What the Action reports: the job summary table, the annotations (file, line, field), the
 * inputs it accepts, the secrets it masks, and the logger.
 */
import { describe, expect, it } from 'vitest';
import {
  canaryErrors,
  configurationErrors,
  splitIssues,
  warningAnnotations,
  workspaceFile,
} from '../../src/action/annotations.js';
import { parseInputs, secretValues } from '../../src/action/inputs.js';
import { actionsLogger, masker } from '../../src/action/logger.js';
import { summaryMarkdown } from '../../src/action/summary.js';
import type { CanaryReport } from '../../src/reconcile/report.js';

const report = (over: Partial<CanaryReport> = {}): CanaryReport => ({
  namespace: 'test',
  name: 'podinfo',
  file: 'apps/podinfo/canary.yaml',
  phase: 'Progressing',
  canaryWeight: 20,
  failedChecks: 0,
  iterations: 1,
  message: 'Advance test/podinfo canary weight 20',
  stepped: true,
  ...over,
});
const sha = '0123456789abcdef0123456789abcdef01234567';
const base = {
  pullRequests: [],
  dryRun: false,
  changes: 3,
  serverUrl: 'https://github.example.com/',
  repository: 'acme/gitops',
};

describe('job summary', () => {
  it('is a table with a link to the commit for the canaries that stepped', () => {
    const md = summaryMarkdown({
      ...base,
      commit: sha,
      canaries: [
        report({ verdict: { result: 'pass', reason: 'all checks passed', metrics: [] } }),
        report({ name: 'idle', phase: 'Succeeded', canaryWeight: 0, stepped: false }),
      ],
    });
    expect(md).toBe(
      [
        '### gitcanary',
        '',
        '| Canary | Phase | Weight | Failed checks | Verdict | Change |',
        '| --- | --- | --- | --- | --- | --- |',
        `| test/podinfo | Progressing | 20% | 0 | pass: all checks passed | [0123456](https://github.example.com/acme/gitops/commit/${sha}) |`,
        '| test/idle | Succeeded | 0% | 0 | — | — |',
        '',
        `Commit [0123456](https://github.example.com/acme/gitops/commit/${sha}).`,
        '',
      ].join('\n'),
    );
  });
  it('links the pull request of a canary delivered by PR', () => {
    const md = summaryMarkdown({
      ...base,
      commit: null,
      canaries: [report()],
      pullRequests: [
        {
          canary: 'test/podinfo',
          number: 42,
          url: 'https://github.com/acme/gitops/pull/42',
          action: 'created',
          fromWeight: 0,
          toWeight: 20,
        },
      ],
    });
    expect(md).toContain('| [#42](https://github.com/acme/gitops/pull/42) created |');
    expect(md).toContain('1 pull request(s) touched.');
  });
  it('escapes | and newlines so an error cannot break the table', () => {
    const md = summaryMarkdown({
      ...base,
      commit: null,
      canaries: [report({ error: 'a | b\nc', phase: null, stepped: false })],
    });
    expect(md).toContain('| test/podinfo | Error | 20% | 0 | error: a \\| b<br>c | — |');
  });
  it('says so when nothing changed, and in a dry run', () => {
    const quiet = summaryMarkdown({ ...base, commit: null, canaries: [report({ stepped: false })] });
    expect(quiet).toContain('Nothing changed: no canary was due a step.');
    const dry = summaryMarkdown({ ...base, commit: null, dryRun: true, canaries: [report()] });
    expect(dry).toContain('| planned (dry run) |');
    expect(dry).toContain('Dry run: 3 file change(s) planned, nothing written.');
  });
});

describe('annotations', () => {
  const place = { root: '/ws/gitops', workspace: '/ws' };
  it('point at the file relative to the workspace', () => {
    expect(workspaceFile(place, 'apps/a/canary.yaml')).toBe('gitops/apps/a/canary.yaml');
    expect(workspaceFile({ root: '/elsewhere', workspace: '/ws' }, 'a.yaml')).toBe('a.yaml');
  });
  it('split a validation error into one issue per file:line', () => {
    const error =
      'apps/b/canary.yaml:12: test/b: spec.analysis.stepWeight: expected number; x; apps/b/canary.yaml:3: test/b: spec.service: required';
    expect(splitIssues('apps/b/canary.yaml', error)).toEqual([
      {
        file: 'apps/b/canary.yaml',
        line: 12,
        text: 'apps/b/canary.yaml:12: test/b: spec.analysis.stepWeight: expected number; x',
      },
      { file: 'apps/b/canary.yaml', line: 3, text: 'apps/b/canary.yaml:3: test/b: spec.service: required' },
    ]);
    expect(splitIssues('a.yaml', 'HTTP 500')).toEqual([{ file: 'a.yaml', text: 'HTTP 500' }]);
  });
  it('give one ::error per issue with file, line and title', () => {
    const lines = canaryErrors(place, [
      report(),
      report({
        name: 'b',
        file: 'apps/b/canary.yaml',
        error: 'apps/b/canary.yaml:12: test/b: spec.analysis.stepWeight: expected number, got string',
      }),
    ]);
    expect(lines).toEqual([
      '::error file=gitops/apps/b/canary.yaml,line=12,title=gitcanary%3A test/b::apps/b/canary.yaml:12: test/b: spec.analysis.stepWeight: expected number, got string',
    ]);
  });
  it('give ::warning lines for warnings', () => {
    expect(warningAnnotations(place, ['apps/a/canary.yaml:4: test/a: spec.foo: unknown field'])).toEqual([
      '::warning file=gitops/apps/a/canary.yaml,line=4,title=gitcanary::apps/a/canary.yaml:4: test/a: spec.foo: unknown field',
    ]);
  });
  it('locate configuration errors and name the inputs', () => {
    expect(
      configurationErrors(
        place,
        'gitcanary.yaml:3: metricsServer: must be an http(s) URL\noverrides: meshProvider: unknown provider "x"',
      ),
    ).toEqual([
      '::error file=gitops/gitcanary.yaml,line=3,title=gitcanary%3A configuration::gitcanary.yaml:3: metricsServer: must be an http(s) URL',
      '::error title=gitcanary%3A configuration::input mesh-provider: unknown provider "x"',
    ]);
  });
});

describe('inputs', () => {
  it('reads every input with its default', () => {
    expect(parseInputs({ INPUT_TOKEN: 't0ken', INPUT_PATH: '', INPUT_REPOSITORY: 'acme/gitops' })).toEqual({
      token: 't0ken',
      path: '.',
      repository: { owner: 'acme', repo: 'gitops' },
      dryRun: false,
      logLevel: 'info',
      commitVia: 'git',
    });
    expect(
      parseInputs({
        INPUT_MODE: 'pull-request',
        INPUT_TOKEN: 'x',
        INPUT_REPOSITORY: 'a/b',
        INPUT_CONFIG: 'deploy/gitcanary.yaml',
        'INPUT_METRICS-SERVER': 'http://prom:9090',
        'INPUT_MESH-PROVIDER': 'nginx',
        'INPUT_DRY-RUN': 'True',
        'INPUT_LOG-LEVEL': 'warn',
        'INPUT_API-URL': 'https://ghe.example.com/api/v3/',
        'INPUT_GRAPHQL-URL': 'https://ghe.example.com/api/graphql',
        'INPUT_COMMIT-VIA': 'api',
      }),
    ).toMatchObject({
      commitVia: 'api',
      mode: 'pull-request',
      configFile: 'deploy/gitcanary.yaml',
      metricsServer: 'http://prom:9090',
      meshProvider: 'nginx',
      dryRun: true,
      logLevel: 'warn',
      apiUrl: 'https://ghe.example.com/api/v3',
      graphqlUrl: 'https://ghe.example.com/api/graphql',
    });
  });
  it('lowers the level to debug on a debug re-run', () => {
    expect(parseInputs({ RUNNER_DEBUG: '1' }).logLevel).toBe('debug');
  });
  it('names every bad input at once', () => {
    expect(() =>
      parseInputs({
        INPUT_MODE: 'push',
        INPUT_REPOSITORY: 'nope',
        'INPUT_DRY-RUN': 'yes',
        'INPUT_LOG-LEVEL': 'loud',
        'INPUT_API-URL': 'ftp://x',
      }),
    ).toThrow(
      [
        'input mode: must be commit or pull-request (or empty for gitcanary.yaml\'s), got "push"',
        'input repository: must be owner/name, got "nope"',
        'input dry-run: must be true or false, got "yes"',
        'input log-level: must be one of debug, info, warn, error, got "loud"',
        'input api-url: must be an http(s) URL, got "ftp://x"',
      ].join('\n'),
    );
  });
  it('needs a token and repository for commits through the API', () => {
    expect(() => parseInputs({ 'INPUT_COMMIT-VIA': 'api', INPUT_REPOSITORY: 'a/b' })).toThrow(
      /input commit-via: api needs the token and repository inputs/,
    );
    expect(() => parseInputs({ 'INPUT_COMMIT-VIA': 'svn' })).toThrow(
      /input commit-via: must be git or api, got "svn"/,
    );
  });
  it('needs a token and repository for pull-request mode', () => {
    expect(() => parseInputs({ INPUT_MODE: 'pull-request', INPUT_REPOSITORY: 'a/b' })).toThrow(
      /input mode: pull-request needs the token and repository inputs/,
    );
  });
});

describe('secrets', () => {
  it('are the token, secret-looking inputs and env, and URL passwords', () => {
    expect(
      secretValues({
        INPUT_TOKEN: ' ghs_token ',
        'INPUT_METRICS-SERVER': 'https://bob:p%40ss@prom.example.com',
        PROMETHEUS_PASSWORD: 'hunter22',
        GITHUB_TOKEN: 'abc',
        PATH: '/usr/bin',
      }).sort(),
    ).toEqual(['ghs_token', 'hunter22', 'p%40ss', 'p@ss'].sort());
  });
  it('are replaced by *** in logs, longest first', () => {
    expect(masker(['abc', 'abcdef'])('x abcdef abc')).toBe('x *** ***');
    const lines: string[] = [];
    const log = actionsLogger('info', (l) => lines.push(l), ['s3cret']);
    log.debug('hidden');
    log.info('token s3cret');
    log.warn('50%\nmore');
    log.error('boom');
    expect(lines).toEqual(['token ***', '::warning::50%25%0Amore', 'error: boom']);
  });
});
