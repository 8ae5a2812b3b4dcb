/**
 * Flags, help and version as a user meets them: each command takes its own flags (any other is
 * a usage error naming it), help and results on stdout, usage errors on stderr, exit codes.
 * The last group runs the bundled binary through a symlink (built once by the test setup, test/support/global-setup.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './cli-support.js';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

describe('version and help', () => {
  it('--version and version print the package version on stdout', async () => {
    expect(await run('--version')).toEqual({ code: 0, out: `gitcanary ${pkg.version}`, err: '' });
    expect(await run('version')).toEqual({ code: 0, out: `gitcanary ${pkg.version}`, err: '' });
  });

  it('--help lists every command; no command at all is a usage error on stderr', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const c of [
      'reconcile',
      'plan',
      'status',
      'wait',
      'validate',
      'history',
      'simulate',
      'promote',
      'approve',
      'demo',
    ])
      expect(help.out).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.out).toBe('');
    expect(none.err).toContain('Usage: gitcanary COMMAND');
  });

  it("a command's --help gives its synopsis, its own flags and an example", async () => {
    const { code, out, err } = await run('wait', '--help');
    expect([code, err]).toEqual([0, '']);
    expect(out.split('\n')[0]).toBe('Usage: gitcanary wait NAMESPACE/NAME [flags]');
    expect(out).toMatch(/^ {6}--for PHASE +the phase to wait for/m);
    expect(out).toMatch(/^ {6}--timeout DURATION +/m);
    expect(out).toMatch(/^Example:\n {2}gitcanary wait test\/podinfo --for Succeeded/m);
    expect(out).not.toContain('--dry-run');
    expect((await run('help', 'status')).out).toMatch(/^ {2}-n, --namespace NAMESPACE +only this namespace/m);
    expect((await run('status', '-h')).out).toMatch(/^ {2}-o, --output text\|json\|yaml\|wide +/m);
  });
});

describe('usage errors exit 2 on stderr, naming what is wrong', () => {
  it.each([
    [['status', '--dry-run'], 'error: unknown flag --dry-run for status (a flag of reconcile)'],
    [['plan', '--no-push'], 'error: unknown flag --no-push for plan (a flag of reconcile, promote'],
    [['status', '--frobnicate'], 'error: unknown flag --frobnicate for status\n'],
    [['validate', '-x'], 'error: unknown flag -x for validate'],
    [['reconcile', '-o', 'wide'], 'error: -o must be text, json, yaml for reconcile, got wide'],
    [['history'], 'error: history needs NAMESPACE/NAME'],
    [['status', 'a/b', 'c/d'], 'error: unexpected argument c/d for status'],
    [['wait', 'test/podinfo', '--timeout'], "error: Option '--timeout <value>' argument missing"],
    [['frobnicate'], 'error: unknown command frobnicate'],
    [['--repo', '.'], 'error: expected a command before --repo'],
  ])('%j', async (args, message) => {
    const { code, out, err } = await run(...args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toMatch(/Run gitcanary .*--help for usage\.$/);
  });

  it('bad values of known flags are configuration errors (exit 2), before any work', async () => {
    const bad = await run('wait', 'test/podinfo', '--repo', tmpdir(), '--timeout', '30');
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toBe('error: --timeout must be a duration such as 30s, 5m or 1h30m, got 30');
    const phase = await run('wait', 'test/podinfo', '--for', 'Done');
    expect(phase.code).toBe(2);
    expect(phase.err).toMatch(/^error: --for must be a phase \(.*Succeeded.*\), got Done$/);
  });
});

describe('the bundled binary through a symlinked bin', () => {
  const bin = mkdtempSync(join(tmpdir(), 'gitcanary-bin-'));
  symlinkSync(join(import.meta.dirname, '../../dist/cli.mjs'), join(bin, 'gitcanary'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const gitcanary = (...args: string[]) =>
    spawnSync(join(bin, 'gitcanary'), args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

  it('prints the embedded version and the help, loading no command code', () => {
    const v = gitcanary('--version');
    expect([v.status, v.stdout, v.stderr]).toEqual([0, `gitcanary ${pkg.version}\n`, '']);
    // A resolve hook lists every file the process loads for --help and --version.
    writeFileSync(
      join(bin, 'hooks.mjs'),
      "import { writeSync } from 'node:fs';\nexport async function resolve(s, c, next) {\n" +
        "  const r = await next(s, c);\n  if (r.url.startsWith('file:')) writeSync(2, 'LOADED ' + r.url + '\\n');\n  return r;\n}\n",
    );
    writeFileSync(
      join(bin, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    for (const args of [['status', '--help'], ['--version'], ['--help']]) {
      const traced = spawnSync(
        process.execPath,
        ['--import', join(bin, 'register.mjs'), join(bin, 'gitcanary'), ...args],
        { encoding: 'utf8' },
      );
      expect(traced.status).toBe(0);
      const loaded = [...traced.stderr.matchAll(/^LOADED file:\/\/(.*)$/gm)].map((m) => m[1]!);
      expect(loaded.length).toBeGreaterThan(1);
      const project = loaded.filter((f) => !f.startsWith(bin));
      // The entry, main with the command table, esbuild's runtime: no command, no library.
      expect(
        project.every((f) => /\/dist\/(cli\.mjs|cli-chunks\/(main|chunk)-[A-Z0-9]+\.mjs)$/.test(f)),
      ).toBe(true);
      const bytes = project.reduce((n, f) => n + statSync(f).size, 0);
      expect(bytes).toBeLessThan(40_000);
    }
  });

  it('sends an unknown flag to stderr with exit 2 and nothing on stdout', () => {
    const r = gitcanary('status', '--watch');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: unknown flag --watch for status\nRun gitcanary status --help for usage.\n');
  });
});
