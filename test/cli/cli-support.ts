/** Running the CLI in tests: in process (stdout and stderr kept apart) and as the bundled binary. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `dist/cli.mjs` (built once by the test setup) symlinked as `gitcanary` in a temporary bin folder. */
export function symlinkedBin(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-bin-'));
  const path = join(dir, 'gitcanary');
  symlinkSync(join(import.meta.dirname, '../../dist/cli.mjs'), path);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running child process whose output is collected as it comes. */
export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves when stderr matches. */
  stderrMatches(re: RegExp, timeoutMs?: number): Promise<void>;
}

export function start(bin: string, args: string[]): Running {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stderrMatches(re, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!re.test(err)) {
        if (Date.now() > until || child.exitCode !== null)
          throw new Error(`stderr never matched ${re}: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
