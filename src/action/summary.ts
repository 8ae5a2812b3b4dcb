/**
 * The job summary: one markdown table row per canary, with a link to what this run wrote (the
 * commit, or the canary's step pull request). Pure.
 */
import type { PullRequestReport } from '../delivery/types.js';
import type { CanaryReport } from '../reconcile/report.js';
import { markdownTable } from './io.js';

export interface SummaryInput {
  canaries: CanaryReport[];
  commit: string | null;
  pullRequests: PullRequestReport[];
  dryRun: boolean;
  /** Planned file changes (what a dry run would have written). */
  changes: number;
  /** `GITHUB_SERVER_URL` (https://github.com). */
  serverUrl: string;
  /** `owner/name`, when known (links are left out without it). */
  repository?: string;
}

const header = ['Canary', 'Phase', 'Weight', 'Failed checks', 'Verdict', 'Change'];

/**
 * The summary markdown.
 *
 * @example
 * // | Canary | Phase | Weight | Failed checks | Verdict | Change |
 * // | --- | --- | --- | --- | --- | --- |
 * // | test/podinfo | Progressing | 20% | 0 | pass: all checks passed | [1a2b3c4](https://github.com/o/r/commit/1a2b3c4…) |
 */
export function summaryMarkdown(s: SummaryInput): string {
  const commitUrl =
    s.commit && s.repository
      ? `${s.serverUrl.replace(/\/+$/, '')}/${s.repository}/commit/${s.commit}`
      : undefined;
  const commitLink = s.commit
    ? commitUrl
      ? `[${s.commit.slice(0, 7)}](${commitUrl})`
      : s.commit.slice(0, 7)
    : '';
  const rows = s.canaries.map((c) => {
    const id = c.namespace ? `${c.namespace}/${c.name}` : c.file;
    return [
      id,
      c.error ? 'Error' : (c.phase ?? '—'),
      `${c.canaryWeight}%`,
      String(c.failedChecks),
      verdict(c),
      change(c, id, s, commitLink),
    ];
  });
  const lines = ['### gitcanary', ''];
  if (rows.length > 0) lines.push(markdownTable(header, rows), '');
  else lines.push('No Canary found in the repository.', '');
  lines.push(outcome(s, commitLink));
  return `${lines.join('\n')}\n`;
}

function verdict(c: CanaryReport): string {
  if (c.error) return `error: ${c.error}`;
  if (!c.verdict) return '—';
  return `${c.verdict.result}: ${c.verdict.reason}`;
}

function change(c: CanaryReport, id: string, s: SummaryInput, commitLink: string): string {
  const prs = s.pullRequests.filter((p) => p.canary === id);
  if (prs.length > 0) return prs.map((p) => `[#${p.number}](${p.url}) ${p.action}`).join(', ');
  if (!c.stepped) return '—';
  if (s.dryRun) return 'planned (dry run)';
  return commitLink || '—';
}

function outcome(s: SummaryInput, commitLink: string): string {
  if (s.dryRun) return `Dry run: ${s.changes} file change(s) planned, nothing written.`;
  const parts: string[] = [];
  if (s.commit) parts.push(`Commit ${commitLink}.`);
  if (s.pullRequests.length > 0) parts.push(`${s.pullRequests.length} pull request(s) touched.`);
  return parts.length > 0 ? parts.join(' ') : 'Nothing changed: no canary was due a step.';
}
