/**
 * `gitcanary validate`: every finding as `file:line: namespace/name: spec.path: message`.
 * Exit 1 when any is an error; unknown fields are warnings (likely typos).
 */
import { resolve } from 'node:path';
import { egressPolicy, loadConfig } from '../inputs/config.js';
import { loadRepo, validateRepo } from '../inputs/load.js';
import { formatIssue, type RepoInventory, type SpecIssue } from '../inputs/model.js';
import { decideEgress, type EgressPolicy, show } from '../net/egress.js';
import { routerFor } from '../routers/registry.js';

export async function runValidate(repoDir: string, out: (s: string) => void): Promise<number> {
  const root = resolve(repoDir);
  const config = await loadConfig(root, {});
  const inv = await loadRepo(root, config);
  const issues: SpecIssue[] = [...validateRepo(inv), ...egressIssues(inv, egressPolicy(config))];
  for (const c of inv.canaries) {
    const object = `${c.ref.namespace}/${c.ref.name}`;
    let problems: Array<{ path: string; message: string }>;
    try {
      problems = routerFor(c.provider).validate(c);
    } catch (e) {
      problems = [{ path: 'spec.provider', message: (e as Error).message }];
    }
    for (const p of problems) {
      issues.push({
        file: c.origin.file,
        line: c.origin.line,
        object,
        path: p.path,
        message: p.message,
        severity: 'error',
      });
    }
  }
  const errors = issues.filter((i) => i.severity === 'error');
  for (const i of issues) out(`${i.severity === 'warning' ? 'warning: ' : ''}${formatIssue(i)}`);
  out(`${inv.canaries.length} canaries, ${errors.length} errors, ${issues.length - errors.length} warnings`);
  return errors.length > 0 ? 1 : 0;
}

/**
 * What the egress policy says about each spec URL: a refused URL is an error (the check would
 * fail); a spec URL other than the operator's server is a warning (queried without credentials).
 */
function egressIssues(inv: RepoInventory, policy: EgressPolicy): SpecIssue[] {
  const out: SpecIssue[] = [];
  const check = (
    file: string,
    line: number,
    object: string,
    path: string,
    url: string,
    secret?: { namespace: string; name: string },
  ) => {
    const d = decideEgress(policy, { url, from: 'spec', ...(secret ? { secret } : {}) });
    if (!d.allowed) out.push({ file, line, object, path, message: d.reason, severity: 'error' });
    else if (!d.credential && !secret)
      out.push({
        file,
        line,
        object,
        path,
        severity: 'warning',
        message: `${show(url)} is not the operator's metrics server: queried without the operator's Prometheus credentials`,
      });
  };
  for (const c of inv.canaries) {
    const url = c.canary.spec.metricsServer;
    if (url)
      check(c.origin.file, c.origin.line, `${c.ref.namespace}/${c.ref.name}`, 'spec.metricsServer', url);
  }
  for (const t of inv.templates) {
    const m = t.value.metadata;
    const ns = m.namespace ?? 'default';
    const url = t.value.spec.provider.address;
    const ref = t.value.spec.provider.secretRef;
    if (url)
      check(
        t.origin.file,
        t.origin.line ?? 1,
        `${ns}/${m.name}`,
        'spec.provider.address',
        url,
        ref ? { namespace: ns, name: ref.name } : undefined,
      );
  }
  return out;
}
