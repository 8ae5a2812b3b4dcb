/**
 * The executable behind `gitcanary` (bundled to dist/cli.mjs): runs the CLI however it is
 * invoked — `node dist/cli.mjs`, the symlinked bin of `npx`, `npm exec`, `npm link` or a global
 * install. `main.ts` holds the commands and never runs on import, so tests import it freely.
 *
 * Output closed early (`gitcanary status | head -1`, a closed terminal) ends the process quietly
 * with status 0: the reader asked for no more, which is not an error of the run.
 */
import { closedOutput } from './closed-output.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (closedOutput(e)) process.exit(0);
    throw e;
  });
}

const args = process.argv.slice(2);

const { main } = await import('./main.js');
try {
  process.exitCode = await main(args);
} catch (e) {
  if (!closedOutput(e)) {
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
