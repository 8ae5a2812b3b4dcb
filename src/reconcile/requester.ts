/**
 * Who asked for a manual request, taken from Git rather than from the status file's text: the
 * author and committer of the newest recent commit that wrote the status file. A `requestedBy`
 * typed into the file is ignored. The name is recorded as verified only when git found a good
 * signature from a key the runner trusts (`%G?` = G); otherwise it is unverified. With
 * `requests.requireSigned`, an unverified request is refused (dropped, with the reason).
 */
import type { CanaryStatus } from '../core/types.js';
import type { ChangeEntry } from '../git/port.js';

/** The status with its requester from Git, or the request refused (`refused` says why). */
export interface RequesterResult {
  status: CanaryStatus | undefined;
  refused?: string;
}

const clean = (s: string | undefined) => (s ?? '').replace(/[\p{Cc}<>()]/gu, '').trim() || '?';

/**
 * `Name <email> (…, commit abc1234)`: the author; the committer when it is someone else; and
 * whether the signature was verified, with the signer and key.
 * @example describeRequester({ sha: '1a2b3c4d', author: 'Dana', authorEmail: 'd@x', ... })
 *   // 'Dana <d@x> (unverified, commit 1a2b3c4)'
 */
export function describeRequester(commit: ChangeEntry): string {
  const parts: string[] = [];
  const committer = commit.committer;
  if (
    committer !== undefined &&
    (committer !== commit.author || commit.committerEmail !== commit.authorEmail)
  ) {
    parts.push(`committed by ${clean(committer)} <${clean(commit.committerEmail)}>`);
  }
  const sig = commit.signature;
  if (sig?.status === 'G') parts.push(`verified signature of ${clean(sig.signer)}, key ${clean(sig.key)}`);
  else parts.push('unverified');
  parts.push(`commit ${commit.sha.slice(0, 7)}`);
  return `${clean(commit.author)} <${clean(commit.authorEmail)}> (${parts.join(', ')})`;
}

/**
 * The status with `request.requestedBy` replaced by the commit that wrote the request. Without
 * `requireSigned`, a request no recent commit wrote (written in this working tree, not yet
 * committed) keeps the CLI's identity; with it, such a request and one from an unverified
 * commit are refused.
 * @example requesterFromGit(s, recent, 'apps/a/a.status.yaml').status.request.requestedBy
 *   // 'Dana <dana@example.com> (unverified, commit 1a2b3c4)'
 */
export function requesterFromGit(
  status: CanaryStatus | undefined,
  recent: readonly ChangeEntry[],
  statusPath: string,
  opts: { requireSigned?: boolean } = {},
): RequesterResult {
  if (!status?.request) return { status };
  const commit = recent.find((e) => e.files.includes(statusPath));
  const action = status.request.action;
  if (opts.requireSigned && commit?.signature?.status !== 'G') {
    const { request: _dropped, ...rest } = status;
    const why = commit
      ? `commit ${commit.sha.slice(0, 7)} by ${describeRequester(commit)} has no verified signature (git %G? = ${clean(commit.signature?.status ?? 'unknown')})`
      : 'no recent commit wrote it';
    return {
      status: rest,
      refused: `${statusPath}: the ${action} request is refused: requests.requireSigned is set and ${why}`,
    };
  }
  if (!commit) return { status };
  return { status: { ...status, request: { ...status.request, requestedBy: describeRequester(commit) } } };
}
