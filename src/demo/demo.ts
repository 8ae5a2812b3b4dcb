/**
 * `gitcanary demo`: a GitOps repository in a temp folder (bare remote + clone), a built-in
 * recorded metrics source, and two rollouts played tick by tick — 6.1.6 succeeds, 6.1.7 rolls
 * back — printing each step, its verdict and the commit it wrote. No cluster, no network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { QueryResult } from '../core/types.js';
import type { MetricsFactory } from '../reconcile/context.js';
import { reconcile } from '../reconcile/run.js';
import { demoFiles, recordedReleases } from './app.js';

type Release = keyof typeof recordedReleases;
const identity = [
  '-c',
  'user.name=Demo Human',
  '-c',
  'user.email=human@example.com',
  '-c',
  'commit.gpgsign=false',
];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...identity, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** A metrics source that replays the recorded values of the release under analysis. */
function recordedMetrics(release: () => Release): { factory: MetricsFactory; reset(): void } {
  const calls = { 'request-success-rate': 0, 'request-duration': 0 };
  const factory: MetricsFactory = () => ({
    async query(query: string): Promise<QueryResult> {
      const name = query.includes('duration') ? 'request-duration' : 'request-success-rate';
      const series = recordedReleases[release()][name];
      const value = series[Math.min(calls[name]++, series.length - 1)]!;
      return { kind: 'value', value };
    },
  });
  return {
    factory,
    reset() {
      calls['request-success-rate'] = 0;
      calls['request-duration'] = 0;
    },
  };
}

export async function runDemo(opts: { keep?: boolean; out: (s: string) => void }): Promise<number> {
  const { out } = opts;
  const base = mkdtempSync(join(tmpdir(), 'gitcanary-demo-'));
  // Also when the process ends early (output piped into `head`): the temporary repository goes.
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  if (!opts.keep) process.once('exit', cleanup);
  const remote = join(base, 'remote.git');
  const work = join(base, 'gitops');
  git(base, 'init', '-q', '--bare', '-b', 'main', remote);
  git(base, 'clone', '-q', remote, work);
  git(work, 'checkout', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(demoFiles)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'podinfo 6.1.5 with a Flagger Canary');
  git(work, 'push', '-q', '-u', 'origin', 'main');

  let release: Release = '6.1.6';
  const metrics = recordedMetrics(() => release);
  let now = Date.parse('2026-01-01T10:00:00Z');
  const start = now;
  const clock = () => {
    const s = Math.round((now - start) / 1000);
    return `+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const tick = async (): Promise<string> => {
    const r = await reconcile({ repoDir: work, now: new Date(now), metrics: metrics.factory });
    const c = r.canaries[0]!;
    const verdict = c.verdict
      ? `  [${c.verdict.metrics.map((m) => `${m.name}=${m.value ?? 'n/a'} ${m.result}`).join(', ')}]`
      : '';
    const commit = r.commit ? `  commit ${r.commit.slice(0, 7)}` : '';
    out(
      `${clock()}  ${(c.phase ?? '-').padEnd(12)} weight ${String(c.canaryWeight).padStart(3)}  ${c.message}${verdict}${commit}`,
    );
    now += 60_000;
    return c.phase ?? '';
  };
  const bump = (to: Release) => {
    const file = join(work, 'apps/podinfo/deployment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/podinfo:[0-9.]+/, `podinfo:${to}`));
    git(work, 'commit', '-q', '-am', `podinfo ${to}`);
    git(work, 'push', '-q');
    release = to;
    metrics.reset();
    out(
      `${clock()}  human: bumped the image to podinfo:${to} (${git(work, 'rev-parse', '--short', 'HEAD')})`,
    );
  };
  const until = async (phase: string) => {
    for (let i = 0; i < 20 && (await tick()) !== phase; i++);
  };

  out(`GitOps repo: ${work} (remote ${remote})\n`);
  out('== bootstrap: gitcanary renders podinfo-primary, Services and the VirtualService');
  await until('Initialized');
  out('\n== good release: podinfo 6.1.6');
  bump('6.1.6');
  await until('Succeeded');
  out('\n== bad release: podinfo 6.1.7 (success rate falls under 99%)');
  bump('6.1.7');
  await until('Failed');
  out('\n== git log (every step is a commit; `git revert` is a manual rollback)');
  out(git(work, 'log', '--format=%h %s  (%an)', '-n', '30'));
  out(`\n== rendered files\n${git(work, 'ls-files', 'apps/podinfo')}`);
  if (opts.keep) out(`\nkept: ${work}`);
  else {
    process.removeListener('exit', cleanup);
    cleanup();
  }
  return 0;
}
