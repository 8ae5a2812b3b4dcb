/**
 * The shell of `/gitcanary …` comments (pull-request delivery): before deciding, the comments of
 * each open step pull request since the last one handled (one API call per open PR, `since=`),
 * the first command among them and its author's permission (one call per author and run); after
 * the push that records it, the answer (a reaction, or a reply saying why not). What a comment
 * does is `core/comment-commands.ts`; the status file remembers the last comment handled, in the
 * same commit as its effect, so a comment is obeyed once across runs.
 */
import type { HeardCommand } from '../core/comment-commands.js';
import { parseCommand } from '../core/comment-commands.js';
import type { CanaryStatus } from '../core/types.js';
import type { ListedPull } from '../delivery/pull-requests.js';
import { errorMessage } from '../errors.js';
import type { Forge, RepoPermission } from '../forge/port.js';
import { refId } from '../inputs/model.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import type { CanaryPlan } from './canary.js';
import type { ReconcileContext } from './context.js';
import type { Logger } from './logger.js';

const writers = new Set<RepoPermission>(['admin', 'maintain', 'write']);

/** The first unhandled command comment of each canary with an open step PR. */
export async function readCommands(
  forge: Forge,
  pulls: ReadonlyMap<string, ListedPull>,
  statusOf: (id: string) => Promise<CanaryStatus | undefined>,
  logger: Logger,
): Promise<Map<string, HeardCommand>> {
  const heard = new Map<string, HeardCommand>();
  const permissions = new Map<string, RepoPermission>();
  const repo = `${forge.repo.owner}/${forge.repo.repo}`;
  for (const [id, { pr }] of pulls) {
    if (pr.state !== 'open') continue;
    try {
      const status = await statusOf(id);
      if (!status) continue;
      const last = status.comments;
      const comments = await forge.listComments(pr.number, {
        ...(last ? { since: last.lastAt } : {}),
        limit: 3,
      });
      for (const c of comments) {
        if (last && c.id <= last.lastId) continue;
        const cmd = parseCommand(c.body);
        if (!cmd) continue;
        const permission = permissions.get(c.user) ?? (await forge.permission(c.user));
        permissions.set(c.user, permission);
        heard.set(id, {
          ...cmd,
          commentId: c.id,
          createdAt: c.createdAt,
          pullRequest: pr.number,
          login: c.user,
          allowed: writers.has(permission),
          permission,
          repo,
        });
        break; // One command a run; the next run takes the next one.
      }
    } catch (e) {
      logger.warn(`comments of step pull request #${pr.number} (${id}): ${errorMessage(e)}`);
    }
  }
  return heard;
}

/** Reads a canary's status file by `namespace/name` (undefined: none, or unreadable). */
export function statusReader(ctx: ReconcileContext): (id: string) => Promise<CanaryStatus | undefined> {
  return async (id) => {
    const c = ctx.inventory.canaries.find((x) => refId(x.ref) === id);
    if (!c) return undefined;
    const path = statusPath(c.dir, c.ref);
    const text = await ctx.files.read(path).catch(() => undefined);
    return text === undefined ? undefined : parseStatus(text, path);
  };
}

/** Answers each command the pushed plans handled. A failure to answer is a warning: the command stands. */
export async function answerCommands(forge: Forge, plans: CanaryPlan[], logger: Logger): Promise<void> {
  for (const p of plans) {
    const a = p.heard;
    if (!a || p.changes.length === 0) continue;
    try {
      if ('reaction' in a.answer) await forge.react(a.command.commentId, a.answer.reaction);
      else await forge.comment(a.command.pullRequest, a.answer.reply);
    } catch (e) {
      logger.warn(`answering comment ${a.command.commentId}: ${errorMessage(e)}`);
    }
  }
}
