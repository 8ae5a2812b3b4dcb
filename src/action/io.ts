/**
 * The GitHub Actions runtime protocol, without `@actions/core`: inputs from `INPUT_<NAME>`,
 * workflow commands on stdout (`::add-mask::`, `::error …::`, `::group::`), outputs and the job
 * summary appended to the files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
 * Everything here is small and pure except the two `append*` functions.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

export type Env = Record<string, string | undefined>;

/**
 * The variable the runner sets for an input: `INPUT_` + the name upper-cased with spaces
 * turned into `_` (hyphens are kept).
 *
 * @example inputVariable('metrics-server') // 'INPUT_METRICS-SERVER'
 */
export const inputVariable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** An input's value, trimmed; '' when the runner did not set it. */
export const readInput = (env: Env, name: string): string => (env[inputVariable(name)] ?? '').trim();

/**
 * Escapes a workflow command's message the way the runner unescapes it.
 *
 * @example escapeData('50%\nnext') // '50%25%0Anext'
 */
export const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * Escapes a workflow command's property value: as `escapeData`, plus `:` and `,`, which separate
 * properties.
 *
 * @example escapeProperty('a,b:c') // 'a%2Cb%3Ac'
 */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** Properties of an annotation (`::error file=…,line=…,title=…::`). */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/**
 * One workflow command line (without the newline).
 *
 * @example command('error', { file: 'a.yaml', line: 3 }, 'bad') // '::error file=a.yaml,line=3::bad'
 */
export function command(
  name: string,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/**
 * `::add-mask::` lines for secret values: one per non-empty line of each value (the runner
 * masks line by line), without duplicates.
 */
export function maskCommands(secrets: Iterable<string>): string[] {
  const lines = new Set<string>();
  for (const s of secrets) {
    for (const line of s.split(/\r?\n/)) if (line.trim()) lines.add(line);
  }
  return [...lines].map((l) => command('add-mask', {}, l));
}

/**
 * One entry of the `GITHUB_OUTPUT` file in the heredoc form, which takes any value:
 * `name<<ghadelimiter_<uuid>`, the value, the delimiter. Refuses a name or value containing
 * the delimiter.
 */
export function outputEntry(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`output ${name}: the name or value contains the delimiter ${delimiter}`);
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/**
 * Reads a `GITHUB_OUTPUT` file back (both `name=value` and heredoc entries), as the runner does.
 * Used by tests and handy for local runs.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc) {
      const name = heredoc[1]!;
      const delimiter = heredoc[2]!;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`output ${name}: no closing delimiter ${delimiter}`);
      out[name] = value.join('\n');
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`invalid output line: ${line}`);
    }
  }
  return out;
}

/** Appends outputs to the file at `GITHUB_OUTPUT`; without one (a local run) returns false. */
export function appendOutputs(env: Env, outputs: Record<string, string>): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  appendFileSync(
    file,
    Object.entries(outputs)
      .map(([k, v]) => outputEntry(k, v))
      .join(''),
  );
  return true;
}

/** Appends markdown to the job summary at `GITHUB_STEP_SUMMARY`; without one returns false. */
export function appendSummary(env: Env, markdown: string): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return true;
}

/**
 * A markdown table cell: `|` escaped, newlines as `<br>` (a raw newline would end the row).
 *
 * @example cell('a|b\nc') // 'a\\|b<br>c'
 */
export const cell = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');

/** A markdown table; every cell escaped with `cell`. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map(cell)), line(header.map(() => '---')), ...rows.map((r) => line(r.map(cell)))].join(
    '\n',
  );
}
