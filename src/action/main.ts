/**
 * The GitHub Action's entry point (bundled to dist/action.mjs): mask the secrets, parse the
 * inputs, run, set the outputs and the job summary. Exit code 1 when a canary could not be
 * reconciled or the configuration is bad; the annotations name the file, line and field.
 */

import { parseInputs, secretValues } from './inputs.js';
import { appendOutputs, appendSummary, command, maskCommands } from './io.js';
import { masker } from './logger.js';
import { type ActionOutcome, failedOutcome, placeOf, runAction } from './run.js';

const env = process.env;
const secrets = secretValues(env);
const write = (line: string) => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<number> {
  // Before anything else is printed: from here on the runner hides these values in the log.
  for (const line of maskCommands(secrets)) write(line);
  const deps = { env, write, cwd: process.cwd(), secrets };
  let outcome: ActionOutcome;
  try {
    outcome = await runAction(parseInputs(env), deps);
  } catch (e) {
    outcome = failedOutcome(placeOf({ path: '.' }, deps), e, deps);
  }
  appendOutputs(env, outcome.outputs);
  appendSummary(env, outcome.summary);
  return outcome.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    write(command('error', { title: 'gitcanary: internal error' }, masker(secrets)(message)));
    process.exitCode = 1;
  },
);
