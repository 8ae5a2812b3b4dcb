/**
 * Pushes the exposition to a Prometheus Pushgateway after a run: `PUT /metrics/job/<job>`
 * replaces the whole group (the Pushgateway API), so a canary removed from Git disappears from it
 * too. The URL is the operator's (`--pushgateway`); the request goes through the bounded client,
 * bounded in time and in the answer read, and a redirect may not leave the Pushgateway's origin.
 */
import { boundedSend, HttpFailure } from '../net/http.js';
import { snippet } from '../net/redact.js';

export interface PushResult {
  ok: boolean;
  status?: number;
  message?: string;
}

/**
 * Pushes `text` (exposition format 0.0.4) to `url` under job `job`. Never throws: a refused
 * connection, a timeout or an HTTP error is a result with a message (no credentials in it).
 * @example await pushMetrics('http://127.0.0.1:9091', 'x 1\n') // { ok: true, status: 200 }
 */
export async function pushMetrics(
  url: string,
  text: string,
  opts: { job?: string; timeoutMs?: number } = {},
): Promise<PushResult> {
  const job = encodeURIComponent(opts.job ?? 'gitcanary');
  let target: URL;
  try {
    target = new URL(`metrics/job/${job}`, url.endsWith('/') ? url : `${url}/`);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, message: 'invalid Pushgateway URL (expected http(s)://host:port)' };
  }
  // Credentials in the URL (http://user:pass@host) become basic auth, never part of a message.
  const credential = target.username
    ? {
        kind: 'basic' as const,
        username: decodeURIComponent(target.username),
        password: decodeURIComponent(target.password),
      }
    : undefined;
  target.username = '';
  target.password = '';
  const origin = target.origin;
  try {
    const r = await boundedSend({
      url: target,
      method: 'PUT',
      headers: new Headers({ 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
      body: text,
      ...(credential ? { credential } : {}),
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxBytes: 4096,
      refuse: (u) =>
        u.origin === origin ? undefined : `redirect to ${u.origin} refused (not the Pushgateway)`,
    });
    if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status };
    return {
      ok: false,
      status: r.status,
      message: `Pushgateway answered ${r.status}: ${snippet(r.body, [], 300)}`,
    };
  } catch (e) {
    const why = e instanceof HttpFailure ? e.message : e instanceof Error ? e.message : String(e);
    return { ok: false, message: `Pushgateway unreachable: ${why}` };
  }
}
