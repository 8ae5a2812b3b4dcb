import { describe, expect, it } from 'vitest';
import { evaluate, judge } from '../../src/core/analysis.js';
import type { MetricCheck, QueryResult } from '../../src/core/types.js';

const rate: MetricCheck = { name: 'request-success-rate', kind: 'success-rate', thresholdRange: { min: 99 } };
const latency: MetricCheck = {
  name: 'request-duration',
  kind: 'duration',
  thresholdRange: { max: 500 },
  truncateMs: true,
};
const v = (value: number): QueryResult => ({ kind: 'value', value });

describe('judge (docs/flagger-behaviour.md §4.1)', () => {
  it.each<[string, MetricCheck, QueryResult, 'pass' | 'fail', string]>([
    ['min bound inclusive', rate, v(99), 'pass', 'within range'],
    ['below min', rate, v(98.99), 'fail', 'request-success-rate 98.99 < 99'],
    ['max bound inclusive', latency, v(500), 'pass', 'within range'],
    ['duration truncated to whole ms before comparing', latency, v(500.9), 'pass', 'within range'],
    ['above max', latency, v(501), 'fail', 'request-duration 501 > 500'],
    ['no data fails', rate, { kind: 'no-data' }, 'fail', 'no values found for metric request-success-rate'],
    ['provider error fails', rate, { kind: 'error', message: 'HTTP 500' }, 'fail', 'query failed: HTTP 500'],
    [
      'deprecated threshold, success rate',
      { name: 'sr', kind: 'success-rate', threshold: 99 },
      v(98),
      'fail',
      'sr 98 < 99 (threshold)',
    ],
    [
      'deprecated threshold, duration',
      { name: 'd', kind: 'duration', threshold: 500 },
      v(400),
      'pass',
      'within threshold',
    ],
    [
      'custom metric without range fails on any positive value',
      { name: 'errors', kind: 'custom' },
      v(0.5),
      'fail',
      'errors 0.50 > 0 (threshold)',
    ],
    [
      'custom metric without range passes at 0',
      { name: 'errors', kind: 'custom' },
      v(0),
      'pass',
      'within threshold',
    ],
    [
      'resolution error fails',
      { name: 'x', kind: 'custom', error: 'MetricTemplate test/x not found' },
      v(0),
      'fail',
      'MetricTemplate test/x not found',
    ],
  ])('%s', (_label, check, result, expected, reason) => {
    expect(judge(check, result)).toMatchObject({ result: expected, reason });
  });
});

describe('evaluate', () => {
  it('records every metric and reports the first failure', () => {
    const verdict = evaluate([
      { check: rate, result: v(100) },
      { check: latency, result: v(700) },
      { check: { ...rate, name: 'other' }, result: { kind: 'no-data' } },
    ]);
    expect(verdict.result).toBe('fail');
    expect(verdict.reason).toBe('request-duration 700 > 500');
    expect(verdict.metrics.map((m) => m.result)).toEqual(['pass', 'fail', 'fail']);
  });

  it('passes when all metrics are within range', () => {
    expect(evaluate([{ check: rate, result: v(99.5) }])).toMatchObject({
      result: 'pass',
      reason: '1 metric within range',
    });
  });
});
