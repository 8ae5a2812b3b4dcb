/**
 * The commit message of a run: a subject, one paragraph per stepped canary with its verdict,
 * and one `Canary` / `Canary-Phase` / `Canary-Weight` trailer group per canary (parsed back by
 * `gitcanary history`). Text from a spec or a metrics server (metric names, error text) is
 * written inert ({@link quoteUntrusted}): it never reads back as a trailer, a revert or a
 * control sequence.
 */

import type { HookRecord } from '../core/types.js';
import { formatMessage, inertLine, quoteUntrusted } from '../git/trailers.js';
import type { CanaryPlan } from './canary.js';

export function commitMessage(plans: CanaryPlan[], now: Date): string {
  const changed = plans.filter((p) => p.changes.length > 0);
  const [only] = changed;
  const subject =
    changed.length === 1 && only
      ? `gitcanary: ${only.report.namespace}/${only.report.name} ${only.report.phase ?? ''} ${weightOf(only)}%`.trim()
      : `gitcanary: ${changed.length} canaries stepped`;
  const body: string[] = [`Evaluated at ${now.toISOString()}.`, ''];
  const trailers: Array<[string, string]> = [];
  for (const p of changed) {
    const id = `${p.report.namespace}/${p.report.name}`;
    body.push(`${id}: ${inertLine(p.report.message)}`);
    for (const m of p.decision?.verdict?.metrics ?? []) {
      const range = [
        m.min !== undefined ? `min ${m.min}` : '',
        m.max !== undefined ? `max ${m.max}` : '',
      ].filter(Boolean);
      const value = m.value === undefined ? 'no value' : String(round(m.value));
      body.push(
        `  ${quoteUntrusted(m.name)}: ${value}${range.length ? ` (${range.join(', ')})` : ''} ${m.result}${m.result === 'fail' ? `: ${quoteUntrusted(m.reason)}` : ''}`,
      );
    }
    for (const h of p.decision?.hooks ?? []) body.push(`  ${hookLine(h)}`);
    trailers.push(
      ['Canary', id],
      ['Canary-Phase', p.report.phase ?? 'Unknown'],
      ['Canary-Weight', String(weightOf(p))],
    );
  }
  return formatMessage(subject, body, trailers);
}

/** The canary weight now written in the routing object (what is live once applied). */
const weightOf = (p: CanaryPlan): number => p.routes?.canary ?? p.report.canaryWeight;

/**
 * One webhook call in the commit body; its name and answer are anyone's text, written inert.
 * @example hookLine({ name: 'load-test', type: 'rollout', ok: true, status: 202, snippet: '', attempts: 1, durationMs: 12 })
 * // 'webhook load-test (rollout): 202 ok in 12ms, 1 attempt'
 */
export function hookLine(h: HookRecord): string {
  const answer = h.status === undefined ? 'no answer' : String(h.status);
  const tries = `${h.attempts} attempt${h.attempts === 1 ? '' : 's'}`;
  const said = h.snippet ? `: ${quoteUntrusted(h.snippet)}` : '';
  return `webhook ${quoteUntrusted(h.name)} (${h.type}): ${answer} ${h.ok ? 'ok' : 'failed'} in ${Math.round(h.durationMs)}ms, ${tries}${said}`;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
