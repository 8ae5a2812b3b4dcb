/**
 * `gitcanary simulate NAMESPACE/NAME (--observations FILE | --from-status)`: the decisions of one
 * run against recorded metric values; with --from-status, the values recorded in the canary's
 * status file, and whether the replay reproduces the recorded decisions.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { loadConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import { planChecks } from '../metrics/checks.js';
import { builtinTemplates } from '../reconcile/observe.js';
import { type RecordedTick, recordedFromHistory, type SimLine, simulate } from '../reconcile/simulate.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import { table } from './table.js';

export interface SimulateResult {
  lines: SimLine[];
  /** With --from-status: whether phase, weight and failed checks match the recorded run. */
  reproduced?: boolean;
}

export async function runSimulate(
  repoDir: string,
  id: string,
  source: { observations?: string; fromStatus?: boolean },
): Promise<SimulateResult> {
  const root = resolve(repoDir);
  const config = await loadConfig(root, {});
  const inv = await loadRepo(root, config);
  const c = inv.canaries.find((x) => `${x.ref.namespace}/${x.ref.name}` === id);
  if (!c) throw new ConfigurationError(`canary ${id} not found`);
  const checks = planChecks(c, inv.templates, builtinTemplates(), config.meshProvider);
  if (source.fromStatus) {
    const path = statusPath(c.dir, c.ref);
    const status = parseStatus(await readFile(join(root, path), 'utf8'), path);
    const { run, ticks } = recordedFromHistory(status.history);
    const start = new Date(run[0]?.time ?? Date.now());
    const lines = simulate(c, checks, ticks, start);
    // A held analysis reproduces as held: same weight and failed checks (the count is checked too).
    const key = (x: { phase: string; canaryWeight: number; failedChecks: number }) =>
      `${x.phase}/${x.canaryWeight}/${x.failedChecks}`;
    // A run still under way is reproduced when its recorded ticks are (the simulation may go on).
    const reproduced = lines.length >= run.length && run.every((r, i) => key(lines[i]!) === key(r));
    return { lines, reproduced };
  }
  if (!source.observations)
    throw new ConfigurationError('simulate needs --observations FILE or --from-status');
  const doc = parse(await readFile(source.observations, 'utf8')) as {
    ticks?: Array<{ metrics?: RecordedTick }>;
  };
  if (!Array.isArray(doc?.ticks))
    throw new ConfigurationError(`${source.observations}: ticks: expected a list`);
  const ticks = doc.ticks.map((t, i) => {
    if (!t?.metrics || typeof t.metrics !== 'object') {
      throw new ConfigurationError(
        `${source.observations}: ticks.${i}.metrics: expected a map of metric name to value`,
      );
    }
    return t.metrics;
  });
  return { lines: simulate(c, checks, ticks, new Date('2026-01-01T00:00:00Z')) };
}

export function formatSimulation(r: SimulateResult): string {
  const rows = r.lines.map((l) => [
    String(l.tick),
    l.phase,
    `${l.routes.primary}/${l.routes.canary}${l.routes.mirrored ? ' mirror' : ''}`,
    String(l.failedChecks),
    l.inconclusiveChecks > 0 ? String(l.inconclusiveChecks) : '',
    l.analysed ? 'yes' : '',
    l.message,
  ]);
  const out = [table(['TICK', 'PHASE', 'ROUTES', 'FAILEDCHECKS', 'HELD', 'ANALYSED', 'MESSAGE'], rows)];
  if (r.reproduced !== undefined)
    out.push('', `replay reproduces the recorded run: ${r.reproduced ? 'yes' : 'NO'}`);
  return out.join('\n');
}
