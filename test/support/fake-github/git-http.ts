/**
 * Smart-HTTP git for the fake GitHub: each request runs `git http-backend` as a CGI program over
 * the bare repositories under `root` (`/{owner}/{repo}.git/...`). Pushes need no credentials
 * (`http.receivepack=true`, a fixed REMOTE_USER); hooks in the bare repos run as on a real server.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function gitHttpHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: 'fake-github',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    };
    const length = req.headers['content-length'];
    if (length) env.CONTENT_LENGTH = length;
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      env[`HTTP_${key.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
    }
    const cgi = spawn('git', ['http-backend'], { env });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => {});
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let separator = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        separator = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split(/\r?\n/)) {
        const m = /^([^:]+):\s*(.*)$/.exec(line);
        if (!m?.[1] || m[2] === undefined) continue;
        if (m[1].toLowerCase() === 'status') status = Number.parseInt(m[2], 10);
        else res.setHeader(m[1], m[2]);
      }
      res.writeHead(status);
      res.write(head.subarray(end + separator));
    });
    cgi.stderr.on('data', (d: Buffer) => process.stderr.write(`[fake-github http-backend] ${d}`));
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500);
      res.end();
    });
  };
}
