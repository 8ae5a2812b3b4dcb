/**
 * Alerts and event webhooks through real git: a rollout whose Canary alerts Slack, Teams,
 * Discord, Rocket.Chat and Google Chat (loopback endpoints checking each provider's format) and
 * has an `event` webhook. Every transition alerts once, after its push; a re-run at the same
 * `now` sends nothing; a crash between push and send is made good by the next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { QueryResult } from '../../src/core/types.js';
import { boundedSend } from '../../src/net/http.js';
import type { NotifyTransport } from '../../src/notify/send.js';
import type { MetricsFactory } from '../../src/reconcile/context.js';
import { canaryHistory } from '../../src/reconcile/history.js';
import type { Logger } from '../../src/reconcile/logger.js';
import { reconcile } from '../../src/reconcile/run.js';
import { type AlertEndpoints, startAlertEndpoints } from '../support/alert-endpoints.js';
import { createGitOps, type GitOps } from '../support/gitops.js';

let ep: AlertEndpoints;
beforeAll(async () => {
  ep = await startAlertEndpoints();
});
afterAll(() => ep?.close());

const metricsAt =
  (rate: number): MetricsFactory =>
  () => ({
    async query(q: string): Promise<QueryResult> {
      return { kind: 'value', value: q.includes('duration') ? 100 : rate };
    },
  });

const env = () => ({ GITCANARY_SECRET_TEST__SLACK_URL_ADDRESS: ep.address('slack') });

/** Adds alerts for every provider type and an event webhook to the fixture's canary. */
function withAlerts(repo: GitOps): void {
  repo.humanEdit(
    'apps/podinfo/canary.yaml',
    (s) =>
      `${s}    alerts:
      - { name: slack, severity: info, providerRef: { name: slack } }
      - { name: teams, severity: info, providerRef: { name: teams } }
      - { name: discord, severity: info, providerRef: { name: discord } }
      - { name: rocket, severity: info, providerRef: { name: rocket, namespace: test } }
      - { name: gchat, severity: warn, providerRef: { name: gchat } }
    webhooks:
      - { name: events, type: event, url: "${ep.address('event')}", metadata: { team: web } }
`,
    'alerts',
  );
  const provider = (name: string, type: string, rest: string) =>
    `---\napiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: { name: ${name}, namespace: test }\nspec:\n  type: ${type}\n${rest}`;
  repo.humanEdit(
    'apps/podinfo/alerts.yaml',
    () =>
      [
        provider('slack', 'slack', '  channel: deploys\n  secretRef: { name: slack-url }\n'),
        provider('teams', 'msteams', `  address: ${ep.address('msteams')}\n`),
        provider('discord', 'discord', `  address: ${ep.url}/api/webhooks/123/discordtoken\n`),
        provider('rocket', 'rocket', `  address: ${ep.address('rocket')}\n  username: bot\n`),
        provider('gchat', 'gchat', `  address: ${ep.address('gchat')}\n`),
      ].join(''),
    'alert providers',
  );
}

function driver(repo: GitOps, metrics: MetricsFactory, transport?: NotifyTransport) {
  let now = Date.parse('2026-03-01T00:00:00Z');
  return {
    tick: async (opts: { same?: boolean; transport?: NotifyTransport; logger?: Logger } = {}) => {
      if (!opts.same) now += 60_000;
      const t = opts.transport ?? transport;
      return reconcile({
        repoDir: repo.work,
        now: new Date(now),
        metrics,
        ...(opts.logger ? { logger: opts.logger } : {}),
        notify: { env: env(), ...(t ? { transport: t } : {}) },
      });
    },
  };
}

const texts = (kind: string) => ep.received.filter((r) => r.kind === kind).map((r) => r.text);
const image = (v: string) => (s: string) => s.replace(/podinfo:[0-9.]+/, `podinfo:${v}`);

