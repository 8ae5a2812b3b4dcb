/**
 * Alerts and event messages in the run, once per transition across runs and runners:
 *
 * 1. A step that makes a transition writes its messages into the status file's outbox
 *    (`recordTransition`, before the commit), keyed by a transition id.
 * 2. After the push that carries the step has landed, the run that pushed it sends the new entry
 *    and then records its id in `<name>.notified.status.yaml` with a bookkeeping commit
 *    (`notifyAfterPush`). A run that lost the push race never wrote the entry, so never sends it.
 * 3. An entry still pending once the canary's next step is due (the writer crashed between push
 *    and send, or a step pull request was merged since) is taken over by a later run: it records
 *    the id first (the push decides between two runners), then sends. At least once: every
 *    message carries the transition id, so a receiver can tell a repeat.
 */

import type { CanaryStatus, Decision, OutboxEntry } from '../core/types.js';
import { ConfigurationError, PushRejectedError } from '../errors.js';
import type { FileChange, GitRepo } from '../git/port.js';
import { formatMessage } from '../git/trailers.js';
import { revisionChecksum } from '../hooks/payload.js';
import { egressPolicy } from '../inputs/config.js';
import type { LoadedCanary } from '../inputs/model.js';
import { decideEgress } from '../net/egress.js';
import { boundedSend } from '../net/http.js';
import { formatNotified, notifiedPath, parseNotified, type SentRecord } from '../notify/notified.js';
import { pending, takenOver, transitionAlerts, transitionEvents, withOutbox } from '../notify/outbox.js';
import { alertRecipients, eventHooks } from '../notify/recipients.js';
import { type NotifyTransport, sendEntry } from '../notify/send.js';
import type { CanaryPlan } from './canary.js';
import { assertConfined } from './confine.js';
import { diskFiles, type ReconcileContext, type RepoFiles } from './context.js';
import type { Logger } from './logger.js';

/** Ids already sent for a canary (an unreadable record counts as none, and says so). */
async function sentIds(files: RepoFiles, c: LoadedCanary, logger: Logger): Promise<SentRecord[]> {
  const path = notifiedPath(c.dir, c.ref);
  try {
    return parseNotified(await files.read(path), path);
  } catch (e) {
    logger.warn(`${(e as Error).message}`);
    return [];
  }
}

/** The decision with this transition's messages in its outbox (only those someone receives). */
export async function recordTransition(
  ctx: ReconcileContext,
  c: LoadedCanary,
  prev: CanaryStatus | undefined,
  decision: Decision,
): Promise<Decision> {
  if (!decision.stepped) return decision;
  const recipients = alertRecipients(c, ctx.inventory.alertProviders, ctx.config);
  const alerts = transitionAlerts(c.canary, prev, decision).filter((a) =>
    recipients.some((r) => r.accepts(a.severity)),
  );
  const events = eventHooks(c).length > 0 ? transitionEvents(decision) : [];
  const sent = new Set((await sentIds(ctx.files, c, ctx.logger)).map((s) => s.id));
  return withOutbox(c.ref, decision, { alerts, events }, sent);
}

export interface NotifyOptions {
  transport?: NotifyTransport;
  env?: NodeJS.ProcessEnv;
  maxAttempts?: number;
}

/**
 * After the run's push: sends what this run's push recorded and what it takes over, and records
 * the ids. `written`: the plans whose changes the pushed commit carries. Never throws for an
 * endpoint; a record commit that keeps losing races is logged (its entries are sent again later).
 */
