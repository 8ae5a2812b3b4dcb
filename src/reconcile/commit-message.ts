/**
 * The commit message of a run: a subject, one paragraph per stepped canary with its verdict,
 * and one `Canary` / `Canary-Phase` / `Canary-Weight` trailer group per canary (parsed back by
 * `gitcanary history`). Text from a spec or a metrics server (metric names, error text) is
 * written inert ({@link quoteUntrusted}): it never reads back as a trailer, a revert or a
 * control sequence.
 */
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

const round = (n: number): number => Math.round(n * 1000) / 1000;
