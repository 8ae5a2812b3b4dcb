/**
 * What a status file may say, beyond its shape: times that parse, no time ahead of the run, and
 * no weight a phase cannot carry. A hand edit that contradicts itself (phase Succeeded with 20%
 * on the canary, a lastStepTime next year) is an error naming the file and field, so the canary
 * is reported and nothing is routed from it. Pure: the run's time is passed in.
 */
import { weightPhases } from '../core/phases.js';
import type { CanaryStatus } from '../core/types.js';

/** Clock skew allowed between the machine that wrote a time and the one reading it. */
export const maxFutureSkewMs = 5 * 60_000;

/** RFC 3339 with a zone, as gitcanary writes times (`2026-01-01T00:00:00.000Z`). */
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every time field of a status, by dot path; `''` is "never" where the field allows it. */
function timeFields(s: CanaryStatus): Array<{ path: string; value: string; empty: boolean; clock?: false }> {
  const out: Array<{ path: string; value: string; empty: boolean; clock?: false }> = [
    { path: 'status.lastTransitionTime', value: s.lastTransitionTime, empty: true },
    { path: 'status.lastStepTime', value: s.lastStepTime, empty: true },
  ];
  s.conditions.forEach((c, i) => {
    out.push({ path: `status.conditions.${i}.lastUpdateTime`, value: c.lastUpdateTime, empty: true });
    out.push({ path: `status.conditions.${i}.lastTransitionTime`, value: c.lastTransitionTime, empty: true });
  });
  s.history.forEach((h, i) => {
    out.push({ path: `status.history.${i}.time`, value: h.time, empty: false });
  });
  // requestedAt is the requesting machine's clock, not the run's: checked for form only.
  if (s.request)
    out.push({
      path: 'status.request.requestedAt',
      value: s.request.requestedAt,
      empty: false,
      clock: false,
    });
  return out;
}

/**
 * The first contradiction in `status`, as `<file>: <field>: <what>`, or undefined.
 * @example statusProblem({ ...s, phase: 'Succeeded', canaryWeight: 20 }, 'a.status.yaml')
 *   // 'a.status.yaml: status.canaryWeight: 20 with phase Succeeded (only Progressing, Waiting, Promoting carry canary traffic)'
 */
export function statusProblem(status: CanaryStatus, file: string, now?: Date): string | undefined {
  for (const t of timeFields(status)) {
    if (t.value === '' && t.empty) continue;
    const ms = Date.parse(t.value);
    if (!rfc3339.test(t.value) || Number.isNaN(ms))
      return `${file}: ${t.path}: ${JSON.stringify(t.value.slice(0, 40))} is not an RFC 3339 time`;
    if (now && t.clock !== false && ms > now.getTime() + maxFutureSkewMs)
      return `${file}: ${t.path}: ${t.value} is after the run's time ${now.toISOString()}`;
  }
  if (status.canaryWeight > 0 && !weightPhases.has(status.phase))
    return (
      `${file}: status.canaryWeight: ${status.canaryWeight} with phase ${status.phase} ` +
      `(only ${[...weightPhases].join(', ')} carry canary traffic); restore the file with git`
    );
  return undefined;
}
