/** The help texts, built from the command table (no library code is loaded). */
import { type CommandSpec, commands, type FlagSpec } from './commands.js';

const flagName = (name: string, f: FlagSpec): string =>
  `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;

/** `gitcanary status --help`: synopsis, what it does, its flags and an example. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([n, f]) => [flagName(n, f), f.help] as const);
  flags.push(['-h, --help', 'this help']);
  const width = Math.max(...flags.map(([n]) => n.length));
  const lines = [
    `Usage: gitcanary ${name}${spec.args ? ` ${spec.args}` : ''}${Object.keys(spec.flags).length ? ' [flags]' : ''}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    ...(spec.details ? ['', spec.details] : []),
    '',
    'Flags:',
    ...flags.map(([n, h]) => `  ${n.padEnd(width)}   ${h}`),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((e) => `  ${e}`),
  ];
  return lines.join('\n');
}

/** `gitcanary --help`: every command in one line. */
export function overview(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'gitcanary — Flagger-compatible progressive delivery that writes every step to Git',
    '',
    'Usage: gitcanary COMMAND [ARGS] [flags]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}   ${commands[n]!.summary}`),
    '',
    'Run gitcanary COMMAND --help for its flags and an example.',
    '',
    'GitHub (pull requests, --commit-via api): the token from GITHUB_TOKEN or GH_TOKEN (never a flag),',
    'the repository from --github-repository OWNER/NAME or GITHUB_REPOSITORY, the API from',
    '--github-api-url or GITHUB_API_URL (default api.github.com).',
    '',
    'Flags: -h, --help   this help;   --version   the version',
    'Exit codes: 0 done, 1 some canary could not be reconciled (or wait failed), 2 usage or configuration error.',
  ].join('\n');
}
