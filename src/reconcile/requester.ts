/**
 * Who asked for a manual request, taken from Git rather than from the status file's text: the
 * author of the newest recent commit that wrote the status file. A `requestedBy` typed into the
 * file is ignored; the name from Git is recorded as unverified (commit signatures are not checked
 * yet), with the commit that carried it.
 */
import type { CanaryStatus } from '../core/types.js';
import type { ChangeEntry } from '../git/port.js';

/**
 * The status with `request.requestedBy` replaced by the commit that wrote the request, or as it
 * is when there is no request or no recent commit touched the file (a request written in this
 * working tree, not yet committed, keeps the CLI's identity).
 * @example requesterFromGit(s, recent, 'apps/a/a.status.yaml').request.requestedBy
 *   // 'Dana <dana@example.com> (unverified, commit 1a2b3c4)'
 */
export function requesterFromGit(
  status: CanaryStatus | undefined,
  recent: readonly ChangeEntry[],
  statusPath: string,
): CanaryStatus | undefined {
  if (!status?.request) return status;
  const commit = recent.find((e) => e.files.includes(statusPath));
  if (!commit) return status;
  const clean = (s: string) => s.replace(/[\p{Cc}<>]/gu, '').trim() || '?';
  const requestedBy = `${clean(commit.author)} <${clean(commit.authorEmail)}> (unverified, commit ${commit.sha.slice(0, 7)})`;
  return { ...status, request: { ...status.request, requestedBy } };
}
