/**
 * `/gitcanary approve|promote|abort|pause|resume|retry` comments on a canary's step pull request.
 * The text comes from anyone: a comment is a command only when its whole body is exactly one of
 * these lines, and nothing of it but the parsed words ever reaches Git. Pure: the shell lists
 * the comments, asks the host for the author's permission, and answers after the push.
 */
import type { Canary, ProviderId } from '../inputs/schema.js';
import { addApproval, approvalRevision, heldGate, parseGate } from './approvals.js';
import { type GateType, gateHooks } from './gates.js';
import type { CanaryStatus, ManualRequest } from './types.js';

export const commentVerbs = ['approve', 'promote', 'abort', 'pause', 'resume', 'retry'] as const;
export type CommentVerb = (typeof commentVerbs)[number];

export interface CommentCommand {
  verb: CommentVerb;
  /** `approve` only: the gate named after the verb. */
  gate?: GateType;
}

/**
 * The command a comment body carries, or undefined for any other text.
 * @example parseCommand('/gitcanary promote') // { verb: 'promote' }
 * @example parseCommand('/gitcanary approve confirm-promotion\n') // { verb: 'approve', gate: 'confirm-promotion' }
 * @example parseCommand('please /gitcanary abort') // undefined
 * @example parseCommand('/gitcanary promote now') // undefined
 */
export function parseCommand(body: string): CommentCommand | undefined {
  if (body.length > 200) return undefined;
  const m = /^\s*\/gitcanary[ \t]+([a-z]+)(?:[ \t]+([a-z-]+))?[ \t]*$/.exec(body.replace(/\r?\n\s*$/, ''));
  if (!m) return undefined;
  const verb = commentVerbs.find((v) => v === m[1]);
  if (!verb) return undefined;
  if (m[2] === undefined) return { verb };
  const gate = verb === 'approve' ? parseGate(m[2]) : undefined;
  return gate ? { verb, gate } : undefined;
}

/** A command comment as the shell heard it: who, when, and whether they may give it. */
export interface HeardCommand extends CommentCommand {
  commentId: number;
  createdAt: string;
  pullRequest: number;
  /** The author's login, checked against GitHub's login syntax before it is used anywhere. */
  login: string;
  /** The author has admin, maintain or write permission on the repository. */
  allowed: boolean;
  /** The permission the host answered (`read`, `none`, …), for the reply. */
  permission: string;
  /** `owner/name` of the repository, for the reply. */
  repo: string;
}

/** How the run answers the comment after its push: a reaction, or a reply saying why not. */
export type CommandAnswer = { reaction: '+1' | 'rocket' } | { reply: string };

/** GitHub logins: alphanumerics and single hyphens, at most 39 characters (bots end in `[bot]`). */
export const safeLogin = (login: string): string =>
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/.test(login) ? login : 'unknown';

/**
 * The status with the command applied (an approval, or a request the decision obeys this run)
 * and the comment remembered, plus the answer. A refused or inapplicable command changes only
 * the remembered comment.
 */
export function applyCommand(
  status: CanaryStatus,
  cmd: HeardCommand,
  ctx: { canary: Canary; provider: ProviderId; revision: string; now: Date },
): { status: CanaryStatus; answer: CommandAnswer } {
  const seen: CanaryStatus = { ...status, comments: { lastId: cmd.commentId, lastAt: cmd.createdAt } };
  const who = `@${safeLogin(cmd.login)}`;
  if (!cmd.allowed) {
    const reply = `Ignored \`/gitcanary ${cmd.verb}\`: ${who} has ${cmd.permission} permission on ${cmd.repo}; commands need write, maintain or admin.`;
    return { status: seen, answer: { reply } };
  }
  const by = `${who} (comment ${cmd.commentId} on pull request #${cmd.pullRequest})`;
  const at = ctx.now.toISOString();
  if (cmd.verb !== 'approve') {
    const request: ManualRequest = { action: cmd.verb, requestedBy: by, requestedAt: at };
    return { status: { ...seen, request }, answer: { reaction: 'rocket' } };
  }
  const gate = cmd.gate ?? heldGate(ctx.canary, ctx.provider, status, ctx.revision);
  if (!gate) {
    const reply = `Nothing to approve: the canary is not held at a gate (phase ${status.phase}). Name one: \`/gitcanary approve confirm-promotion\`.`;
    return { status: seen, answer: { reply } };
  }
  if (gateHooks(ctx.canary, gate).length === 0) {
    const reply = `Nothing to approve: the Canary has no ${gate} webhook.`;
    return { status: seen, answer: { reply } };
  }
  const approval = { gate, revision: approvalRevision(status, ctx.revision), approvedBy: by, approvedAt: at };
  return {
    status: { ...seen, approvals: addApproval(status.approvals, approval) },
    answer: { reaction: '+1' },
  };
}
