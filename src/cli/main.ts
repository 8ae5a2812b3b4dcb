/**
 * The `gitcanary` command line: a thin layer over the library. Each command has its own flags
 * (a flag it does not take is a usage error naming it) and its code is imported only when it
 * runs, so `--help` and `--version` load nothing but this file and the command table.
 * Results go to `out` (stdout), usage text and errors to `err` (stderr).
 * Exit codes: 0 done, 1 some canary could not be reconciled (or the run failed), 2 usage or
 * configuration error.
 */
import { parseArgs } from 'node:util';
import type { FlagValues } from './commands/context.js';
import { type CommandSpec, commands } from './commands.js';
import { failure } from './failure.js';
import { commandHelp, overview } from './help.js';
import { version } from './version.js';

type Writer = (s: string) => void;

export async function main(
  argv: string[],
  out: Writer = (s) => process.stdout.write(`${s}\n`),
  err: Writer = (s) => process.stderr.write(`${s}\n`),
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    err(overview());
    return 2;
  }
  if (first === '--version') return printed(out, `gitcanary ${version()}`);
  if (first === '--help' || first === '-h') return printed(out, overview());
  if (first === 'help') {
    const spec = rest[0] === undefined ? undefined : commands[rest[0]];
    if (rest[0] !== undefined && !spec) return usageError(err, `unknown command ${rest[0]}`);
    return printed(out, spec ? commandHelp(rest[0]!, spec) : overview());
  }
  const spec = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (!spec) {
    const what = first.startsWith('-') ? `expected a command before ${first}` : `unknown command ${first}`;
    return usageError(err, what);
  }
  const parsed = parse(first, spec, rest);
  if (typeof parsed === 'string') return usageError(err, parsed, first);
  if (parsed.values.help) return printed(out, commandHelp(first, spec));
  try {
    const { run } = await spec.load();
    return await run({ name: first, values: parsed.values, positionals: parsed.positionals, out, err });
  } catch (e) {
    const f = failure(e);
    err(`error: ${f.message}`);
    return f.code;
  }
}

function printed(out: Writer, text: string): number {
  out(text);
  return 0;
}

function usageError(err: Writer, message: string, command?: string): number {
  const help = command ? `gitcanary ${command} --help` : 'gitcanary --help';
  err(`error: ${message}\nRun ${help} for usage.`);
  return 2;
}

/** The command's flags and positionals, or a usage message naming what is wrong. */
function parse(name: string, spec: CommandSpec, args: string[]) {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; default?: string | boolean; multiple?: boolean }
  > = {
    help: { type: 'boolean', short: 'h', default: false },
  };
  for (const [flag, f] of Object.entries(spec.flags)) {
    options[flag] = {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
    };
  }
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    // Only string flags are `multiple`, so a list holds strings only.
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    return parseFailure(name, e);
  }
  if (parsed.values.help) return parsed;
  const [min, max] = spec.arity;
  const n = parsed.positionals.length;
  if (n > max) return `unexpected argument ${parsed.positionals[max]} for ${name}`;
  if (n < min) return `${name} needs ${spec.args}`;
  const o = parsed.values.output;
  if (typeof o === 'string' && spec.outputs && !spec.outputs.includes(o))
    return `-o must be ${spec.outputs.join(', ')} for ${name}, got ${o}`;
  return parsed;
}

function parseFailure(name: string, e: unknown): string {
  const { code, message } = e as { code?: string; message?: string };
  const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message ?? '')?.[1] : undefined;
  if (unknown) {
    const long = unknown.replace(/^--?/, '').replace(/=.*$/, '');
    const takers = Object.keys(commands).filter((c) =>
      Object.entries(commands[c]!.flags).some(([f, s]) => f === long || s.short === long),
    );
    const hint = takers.length ? ` (a flag of ${takers.join(', ')})` : '';
    return `unknown flag ${unknown} for ${name}${hint}`;
  }
  return (message ?? String(e)).split('\n')[0]!;
}
