/** The loopback load tester behaves as Flagger's: gates, rollback gates, tasks, and it checks the payload. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadTester, startLoadTester } from '../support/loadtester.js';

let lt: LoadTester;
beforeAll(async () => {
  lt = await startLoadTester();
});
afterAll(() => lt.close());

const payload = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'c1' };
const post = async (path: string, body: unknown, type = 'application/json') => {
  const r = await fetch(`${lt.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
};

describe('loopback load tester', () => {
  it('gates are closed until opened, stay open when checked, and close again', async () => {
    expect(await post('/gate/check', payload)).toEqual({ status: 403, text: 'Forbidden' });
    expect((await post('/gate/open', { ...payload })).status).toBe(202);
    expect(await post('/gate/check', payload)).toEqual({ status: 200, text: 'Approved' });
    expect(await post('/gate/check', payload)).toEqual({ status: 200, text: 'Approved' });
    expect((await post('/rollback/check', payload)).status).toBe(403);
    expect((await post('/gate/close', payload)).status).toBe(202);
    expect((await post('/gate/check', payload)).status).toBe(403);
    expect((await post('/gate/approve', payload)).status).toBe(200);
    expect((await post('/gate/halt', payload)).status).toBe(403);
  });

  it('tasks: cmd is queued (202), bash runs (200 or 500), no metadata is 400', async () => {
    expect(
      (await post('/', { ...payload, metadata: { cmd: 'hey -z 1m http://podinfo-canary.test:9898/' } }))
        .status,
    ).toBe(202);
    lt.bash = (cmd) => (cmd.includes('fail') ? 'exit status 1' : undefined);
    expect(
      await post('/', { ...payload, metadata: { type: 'bash', cmd: 'curl ok', returnCmdOutput: 'true' } }),
    ).toEqual({
      status: 200,
      text: 'ran curl ok\n',
    });
    expect(await post('/', { ...payload, metadata: { type: 'bash', cmd: 'fail now' } })).toEqual({
      status: 500,
      text: 'exit status 1',
    });
    expect(await post('/', payload)).toEqual({ status: 400, text: 'metadata not found in payload' });
    expect(lt.commands).toEqual(['hey -z 1m http://podinfo-canary.test:9898/', 'curl ok', 'fail now']);
  });

  it('refuses what is not the webhook API and says why', async () => {
    expect((await post('/gate/check', payload, 'text/plain')).status).toBe(400);
    expect(
      (await post('/gate/check', { name: 'podinfo', namespace: 'test', phase: 'Progressing' })).status,
    ).toBe(400);
    expect((await post('/gate/check', { ...payload, metadata: { n: 1 } })).status).toBe(400);
    expect(lt.violations).toEqual([
      'POST /gate/check: content type is not JSON',
      'POST /gate/check: payload.checksum is not a string',
      'POST /gate/check: payload.metadata is not a map of strings',
    ]);
  });
});
