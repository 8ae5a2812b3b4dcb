/**
 * Makes sure a real Prometheus and promtool are available before any test runs. Uses
 * PROMETHEUS_BIN / PROMTOOL_BIN when set, else the binaries on PATH, else installs Debian's
 * `prometheus` package (root + apt-get). Never skips: without them the run fails loudly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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
}
