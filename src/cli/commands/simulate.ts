/** `gitcanary simulate NAMESPACE/NAME`. */
import { formatSimulation, runSimulate } from '../simulate.js';
import { apiRepo, canaryId, printResult, str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ values, positionals, out }: CommandContext): Promise<number> {
  await apiRepo(values);
  const observations = str(values, 'observations');
  const r = await runSimulate(str(values, 'repo') ?? '.', canaryId(positionals[0]), {
    ...(observations ? { observations } : {}),
    fromStatus: values['from-status'] === true,
  });
  await printResult(str(values, 'output'), out, r, () => formatSimulation(r));
  return r.reproduced === false ? 1 : 0;
}
