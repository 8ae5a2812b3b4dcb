/**
 * `npm run bench:github`: what a whole podinfo rollout costs in GitHub API calls, against the
 * fake GitHub (REST + GraphQL on a real bare repo, every request recorded). The canary has no
 * metrics (every analysis passes without Prometheus), so the figures are the API's alone.
 *
 * (a) Pull-request delivery through a clone (git CLI): API calls per step pull request over the
 *     rollout, by route, with the git pushes and fetches counted separately (goal ≤ 4 calls per
 *     step). A person merges each step PR.
 * (b) Commit delivery through the API (`--commit-via api`): requests per tick, writes and reads,
 *     304s apart (goal: 1 write per tick). The folder persists across ticks (actions/cache).
 * (c) The same ticks through the git CLI (clone, fetch, push over HTTP): the wall-time floor.
 *
 * Each tick is a fresh process: a new forge (no in-memory ETags or blobs) and a new adapter.
 * The fake answers in well under a millisecond; on GitHub each call costs ~50–300 ms, so the
 * request counts, not this machine's wall times, are what carry over.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { etagsFor, memoryEtags } from '../src/forge/etag-store.js';
import { createGitHubForge } from '../src/forge/github.js';
import type { Forge } from '../src/forge/port.js';
import { openRepo } from '../src/git/cli-repo.js';
import { openGitHubRepo } from '../src/git/github-repo.js';
import type { GitRepo } from '../src/git/port.js';
import { type ReconcileResult, reconcile } from '../src/reconcile/run.js';
import type { FakeRequest } from '../test/support/fake-github.js';
import { createGitHubOps, type GitHubOps } from '../test/support/github-ops.js';
import { GOOD_START } from '../test/support/podinfo-metrics.js';
import { median } from './probe.js';

const canaryFile = 'apps/podinfo/canary.yaml';
const statusFile = 'apps/podinfo/podinfo.status.yaml';
const cleanups: Array<() => Promise<void> | void> = [];

/** The fixture repo on a fake GitHub, its canary without metrics. */
async function rollout(config?: string): Promise<GitHubOps> {
  const o = await createGitHubOps('istio-podinfo', {
    start: GOOD_START * 1000,
    ...(config ? { extraFiles: { 'gitcanary.yaml': config } } : {}),
  });
  cleanups.push(() => o.close());
  const canary = o.remoteFile(canaryFile);
  o.humanPush({ [canaryFile]: `${canary.slice(0, canary.indexOf('    metrics:'))}\n` }, 'no metrics');
  return o;
}

/**
 * A forge as a fresh process would build it (writes unspaced: the fake needs no spacing), with
 * the ETag store the CLI would use for `dir`, or none (a fresh checkout, as in Actions).
 */
const freshForge = async (o: GitHubOps, store?: { dir: string; via: 'git' | 'api' }): Promise<Forge> =>
  createGitHubForge({
    token: o.fake.token,
    repo: { owner: o.owner, repo: o.repo },
    apiUrl: o.fake.apiUrl,
    graphqlUrl: o.fake.graphqlUrl,
    minWriteIntervalMs: 0,
    etags: store ? await etagsFor(store.dir, store.via) : memoryEtags(),
  });

const bump = (o: GitHubOps) =>
  o.humanPush(
    {
      'apps/podinfo/deployment.yaml': o
        .remoteFile('apps/podinfo/deployment.yaml')
        .replace('podinfo:6.1.5', 'podinfo:6.1.6'),
    },
    'podinfo 6.1.6',
  );

const phaseOf = (o: GitHubOps): string => /phase: (\w+)/.exec(o.remoteFile(statusFile))?.[1] ?? '';
const key = (q: FakeRequest): string => `${q.method} ${q.graphql ?? q.route}`;

/** Counts of git transport operations made through a GitRepo. */
interface GitOps {
  pushes: number;
  branchPushes: number;
  fetches: number;
}

/** The git CLI adapter on `dir`, counting pushes and fetches. */
async function countingRepo(dir: string, ops: GitOps): Promise<GitRepo> {
  const inner = await openRepo(dir);
  const counted: Record<string, keyof GitOps> = {
    push: 'pushes',
    proposeBranch: 'branchPushes',
    sync: 'fetches',
    resetToUpstream: 'fetches',
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const what = counted[String(prop)];
        if (what) ops[what]++;
        return value.apply(target, args);
      };
    },
  });
}

interface TickRecord {
  outcome: string;
  ms: number;
  requests: FakeRequest[];
}

