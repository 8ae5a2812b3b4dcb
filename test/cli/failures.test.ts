/**
 * A GitHub API that cannot be reached or refuses: one line on stderr (never a stack trace),
 * exit 1, nothing on stdout. The bundled binary runs against local servers on 127.0.0.1 that
 * answer as GitHub does and check each request.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failure } from '../../src/cli/failure.js';
import { ConfigurationError, TerminalError } from '../../src/errors.js';
import { symlinkedBin } from './cli-support.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A GitHub stand-in answering every request with `status` and GitHub's error body. */
async function github(
  status: number,
  message: string,
): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** `gitcanary status --commit-via api` against `apiUrl` as the symlinked binary. */
async function statusVia(apiUrl: string): Promise<{ code: number | null; out: string; err: string }> {
  const bin = symlinkedBin();
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-api-'));
  cleanups.push(bin.cleanup, () => rmSync(dir, { recursive: true, force: true }));
  const args = [
    'status',
    '--commit-via',
    'api',
    '--repo',
    join(dir, 'm'),
    '--github-repository',
    'acme/gitops',
  ];
  const child = spawn(bin.path, [...args, '--github-api-url', apiUrl], {
    env: { PATH: process.env.PATH, HOME: dir, GITHUB_TOKEN: 'ghp_testtoken123' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, out, err };
}

describe('an unreachable or refusing GitHub API', () => {
  it('connection refused: one line naming the host', async () => {
    const closed = await github(200, 'unused');
    const port = new URL(closed.url).port;
    for (const c of cleanups.splice(0)) c(); // the port is now closed
    const r = await statusVia(`http://127.0.0.1:${port}`);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `error: cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    });
  }, 60_000);

  it('401: the token was refused, and it was sent as GitHub expects', async () => {
    const gh = await github(401, 'Bad credentials');
    const r = await statusVia(gh.url);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'error: GET /repos/acme/gitops: 401 Bad credentials (the token was refused: check GITHUB_TOKEN or GH_TOKEN)\n',
    );
    expect(gh.requests.length).toBeGreaterThan(0);
    for (const q of gh.requests) {
      expect(q.headers.authorization).toBe('token ghp_testtoken123');
      expect(q.url).toBe('/repos/acme/gitops');
    }
    expect(r.err).not.toContain('ghp_testtoken123');
  }, 60_000);

  it('503 after the retries: one line, GitHub failed', async () => {
    const gh = await github(503, 'Service Unavailable');
    const r = await statusVia(gh.url);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: 'error: GET /repos/acme/gitops: 503 Service Unavailable (GitHub failed; retry later)\n',
    });
    expect(gh.requests.length).toBe(3);
  }, 60_000);
});

describe('failure', () => {
  it('classifies in one place: configuration 2, the rest 1, first line only', () => {
    expect(failure(new ConfigurationError('--mode must be commit'))).toEqual({
      code: 2,
      message: '--mode must be commit',
    });
    expect(failure(new TerminalError('git push: refused:\n  fatal: denied\n'))).toEqual({
      code: 1,
      message: 'git push: refused: fatal: denied',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.1',
      port: 443,
    });
    expect(failure(new TypeError('fetch failed', { cause: refused }))).toEqual({
      code: 1,
      message: 'cannot reach 10.0.0.1:443: connection refused (ECONNREFUSED): fetch failed',
    });
    expect(failure('a string')).toEqual({ code: 1, message: 'a string' });
  });
});
