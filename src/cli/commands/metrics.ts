/** `gitcanary metrics [--repo DIR]`: Flagger's metric families as a Prometheus textfile on stdout. */
import { repoMetrics } from '../../export/collect.js';
import { version } from '../version.js';
import { str } from './common.js';
import type { CommandContext } from './context.js';

export async function run({ values, out, err }: CommandContext): Promise<number> {
  const config = str(values, 'config');
  const text = await repoMetrics(str(values, 'repo') ?? '.', {
    version: version(),
    warn: (m) => err(`warning: ${m}`),
    ...(config ? { configFile: config } : {}),
  });
  out(text.trimEnd());
  return 0;
}
