/**
 * `gitcanary validate`: every finding as `file:line: namespace/name: spec.path: message`.
 * Unknown fields are warnings (likely typos); the command exits 1 when any finding is an error.
 */
import { resolve } from 'node:path';
import { egressPolicy, loadConfig } from '../inputs/config.js';
import { loadRepo, validateRepo } from '../inputs/load.js';
import type { RepoInventory, SpecIssue } from '../inputs/model.js';
import { decideEgress, type EgressPolicy, show } from '../net/egress.js';
import { clusterLocalIssues } from '../notify/cluster-local.js';
import { diskFiles } from '../reconcile/context.js';
import { ownershipRefusals } from '../reconcile/ownership.js';
import { routerFor } from '../routers/registry.js';
import { ignoredFields } from '../routers/rendered-fields.js';

export interface ValidateResult {
  issues: SpecIssue[];
  canaries: number;
  errors: number;
  warnings: number;
}

export async function runValidate(repoDir: string): Promise<ValidateResult> {
  const root = resolve(repoDir);
  const config = await loadConfig(root, {});
  const inv = await loadRepo(root, config);
  const issues: SpecIssue[] = [
    ...validateRepo(inv),
    ...egressIssues(inv, egressPolicy(config)),
    ...clusterLocalIssues(inv),
    ...(await ownershipIssues(root, inv)),
  ];
  for (const c of inv.canaries) {
    const object = `${c.ref.namespace}/${c.ref.name}`;
    let problems: Array<{ path: string; message: string }>;
    try {
      problems = routerFor(c.provider).validate(c);
    } catch (e) {
      problems = [{ path: 'spec.provider', message: (e as Error).message }];
    }
    const at = { file: c.origin.file, line: c.origin.line, object };
    for (const p of problems) issues.push({ ...at, path: p.path, message: p.message, severity: 'error' });
    for (const p of ignoredFields(c))
      issues.push({ ...at, path: p.path, message: p.message, severity: 'warning' });
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { issues, canaries: inv.canaries.length, errors, warnings: issues.length - errors };
}

/**
 * What the egress policy says about each spec URL: a refused URL is an error (the check would
 * fail); a spec URL other than the operator's server is a warning (queried without credentials).
 */
function egressIssues(inv: RepoInventory, policy: EgressPolicy): SpecIssue[] {
  const out: SpecIssue[] = [];
  const check = (
    at: { file: string; line: number; object: string; path: string },
    url: string,
    secret?: { namespace: string; name: string },
  ) => {
    const d = decideEgress(policy, { url, from: 'spec', ...(secret ? { secret } : {}) });
    if (!d.allowed) out.push({ ...at, message: d.reason, severity: 'error' });
    else if (!d.credential && !secret)
      out.push({
        ...at,
        severity: 'warning',
        message: `${show(url)} is not the operator's metrics server: queried without the operator's Prometheus credentials`,
      });
  };
  for (const c of inv.canaries) {
    const url = c.canary.spec.metricsServer;
    const object = `${c.ref.namespace}/${c.ref.name}`;
    if (url) check({ file: c.origin.file, line: c.origin.line, object, path: 'spec.metricsServer' }, url);
  }
  for (const t of inv.templates) {
    const ns = t.value.metadata.namespace ?? 'default';
    const { address, secretRef } = t.value.spec.provider;
    const at = {
      file: t.origin.file,
      line: t.origin.line ?? 1,
      object: `${ns}/${t.value.metadata.name}`,
      path: 'spec.provider.address',
    };
    if (address) check(at, address, secretRef ? { namespace: ns, name: secretRef.name } : undefined);
  }
  return out;
}

/**
 * The canaries a run would refuse for reaching another canary's objects (same target workload,
 * overlapping rendered Service names in one namespace), each an error naming both canaries and
 * files; the owner is the one whose status file exists (else the first by file path).
 */
async function ownershipIssues(root: string, inv: RepoInventory): Promise<SpecIssue[]> {
  const refusals = await ownershipRefusals(diskFiles(root), inv.canaries);
  return inv.canaries.flatMap((c) => {
    const object = `${c.ref.namespace}/${c.ref.name}`;
    const text = refusals.get(object);
    if (!text) return [];
    // The refusal reads `file: field: message`; the issue carries file and field apart.
    const rest = text.startsWith(`${c.origin.file}: `) ? text.slice(c.origin.file.length + 2) : text;
    const cut = rest.indexOf(': ');
    const path = cut > 0 ? rest.slice(0, cut) : 'spec';
    const message = cut > 0 ? rest.slice(cut + 2) : rest;
    return [{ file: c.origin.file, line: c.origin.line, object, path, message, severity: 'error' as const }];
  });
}
