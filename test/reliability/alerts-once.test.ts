/**
 * Alerts exactly once per transition under races: two runners reconcile at the same `now` round
 * after round (one loses each push race), each round is re-run at the same `now`, a person pushes
 * in between, and on some rounds the runner that wins the push crashes before it sends. Every
 * transition ever written to the status file reaches the Slack stand-in and the event webhook
 * exactly once per message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { OutboxEntry, QueryResult } from '../../src/core/types.js';
import { boundedSend } from '../../src/net/http.js';
import type { NotifyTransport } from '../../src/notify/send.js';
import type { MetricsFactory } from '../../src/reconcile/context.js';
import { reconcile } from '../../src/reconcile/run.js';
import { type AlertEndpoints, startAlertEndpoints } from '../support/alert-endpoints.js';
import { createGitOps, git } from '../support/gitops.js';

const rounds = Math.max(12, Number(process.env.RELIABILITY_RUNS ?? 12));
let ep: AlertEndpoints;
beforeAll(async () => {
  ep = await startAlertEndpoints();
});
afterAll(() => ep?.close());

const healthy: MetricsFactory = () => ({
  async query(): Promise<QueryResult> {
    return { kind: 'value', value: 100 };
  },
});

describe('alerts under two racing runners, re-runs and crashes', () => {
  it('sends every transition exactly once', { timeout: 600_000 }, async () => {
    const repo = createGitOps('istio-podinfo');
    try {
      repo.humanEdit(
        'apps/podinfo/canary.yaml',
        (s) =>
          `${s}    alerts:\n      - { name: slack, severity: info, providerRef: { name: slack } }\n` +
          `    webhooks:\n      - { name: events, type: event, url: "${ep.address('event')}" }\n`,
        'alerts',
      );
      repo.humanEdit(
        'apps/podinfo/alerts.yaml',
        () =>
          `apiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: { name: slack, namespace: test }\n` +
          `spec: { type: slack, channel: deploys, address: "${ep.address('slack')}" }\n`,
        'provider',
      );
      const clones = [0, 1].map((i) => {
        const dir = `${repo.base}/r${i}`;
        git(repo.base, 'clone', '-q', repo.remote, dir);
        return dir;
      });
      // The winner of a push race cannot be known beforehand: on crash rounds both runners die
      // after their push, whichever it was.
      const crash: NotifyTransport = async () => {
        throw new Error('runner killed');
      };
      let crashes = 0;
      for (let round = 0; round < rounds; round++) {
        const now = new Date(Date.parse('2026-05-01T00:00:00Z') + round * 60_000);
        if (round === 2 || round === 8)
          repo.humanEdit(
            'apps/podinfo/deployment.yaml',
            (s) => s.replace(/podinfo:[0-9.]+/, `podinfo:8.0.${round}`),
            'bump',
          );
        const crashing = round % 3 === 1 && round < rounds - 2;
        const transport = crashing ? crash : boundedSend;
        const results = await Promise.allSettled(
          clones.map((dir) =>
            reconcile({ repoDir: dir, now, metrics: healthy, maxAttempts: 20, notify: { transport } }),
          ),
        );
        for (const r of results) {
          if (r.status === 'rejected') {
            expect(String(r.reason)).toContain('runner killed');
            crashes++;
          }
        }
        // A retried job at the same time.
        await reconcile({ repoDir: clones[round % 2]!, now, metrics: healthy, maxAttempts: 20 });
      }
      expect(crashes).toBeGreaterThan(0);
      expect(ep.errors).toEqual([]);

      // Every outbox entry any commit wrote.
      const entries = new Map<string, OutboxEntry>();
      for (const sha of git(repo.remote, 'rev-list', 'main', '--', 'apps/podinfo/podinfo.status.yaml').split(
        '\n',
      )) {
        const status = parse(git(repo.remote, 'show', `${sha}:apps/podinfo/podinfo.status.yaml`)).status;
        for (const e of (status.outbox ?? []) as OutboxEntry[]) entries.set(e.id, e);
      }
      expect(entries.size).toBeGreaterThan(5);
      const count = (kind: string, id: string) =>
        ep.received.filter((r) => r.kind === kind && r.transition === id).length;
      for (const [id, e] of entries) {
        expect(count('slack', id), `${id} ${e.phase}`).toBe(e.alerts?.length ?? 0);
        expect(count('event', id), `${id} ${e.phase}`).toBe(e.events?.length ?? 0);
      }
      // Nothing received that no commit wrote.
      for (const r of ep.received) expect(entries.has(r.transition)).toBe(true);
      process.stdout.write(
        `alerts-once: 2 runners × ${rounds} rounds, ${crashes} crashes, ${entries.size} transitions, ` +
          `${ep.received.length} messages, each once\n`,
      );
    } finally {
      repo.cleanup();
    }
  });
});
