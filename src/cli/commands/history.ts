/** `gitcanary history NAMESPACE/NAME`. */
import { canaryHistory } from '../../reconcile/history.js';
import { formatHistory } from '../output.js';
import { apiRepo, canaryId, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ values, positionals, out }: CommandContext): Promise<number> {
  const rows = await canaryHistory(
    str(values, 'repo') ?? '.',
    canaryId(positionals[0]),
    await apiRepo(values),
  );
  await printResult(str(values, 'output'), out, { history: rows }, () => formatHistory(rows));
  return 0;
}