/** Runs ticks until the rollout succeeds (two to initialize, the bump, the steps), then two quiet ones. */
async function runRollout(
  o: GitHubOps,
  tick: () => Promise<ReconcileResult>,
  between: () => void = () => {},
): Promise<TickRecord[]> {
  const records: TickRecord[] = [];
  const one = async () => {
    const from = o.fake.requests.length;
    const t = performance.now();
    const r = await tick();
    const ms = performance.now() - t;
    o.clock.now += 60_000;
    const c = r.canaries[0]!;
    if (c.error) throw new Error(`tick ${records.length + 1}: ${c.error}`);
    const prs = r.pullRequests.map((p) => ` #${p.number} ${p.action}`).join('');
    records.push({
      outcome: `${c.phase} ${c.canaryWeight}${prs}`,
      ms,
      requests: o.fake.requests.slice(from),
    });
  };
  await one();
  await one();
  bump(o);
  for (let i = 0; i < 30 && phaseOf(o) !== 'Succeeded'; i++) {
    between();
    await one();
  }
  if (phaseOf(o) !== 'Succeeded') throw new Error(`the rollout did not finish: ${phaseOf(o)}`);
  // Two quiet ticks after the rollout: nothing to do, which should cost nothing counted.
  await one();
  await one();
  return records;
}

