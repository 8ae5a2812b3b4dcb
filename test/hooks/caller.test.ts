/** Webhook calls against the loopback load tester and a misbehaving endpoint: success, failure, retries, timeouts. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedTransport, callHook, snippet } from '../../src/hooks/caller.js';
import { hookPayload } from '../../src/hooks/payload.js';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';

/** The run's transport: the bounded client, 64 KiB answers. */
const post = boundedTransport({ maxBytes: 65536 });
const noSleep = async () => {};

let lt: LoadTester;
let flaky: { url: string; hits: number; statuses: number[]; close(): void };
beforeAll(async () => {
  lt = await startLoadTester();
  const state = { hits: 0, statuses: [503, 502, 200] as number[] };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = state.statuses[Math.min(state.hits, state.statuses.length - 1)] ?? 200;
      state.hits++;
      if (status === 0) return; // hang
      res.writeHead(status);
      res.end(status >= 400 ? `upstream says no\n\u001b[31mred\u001b[0m ${'x'.repeat(300)}` : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  flaky = Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
});
afterAll(async () => {
  await lt.close();
  flaky.close();
});

const payload = hookPayload({ name: 'podinfo', namespace: 'test' }, 'Progressing', 'c1', {});

describe('callHook', () => {
  it('a closed gate fails with its answer, an open one passes', async () => {
    const gate = { name: 'gate', type: 'confirm-promotion' as const, url: `${lt.url}/gate/check` };
    expect(await callHook(gate, payload, post)).toMatchObject({
      name: 'gate',
      type: 'confirm-promotion',
      ok: false,
      status: 403,
      snippet: 'Forbidden',
      attempts: 1,
    });
    lt.setGate('podinfo', 'test', true);
    expect(await callHook(gate, payload, post)).toMatchObject({ ok: true, status: 200, snippet: 'Approved' });
  });

  it("a load test (cmd) is accepted with 202, and the load tester received Flagger's payload", async () => {
    const hook = { name: 'load-test', url: `${lt.url}/` };
    const p = hookPayload({ name: 'podinfo', namespace: 'test' }, 'Progressing', 'c1', {
      metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://podinfo-canary.test/' },
    });
    expect(await callHook(hook, p, post)).toMatchObject({ type: 'rollout', ok: true, status: 202 });
    expect(lt.commands.at(-1)).toBe('hey -z 1m -q 10 -c 2 http://podinfo-canary.test/');
    expect(lt.violations).toEqual([]);
  });

  it('retries on 5xx up to `retries`, then reports the last answer', async () => {
    flaky.hits = 0;
    flaky.statuses = [503, 502, 200];
    expect(
      await callHook({ name: 'f', url: flaky.url, retries: 2 }, payload, post, { sleep: noSleep }),
    ).toMatchObject({ ok: true, attempts: 3 });
    flaky.hits = 0;
    const r = await callHook({ name: 'f', url: flaky.url, retries: 1 }, payload, post, { sleep: noSleep });
    expect(r).toMatchObject({ ok: false, status: 502, attempts: 2 });
    expect(r.snippet.length).toBeLessThanOrEqual(201);
    expect(r.snippet).not.toMatch(/\p{Cc}/u);
  });

  it('203 is a failure; 501 is not retried', async () => {
    flaky.hits = 0;
    flaky.statuses = [203];
    expect(
      await callHook({ name: 'f', url: flaky.url, retries: 3 }, payload, post, { sleep: noSleep }),
    ).toMatchObject({ ok: false, status: 203, attempts: 1 });
    flaky.hits = 0;
    flaky.statuses = [501];
    expect(
      await callHook({ name: 'f', url: flaky.url, retries: 3 }, payload, post, { sleep: noSleep }),
    ).toMatchObject({ ok: false, status: 501, attempts: 1 });
  });

  it('a hanging endpoint costs its timeout and a failed call, never the run', async () => {
    flaky.hits = 0;
    flaky.statuses = [0];
    const r = await callHook({ name: 'slow', url: flaky.url, timeout: '500ms' }, payload, post);
    expect(r.ok).toBe(false);
    expect(r.status).toBeUndefined();
    expect(r.durationMs).toBeGreaterThanOrEqual(400);
    expect(r.durationMs).toBeLessThan(5000);
  });

  it('an unparsable timeout fails without a call; refused connections are failures', async () => {
    expect(await callHook({ name: 'x', url: flaky.url, timeout: 'soon' }, payload, post)).toMatchObject({
      ok: false,
      attempts: 0,
      snippet: 'invalid timeout "soon"',
    });
    expect(
      await callHook({ name: 'x', url: 'http://127.0.0.1:9/', retries: 1 }, payload, post, {
        sleep: noSleep,
      }),
    ).toMatchObject({ ok: false, attempts: 2 });
  });

  it('snippets are redacted before they are cut', () => {
    const secret = 'tok-0123456789';
    const echo = `${'a'.repeat(195)}${secret}`;
    const redact = (s: string) => s.replaceAll(secret, '***');
    expect(snippet(echo, redact)).toBe(`${'a'.repeat(195)}***`);
    expect(snippet(echo, redact)).not.toContain('tok-');
  });
});
