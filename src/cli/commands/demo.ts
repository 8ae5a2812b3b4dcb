/** `gitcanary demo`. */
import { runDemo } from '../../demo/demo.js';
import type { CommandContext } from './context.js';

export async function run({ values, out }: CommandContext): Promise<number> {
  return await runDemo({ keep: values.keep === true, out });
}
