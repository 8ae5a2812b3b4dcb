/**
 * Attack: the `--metrics-server` flag or the Action's `metrics-server` input (in a pull_request
 * workflow the branch controls both) points at another host. It changes where queries go, but the
 * operator's PROMETHEUS_* credentials follow gitcanary.yaml's metricsServer (or
 * `egress.prometheusCredentials`), never the flag. Loopback servers record what they receive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/inputs/config.js';
import { metricsFactory } from '../../src/reconcile/observe.js';
import { listenLoopback } from '../support/loopback.js';

const token = 'flag-Test-Token-5b7a';
const seen: IncomingHttpHeaders[] = [];
let flagServer: { url: string; close(): Promise<void> };
const dirs: string[] = [];
const saved = process.env.PROMETHEUS_TOKEN;
beforeAll(async () => {
  process.env.PROMETHEUS_TOKEN = token;
  flagServer = await listenLoopback(
    createServer((req, res) => {
      seen.push(req.headers);
      res.end(
        JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, '1'] }] } }),
      );
    }),
  );
});
afterAll(async () => {
  if (saved === undefined) delete process.env.PROMETHEUS_TOKEN;
  else process.env.PROMETHEUS_TOKEN = saved;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await flagServer.close();
});

/** Loads a repository whose gitcanary.yaml is `yaml` with `--metrics-server <flag server>`, queries once. */
async function queryWithFlag(yaml: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'gitcanary-flags-'));
  dirs.push(dir);
  if (yaml !== undefined) writeFileSync(join(dir, 'gitcanary.yaml'), yaml);
  const config = await loadConfig(dir, { metricsServer: flagServer.url });
  seen.length = 0;
  const r = await metricsFactory(config)({ address: config.metricsServer, from: 'operator' }).query(
    'up',
    new Date(1_700_000_000_000),
  );
  return { config, r, auth: seen[0]?.authorization };
}

describe('flags do not widen the egress policy', () => {
  it('a flag replacing gitcanary.yaml metricsServer gets the query, not the token', async () => {
    const { config, r, auth } = await queryWithFlag('metricsServer: https://prom.operator.example/\n');
    expect(r).toEqual({ kind: 'value', value: 1 });
    expect(auth).toBeUndefined();
    expect(config.credentialServer).toBe('https://prom.operator.example/');
  });

  it('listed in egress.prometheusCredentials, the flag server gets the token', async () => {
    const { auth } = await queryWithFlag(
      `metricsServer: https://prom.operator.example/\negress:\n  prometheusCredentials: ["${flagServer.url}"]\n`,
    );
    expect(auth).toBe(`Bearer ${token}`);
  });

  it('with no metricsServer in gitcanary.yaml the flag is the operator’s server', async () => {
    expect((await queryWithFlag(undefined)).auth).toBe(`Bearer ${token}`);
    expect((await queryWithFlag('historyLimit: 5\n')).auth).toBe(`Bearer ${token}`);
  });
});
