/**
 * Ownership: no canary may write another canary's objects. Two canaries in one namespace that
 * name the same target workload, or whose rendered names (the apex Service, `-primary`,
 * `-canary`) overlap, collide; the one that already owns the objects (its status file exists)
 * carries on and the other is refused, naming both files and the field. With no owner (or two),
 * the first by file path keeps them. Pure: which status files exist is passed in.
 */
import { apexName } from '../inputs/defaults.js';
import { type LoadedCanary, refId } from '../inputs/model.js';
import { statusPath } from '../status/status-file.js';
import type { RepoFiles } from './context.js';

/** What a canary claims in its namespace, each with the field that claims it. */
function claims(c: LoadedCanary): Array<{ key: string; field: string }> {
  const t = c.canary.spec.targetRef;
  const apex = apexName(c.canary);
  const field = c.canary.spec.service.name ? 'spec.service.name' : 'spec.targetRef.name';
  return [
    { key: `${t.kind} ${t.name}`, field: 'spec.targetRef' },
    { key: `${t.kind} ${t.name}-primary`, field: 'spec.targetRef.name' },
    ...['', '-primary', '-canary'].map((s) => ({ key: `Service ${apex}${s}`, field })),
  ];
}

/**
 * Refusals by canary id (`namespace/name`): each names the owner, its file and the object.
 * @example ownershipConflicts([a, b], (c) => c === a) // Map { 'apps/b' => 'apps/b.yaml: spec.targetRef: … owned by apps/a (apps/a.yaml)' }
 */
export function ownershipConflicts(
  canaries: readonly LoadedCanary[],
  owns: (c: LoadedCanary) => boolean,
): Map<string, string> {
  const order = [...canaries].sort(
    (a, b) => Number(owns(b)) - Number(owns(a)) || (a.origin.file < b.origin.file ? -1 : 1),
  );
  const taken = new Map<string, LoadedCanary>();
  const refused = new Map<string, string>();
  for (const c of order) {
    const mine = claims(c).map((cl) => ({ ...cl, key: `${c.ref.namespace} ${cl.key}` }));
    const clash = mine.find((cl) => taken.has(cl.key));
    if (clash) {
      const owner = taken.get(clash.key)!;
      refused.set(
        refId(c.ref),
        `${c.origin.file}: ${clash.field}: ${clash.key.split(' ').slice(1).join(' ')} in namespace ` +
          `${c.ref.namespace} is owned by Canary ${refId(owner.ref)} (${owner.origin.file}); refused`,
      );
      continue;
    }
    for (const cl of mine) taken.set(cl.key, c);
  }
  return refused;
}

/** {@link ownershipConflicts} over a run's files: a canary owns its objects when its status file exists. */
export async function ownershipRefusals(
  files: RepoFiles,
  canaries: readonly LoadedCanary[],
): Promise<Map<string, string>> {
  const owners = new Set<LoadedCanary>();
  await Promise.all(
    canaries.map(async (c) => {
      // An unreadable status file (a link, a folder) is the canary's own error, reported when it
      // is reconciled; here it only means "not shown to own anything".
      const text = await files.read(statusPath(c.dir, c.ref)).catch(() => undefined);
      if (text !== undefined) owners.add(c);
    }),
  );
  return ownershipConflicts(canaries, (c) => owners.has(c));
}
