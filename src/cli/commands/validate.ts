/** `gitcanary validate`. */
import { formatIssue } from '../../inputs/model.js';
import { runValidate } from '../validate.js';
import { apiRepo, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ values, out }: CommandContext): Promise<number> {
  await apiRepo(values);
  const r = await runValidate(str(values, 'repo') ?? '.');
  await printResult(str(values, 'output'), out, r, () =>
    [
      ...r.issues.map((i) => `${i.severity === 'warning' ? 'warning: ' : ''}${formatIssue(i)}`),
      `${r.canaries} canaries, ${r.errors} errors, ${r.warnings} warnings`,
    ].join('\n'),
  );
  return r.errors > 0 ? 1 : 0;
}
