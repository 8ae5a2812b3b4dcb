/** `gitcanary version`. */
import { version } from '../version.js';
import type { CommandContext } from './context.js';

export async function run({ out }: CommandContext): Promise<number> {
  out(`gitcanary ${version()}`);
  return 0;
}