describe('alerts and event webhooks in a rollout through real git', () => {
  it('alerts every provider once per transition, after the push, and sends every event once', async () => {
    const repo = createGitOps('istio-podinfo');
    ep.received.length = 0;
    try {
      withAlerts(repo);
      const d = driver(repo, metricsAt(100));
      await d.tick();
      await d.tick();
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.6'), 'podinfo 6.1.6');
      for (let i = 0; i < 7; i++) {
        await d.tick();
        // A re-run at the same `now` (a retried job) sends nothing more.
        const before = ep.received.length;
        await d.tick({ same: true });
        expect(ep.received.length).toBe(before);
      }
      const status = parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
      expect(status.phase).toBe('Succeeded');
      expect(ep.errors).toEqual([]);
      const info = [
        'New Deployment detected, initialization completed.',
        'New revision detected, progressing canary analysis.',
        'Canary analysis completed successfully, promotion finished.',
      ];
      for (const kind of ['slack', 'msteams', 'discord', 'rocket']) expect(texts(kind)).toEqual(info);
      // A `warn` entry receives no info message.
      expect(texts('gchat')).toEqual([]);
      // Every event of every step commit, once, in order.
      const events = texts('event');
      const history = status.history.flatMap((h: { message: string }) => h.message.split('; '));
      expect(events).toEqual(history);
      // Each message names its transition; no transition repeats per endpoint.
      for (const kind of ['slack', 'msteams', 'discord', 'rocket']) {
        const ids = ep.received.filter((r) => r.kind === kind).map((r) => r.transition);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
      }
      const event = ep.received.find((r) => r.kind === 'event')!;
      expect(event.body).toMatchObject({ name: 'podinfo', namespace: 'test', metadata: { team: 'web' } });
      // Slack got the secret's address and the provider's channel; nothing was left pending.
      expect(ep.received.find((r) => r.kind === 'slack')!.body).toMatchObject({
        channel: 'deploys',
        username: 'flagger',
      });
      expect(ep.received.find((r) => r.kind === 'rocket')!.body).toMatchObject({
        channel: 'general',
        username: 'bot',
      });
      // The outbox keeps only the last step's entry (the next step drops it), recorded as sent.
      const notified = parse(repo.remoteFile('apps/podinfo/podinfo.notified.status.yaml'));
      expect(notified.kind).toBe('CanaryNotified');
      const sent = notified.sent.map((s: { id: string }) => s.id);
      expect(status.outbox).toHaveLength(1);
      expect(sent).toContain(status.outbox[0].id);
      expect(new Set(sent).size).toBe(sent.length);
      for (const r of ep.received) expect(sent).toContain(r.transition);
      // Webhook URLs never reach Git.
      for (const m of repo.remoteLog()) expect(m).not.toContain('127.0.0.1');
      expect(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).not.toContain('127.0.0.1');
      for (const r of ep.requests) expect(r.headers['content-type']).toBe('application/json');
      // `gitcanary history` shows the records of sent alerts as gitcanary's.
      const rows = await canaryHistory(repo.work, 'test/podinfo');
      const records = rows.filter((r) => r.message === 'gitcanary: notifications sent');
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.kind === 'gitcanary')).toBe(true);
    } finally {
      repo.cleanup();
    }
  });

  it('sends a transition whose sender crashed after the push on the next run, once; a failing endpoint fails nothing', async () => {
    const repo = createGitOps('istio-podinfo');
    ep.received.length = 0;
    try {
      withAlerts(repo);
      const d = driver(repo, metricsAt(50));
      await d.tick();
      await d.tick();
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.7'), 'podinfo 6.1.7');
      const crash: NotifyTransport = async () => {
        throw new Error('killed');
      };
      // The step lands, then the process dies before sending.
      await expect(d.tick({ transport: crash })).rejects.toThrow('killed');
      const landed = parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status;
      expect(landed.phase).toBe('Progressing');
      expect(landed.outbox).toHaveLength(1);
      const before = texts('slack').length;
      // A second runner at the same time leaves it to the writer.
      await d.tick({ same: true });
      expect(texts('slack').length).toBe(before);
      // The next run takes it over and sends it, once.
      await d.tick();
      expect(texts('slack').slice(before)).toEqual(['New revision detected, progressing canary analysis.']);
      // An endpoint that is down: logged, the run goes on, nothing is retried.
      ep.state.down = true;
      const logs: string[] = [];
      const logger: Logger = {
        debug() {},
        info: (m) => logs.push(m),
        warn: (m) => logs.push(m),
        error: (m) => logs.push(m),
      };
      const r = await d.tick({ transport: boundedSend, logger });
      ep.state.down = false;
      expect(r.canaries[0]!.error).toBeUndefined();
      expect(r.commit).not.toBeNull();
      expect(logs.filter((l) => l.includes('HTTP 500')).length).toBeGreaterThan(0);
      // Webhook URLs are secrets: the log names the alert, never its URL.
      expect(logs.join('\n')).not.toContain('127.0.0.1');
      while (parse(repo.remoteFile('apps/podinfo/podinfo.status.yaml')).status.phase !== 'Failed')
        await d.tick();
      expect(texts('slack').slice(before)).toEqual([
        'New revision detected, progressing canary analysis.',
        'Failed checks threshold reached 2',
      ]);
      // The `warn` entry receives the error.
      expect(texts('gchat')).toEqual(['Failed checks threshold reached 2']);
      expect(ep.errors).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });
  it('sends to the gitcanary.yaml fallback when a Canary lists no alerts; a secret goes only where egress allows', async () => {
    const repo = createGitOps('istio-podinfo');
    ep.received.length = 0;
    try {
      repo.humanEdit(
        'gitcanary.yaml',
        () =>
          'alerts:\n  fallback: { type: msteams, secretRef: { namespace: ops, name: teams } }\n' +
          'egress:\n  secrets:\n    urls: { "test/slack-url": ["https://hooks.slack.com/"] }\n',
        'fallback alerts',
      );
      let now = Date.parse('2026-04-01T00:00:00Z');
      const next = () => {
        now += 60_000;
        return new Date(now);
      };
      const tick = () =>
        reconcile({
          repoDir: repo.work,
          now: next(),
          metrics: metricsAt(100),
          notify: { env: { GITCANARY_SECRET_OPS__TEAMS_ADDRESS: ep.address('msteams') } },
        });
      await tick();
      await tick();
      expect(texts('msteams')).toEqual(['New Deployment detected, initialization completed.']);
      const card = ep.received[0]!.body as {
        sections: Array<{ facts: Array<{ name: string; value: string }> }>;
      };
      expect(card.sections[0]!.facts.map((f) => f.name)).toEqual([
        'Target',
        'Failed checks threshold',
        'Progress deadline',
        'Traffic routing',
        'Transition',
      ]);
      expect(card.sections[0]!.facts[0]!.value).toBe('Deployment/podinfo.test');
      // With alerts listed, the fallback is not used; the Slack secret may not go to a loopback URL.
      withAlerts(repo);
      const logs: string[] = [];
      repo.humanEdit('apps/podinfo/deployment.yaml', image('6.1.8'), 'podinfo 6.1.8');
      await reconcile({
        repoDir: repo.work,
        now: next(),
        metrics: metricsAt(100),
        logger: {
          debug() {},
          info: (m) => logs.push(m),
          warn: (m) => logs.push(m),
          error: (m) => logs.push(m),
        },
        notify: { env: { ...env(), GITCANARY_SECRET_OPS__TEAMS_ADDRESS: ep.address('msteams') } },
      });
      expect(texts('msteams')).toHaveLength(2);
      expect(texts('slack')).toEqual([]);
      expect(texts('discord')).toEqual(['New revision detected, progressing canary analysis.']);
      expect(logs.join('\n')).toContain('secret test/slack-url may not go to its address');
      // Webhook URLs are secrets: never in the logs.
      expect(logs.join('\n')).not.toContain(ep.url);
    } finally {
      repo.cleanup();
    }
  });
});
