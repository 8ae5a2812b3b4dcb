/**
 * `gitcanary history`: a canary's rollout timeline rebuilt from Git alone — every commit that
 * touched its folder (human source edits, requests, gitcanary steps), with the phase and weight
 * from the `Canary-*` trailers and the verdict from the commit body.
 */
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { openRepo } from '../git/cli-repo.js';
import type { GitRepo } from '../git/port.js';
import { parseTrailers } from '../git/trailers.js';
import { loadConfig } from '../inputs/config.js';
import { loadRepo } from '../inputs/load.js';

export interface HistoryRow {
  time: string;
  author: string;
  commit: string;
  /** `gitcanary` for steps, `request` for promote/abort/…, `human` for other edits. */
  kind: 'gitcanary' | 'request' | 'human';
  phase?: string;
  weight?: number;
  request?: string;
  /** The step's message for this canary, or the commit subject. */
  message: string;
  /** Metric lines of the verdict, as written in the commit body. */
  verdict: string[];
}

export async function canaryHistory(repoDir: string, id: string, git?: GitRepo): Promise<HistoryRow[]> {
  const root = resolve(repoDir);
  const inv = await loadRepo(root, await loadConfig(root, {}));
  const c = inv.canaries.find((x) => `${x.ref.namespace}/${x.ref.name}` === id);
  if (!c) throw new ConfigurationError(`canary ${id} not found`);
  const repo = git ?? (await openRepo(root));
  const entries = await repo.log({ paths: c.dir ? [c.dir] : [] });
  return entries.map((e) => rowOf(e, id)).reverse();
}

function rowOf(
  e: { sha: string; author: string; authorEmail: string; date: Date; message: string },
  id: string,
): HistoryRow {
  const trailers = parseTrailers(e.message);
  const base = { time: e.date.toISOString(), author: e.author, commit: e.sha, verdict: [] as string[] };
  const subject = e.message.split('\n', 1)[0] ?? '';
  const group = trailerGroup(trailers, id);
  if (!group) {
    // A record of sent alerts (src/reconcile/alerts.ts) is gitcanary's, though no step.
    const notified = trailers.some(([k]) => k === 'Canary-Notified');
    return { ...base, kind: notified ? 'gitcanary' : 'human', message: subject };
  }
  if (group.request) return { ...base, kind: 'request', request: group.request, message: subject };
  const { message, verdict } = bodyFor(e.message, id);
  return {
    ...base,
    kind: 'gitcanary',
    ...(group.phase ? { phase: group.phase } : {}),
    ...(group.weight !== undefined ? { weight: group.weight } : {}),
    message: message ?? subject,
    verdict,
  };
}

/** The trailers that follow `Canary: <id>` up to the next `Canary:`. */
export function trailerGroup(trailers: Array<[string, string]>, id: string) {
  const start = trailers.findIndex(([k, v]) => k === 'Canary' && v === id);
  if (start < 0) return undefined;
  const out: { phase?: string; weight?: number; request?: string } = {};
  for (const [k, v] of trailers.slice(start + 1)) {
    if (k === 'Canary') break;
    if (k === 'Canary-Phase') out.phase = v;
    if (k === 'Canary-Weight') out.weight = Number(v);
    if (k === 'Canary-Request') out.request = v;
  }
  return out;
}

/** The `<id>: message` paragraph of a step commit and its indented metric lines. */
function bodyFor(message: string, id: string): { message?: string; verdict: string[] } {
  const lines = message.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${id}: `));
  if (at < 0) return { verdict: [] };
  const verdict: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('  ')) break;
    verdict.push(l.trim());
  }
  return { message: lines[at]!.slice(id.length + 2), verdict };
}
