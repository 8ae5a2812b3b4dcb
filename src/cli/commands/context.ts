/** What a command's implementation receives from `main`, and what it returns (the exit code). */

/** Parsed flags: strings, booleans and (for `multiple` flags) lists of strings, by long name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  name: string;
  values: FlagValues;
  positionals: string[];
  /** Results (stdout): what `-o json | jq` reads. */
  out: (s: string) => void;
  /** Diagnostics (stderr): notes, freshness lines, progress. */
  err: (s: string) => void;
}

export type CommandRun = (ctx: CommandContext) => Promise<number>;
