import { describe, expect, it } from 'vitest';
import { emptyStatus } from '../../src/core/decide.js';
import { formatStatus, parseStatus, statusPath } from '../../src/status/status-file.js';

const ref = { namespace: 'demo', name: 'podinfo' };

describe('status file', () => {
  it('round-trips a status with a verdict history', () => {
    const status = {
      ...emptyStatus(),
      phase: 'Progressing' as const,
      canaryWeight: 10,
      lastStepTime: '2026-01-01T00:00:00.000Z',
      history: [
        {
          time: '2026-01-01T00:00:00.000Z',
          phase: 'Progressing' as const,
          canaryWeight: 10,
          failedChecks: 0,
          message: 'Advance demo/podinfo canary weight 10',
          verdict: {
            result: 'pass' as const,
            reason: '1 metric within range',
            metrics: [
              {
                name: 'request-success-rate',
                value: 99.5,
                min: 99,
                result: 'pass' as const,
                reason: 'within range',
              },
            ],
          },
        },
      ],
    };
    const text = formatStatus(ref, status);
    expect(text).toMatch(/^# Canary status for demo\/podinfo/);
    expect(parseStatus(text, 'apps/podinfo/podinfo.status.yaml')).toEqual(status);
  });

  it('names the file and field of a broken status', () => {
    const text = formatStatus(ref, emptyStatus()).replace('canaryWeight: 0', 'canaryWeight: lots');
    expect(() => parseStatus(text, 'apps/x/podinfo.status.yaml')).toThrow(
      /^apps\/x\/podinfo.status.yaml: status.canaryWeight: /,
    );
  });

  it('lives next to the Canary file', () => {
    expect(statusPath('apps/podinfo', ref)).toBe('apps/podinfo/podinfo.status.yaml');
    expect(statusPath('', ref)).toBe('podinfo.status.yaml');
  });
});
