/**
 * `gitcanary validate`: every finding as `file:line: namespace/name: spec.path: message`.
 * Unknown fields are warnings (likely typos); the command exits 1 when any finding is an error.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../inputs/config.js';
import { loadRepo, validateRepo } from '../inputs/load.js';
import type { SpecIssue } from '../inputs/model.js';
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
  const inv = await loadRepo(root, await loadConfig(root, {}));
  const issues: SpecIssue[] = [...validateRepo(inv)];
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
