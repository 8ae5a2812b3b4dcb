/**
 * `boundedSend` against a loopback server: the method, body and headers arrive as sent, redirects
 * behave as Go's client (307/308 keep method and body, 301/302/303 continue as a GET), and the
 * answer is bounded in size and time like `boundedGet`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedSend, HttpFailure } from '../../src/net/http.js';

interface Seen {
  method: string;
  path: string;
  body: string;
  contentType: string | undefined;
}
const seen: Seen[] = [];
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end('ok');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        contentType: req.headers['content-type'],
      });
      handler(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const post = (path: string, extra: Partial<Parameters<typeof boundedSend>[0]> = {}) =>
  boundedSend({
    url: new URL(path, base),
    method: 'POST',
    body: '{"name":"podinfo"}',
    headers: new Headers({ 'content-type': 'application/json' }),
    timeoutMs: 2000,
    maxBytes: 1024,
    ...extra,
  });

describe('boundedSend', () => {
  it('sends the method, body and content type, and returns the status and body', async () => {
    seen.length = 0;
    handler = (_q, res) => {
      res.statusCode = 202;
      res.end('accepted');
    };
    const r = await post('/hook');
    expect(r).toMatchObject({ status: 202, body: 'accepted' });
    expect(seen).toEqual([
      { method: 'POST', path: '/hook', body: '{"name":"podinfo"}', contentType: 'application/json' },
    ]);
  });

  it('307 repeats the POST with its body at the new URL; 302 continues as a GET without it', async () => {
    seen.length = 0;
    handler = (req, res) => {
      if (req.url === '/a') res.writeHead(307, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(302, { location: '/c' }).end();
      else res.end('done');
    };
    const r = await post('/a');
    expect(r.body).toBe('done');
    expect(seen.map((s) => [s.method, s.path, s.body, s.contentType])).toEqual([
      ['POST', '/a', '{"name":"podinfo"}', 'application/json'],
      ['POST', '/b', '{"name":"podinfo"}', 'application/json'],
      ['GET', '/c', '', undefined],
    ]);
  });

  it('checks every hop with the policy, and bounds the answer', async () => {
    handler = (_q, res) => res.writeHead(308, { location: 'http://169.254.169.254/latest' }).end();
    const refuse = (u: URL) => (u.hostname === '169.254.169.254' ? 'not allowed' : undefined);
    await expect(post('/x', { refuse })).rejects.toMatchObject({ reason: 'refused' });
    handler = (_q, res) => res.end('x'.repeat(5000));
    await expect(post('/big')).rejects.toBeInstanceOf(HttpFailure);
    await expect(post('/big')).rejects.toMatchObject({ reason: 'too-large' });
    handler = () => {};
    await expect(post('/hang', { timeoutMs: 200 })).rejects.toMatchObject({ reason: 'timeout' });
  });
});
