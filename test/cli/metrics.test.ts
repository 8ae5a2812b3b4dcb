/**
 * `gitcanary metrics` and `gitcanary reconcile --pushgateway`, through the CLI, on the demo's
 * repository (a real Git history with one success and one failure): the textfile, then a push to
 * Debian's real Pushgateway scraped by a real Prometheus, read back with a Flagger dashboard's
 * queries.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/demo.js';
import { type Scraped, startScrapedPushgateway } from '../support/pushgateway.js';
import { run } from './cli-support.js';

let work = '';
let s: Scraped;
beforeAll(async () => {
  const lines: string[] = [];
  await runDemo({ keep: true, out: (l) => lines.push(l) });
  work = /kept: (.*)/.exec(lines.join('\n'))?.[1] ?? '';
  s = await startScrapedPushgateway();
}, 120_000);
afterAll(async () => {
  await s?.stop();
  if (work) rmSync(dirname(work), { recursive: true, force: true });
});

const lines = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

async function eventually<T>(f: () => Promise<T[]>, ok: (r: T[]) => boolean = (r) => r.length > 0) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await f();
    if (ok(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('gitcanary metrics', () => {
  it("prints Flagger's families from the status files and the Git history", async () => {
    const r = await run('metrics', '--repo', work);
    expect(r.code).toBe(0);
    expect(lines(r.out, 'flagger_canary_status{')).toEqual(
      ['flagger_canary_status{name="podinfo",namespace="demo"} 2'] /* Failed */,
    );
    expect(lines(r.out, 'flagger_canary_weight{')).toEqual([
      'flagger_canary_weight{workload="podinfo-primary",namespace="demo"} 100',
      'flagger_canary_weight{workload="podinfo",namespace="demo"} 0',
    ]);
    expect(lines(r.out, 'flagger_canary_successes_total{')).toEqual([
      'flagger_canary_successes_total{name="podinfo",namespace="demo",deployment_strategy="canary",analysis_status="completed"} 1',
    ]);
    expect(lines(r.out, 'flagger_canary_failures_total{')).toEqual([
      'flagger_canary_failures_total{name="podinfo",namespace="demo",deployment_strategy="canary",analysis_status="completed"} 1',
    ]);
    expect(r.out).toContain('# TYPE flagger_canary_duration_seconds histogram');
    expect(r.out.endsWith('\n')).toBe(false); // the CLI adds the last newline
  });

  it('reconcile --pushgateway records the tick and pushes; Prometheus serves the dashboard queries', async () => {
    const file = join(work, 'apps/podinfo/deployment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/podinfo:[0-9.]+/, 'podinfo:9.9.9'));
    execFileSync('git', [
      '-C',
      work,
      '-c',
      'user.name=H',
      '-c',
      'user.email=h@example.com',
      'commit',
      '-qam',
      'bump',
    ]);
    const r = await run(
      'reconcile',
      '--repo',
      work,
      '--no-push',
      '--metrics-server',
      'http://127.0.0.1:9',
      '--pushgateway',
      s.pushgateway,
    );
    expect(r.err).not.toContain('warning');
    expect(r.code).toBe(0);

    const status = await eventually(() => s.query('flagger_canary_status{name="podinfo",namespace="demo"}'));
    expect(status.map((x) => x.value[1])).toEqual(['0']); // Progressing
    const weights = await s.query('flagger_canary_weight{namespace="demo"}');
    expect(weights.map((x) => x.metric.workload).sort()).toEqual(['podinfo', 'podinfo-primary']);
    const total = await s.query('sum(flagger_canary_total)');
    expect(total.map((x) => x.value[1])).toEqual(['1']);
    const outcomes = await s.query(
      'sum by (name) (flagger_canary_successes_total{namespace="demo"} + flagger_canary_failures_total{namespace="demo"})',
    );
    expect(outcomes.map((x) => [x.metric.name, x.value[1]])).toEqual([['podinfo', '2']]);
    const ticks = await s.query(
      'sum(flagger_canary_duration_seconds_count{name="podinfo",namespace="demo"})',
    );
    expect(ticks.map((x) => x.value[1])).toEqual(['1']);
    const rate = await eventually(() =>
      s.query('sum(rate(flagger_canary_duration_seconds_count{name="podinfo"}[1m]))'),
    );
    expect(rate).toHaveLength(1);

    // The tick is recorded where the textfile reads it, outside the commits.
    const after = await run('metrics', '--repo', work);
    expect(lines(after.out, 'flagger_canary_duration_seconds_count{')).toEqual([
      'flagger_canary_duration_seconds_count{name="podinfo",namespace="demo"} 1',
    ]);
    expect(execFileSync('git', ['-C', work, 'status', '--porcelain'], { encoding: 'utf8' })).toBe('');
  }, 60_000);

  it('an unreachable Pushgateway is a warning, not a failed run', async () => {
    const r = await run(
      'reconcile',
      '--repo',
      work,
      '--no-push',
      '--metrics-server',
      'http://127.0.0.1:9',
      '--pushgateway',
      'http://127.0.0.1:9',
    );
    expect(r.err).toMatch(/^warning: metrics not pushed: Pushgateway unreachable/m);
    expect(r.code).toBe(0);
  }, 30_000);
});