function byRoute(requests: FakeRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of requests) out[key(q)] = (out[key(q)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * (a) Pull-request delivery through a clone: `keptClone`, the clone (and its `.git/gitcanary`
 * ETag store) is kept between runs, as by a CronJob with a volume; otherwise every run starts
 * with no ETags, as a fresh checkout in Actions.
 */
async function pullRequestMode(keptClone: boolean) {
  const o = await rollout('delivery:\n  mode: pull-request\n');
  const ops: GitOps = { pushes: 0, branchPushes: 0, fetches: 0 };
  const records = await runRollout(
    o,
    async () =>
      reconcile({
        repoDir: o.work,
        git: await countingRepo(o.work, ops),
        forge: await freshForge(o, keptClone ? { dir: o.work, via: 'git' } : undefined),
        now: new Date(o.clock.now),
      }),
    () => {
      const open = o.fake.pulls(o.owner, o.repo).find((p) => p.state === 'open');
      if (!open) return;
      o.clock.now += 10_000;
      o.fake.mergePull(o.owner, o.repo, open.number);
    },
  );
  // A 304 answer to a conditional request is free: GitHub does not count it against the limit.
  const counted = (qs: FakeRequest[]) => qs.filter((q) => q.status !== 304);
  const requests = counted(records.flatMap((r) => r.requests));
  const free = records.flatMap((r) => r.requests).length - requests.length;
  const steps = records.filter((r) => / #\d+ (created|updated)/.test(r.outcome)).length;
  const routes = byRoute(requests);
  return {
    keptClone,
    ticks: records.length,
    stepPullRequests: steps,
    apiCalls: requests.length,
    notModified: free,
    apiCallsPerStep: requests.length / steps,
    perStepByRoute: Object.fromEntries(Object.entries(routes).map(([k, v]) => [k, v / steps])),
    byRoute: routes,
    git: ops,
    trace: records.map((r) => {
      const n = counted(r.requests).length;
      const nm = r.requests.length - n;
      return `${r.outcome}: ${n} calls${nm ? ` + ${nm} 304` : ''}`;
    }),
  };
}

/** (b) Commit delivery through the API, the folder kept across ticks. */
async function apiCommitMode() {
  const o = await rollout();
  const base = mkdtempSync(join(tmpdir(), 'gitcanary-bench-api-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'repo');
  const records = await runRollout(o, async () => {
    const forge = await freshForge(o, { dir, via: 'api' });
    return reconcile({
      repoDir: dir,
      git: await openGitHubRepo({ forge, dir }),
      forge,
      now: new Date(o.clock.now),
    });
  });
  const perTick = records.map((r) => {
    const writes = r.requests.filter((q) => q.method !== 'GET');
    const commits = writes.filter((q) => q.graphql === 'createCommitOnBranch');
    const notModified = r.requests.filter((q) => q.status === 304);
    return {
      outcome: r.outcome,
      ms: r.ms,
      commitWrites: commits.length,
      statusWrites: writes.length - commits.length,
      reads: r.requests.length - writes.length - notModified.length,
      notModified: notModified.length,
      routes: byRoute(r.requests),
    };
  });
  return {
    ticks: records.length,
    commitWritesPerTick: perTick.map((t) => t.commitWrites),
    statusWritesPerTick: perTick.map((t) => t.statusWrites),
    readsPerTick: perTick.map((t) => t.reads),
    notModifiedPerTick: perTick.map((t) => t.notModified),
    byRoute: byRoute(records.flatMap((r) => r.requests)),
    medianMs: median(records.map((r) => r.ms)),
    totalMs: records.reduce((n, r) => n + r.ms, 0),
    perTick,
  };
}

/** (c) The same ticks through the git CLI (fetch and push over HTTP). */
async function gitCliMode() {
  const o = await rollout();
  const ops: GitOps = { pushes: 0, branchPushes: 0, fetches: 0 };
  // With a forge too, so both paths set the same commit statuses.
  const records = await runRollout(o, async () =>
    reconcile({
      repoDir: o.work,
      git: await countingRepo(o.work, ops),
      forge: await freshForge(o),
      now: new Date(o.clock.now),
    }),
  );
  return {
    ticks: records.length,
    apiCalls: records.reduce((n, r) => n + r.requests.length, 0),
    git: ops,
    medianMs: median(records.map((r) => r.ms)),
    totalMs: records.reduce((n, r) => n + r.ms, 0),
    outcomes: records.map((r) => r.outcome),
  };
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n);
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

type Figures<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

function prReport(a: Figures<typeof pullRequestMode>, label: string): string[] {
  const proposing = a.trace.filter((t) => / #\d+ (created|updated):/.test(t));
  return [
    `(${label}) pull-request delivery via a clone, ${a.keptClone ? 'clone and its ETag store kept between runs' : 'a fresh checkout every run (no ETags kept)'}: ${a.ticks} ticks, ${a.stepPullRequests} step PRs`,
    `    API calls ${a.apiCalls} (+ ${a.notModified} free 304s): ${fmt(a.apiCallsPerStep)} per step PR over the rollout (goal ≤ 4);`,
    `    on the ${proposing.length} ticks that propose a step: ${proposing.map((t) => t.replace(/.*: /, '')).join(', ')}`,
    `    git: ${a.git.pushes} pushes of the branch, ${a.git.branchPushes} pushes of step branches, ${a.git.fetches} fetches`,
    `    ${pad('route', 48)} ${pad('calls', 6)} per step PR`,
    ...Object.entries(a.byRoute).map(
      ([route, n]) => `    ${pad(route, 48)} ${pad(n, 6)} ${fmt(a.perStepByRoute[route]!)}`,
    ),
    `    ticks: ${a.trace.join('; ')}`,
    '',
  ];
}

function report(
  a: Figures<typeof pullRequestMode>,
  a2: Figures<typeof pullRequestMode>,
  b: Figures<typeof apiCommitMode>,
  c: Figures<typeof gitCliMode>,
  ratio: number,
): string {
  const lines = [
    ...prReport(a, 'a'),
    ...prReport(a2, 'a2'),
    `(b) commit delivery via the API (folder kept, fresh process per tick): ${b.ticks} ticks`,
    `    ${pad('tick', 16)} ${pad('commits', 8)} ${pad('statuses', 9)} ${pad('reads', 6)} ${pad('304s', 5)} ms`,
    ...b.perTick.map(
      (t) =>
        `    ${pad(t.outcome, 16)} ${pad(t.commitWrites, 8)} ${pad(t.statusWrites, 9)} ${pad(t.reads, 6)} ${pad(t.notModified, 5)} ${t.ms.toFixed(0)}`,
    ),
    `    ${pad('route', 48)} calls`,
    ...Object.entries(b.byRoute).map(([route, n]) => `    ${pad(route, 48)} ${n}`),
    '',
    `(c) the same ${c.ticks} ticks via the git CLI: ${c.git.fetches} fetches, ${c.git.pushes} pushes, ${c.apiCalls} API calls (statuses)`,
    `    wall time per tick, median: API ${b.medianMs.toFixed(0)} ms, git CLI ${c.medianMs.toFixed(0)} ms; total API/git = ${ratio.toFixed(2)}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const a = await pullRequestMode(false);
  const a2 = await pullRequestMode(true);
  const b = await apiCommitMode();
  const c = await gitCliMode();
  if (b.perTick.map((t) => t.outcome).join() !== c.outcomes.join()) {
    throw new Error(`(b) and (c) disagree: ${b.perTick.map((t) => t.outcome)} vs ${c.outcomes}`);
  }
  const ratio = b.totalMs / c.totalMs;
  console.log(report(a, a2, b, c, ratio));
  const figures = {
    env: { node: process.version, date: new Date().toISOString() },
    pullRequest: a,
    pullRequestKeptClone: a2,
    apiCommit: b,
    gitCli: c,
    wallTimeRatioApiOverGit: ratio,
  };
  const outDir = resolve(import.meta.dirname, '../.bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'github.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\nwrote ${join(outDir, 'github.json')}`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    await Promise.allSettled(cleanups.splice(0).map(async (f) => f()));
  });
