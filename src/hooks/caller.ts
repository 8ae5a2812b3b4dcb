/**
 * Calls one webhook as Flagger does: `POST` of the JSON payload, Flagger's timeout, `retries`
 * more attempts on a connection error, a 5xx other than 501, or a 429 (go-retryablehttp's
 * policy), success on a status of 202 or less. Never throws: every outcome is a `HookCall`
 * recorded with the hook's name, the status, a bounded and secret-free snippet of the answer and
 * the time it took, for the status file and the step's evidence.
 */
import { type HookPayload, hookSucceeded, hookTimeoutMs } from './payload.js';

export interface HookRequest {
  url: string;
  body: string;
  timeoutMs: number;
  /** `disableTLS`: accept any certificate. */
  insecure: boolean;
}

/** Sends one POST; rejects on a network failure, a timeout or an answer over the size cap. */
export type HookTransport = (r: HookRequest) => Promise<{ status: number; body: string }>;

export interface HookCall {
  name: string;
  type: string;
  ok: boolean;
  /** The last attempt's status; undefined when no answer came. */
  status?: number;
  /** The first characters of the answer (or of the failure), redacted. */
  snippet: string;
  attempts: number;
  durationMs: number;
}

export interface HookSpec {
  name: string;
  type?: string;
  url: string;
  timeout?: string;
  retries?: number;
  disableTLS?: boolean;
}

/** Characters of an answer kept in the record. */
export const snippetLength = 200;

const retriable = (status: number) => status === 429 || (status >= 500 && status !== 501);

/** The clean, one-line start of a text: no control characters, at most `snippetLength`. */
export function snippet(text: string, redact: (s: string) => string = (s) => s): string {
  const clean = redact(text)
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return clean.length > snippetLength ? `${clean.slice(0, snippetLength)}…` : clean;
}

export async function callHook(
  hook: HookSpec,
  payload: HookPayload,
  send: HookTransport,
  opts: { redact?: (s: string) => string; sleep?: (ms: number) => Promise<void>; clock?: () => number } = {},
): Promise<HookCall> {
  const clock = opts.clock ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const started = clock();
  const base = { name: hook.name, type: hook.type ?? 'rollout' };
  const timeoutMs = hookTimeoutMs(hook);
  if (timeoutMs === undefined) {
    return {
      ...base,
      ok: false,
      snippet: `invalid timeout ${JSON.stringify(hook.timeout)}`,
      attempts: 0,
      durationMs: 0,
    };
  }
  const attemptsAllowed = 1 + Math.max(0, hook.retries ?? 0);
  let last: { status?: number; text: string } = { text: '' };
  let attempts = 0;
  for (let i = 0; i < attemptsAllowed; i++) {
    if (i > 0) await sleep(Math.min(30_000, 1000 * 2 ** (i - 1)));
    attempts++;
    try {
      const r = await send({
        url: hook.url,
        body: JSON.stringify(payload),
        timeoutMs,
        insecure: hook.disableTLS === true,
      });
      last = { status: r.status, text: r.body };
      if (!retriable(r.status)) break;
    } catch (e) {
      last = { text: (e as Error).message };
    }
  }
  const ok = last.status !== undefined && hookSucceeded(last.status);
  return {
    ...base,
    ok,
    ...(last.status !== undefined ? { status: last.status } : {}),
    snippet: snippet(last.text, opts.redact),
    attempts,
    durationMs: clock() - started,
  };
}
