import { describe, expect, it } from 'vitest';
import { analysisIntervalMs } from '../../src/inputs/defaults.js';
import { durationProblem, parseGoDuration } from '../../src/inputs/duration.js';
import { canarySchema } from '../../src/inputs/schema.js';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['1m30s', 90_000],
    ['500ms', 500],
    ['10s', 10_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1.s', 1000],
    ['10m1h', 4_200_000],
    ['0', 0],
    ['+5s', 5000],
    ['-5s', -5000],
    ['100us', 0.1],
    ['100µs', 0.1],
    ['2h45m', 9_900_000],
    ['1000000ns', 1],
  ])('%s → %s ms', (s, ms) => {
    expect(parseGoDuration(s)).toBeCloseTo(ms, 9);
  });

  it.each(['', '10', 's', '.s', '1x', '5mx', '1d', '1m 30s', '-', '1e3s', '3000000h'])(
    '%j is refused',
    (s) => {
      expect(parseGoDuration(s)).toBeUndefined();
    },
  );
});

describe('spec durations as Flagger admits them', () => {
  it.each([
    ['1m30s', undefined],
    ['500ms', undefined],
    ['30s', undefined],
    ['1m', undefined],
    ['10m1h', undefined],
    ['.5s', 'pattern'],
    ['1h', 'pattern'],
    ['1.5s', 'pattern'],
    ['soon', 'pattern'],
    ['', 'pattern'],
    ['5mx', 'go'],
    ['1m30', 'go'],
    ['10sec', 'go'],
  ])('%j: %s', (s, want) => {
    const problem = durationProblem(s);
    if (want === undefined) expect(problem).toBeUndefined();
    else if (want === 'pattern') expect(problem).toMatch(/^must start with digits followed by m or s/);
    else expect(problem).toMatch(/^is not a Go duration/);
  });

  const canary = (analysis: Record<string, unknown>) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
    },
  });

  it.each([
    [{ interval: '1h' }, 'analysis.interval'],
    [{ metrics: [{ name: 'm', interval: '.5s', query: 'up' }] }, 'analysis.metrics.0.interval'],
    [{ webhooks: [{ name: 'w', url: 'http://x', timeout: '5mx' }] }, 'analysis.webhooks.0.timeout'],
  ])('%j is an error naming the field', (analysis, path) => {
    const r = canarySchema.safeParse(canary(analysis));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([`spec.${path}`]);
  });

  it.each([
    ['1m30s', 90_000],
    ['500ms', 10_000],
    ['5s', 10_000],
    ['10s', 10_000],
    ['10m1h', 4_200_000],
  ])('analysis.interval %s counts as %s ms (floor 10 s)', (interval, ms) => {
    expect(analysisIntervalMs(canarySchema.parse(canary({ interval })))).toBe(ms);
  });
});
