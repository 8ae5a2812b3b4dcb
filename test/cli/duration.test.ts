/** CLI durations read exactly as Go's time.ParseDuration reads them (values from Go's own tests). */
import { describe, expect, it } from 'vitest';
import { durationFlag, formatDuration, parseGoDuration } from '../../src/cli/duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['+0', 0],
    ['-0', -0],
    ['5s', 5000],
    ['30s', 30_000],
    ['1478s', 1_478_000],
    ['-5s', -5000],
    ['+5s', 5000],
    ['5.0s', 5000],
    ['5.6s', 5600],
    ['5.s', 5000],
    ['.5s', 500],
    ['1.0s', 1000],
    ['1.00s', 1000],
    ['1.004s', 1004],
    ['100.00100s', 100_001],
    ['10ns', 10e-6],
    ['11us', 11e-3],
    ['12µs', 12e-3],
    ['12μs', 12e-3],
    ['13ms', 13],
    ['500ms', 500],
    ['14s', 14_000],
    ['15m', 900_000],
    ['16h', 57_600_000],
    ['3h30m', 12_600_000],
    ['1h30m', 5_400_000],
    ['10.5s4m', 250_500],
    ['-2m3.4s', -123_400],
    ['1h2m3s4ms5us6ns', 3_723_004.005006],
    ['39h9m14.425s', 140_954_425],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '3', '-', 's', '.', '-.', '.s', '+.s', '1d', '1h 30m', '5s ', '1e3s', '0x10s', 'ms'])(
    '%j is refused',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );

  it('names the flag when a value is bad or negative', () => {
    expect(durationFlag('--timeout', '30m')).toBe(1_800_000);
    expect(durationFlag('--timeout', '30')).toBe(
      '--timeout must be a duration such as 30s, 5m or 1h30m, got 30',
    );
    expect(durationFlag('--interval', '-1s')).toBe('--interval must not be negative, got -1s');
  });

  it('prints durations as Go does', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m0s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(500)).toBe('500ms');
  });
});
