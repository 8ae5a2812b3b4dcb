/**
 * A loopback server standing in for a metrics vendor's API: each route checks the request it
 * receives (method, path, headers, query parameters, body) and answers with a recorded body.
 * A request that no route accepts gets 400 with the reason, and is listed in `problems`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { listenLoopback } from './loopback.js';

export interface VendorRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Returns the answer, or a string saying why the request is wrong. */
export type Route = (r: VendorRequest) => { status: number; body: string; type?: string } | string;

export interface VendorApi {
  url: string;
  requests: VendorRequest[];
  problems: string[];
  answer: Route;
  close(): Promise<void>;
}

export async function startVendorApi(answer: Route): Promise<VendorApi> {
  const api: Omit<VendorApi, 'url' | 'close'> = { requests: [], problems: [], answer };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: VendorRequest = {
        method: req.method ?? '',
        path: u.pathname,
        params: u.searchParams,
        headers: req.headers,
        body,
      };
      api.requests.push(r);
      const a = api.answer(r);
      if (typeof a === 'string') {
        api.problems.push(a);
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(a);
        return;
      }
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' });
      res.end(a.body);
    });
  });
  const served = await listenLoopback(server);
  return Object.assign(api, {
    url: served.url,
    close: served.close,
  });
}
