/**
 * Attack: a pull request branch points an existing credentialed use (a MetricTemplate with a
 * secretRef, the operator's metrics server) at a URL of the attacker's, or widens gitcanary.yaml's
 * egress section, and waits for CI to run `gitcanary plan` on it. The credential must not leave:
 * plan takes the policy and the credentialed uses from the target branch, read through git.
 * Real git (bare remote, clones), loopback servers for the operator's Prometheus and the attacker.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/run.js';
import { createGitOps, type GitOps, git } from '../support/gitops.js';
import { listenLoopback } from '../support/loopback.js';
import { firstStep, ticker } from '../support/ticks.js';

interface Host {
  url: string;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}
async function prometheus(): Promise<Host> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const value = q.includes('duration') ? '120' : '99.9';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, value] }] } }),
    );
  });
  return { seen, ...(await listenLoopback(server)) };
}

const secret = 'prom-auth-Secret-9c1e';
const token = 'operator-Token-44d1';
let operator: Host;
let attacker: Host;
const saved = { ...process.env };
beforeAll(async () => {
  [operator, attacker] = await Promise.all([prometheus(), prometheus()]);
  process.env.GITCANARY_SECRET_TEST__PROM_AUTH_TOKEN = secret;
  process.env.PROMETHEUS_TOKEN = token;
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([operator.close(), attacker.close()]);
});
const repos: GitOps[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  operator.seen.length = 0;
  attacker.seen.length = 0;
  delete process.env.GITHUB_BASE_REF;
});

const template = (address: string) => `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: errors
  namespace: test
spec:
  provider:
    type: prometheus
    address: ${address}
    secretRef:
      name: prom-auth
  query: sum(rate(errors{app="{{ target }}"}[1m]))
`;

/** The fixture with a credentialed template metric, rolled out to its first analysis step. */
async function progressing(): Promise<{ r: GitOps; now: Date }> {
  const r = createGitOps('istio-podinfo');
  repos.push(r);
  r.humanEdit('gitcanary.yaml', () => `metricsServer: ${operator.url}\n`, 'config');
  r.humanEdit('apps/podinfo/errors.yaml', () => template(operator.url), 'template');
  r.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      s.replace(
        '    metrics:\n',
        '    metrics:\n      - name: errors\n        templateRef:\n          name: errors\n        thresholdRange:\n          max: 1000\n        interval: 1m\n',
      ),
    'errors metric',
  );
  const clock = ticker(r.work);
  expect(await firstStep(r, clock)).toMatchObject({ canaryWeight: 20 });
  git(r.work, 'pull', '-q', '--ff-only');
  operator.seen.length = 0;
  return { r, now: new Date(clock.now()) };
}

/** A pull request branch in the CI clone: `edit` applied and committed, nothing pushed. */
function branch(r: GitOps, files: Record<string, string>): void {
  git(r.work, 'checkout', '-q', '-b', 'pr-1');
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(`${r.work}/${path}`, content);
    git(r.work, 'add', '--', path);
  }
  git(r.work, 'commit', '-q', '-m', 'innocent change');
}

const auths = (h: Host) => h.seen.map((s) => s.authorization);

describe('plan on a pull request branch', () => {
  it('on the target branch, the template secret and the operator token go where they belong', async () => {
    const { r, now } = await progressing();
    await reconcile({ repoDir: r.work, now, dryRun: true });
    expect(auths(operator)).toContain(`Bearer ${secret}`);
    expect(auths(operator)).toContain(`Bearer ${token}`);
  });

  it('a template address moved to the attacker gets the query but not the secret', async () => {
    const { r, now } = await progressing();
    branch(r, { 'apps/podinfo/errors.yaml': template(attacker.url) });
    const res = await reconcile({ repoDir: r.work, now, dryRun: true });
    expect(attacker.seen.length).toBeGreaterThan(0);
    expect(auths(attacker)).toEqual(attacker.seen.map(() => undefined));
    expect(JSON.stringify(res)).not.toContain(secret);
  });

  it('gitcanary.yaml widened on the branch (metricsServer, prometheusCredentials, secret urls) sends nothing', async () => {
    const { r, now } = await progressing();
    branch(r, {
      'gitcanary.yaml': [
        `metricsServer: ${attacker.url}`,
        'egress:',
        `  prometheusCredentials: ["${attacker.url}"]`,
        `  secrets: { urls: { "test/prom-auth": ["${attacker.url}"] } }`,
        '',
      ].join('\n'),
      'apps/podinfo/errors.yaml': template(attacker.url),
    });
    await reconcile({ repoDir: r.work, now, dryRun: true });
    expect(attacker.seen.length).toBeGreaterThan(0);
    expect(auths(attacker).filter(Boolean)).toEqual([]);
  });

  it('GITHUB_BASE_REF names the target; a checkout without it fetches it first', async () => {
    const { r, now } = await progressing();
    branch(r, { 'apps/podinfo/errors.yaml': template(attacker.url) });
    git(r.work, 'update-ref', '-d', 'refs/remotes/origin/HEAD');
    git(r.work, 'update-ref', '-d', 'refs/remotes/origin/main');
    process.env.GITHUB_BASE_REF = 'main';
    await reconcile({ repoDir: r.work, now, dryRun: true });
    expect(git(r.work, 'rev-parse', 'origin/main')).toMatch(/^[0-9a-f]{40}$/);
    expect(attacker.seen.length).toBeGreaterThan(0);
    expect(auths(attacker).filter(Boolean)).toEqual([]);
  });

  it('an unknown --target-branch is an error, not a plan that trusts the branch', async () => {
    const { r, now } = await progressing();
    branch(r, { 'apps/podinfo/errors.yaml': template(attacker.url) });
    await expect(reconcile({ repoDir: r.work, now, dryRun: true, targetBranch: 'nope' })).rejects.toThrow(
      /--target-branch nope: no such branch/,
    );
    expect(attacker.seen).toHaveLength(0);
  });
});
