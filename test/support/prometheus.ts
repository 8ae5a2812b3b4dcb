/**
 * A throwaway real Prometheus for tests: backfills OpenMetrics text with promtool into a temp dir,
 * checks every sample landed (promtool silently drops out-of-order samples and takes millisecond
 * timestamps as seconds), and serves it on a free 127.0.0.1 port. Start one per test file.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PromHandle {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Kills the server and removes its data dir. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const bin = (env: string, fallback: string): string => process.env[env] ?? fallback;

/** Sums the NUM SAMPLES column of `promtool tsdb list` and checks block times are plausible. */
function checkBackfill(tsdb: string, expectedSamples: number): void {
  const out = execFileSync(bin('PROMTOOL_BIN', 'promtool'), ['tsdb', 'list', tsdb], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  if (rows.length === 0) throw new Error('backfill produced no blocks');
  let samples = 0;
  for (const row of rows) {
    const [, minMs, maxMs, , numSamples] = row;
    if (Number(maxMs) > 1e13) throw new Error(`block ends at ${maxMs} ms: timestamps were not in seconds`);
    if (Number(minMs) < 0) throw new Error(`block starts before 1970: ${minMs}`);
    samples += Number(numSamples);
  }
  if (samples !== expectedSamples) {
    throw new Error(
      `backfill kept ${samples} of ${expectedSamples} samples (out-of-order or duplicate samples?)`,
    );
  }
}

/**
 * Backfills `openMetrics` (timestamps in SECONDS, per-series ascending, ending with `# EOF`) and
 * starts Prometheus (PROMETHEUS_BIN) on it, resolving once `/-/ready` answers.
 */
export async function startPrometheus(openMetrics: string): Promise<PromHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-prom-'));
  try {
    writeFileSync(join(dir, 'data.om'), openMetrics);
    writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\nscrape_configs: []\n');
    const tsdb = join(dir, 'tsdb');
    execFileSync(
      bin('PROMTOOL_BIN', 'promtool'),
      ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), tsdb],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 << 20,
      },
    );
    const expected = openMetrics.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    checkBackfill(tsdb, expected);
    const port = await freePort();
    const proc: ChildProcess = spawn(
      bin('PROMETHEUS_BIN', 'prometheus'),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${tsdb}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=100y',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const stop = async (): Promise<void> => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) {
        await stop();
        throw new Error(`prometheus exited with ${proc.exitCode}: ${stderr}`);
      }
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`prometheus not ready after 15s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return { url, stop };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
