/**
 * The one outbound HTTP client of gitcanary (metric providers, webhooks, alerts: `boundedGet`
 * and `boundedSend`). Every response is bounded in size and time, redirects are followed by hand,
 * and a credential is attached only where the egress policy granted it: to the origin it was
 * granted for, never to another host a redirect points at.
 */
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { readBody } from './read-body.js';
import { redactEcho } from './redact.js';

/** A credential granted by the egress policy for one origin. */
export type Credential =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

export interface BoundedRequest {
  url: URL;
  /** Non-credential headers (the client drops `authorization` from them when it has a credential). */
  headers?: Headers;
  /** Attached only to requests whose origin is `url`'s origin. */
  credential?: Credential;
  /** Whole-exchange deadline: connect, headers, every redirect and the body. */
  timeoutMs: number;
  /** Largest body read; a larger one aborts the read at the cap. */
  maxBytes: number;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
  /** The egress policy's verdict on each URL (the first and every redirect): a reason to refuse, or undefined. */
  refuse?: (url: URL) => string | undefined;
  /** Accept any TLS certificate (a webhook's `disableTLS`); for this request only. */
  insecureTls?: boolean;
}

/** A request with a body (webhooks, alerts, query APIs that take POST). */
export interface BoundedSend extends BoundedRequest {
  method: 'POST' | 'PUT';
  /** The body, sent as is; set `content-type` in `headers`. */
  body: string;
}

export interface BoundedResponse {
  status: number;
  statusText: string;
  /** The body, already redacted of the request's credential (whole or in part). */
  body: string;
  /** Where the body came from (after redirects). */
  url: URL;
}

/** A request that failed: timeout, refused connection, over the cap, refused by the policy. Never holds a credential. */
export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'network' | 'too-large' | 'refused' | 'redirects',
  ) {
    super(message);
  }
}

/** The header a credential becomes. */
export function authorization(c: Credential): string {
  if (c.kind === 'bearer') return `Bearer ${c.token}`;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Every string a credential reveals itself by (for redaction). */
export function credentialSecrets(c: Credential | undefined): string[] {
  if (!c) return [];
  if (c.kind === 'bearer') return [c.token];
  const out = [authorization(c).slice('Basic '.length), c.password];
  if (c.username.length >= 4) out.push(c.username);
  return out;
}

/**
 * GETs `req.url`, following at most `maxRedirects` redirects (301, 302, 303, 307, 308), each
 * checked by `refuse`; the credential goes only to the first URL's origin. The body is read up to
 * `maxBytes` (a `content-length` above it is refused before reading) and redacted.
 * @throws HttpFailure
 */
export async function boundedGet(req: BoundedRequest): Promise<BoundedResponse> {
  return exchange(req, 'GET', undefined);
}

/**
 * Sends `req.body` with `req.method`, bounded as `boundedGet`. Redirects follow Go's client (what
 * Flagger's webhooks and alerts use): 307 and 308 repeat the method and body at the new URL,
 * 301, 302 and 303 continue there as a GET without the body; every hop is checked by `refuse`.
 * @throws HttpFailure
 */
export async function boundedSend(req: BoundedSend): Promise<BoundedResponse> {
  return exchange(req, req.method, req.body);
}

async function exchange(req: BoundedRequest, firstMethod: string, firstBody: string | undefined) {
  let method = firstMethod;
  let body = firstBody;
  const origin = req.url.origin;
  const signal = AbortSignal.timeout(req.timeoutMs);
  const secrets = credentialSecrets(req.credential);
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const refusal = req.refuse?.(url);
    if (refusal) throw new HttpFailure(refusal, 'refused');
    const headers = new Headers(req.headers);
    if (req.credential) {
      headers.delete('authorization');
      if (url.origin === origin) headers.set('authorization', authorization(req.credential));
    }
    if (body === undefined) headers.delete('content-type');
    const res = await send(url, { method, headers, signal, body }, req.timeoutMs, req.insecureTls === true);
    const location = res.headers.get('location');
    if ([301, 302, 303, 307, 308].includes(res.status) && location) {
      if (res.status <= 303 && method !== 'GET') {
        method = 'GET';
        body = undefined;
      }
      await res.body?.cancel().catch(() => {});
      if (hop >= (req.maxRedirects ?? 5)) {
        throw new HttpFailure(`more than ${req.maxRedirects ?? 5} redirects`, 'redirects');
      }
      try {
        url = new URL(location, url);
      } catch {
        throw new HttpFailure('redirect to an invalid URL', 'refused');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new HttpFailure(`redirect to a ${url.protocol} URL refused`, 'refused');
      }
      continue;
    }
    const text = await readCapped(res, req.maxBytes, req.timeoutMs);
    return { status: res.status, statusText: res.statusText, body: redactEcho(text, secrets), url };
  }
}

interface SendInit {
  method: string;
  headers: Headers;
  signal: AbortSignal;
  body: string | undefined;
}

async function send(url: URL, init: SendInit, timeoutMs: number, insecure: boolean): Promise<Response> {
  try {
    if (insecure && url.protocol === 'https:') return await sendInsecure(url, init);
    return await fetch(url, { ...init, redirect: 'manual' });
  } catch (e) {
    throw failure(e, timeoutMs);
  }
}

const nullBodyStatus = new Set([101, 204, 205, 304]);

/** One HTTPS exchange that accepts any certificate, answered as a fetch `Response` (never follows redirects). */
function sendInsecure(url: URL, init: SendInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    init.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const req = httpsRequest(
      url,
      { method: init.method, headers, signal: init.signal, rejectUnauthorized: false },
      (res) => {
        const status = res.statusCode ?? 0;
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
        const body = nullBodyStatus.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (!body) res.resume();
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: out }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The body as text, aborting the read as soon as it passes `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, timeoutMs: number): Promise<string> {
  const tooLarge = () =>
    new HttpFailure(`response larger than ${maxBytes} bytes (limits.responseBytes); not read`, 'too-large');
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  let read: { text: string; truncated: boolean };
  try {
    read = await readBody(res, maxBytes);
  } catch (e) {
    throw failure(e, timeoutMs);
  }
  if (read.truncated) throw tooLarge();
  return read.text;
}

function failure(e: unknown, timeoutMs: number): HttpFailure {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
    return new HttpFailure(`timed out after ${timeoutMs}ms`, 'timeout');
  const detail = err?.cause?.message ?? err?.cause?.code ?? err?.message ?? String(e);
  return new HttpFailure(`request failed: ${detail}`, 'network');
}
