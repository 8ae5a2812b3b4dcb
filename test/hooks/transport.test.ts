/**
 * The webhook transport on the bounded client: `disableTLS` against a self-signed HTTPS server
 * (that hook only), the host map, the egress policy on the spec's URL, the size cap, and no
 * credential ever sent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttps, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/core/types.js';
import { boundedTransport, callHook } from '../../src/hooks/caller.js';
import { hookPayload } from '../../src/hooks/payload.js';
import type { LoadedCanary } from '../../src/inputs/model.js';
import { decideEgress } from '../../src/net/egress.js';
import { boundedSend } from '../../src/net/http.js';
import { sendEntry } from '../../src/notify/send.js';
import { silentLogger } from '../../src/reconcile/logger.js';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';

let tls: Server;
let tlsUrl: string;
let lt: LoadTester;
const seen: Array<Record<string, string | string[] | undefined>> = [];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    tls = createHttps(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        seen.push(req.headers);
        req.resume();
        req.on('end', () => {
          res.writeHead(200);
          res.end(req.url === '/big' ? 'x'.repeat(10_000) : 'Approved');
        });
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  lt = await startLoadTester();
});
afterAll(async () => {
  tls.closeAllConnections();
  tls.close();
  await lt.close();
});

const payload = hookPayload({ name: 'podinfo', namespace: 'test' }, 'Progressing', 'c1', {});
const send = boundedTransport({ maxBytes: 4096 });

describe('webhook transport', () => {
  it('disableTLS accepts a self-signed certificate for that hook only', async () => {
    expect(await callHook({ name: 'a', url: `${tlsUrl}/`, disableTLS: true }, payload, send)).toMatchObject({
      ok: true,
      status: 200,
      snippet: 'Approved',
    });
    const strict = await callHook({ name: 'b', url: `${tlsUrl}/` }, payload, send);
    expect(strict.ok).toBe(false);
    expect(strict.status).toBeUndefined();
    expect(strict.snippet).toMatch(/certificate/i);
    // Nothing of the operator's goes with a call.
    expect(seen.every((h) => h.authorization === undefined && h.cookie === undefined)).toBe(true);
    expect(seen[0]?.['content-type']).toBe('application/json');
  });

  it('an answer over the size cap is a failed call', async () => {
    const r = await callHook({ name: 'big', url: `${tlsUrl}/big`, disableTLS: true }, payload, send);
    expect(r).toMatchObject({ ok: false });
    expect(r.snippet).toMatch(/larger than 4096 bytes/);
  });

  it('the host map sends a cluster-local name to the loopback load tester; the policy judges the spec URL', async () => {
    const host = 'flagger-loadtester.flagger-system';
    const hostMap = { [host]: new URL(lt.url).host };
    const mapped = boundedTransport({ maxBytes: 4096, hostMap });
    lt.setGate('podinfo', 'test', true);
    expect(await callHook({ name: 'g', url: `http://${host}/gate/check` }, payload, mapped)).toMatchObject({
      ok: true,
      snippet: 'Approved',
    });
    const policy = { metricsServer: 'http://prom:9090', allowedUrls: ['http://hooks.example/'] };
    const refuse = (u: URL) => {
      const d = decideEgress(policy, { url: u.href, from: 'spec' });
      return d.allowed ? undefined : d.reason;
    };
    const guarded = boundedTransport({ maxBytes: 4096, hostMap, refuse });
    const r = await callHook({ name: 'g', url: `http://${host}/gate/check` }, payload, guarded);
    expect(r.ok).toBe(false);
    expect(r.snippet).toContain(`egress policy refuses http://${host}/gate/check`);
    const allowed = boundedTransport({
      maxBytes: 4096,
      hostMap,
      refuse: (u) => {
        const d = decideEgress(
          { ...policy, allowedUrls: [`http://${host}/`] },
          { url: u.href, from: 'spec' },
        );
        return d.allowed ? undefined : d.reason;
      },
    });
    expect((await callHook({ name: 'g', url: `http://${host}/gate/check` }, payload, allowed)).ok).toBe(true);
  });

  it('a URL that is not http(s) is a failed call, not a crash', async () => {
    expect(await callHook({ name: 'f', url: 'file:///etc/passwd' }, payload, send)).toMatchObject({
      ok: false,
      snippet: 'file: URLs are not called (http and https only)',
    });
  });

  it('an event webhook honours its own disableTLS; without it the self-signed certificate fails the send', async () => {
    const c = { ref: { namespace: 'test', name: 'podinfo' } } as LoadedCanary;
    const entry: OutboxEntry = {
      id: 'abc123',
      at: '2026-05-01T00:00:00Z',
      phase: 'Progressing',
      events: [{ type: 'Normal', message: 'Advance test/podinfo canary weight 10' }],
    };
    const sc = {
      transport: boundedSend,
      logger: silentLogger,
      env: {},
      maxBytes: 4096,
      refuse: () => undefined,
      checksum: 'c1',
    };
    const before = seen.length;
    const insecure = { name: 'events', type: 'event' as const, url: `${tlsUrl}/events`, disableTLS: true };
    expect(await sendEntry(c, entry, { alerts: [], hooks: [insecure] }, sc)).toEqual({
      delivered: 1,
      failed: 0,
    });
    expect(seen.length).toBe(before + 1);
    const verified = { name: 'events', type: 'event' as const, url: `${tlsUrl}/events` };
    expect(await sendEntry(c, entry, { alerts: [], hooks: [verified] }, sc)).toEqual({
      delivered: 0,
      failed: 1,
    });
    expect(seen.length).toBe(before + 1);
  });
});
