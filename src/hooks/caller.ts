/**
 * Calls one webhook as Flagger does: `POST` of the JSON payload, Flagger's timeout, `retries`
 * more attempts on a connection error, a 5xx other than 501, or a 429 (go-retryablehttp's
 * policy), success on a status of 202 or less. Never throws: every outcome is a `HookCall`
 * recorded with the hook's name, the status, a bounded and secret-free snippet of the answer and
 * the time it took, for the status file and the step's evidence.
 */
import type { HookRecord, HookType } from '../core/types.js';
import { boundedSend } from '../net/http.js';
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

/** One call's record (the core's `HookRecord`). */
export type HookCall = HookRecord;

export interface HookSpec {
  name: string;
  type?: HookType | '';
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
  const base = { name: hook.name, type: hook.type ? hook.type : ('rollout' as const) };
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

export interface TransportOptions {
  /** Largest answer read (`limits.responseBytes`); a larger one fails the call. */
  maxBytes: number;
  /** Why the egress policy refuses a URL (the spec's URL and every redirect), or undefined. */
  refuse?: (url: URL) => string | undefined;
  /**
   * Where to send a host instead: `host` or `host:port` → `host:port` (the test seam that maps
   * a cluster-local name such as `flagger-loadtester.flagger-system` to a loopback server; the
   * CLI's `--hook-host`). The egress policy still judges the spec's own URL.
   */
  hostMap?: Readonly<Record<string, string>>;
}

/**
 * The webhook transport: a JSON `POST` through the bounded client (size and time capped,
 * redirects checked by the egress policy on every hop, Go's redirect rules). No credential of the
 * operator's is ever attached: the URL is the spec author's choice. `disableTLS` accepts any
 * certificate for that hook only.
 */
export function boundedTransport(opts: TransportOptions): HookTransport {
  return async (r) => {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      throw new Error(`invalid URL ${JSON.stringify(r.url.slice(0, 100))}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`${url.protocol} URLs are not called (http and https only)`);
    const mapped = mapHost(url, opts.hostMap);
    const res = await boundedSend({
      url: mapped.url,
      method: 'POST',
      body: r.body,
      headers: new Headers({ 'content-type': 'application/json' }),
      timeoutMs: r.timeoutMs,
      maxBytes: opts.maxBytes,
      insecureTls: r.insecure,
      ...(opts.refuse ? { refuse: (u: URL) => opts.refuse?.(mapped.back(u)) } : {}),
    });
    return { status: res.status, body: res.body };
  };
}

/**
 * `url` sent where `hostMap` says, and the way back to the spec's name for the policy.
 * @example mapHost(new URL('http://lt.flagger-system/'), { 'lt.flagger-system': '127.0.0.1:9090' }).url.href // 'http://127.0.0.1:9090/'
 */
export function mapHost(url: URL, hostMap: Readonly<Record<string, string>> | undefined) {
  const to = hostMap?.[url.host] ?? hostMap?.[url.hostname];
  if (!to) return { url, back: (u: URL) => u };
  const out = new URL(url.href);
  out.host = to;
  return {
    url: out,
    back: (u: URL) => {
      if (u.host !== out.host) return u;
      const b = new URL(u.href);
      b.hostname = url.hostname;
      b.port = url.port;
      return b;
    },
  };
}
