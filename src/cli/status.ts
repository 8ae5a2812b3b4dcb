/**
 * `gitcanary status`: every canary's status file, like `kubectl get canaries`.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';
import { diskFiles } from '../reconcile/context.js';
import { specNotes } from '../reconcile/report.js';
import { parseStatus, statusPath } from '../status/status-file.js';
import { table } from './table.js';

export interface StatusRow {
  namespace: string;
  name: string;
  status: string;
  weight: number;
  failedChecks: number;
  lastTransitionTime: string;
  file: string;
  error?: string;
  notes?: string[];
}

export async function statusRows(repoDir: string): Promise<StatusRow[]> {
  const root = resolve(repoDir);
  const config = await loadConfig(root, {});
  const inv = await loadRepo(root, config);
  const files = diskFiles(root);
  const rows: StatusRow[] = [];
  for (const c of inv.canaries) {
    const path = statusPath(c.dir, c.ref);
    const notes = specNotes(c);
    const base = {
      namespace: c.ref.namespace,
      name: c.ref.name,
      file: path,
      ...(notes.length ? { notes } : {}),
    };
    try {
      const text = await files.read(path);
      if (text === undefined) {
        rows.push({ ...base, status: 'New', weight: 0, failedChecks: 0, lastTransitionTime: '' });
        continue;
      }
      const s = parseStatus(text, path);
      rows.push({
        ...base,
        status: s.phase,
        weight: s.canaryWeight,
        failedChecks: s.failedChecks,
        lastTransitionTime: s.lastTransitionTime,
      });
    } catch (e) {
      rows.push({
        ...base,
        status: 'Error',
        weight: 0,
        failedChecks: 0,
        lastTransitionTime: '',
        error: String(e),
      });
    }
  }
  return rows.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

export function formatStatusTable(rows: StatusRow[]): string {
  const notes = rows.flatMap((r) => (r.notes ?? []).map((n) => `note: ${r.namespace}/${r.name}: ${n}`));
  return [tableOf(rows), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

function tableOf(rows: StatusRow[]): string {
  return table(
    ['NAMESPACE', 'NAME', 'STATUS', 'WEIGHT', 'FAILEDCHECKS', 'LASTTRANSITIONTIME'],
    rows.map((r) => [
      r.namespace,
      r.name,
      r.status,
      String(r.weight),
      String(r.failedChecks),
      r.lastTransitionTime,
    ]),
  );
}
