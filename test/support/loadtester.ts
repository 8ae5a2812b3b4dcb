/**
 * A loopback server that behaves as Flagger's load tester (flagger-loadtester) for the webhook
 * tests: `POST /` runs a task chosen by `metadata.type` (`cmd` queued → 202; `bash` run at once
 * → 200, or 500 with the error; no metadata → 400), `/gate/check|open|close|approve|halt` and
 * `/rollback/check|open|close` with gates keyed `<name>.<namespace>` / `rollback.<name>.<namespace>`
 * (closed until opened, never closed by use). Every request is recorded and checked: POST, a JSON
 * content type, and Flagger's payload shape (`name`, `namespace`, `phase`, `checksum` strings,
 * `metadata` a string map when present); a request that breaks the shape gets 400 and is listed
 * in `violations`. The open and close calls a person makes (`/gate/open`, `/rollback/close` …)
 * need only `name` and `namespace`, as Flagger's load tester reads no more of them. Commands are
 * recorded, never executed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listenLoopback } from './loopback.js';

export interface LoadTesterRequest {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface LoadTester {
  url: string;
  requests: LoadTesterRequest[];
  /** Requests that broke the API (wrong method, content type or payload shape), with why. */
  violations: string[];
  /** Commands queued by `cmd` tasks and run by `bash` tasks, in order. */
  commands: string[];
  /** Opens or closes a gate as `POST /gate/open|close` (or `/rollback/…` with `rollback: true`) would. */
  setGate(name: string, namespace: string, open: boolean, rollback?: boolean): void;
  /** How `bash` tasks end: return an error text to fail with 500. */
  bash: (cmd: string) => string | undefined;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

const payloadFields = ['name', 'namespace', 'phase', 'checksum'];

/**
 * Why a body is not Flagger's webhook payload, or undefined when it is; `required` are the
 * fields that must be strings (all four for gitcanary's calls, `name` and `namespace` for a
 * person's open and close).
 */
function payloadProblem(body: unknown, required = payloadFields): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'payload is not an object';
  const b = body as Record<string, unknown>;
  for (const k of payloadFields) {
    if (!required.includes(k) && b[k] === undefined) continue;
    if (typeof b[k] !== 'string') return `payload.${k} is not a string`;
  }
  const extra = Object.keys(b).filter(
    (k) => !['name', 'namespace', 'phase', 'checksum', 'metadata'].includes(k),
  );
  if (extra.length > 0) return `unknown payload fields ${extra.join(', ')}`;
  if (b.metadata !== undefined) {
    const m = b.metadata;
    if (typeof m !== 'object' || m === null || Object.values(m).some((v) => typeof v !== 'string'))
      return 'payload.metadata is not a map of strings';
  }
  return undefined;
}

export async function startLoadTester(): Promise<LoadTester> {
  const gates = new Set<string>();
  const state: Omit<LoadTester, 'url' | 'close' | 'setGate'> = {
    requests: [],
    violations: [],
    commands: [],
    bash: () => undefined,
  };
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = await readBody(req);
    const reply = (status: number, body = '') => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    const violation = (why: string) => {
      state.violations.push(`${req.method} ${path}: ${why}`);
      reply(400, why);
    };
    if (req.method !== 'POST') return violation('not a POST');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return violation('content type is not JSON');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return violation('body is not JSON');
    }
    state.requests.push({ path, body, at: Date.now() });
    if (path === '/gate/approve') return reply(200, 'OK');
    if (path === '/gate/halt') return reply(403, 'Forbidden');
    const gate = /^\/(gate|rollback)\/(check|open|close)$/.exec(path);
    const byPerson = gate !== null && gate[2] !== 'check';
    const problem = payloadProblem(body, byPerson ? ['name', 'namespace'] : payloadFields);
    if (problem) return violation(problem);
    const key = `${body.name}.${body.namespace}`;
    if (gate) {
      const name = gate[1] === 'rollback' ? `rollback.${key}` : key;
      if (gate[2] === 'open') gates.add(name);
      if (gate[2] === 'close') gates.delete(name);
      if (gate[2] !== 'check') return reply(202);
      return gates.has(name) ? reply(200, 'Approved') : reply(403, 'Forbidden');
    }
    if (path !== '/') return reply(404, 'not found');
    const metadata = body.metadata as Record<string, string> | undefined;
    if (!metadata || Object.keys(metadata).length === 0) return reply(400, 'metadata not found in payload');
    const type = metadata.type ?? 'cmd';
    const cmd = metadata.cmd ?? '';
    if (type === 'bash') {
      state.commands.push(cmd);
      const err = state.bash(cmd);
      return err === undefined
        ? reply(200, metadata.returnCmdOutput === 'true' ? `ran ${cmd}\n` : '')
        : reply(500, err);
    }
    if (type !== 'cmd') return reply(400, `unknown task type ${type}`);
    if (!cmd) return reply(400, 'cmd not found');
    state.commands.push(cmd);
    return reply(202);
  });
  const served = await listenLoopback(server);
  return Object.assign(state, {
    url: served.url,
    setGate(name: string, namespace: string, open: boolean, rollback = false) {
      const k = `${rollback ? 'rollback.' : ''}${name}.${namespace}`;
      if (open) gates.add(k);
      else gates.delete(k);
    },
    close: served.close,
  });
}
