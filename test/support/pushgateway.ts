/**
 * Debian's real Prometheus Pushgateway on a free 127.0.0.1 port, and a real Prometheus that
 * scrapes it every second (honor_labels, as the Pushgateway's docs ask), for the metrics-export
 * tests. PUSHGATEWAY_BIN overrides the binary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus.js';

export interface Scraped {
  pushgateway: string;
  prometheus: string;
  /** The result vector of an instant query, once Prometheus has it. */
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

async function ready(url: string, proc: ChildProcess, what: string, stderr: () => string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready after 15s: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function start(bin: string, args: string[]) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  };
  return { proc, stop, stderr: () => err };
}

export async function startScrapedPushgateway(): Promise<Scraped> {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-pgw-'));
  const gwPort = await freePort();
  const gw = start(process.env.PUSHGATEWAY_BIN ?? 'prometheus-pushgateway', [
    `--web.listen-address=127.0.0.1:${gwPort}`,
    '--log.level=warn',
  ]);
  const pushgateway = `http://127.0.0.1:${gwPort}`;
  await ready(`${pushgateway}/-/ready`, gw.proc, 'pushgateway', gw.stderr);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{ targets: ['127.0.0.1:${gwPort}'] }]\n`,
  );
  const promPort = await freePort();
  const prom = start(process.env.PROMETHEUS_BIN ?? 'prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ]);
  const prometheus = `http://127.0.0.1:${promPort}`;
  await ready(`${prometheus}/-/ready`, prom.proc, 'prometheus', prom.stderr);
  return {
    pushgateway,
    prometheus,
    async query(q) {
      const r = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await r.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result;
    },
    async stop() {
      await prom.stop();
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
