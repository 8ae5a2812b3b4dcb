/**
 * Each egress attack of issue 11 against loopback servers standing in for the attacker: the
 * operator's credentials never reach a URL a spec chose, redirects carry none to another host,
 * answers are bounded, and no part of a secret comes back in a message.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/inputs/config.js';
import { providerForCheck } from '../../src/metrics/prometheus.js';
import { parseGoFloat } from '../../src/metrics/sample.js';

interface Loopback {
  url: string;
  seen: IncomingHttpHeaders[];
  respond: (res: ServerResponse, headers: IncomingHttpHeaders) => void;
  server: Server;
  written: number;
}
const ok = (res: ServerResponse) =>
  res.end(
    JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, '1'] }] } }),
  );

async function loopback(): Promise<Loopback> {
  const lb = { seen: [], respond: ok, written: 0 } as unknown as Loopback;
  lb.server = createServer((req, res) => {
    lb.seen.push(req.headers);
    lb.respond(res, req.headers);
  });
  await new Promise<void>((r) => lb.server.listen(0, '127.0.0.1', r));
  lb.url = `http://127.0.0.1:${(lb.server.address() as AddressInfo).port}`;
  return lb;
}
let operator: Loopback;
let attacker: Loopback;
beforeAll(async () => {
  operator = await loopback();
  attacker = await loopback();
});
afterAll(() => {
  for (const l of [operator, attacker]) {
    l.server.closeAllConnections();
    l.server.close();
  }
});
const token = 'Zq9-operator-token-7Hk2';
const env = { PROMETHEUS_TOKEN: token, GITCANARY_SECRET_APPS__PROM_TOKEN: 'apps-secret-value' };
const at = new Date(1_700_000_000_000);

describe('credentials go only where the operator said', () => {
  it('spec.metricsServer and a template address get no operator token; the operator server does', async () => {
    attacker.seen.length = 0;
    operator.seen.length = 0;
    const policy = { metricsServer: operator.url };
    await providerForCheck({ address: attacker.url, from: 'spec' }, { policy, env }).query('up', at);
    await providerForCheck({ address: operator.url, from: 'operator' }, { policy, env }).query('up', at);
    expect(attacker.seen[0]?.authorization).toBeUndefined();
    expect(operator.seen[0]?.authorization).toBe(`Bearer ${token}`);
  });

  it('a secretRef is read in the template namespace only', async () => {
    attacker.seen.length = 0;
    const policy = { metricsServer: operator.url };
    const other = await providerForCheck(
      { address: attacker.url, from: 'spec', secret: { namespace: 'evil', name: 'prom' } },
      { policy, env },
    ).query('up', at);
    expect(other).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('(namespace evil) not found'),
    });
    expect(attacker.seen).toHaveLength(0);
  });

  it('egress.allowedUrls refuses other spec URLs: a failed check with the reason, nothing sent', async () => {
    attacker.seen.length = 0;
    const policy = { metricsServer: operator.url, allowedUrls: ['https://prom.example.com/'] };
    const r = await providerForCheck({ address: attacker.url, from: 'spec' }, { policy, env }).query(
      'up',
      at,
    );
    expect(r).toMatchObject({ kind: 'error', message: expect.stringContaining('egress policy refuses') });
    expect(attacker.seen).toHaveLength(0);
  });

  it('plan on a branch: a changed URL gets no secret, the target branch URL does', async () => {
    attacker.seen.length = 0;
    const secret = { namespace: 'apps', name: 'prom' };
    const policy = { metricsServer: operator.url, targetUses: new Set([`${operator.url} apps/prom`]) };
    await providerForCheck({ address: attacker.url, from: 'spec', secret }, { policy, env }).query('up', at);
    expect(attacker.seen[0]?.authorization).toBeUndefined();
  });

  it('a redirect to another host carries no credential', async () => {
    attacker.seen.length = 0;
    operator.respond = (res) => {
      res.writeHead(302, { location: `${attacker.url}/api/v1/query?query=up` });
      res.end();
    };
    const policy = { metricsServer: operator.url };
    const r = await providerForCheck({ address: operator.url, from: 'operator' }, { policy, env }).query(
      'up',
      at,
    );
    operator.respond = ok;
    expect(r).toEqual({ kind: 'value', value: 1 });
    expect(attacker.seen).toHaveLength(1);
    expect(attacker.seen[0]?.authorization).toBeUndefined();
  });
});

describe('bounded input', () => {
  it('a 200 MB answer is cut at the cap: the read aborts, memory stays flat', async () => {
    let sent = 0;
    attacker.respond = (res) => {
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const pump = () => {
        while (sent < 200 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const before = process.memoryUsage().rss;
    const policy = { metricsServer: operator.url };
    const r = await providerForCheck(
      { address: attacker.url, from: 'spec' },
      { policy, env, maxBytes: 4 * 1024 * 1024, timeoutMs: 20_000 },
    ).query('up', at);
    const grown = process.memoryUsage().rss - before;
    attacker.respond = ok;
    expect(r).toMatchObject({ kind: 'error', message: expect.stringContaining('larger than 4194304 bytes') });
    expect(sent).toBeLessThan(50 * 1024 * 1024);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    console.log(`huge answer: server wrote ${sent >> 20} MiB before the abort, rss grew ${grown >> 20} MiB`);
  });

  it('a symlinked gitcanary.yaml is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitcanary-cfg-'));
    const outside = mkdtempSync(join(tmpdir(), 'gitcanary-outside-'));
    writeFileSync(join(outside, 'x.yaml'), 'metricsServer: http://evil.example/\n');
    mkdirSync(join(root, 'apps'));
    symlinkSync(join(outside, 'x.yaml'), join(root, 'gitcanary.yaml'));
    await expect(loadConfig(root, {})).rejects.toThrow(/gitcanary.yaml: is a symlink/);
  });

  it('an oversized gitcanary.yaml is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitcanary-cfg-'));
    writeFileSync(join(root, 'gitcanary.yaml'), `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    await expect(loadConfig(root, {})).rejects.toThrow(/over the 1048576-byte limit/);
  });
});

describe('redaction before the cut', () => {
  it('a server echoing the token cut at every length shows no part of it', async () => {
    const policy = { metricsServer: operator.url };
    for (let k = 1; k <= token.length; k++) {
      for (const pad of [0, 190 - k, 199 - k]) {
        operator.respond = (res) => {
          res.statusCode = 500;
          res.end(`${'e'.repeat(Math.max(0, pad))} ${token.slice(0, k)}`);
        };
        const r = await providerForCheck({ address: operator.url, from: 'operator' }, { policy, env }).query(
          'up',
          at,
        );
        const msg = r.kind === 'error' ? r.message : '';
        expect(msg).toContain('HTTP 500');
        expect(msg.includes(token.slice(0, Math.max(2, k)))).toBe(false);
      }
    }
    operator.respond = ok;
  });
});

describe('sample values as Go strconv.ParseFloat(s, 64)', () => {
  const table: Array<[string, number | undefined]> = [
    ['98.5', 98.5],
    ['+1', 1],
    ['.5', 0.5],
    ['1.', 1],
    ['-1e-3', -0.001],
    ['1e309', undefined],
    ['-1e309', undefined],
    ['1e-400', 0],
    ['0x64', undefined],
    ['0x1p-2', 0.25],
    ['0X1.8P1', 3],
    ['0x_1p0', 1],
    ['0x1p1024', undefined],
    ['1_000', 1000],
    ['_1', undefined],
    ['1__0', undefined],
    ['1_', undefined],
    ['1_.5', undefined],
    ['NaN', Number.NaN],
    ['nan', Number.NaN],
    ['+NaN', undefined],
    ['+Inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['infin', undefined],
    [' 1', undefined],
    ['1 ', undefined],
    ['', undefined],
    ['.', undefined],
    ['1e', undefined],
    ['0b1', undefined],
    ['1e+1_0', 1e10],
  ];
  it.each(table)('%j → %s', (s, want) => {
    const got = parseGoFloat(s);
    if (want !== undefined && Number.isNaN(want)) expect(got).toBeNaN();
    else expect(got).toBe(want);
  });
});

describe('validate names what the egress policy does to spec URLs', () => {
  it('a refused template address is an error with file and field', async () => {
    const { tempRepo } = await import('../inputs/temp-repo.js');
    const { runValidate } = await import('../../src/cli/validate.js');
    const root = await tempRepo({
      'gitcanary.yaml': 'egress:\n  allowedUrls: [https://prom.example.com/]\n',
      'apps/t.yaml':
        'apiVersion: flagger.app/v1beta1\nkind: MetricTemplate\nmetadata: { name: t, namespace: apps }\nspec:\n  provider: { type: prometheus, address: "http://evil.example:9090" }\n  query: up\n',
    });
    const { formatIssue } = await import('../../src/inputs/model.js');
    const result = await runValidate(root);
    expect(result.errors > 0 ? 1 : 0).toBe(1);
    expect(result.issues.map(formatIssue).join('\n')).toMatch(
      /apps\/t\.yaml:\d+: apps\/t: spec\.provider\.address: egress policy refuses http:\/\/evil\.example:9090/,
    );
  });
});
