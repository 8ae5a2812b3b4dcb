/**
 * The fast path after a push: tell the applier there is a new commit instead of waiting for its
 * next poll. A Flux notification-controller Receiver of type `generic-hmac` (body signed with its
 * token in `X-Signature`), and Argo CD's `POST /api/webhook` with a GitHub push payload (signed in
 * `X-Hub-Signature-256` and, for Argo CD before 2.13, `X-Hub-Signature` when a secret is set). Both
 * only ask for a refresh; a failed nudge is reported and the applier's poll still applies the step.
 * The token never reaches a log: errors are redacted.
 */
import { createHmac } from 'node:crypto';
import { boundedSend } from '../net/http.js';
import { redact } from '../net/redact.js';

export interface Push {
  branch: string;
  before: string;
  after: string;
  /** Repository-relative paths the pushed commit changed. */
  paths: string[];
}

export interface NudgeTarget {
  kind: 'flux-receiver' | 'argocd-webhook';
  url: string;
  /** The Receiver's token, or Argo CD's `webhook.github.secret` (optional there). */
  secret?: string;
  /** Argo CD: the repository URL its Applications name as `repoURL`. */
  repoUrl?: string;
}

export interface NudgeResult {
  kind: NudgeTarget['kind'];
  url: string;
  /** `HTTP 200`, or why it failed (redacted). */
  outcome: string;
  ok: boolean;
  ms: number;
}

const hmac = (algo: 'sha1' | 'sha256', key: string, body: string) =>
  createHmac(algo, key).update(body).digest('hex');

/**
 * The request a nudge sends.
 * @example nudgeRequest({ kind: 'flux-receiver', url, secret: 'test-token' }, push).headers['x-signature']
 *   // 'sha256=<hex HMAC of the body keyed with the token>'
 */
export function nudgeRequest(t: NudgeTarget, push: Push): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    ref: `refs/heads/${push.branch}`,
    before: push.before,
    after: push.after,
    ...(t.kind === 'argocd-webhook'
      ? {
          repository: { html_url: t.repoUrl ?? '', default_branch: push.branch },
          commits: [{ id: push.after, added: [], modified: push.paths, removed: [] }],
        }
      : {}),
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (t.kind === 'flux-receiver') {
    if (t.secret) headers['x-signature'] = `sha256=${hmac('sha256', t.secret, body)}`;
  } else {
    headers['x-github-event'] = 'push';
    if (t.secret) {
      headers['x-hub-signature-256'] = `sha256=${hmac('sha256', t.secret, body)}`;
      headers['x-hub-signature'] = `sha1=${hmac('sha1', t.secret, body)}`;
    }
  }
  return { body, headers };
}

/** Sends every nudge at once; never throws. */
export async function nudge(
  targets: NudgeTarget[],
  push: Push,
  opts: { timeoutMs: number; maxBytes: number; now?: () => number },
): Promise<NudgeResult[]> {
  const clock = opts.now ?? Date.now;
  return Promise.all(
    targets.map(async (t): Promise<NudgeResult> => {
      const start = clock();
      const { body, headers } = nudgeRequest(t, push);
      const secrets = t.secret ? [t.secret] : [];
      try {
        const res = await boundedSend({
          url: new URL(t.url),
          method: 'POST',
          body,
          headers: new Headers(headers),
          timeoutMs: opts.timeoutMs,
          maxBytes: Math.min(opts.maxBytes, 64 * 1024),
          maxRedirects: 0,
        });
        const ok = res.status >= 200 && res.status < 300;
        return { kind: t.kind, url: t.url, outcome: `HTTP ${res.status}`, ok, ms: clock() - start };
      } catch (e) {
        const outcome = redact((e as Error).message, secrets);
        return { kind: t.kind, url: t.url, outcome, ok: false, ms: clock() - start };
      }
    }),
  );
}
