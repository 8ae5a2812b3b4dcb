/**
 * Debian's real Graphite for tests: carbon-cache (graphite-carbon) and graphite-web's render API
 * (graphite-web, served by Python's wsgiref through test/support/graphite/serve.py) on 127.0.0.1
 * only, with a temp config, storage and sqlite database, run as the current user. Data points go
 * in through carbon's plaintext protocol; graphite-web reads the whisper files and carbon's cache.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Graphite {
  /** graphite-web's base URL (the render API is `<url>/render`). */
  url: string;
  /** Writes `path value timestamp` lines through carbon's plaintext port. */
  send(points: { path: string; value: number; at: Date }[]): Promise<void>;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function waitFor(child: ChildProcess, what: RegExp, name: string, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out.slice(-2000)}`)), ms);
    const on = (c: Buffer) => {
      out += c.toString();
      const m = what.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

export async function startGraphite(): Promise<Graphite> {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-graphite-'));
  for (const d of ['conf', 'storage/whisper', 'log']) mkdirSync(join(dir, d), { recursive: true });
  const [line, pickle, query] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'conf/carbon.conf'),
    `[cache]
STORAGE_DIR = ${dir}/storage/
LOCAL_DATA_DIR = ${dir}/storage/whisper/
CONF_DIR = ${dir}/conf/
LOG_DIR = ${dir}/log/
PID_DIR = ${dir}/
DATABASE = whisper
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 10000
MAX_CREATES_PER_MINUTE = 10000
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${line}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${pickle}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = ${query}
WHISPER_AUTOFLUSH = True
WHISPER_FALLOCATE_CREATE = False
`,
  );
  writeFileSync(join(dir, 'conf/storage-schemas.conf'), '[all]\npattern = .*\nretentions = 60s:1d\n');
  const carbon = spawn('carbon-cache', [`--config=${dir}/conf/carbon.conf`, '--debug', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const web = spawn('/usr/bin/python3', [join(import.meta.dirname, 'graphite/serve.py')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GRAPHITE_TMP: dir, GRAPHITE_CARBONLINK: `127.0.0.1:${query}:a` },
  });
  const stop = async () => {
    for (const c of [carbon, web]) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(
      [carbon, web].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  let port: string;
  try {
    [, port] = await Promise.all([
      waitFor(carbon, new RegExp(`CarbonReceiverFactory starting on (${line})`), 'carbon-cache'),
      waitFor(web, /listening (\d+)/, 'graphite-web'),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    send: (points) =>
      new Promise((resolve, reject) => {
        const s = connect(line, '127.0.0.1', () => {
          s.end(points.map((p) => `${p.path} ${p.value} ${Math.floor(p.at.getTime() / 1000)}\n`).join(''));
        });
        s.once('error', reject);
        s.once('close', () => resolve());
      }),
    close: stop,
  };
}
