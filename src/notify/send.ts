/**
 * Sends one outbox entry: each alert to every recipient whose severity filter takes it, each
 * event message to every `event` webhook, through the bounded client with no credential of the
 * operator's (the URLs are the spec author's). A failing or hanging endpoint is logged, redacted
 * (webhook URLs are secrets), and never fails the run.
 */
import type { OutboxEntry } from '../core/types.js';
import { callHook, type HookTransport } from '../hooks/caller.js';
import { eventPayload, hookSucceeded } from '../hooks/payload.js';
import type { LoadedCanary } from '../inputs/model.js';
import type { WebhookSpec } from '../inputs/schema.js';
import { type BoundedResponse, type BoundedSend, HttpFailure } from '../net/http.js';
import { redact } from '../net/redact.js';
import type { Logger } from '../reconcile/logger.js';
import { type AlertMessage, metadataFields } from './alerts.js';
import { alertRequest } from './formats.js';
import type { AlertRecipient } from './recipients.js';

/** The HTTP port of notifications (default `boundedSend`); a test may fail it to stand in for a crash. */
export type NotifyTransport = (req: BoundedSend) => Promise<BoundedResponse>;

export interface SendContext {
  transport: NotifyTransport;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Largest answer read from an endpoint. */
  maxBytes: number;
  /** The egress policy's verdict on every hop (allowedUrls). */
  refuse: (url: URL) => string | undefined;
  /** The revision checksum for event payloads. */
  checksum: string;
}

/** Flagger's alert timeout. */
export const alertTimeoutMs = 5000;

/** What was attempted for one entry: counts for the log and the tests. */
export interface SendOutcome {
  delivered: number;
  failed: number;
}

export async function sendEntry(
  c: LoadedCanary,
  entry: OutboxEntry,
  recipients: { alerts: AlertRecipient[]; hooks: WebhookSpec[] },
  sc: SendContext,
): Promise<SendOutcome> {
  const outcome: SendOutcome = { delivered: 0, failed: 0 };
  const id = `${c.ref.namespace}/${c.ref.name}`;
  const note = (ok: boolean, what: string, detail: string) => {
    if (ok) outcome.delivered++;
    else outcome.failed++;
    const line = `${id}: ${what} for transition ${entry.id}: ${detail}`;
    if (ok) sc.logger.info(line);
    else sc.logger.warn(line);
  };
  for (const alert of entry.alerts ?? []) {
    for (const r of recipients.alerts) {
      if (!r.accepts(alert.severity)) continue;
      const resolved = r.resolve(sc.env);
      if ('problem' in resolved) {
        note(false, r.label, resolved.problem);
        continue;
      }
      const { target } = resolved;
      const fields = alert.metadata ? metadataFields(c.canary) : [];
      const m: AlertMessage = {
        name: c.ref.name,
        namespace: c.ref.namespace,
        text: alert.message,
        severity: alert.severity,
        fields: [...fields, { name: 'Transition', value: entry.id }],
      };
      let req: { url: string; body: unknown };
      try {
        req = alertRequest(target, m);
      } catch (e) {
        note(false, r.label, (e as Error).message);
        continue;
      }
      const secrets = [req.url, target.address];
      const answer = await post(sc, req.url, JSON.stringify(req.body), alertTimeoutMs, secrets);
      const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
      note(ok, r.label, answer.status !== undefined ? `HTTP ${answer.status}` : answer.failure);
    }
  }
  for (const event of entry.events ?? []) {
    for (const hook of recipients.hooks) {
      const payload = eventPayload(c.ref, entry.phase, sc.checksum, hook, {
        message: event.message,
        type: event.type,
        at: new Date(entry.at),
      });
      payload.metadata = { ...payload.metadata, transitionId: entry.id };
      let crash: unknown;
      const send: HookTransport = async (r) => {
        const a = await post(sc, r.url, r.body, r.timeoutMs, [hook.url], r.insecure).catch((e: unknown) => {
          crash = e;
          throw e;
        });
        if (a.status === undefined) throw new Error(a.failure);
        return { status: a.status, body: '' };
      };
      const call = await callHook({ ...hook, type: 'event' }, payload, send, {
        redact: (s) => redact(s, [hook.url]),
      });
      if (crash) throw crash;
      const ok = call.status !== undefined && hookSucceeded(call.status);
      note(
        ok,
        `event webhook ${hook.name}`,
        call.status !== undefined ? `HTTP ${call.status}` : call.snippet,
      );
    }
  }
  return outcome;
}

/**
 * One POST of JSON. An endpoint's failure (timeout, refused, too large, a refused redirect) is
 * an answer without a status; anything else the transport throws propagates (a crash).
 */
async function post(
  sc: SendContext,
  url: string,
  body: string,
  timeoutMs: number,
  secrets: string[],
  insecureTls = false,
): Promise<{ status?: number; failure: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { failure: 'invalid URL' };
  }
  try {
    const r = await sc.transport({
      url: parsed,
      method: 'POST',
      body,
      headers: new Headers({ 'content-type': 'application/json' }),
      timeoutMs,
      insecureTls,
      maxBytes: sc.maxBytes,
      refuse: sc.refuse,
    });
    return { status: r.status, failure: '' };
  } catch (e) {
    if (!(e instanceof HttpFailure)) throw e;
    const hidden = [...secrets, parsed.pathname.length > 4 ? parsed.pathname : ''].filter(Boolean);
    return { failure: redact(e.message, hidden) };
  }
}
