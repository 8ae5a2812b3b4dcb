import { describe, expect, it } from 'vitest';
import {
  eventPayload,
  hookPayload,
  hookSucceeded,
  hookTimeoutMs,
  revisionChecksum,
} from '../../src/hooks/payload.js';

const canary = { name: 'podinfo', namespace: 'test' };

describe('webhook payloads', () => {
  it("name, namespace, phase, checksum, and the hook's metadata only when it has some", () => {
    expect(hookPayload(canary, 'Progressing', 'abc', {})).toEqual({
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: 'abc',
    });
    expect(JSON.stringify(hookPayload(canary, 'Progressing', 'abc', { metadata: {} }))).not.toContain(
      'metadata',
    );
    expect(
      hookPayload(canary, 'Progressing', 'abc', { metadata: { type: 'cmd', cmd: 'hey -z 1m' } }).metadata,
    ).toEqual({
      type: 'cmd',
      cmd: 'hey -z 1m',
    });
  });

  it("event hooks: the event's message, type and unix-ms time win over the hook's keys", () => {
    const p = eventPayload(
      canary,
      'Failed',
      'abc',
      { metadata: { eventType: 'mine', team: 'a' } },
      {
        message: 'Canary failed! Scaling down podinfo.test',
        type: 'Warning',
        at: new Date('2026-01-01T12:00:00.123Z'),
      },
    );
    expect(p.metadata).toEqual({
      team: 'a',
      eventType: 'Warning',
      eventMessage: 'Canary failed! Scaling down podinfo.test',
      timestamp: '1767268800123',
    });
  });

  it('the checksum follows the revision and the tracked configs, not their order', () => {
    const a = revisionChecksum({
      lastAppliedSpec: 'r1',
      trackedConfigs: { 'configmap/a': '1', 'secret/b': '2' },
    });
    expect(
      revisionChecksum({ lastAppliedSpec: 'r1', trackedConfigs: { 'secret/b': '2', 'configmap/a': '1' } }),
    ).toBe(a);
    expect(
      revisionChecksum({ lastAppliedSpec: 'r2', trackedConfigs: { 'configmap/a': '1', 'secret/b': '2' } }),
    ).not.toBe(a);
    expect(
      revisionChecksum({ lastAppliedSpec: 'r1', trackedConfigs: { 'configmap/a': '9', 'secret/b': '2' } }),
    ).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    [undefined, 10_000],
    ['', 10_000],
    ['5', 10_000],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['soon', undefined],
  ])('timeout %j → %j ms', (timeout, ms) => {
    expect(hookTimeoutMs(timeout === undefined ? {} : { timeout })).toBe(ms);
  });

  it.each([
    [200, true],
    [201, true],
    [202, true],
    [203, false],
    [204, false],
    [403, false],
    [500, false],
  ])('status %d is success: %s', (status, ok) => {
    expect(hookSucceeded(status)).toBe(ok);
  });
});