export async function notifyAfterPush(
  git: GitRepo,
  ctx: ReconcileContext,
  plans: CanaryPlan[],
  written: ReadonlySet<CanaryPlan>,
  opts: NotifyOptions = {},
): Promise<void> {
  const own: Batch[] = [];
  const takeover: Batch[] = [];
  for (const p of plans) {
    const c = p.canary;
    if (!c) continue;
    const pushed = written.has(p) && p.decision?.stepped ? p.decision.status : undefined;
    const status = pushed ?? p.before?.status;
    const sent = new Set((await sentIds(ctx.files, c, ctx.logger)).map((s) => s.id));
    const before = new Set((p.before?.status?.outbox ?? []).map((e) => e.id));
    const mine: OutboxEntry[] = [];
    const later: OutboxEntry[] = [];
    for (const e of pending(status, sent)) {
      if (pushed && !before.has(e.id)) mine.push(e);
      else if (takenOver(c.canary, e, ctx.now)) later.push(e);
    }
    if (mine.length > 0) own.push({ c, status: status!, entries: mine });
    if (later.length > 0) takeover.push({ c, status: status!, entries: later });
  }
  if (own.length === 0 && takeover.length === 0) return;
  const attempts = opts.maxAttempts ?? 5;
  // Taken-over entries are claimed first: only the runner whose record lands sends them.
  const claimed = takeover.length > 0 ? await record(git, ctx, takeover, 'takeover', attempts) : new Set();
  const toSend = [
    ...own,
    ...takeover.map((b) => ({ ...b, entries: b.entries.filter((e) => claimed.has(e.id)) })),
  ];
  for (const b of toSend) {
    const recipients = {
      alerts: alertRecipients(b.c, ctx.inventory.alertProviders, ctx.config),
      hooks: eventHooks(b.c),
    };
    for (const e of b.entries) await sendEntry(b.c, e, recipients, sendContext(ctx, b.status, opts));
  }
  if (own.length > 0) await record(git, ctx, own, 'writer', attempts);
}

interface Batch {
  c: LoadedCanary;
  status: CanaryStatus;
  entries: OutboxEntry[];
}

function sendContext(ctx: ReconcileContext, status: CanaryStatus, opts: NotifyOptions) {
  const policy = egressPolicy(ctx.config);
  return {
    transport: opts.transport ?? boundedSend,
    logger: ctx.logger,
    env: opts.env ?? process.env,
    maxBytes: Math.min(ctx.config.limits.responseBytes, 64 * 1024),
    refuse: (url: URL) => {
      const d = decideEgress(policy, { url: url.toString(), from: 'spec' });
      return d.allowed ? undefined : d.reason;
    },
    checksum: revisionChecksum(status),
  };
}

/**
 * Commits and pushes the ids of `batches` into each canary's record, re-reading the records
 * after every lost race (ids another runner recorded meanwhile are theirs). Returns the ids this
 * run recorded.
 */
async function record(
  git: GitRepo,
  ctx: ReconcileContext,
  batches: Batch[],
  by: SentRecord['by'],
  maxAttempts: number,
): Promise<Set<string>> {
  const at = ctx.now.toISOString();
  for (let attempt = 1; ; attempt++) {
    // Read afresh: an earlier record of this run, or another runner's, may have changed the file.
    const files = diskFiles(ctx.root);
    const changes: FileChange[] = [];
    const mine = new Set<string>();
    const body: string[] = [];
    for (const b of batches) {
      const path = notifiedPath(b.c.dir, b.c.ref);
      const sent = await sentIds(files, b.c, ctx.logger);
      const known = new Set(sent.map((s) => s.id));
      const added = b.entries.filter((e) => !known.has(e.id)).map((e) => ({ id: e.id, at, by }));
      if (added.length === 0) continue;
      for (const a of added) mine.add(a.id);
      body.push(`${b.c.ref.namespace}/${b.c.ref.name}: ${added.map((a) => a.id).join(', ')}`);
      await files.refuseLinks(path);
      changes.push({ path, content: formatNotified(b.c.ref, sent, added) });
    }
    if (changes.length === 0) return mine;
    assertConfined(
      changes,
      batches.map((b) => b.c),
    );
    const verb = by === 'writer' ? 'sent' : 'taken over (sending now)';
    const message = formatMessage(
      `gitcanary: notifications ${verb}`,
      ['Transitions:', ...body],
      [['Canary-Notified', [...mine].join(' ')]],
    );
    try {
      const sha = await git.commit(changes, message, ctx.config.author);
      if (sha && (await git.hasUpstream())) await git.push();
      return mine;
    } catch (e) {
      if (e instanceof ConfigurationError) throw e;
      if (!(e instanceof PushRejectedError) || attempt >= maxAttempts) {
        ctx.logger.warn(
          `recording sent notifications failed (${(e as Error).message}); a later run sends them again`,
        );
        // Drop the unpushed record commit, so the clone is the remote's again.
        if (await git.hasUpstream()) await git.resetToUpstream().catch(() => {});
        return new Set();
      }
      await git.resetToUpstream();
    }
  }
}
