/**
 * Pushes the exposition to a Prometheus Pushgateway after a run: `PUT /metrics/job/<job>`
 * replaces the group, so a canary removed from Git disappears from it too. Bounded in time; the
 * answer is read only to report a failure, and cut.
 */

import { readBody } from '../net/read-body.js';

export interface PushResult {
  ok: boolean;
  status?: number;
  message?: string;
}

/** Pushes `text` (exposition format 0.0.4) to `url` under job `job`. Never throws. */
export async function pushMetrics(
  url: string,
  text: string,
  opts: { job?: string; timeoutMs?: number } = {},
): Promise<PushResult> {
  const job = encodeURIComponent(opts.job ?? 'gitcanary');
  let target: URL;
  try {
    target = new URL(`metrics/job/${job}`, url.endsWith('/') ? url : `${url}/`);
  } catch {
    return { ok: false, message: 'invalid Pushgateway URL' };
  }
  try {
    const r = await fetch(target, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: text,
      redirect: 'error',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    if (r.ok) return { ok: true, status: r.status };
    const body = (await readBody(r, 300)).text;
    return { ok: false, status: r.status, message: `Pushgateway answered ${r.status}: ${body}` };
  } catch (e) {
    return { ok: false, message: `Pushgateway unreachable: ${(e as Error).message}` };
  }
}
