/** Text and JSON renderings of a reconcile run. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { HistoryRow } from '../reconcile/history.js';
import type { ReconcileResult } from '../reconcile/run.js';
import { table } from './table.js';

/** The `-o json` shape of `reconcile` and `plan`. */
export function jsonReconcile(r: ReconcileResult) {
  return {
    canaries: r.canaries.map((c) => ({
      namespace: c.namespace,
      name: c.name,
      phase: c.phase,
      canaryWeight: c.canaryWeight,
      failedChecks: c.failedChecks,
      iterations: c.iterations,
      message: c.message,
      ...(c.error ? { error: c.error } : {}),
      ...(c.verdict ? { verdict: c.verdict } : {}),
      ...(c.hooks ? { hooks: c.hooks } : {}),
      ...(c.nextStepAt ? { nextStepAt: c.nextStepAt } : {}),
      ...(c.notes ? { notes: c.notes } : {}),
      ...(c.policies ? { policies: c.policies } : {}),
      ...(c.inconclusiveChecks ? { inconclusiveChecks: c.inconclusiveChecks } : {}),
      ...(c.delivery ? { delivery: c.delivery } : {}),
    })),
    commit: r.commit,
    pullRequests: r.pullRequests,
  };
}

function canaryTable(r: ReconcileResult): string {
  return table(
    ['NAMESPACE', 'NAME', 'PHASE', 'WEIGHT', 'FAILEDCHECKS', 'MESSAGE'],
    r.canaries.map((c) => [
      c.namespace,
      c.name,
      c.error ? 'Error' : (c.phase ?? '-'),
      String(c.canaryWeight),
      String(c.failedChecks),
      c.message,
    ]),
  );
}

/** One `note:` line per canary note. */
const noteLines = (r: ReconcileResult): string[] =>
  r.canaries.flatMap((c) => (c.notes ?? []).map((n) => `note: ${c.namespace}/${c.name}: ${n}`));

export function formatReconcile(r: ReconcileResult): string {
  const lines = [canaryTable(r), '', ...noteLines(r)];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.commit) lines.push(`commit ${r.commit}`);
  else if (r.pullRequests.length === 0) lines.push('no changes');
  for (const p of r.pullRequests) {
    lines.push(
      `pull request #${p.number} ${p.action} for ${p.canary} (weight ${p.fromWeight} → ${p.toWeight}): ${p.url}`,
    );
  }
  return lines.join('\n');
}

/** `gitcanary history` as a table, verdict lines under each step. */
export function formatHistory(rows: HistoryRow[]): string {
  const body = table(
    ['TIME', 'AUTHOR', 'PHASE', 'WEIGHT', 'COMMIT', 'MESSAGE'],
    rows.map((r) => [
      r.time,
      r.author,
      r.phase ?? (r.kind === 'request' ? `(${r.request})` : '-'),
      r.weight === undefined ? '' : String(r.weight),
      r.commit.slice(0, 7),
      [r.message, ...r.verdict.map((v) => `[${v}]`)].join(' '),
    ]),
  );
  return body;
}

/** The decision per canary, each verdict, and a unified diff of what a run would write. */
export async function formatPlan(r: ReconcileResult, repoDir: string): Promise<string> {
  const lines = [canaryTable(r), '', ...noteLines(r)];
  for (const c of r.canaries) {
    if (c.delivery === 'pull-request')
      lines.push(`${c.namespace}/${c.name}: this step would be proposed as a pull request, not committed`);
  }
  for (const c of r.canaries) {
    for (const p of c.policies ?? []) {
      const extra = [p.samplesQuery ? `samples: ${p.samplesQuery}` : '', p.error ? `error: ${p.error}` : '']
        .filter(Boolean)
        .join('; ');
      lines.push(`${c.namespace}/${c.name}: policy ${p.metric}: ${p.policy}${extra ? ` (${extra})` : ''}`);
    }
    if (c.inconclusiveChecks) {
      lines.push(`${c.namespace}/${c.name}: ${c.inconclusiveChecks} inconclusive analyses in a row`);
    }
    for (const m of c.verdict?.metrics ?? []) {
      lines.push(`${c.namespace}/${c.name}: ${m.name} = ${m.value ?? 'n/a'} ${m.result} (${m.reason})`);
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.changes.length === 0) lines.push('plan: no changes');
  for (const ch of r.changes) {
    const before = await readFile(join(repoDir, ch.path), 'utf8').catch(() => '');
    const after = 'content' in ch ? ch.content : '';
    lines.push(
      createTwoFilesPatch(`a/${ch.path}`, `b/${ch.path}`, before, after, '', '', { context: 2 }).trimEnd(),
    );
  }
  return lines.join('\n');
}
