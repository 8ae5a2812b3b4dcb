/**
 * The test harness itself: the OpenMetrics generator's format and the backfill guard.
 */
import { describe, expect, it } from 'vitest';
import { changeAt, OpenMetrics } from '../support/openmetrics.js';
import { startPrometheus } from '../support/prometheus.js';

describe('OpenMetrics', () => {
  it('emits per-series ascending samples in seconds, grouped by family, no blank lines, # EOF last', () => {
    const om = new OpenMetrics({ start: 100, end: 145 })
      .counter('req_total', { code: '200' }, changeAt(115, 1, 10))
      .gauge('temp', { a: 'x"y' }, 2)
      .counter('req_total', { code: '500' }, 2);
    expect(om.toString()).toBe(
      [
        '# TYPE req counter',
        'req_total{code="200"} 0 100',
        'req_total{code="200"} 1 115',
        'req_total{code="200"} 11 130',
        'req_total{code="200"} 21 145',
        'req_total{code="500"} 0 100',
        'req_total{code="500"} 2 115',
        'req_total{code="500"} 4 130',
        'req_total{code="500"} 6 145',
        '# TYPE temp gauge',
        'temp{a="x\\"y"} 2 100',
        'temp{a="x\\"y"} 2 115',
        'temp{a="x\\"y"} 2 130',
        'temp{a="x\\"y"} 2 145',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('writes histograms as cumulative _bucket, _count and _sum series', () => {
    const text = new OpenMetrics({ start: 0, end: 15 })
      .histogram('lat', {}, { buckets: { '1': 2, '+Inf': 3 }, sum: 4 })
      .toString();
    expect(text).toContain('lat_bucket{le="1"} 2 15');
    expect(text).toContain('lat_bucket{le="+Inf"} 3 15');
    expect(text).toContain('lat_count 3 15');
    expect(text).toContain('lat_sum 4 15');
  });

  it('refuses millisecond timestamps', () => {
    expect(() => new OpenMetrics({ start: 1_700_000_000_000, end: 1_700_000_060_000 })).toThrow(/SECONDS/);
  });
});

describe('startPrometheus', () => {
  it('fails when promtool silently drops out-of-order samples', async () => {
    const text = '# TYPE x gauge\nx 1 1700000030\nx 2 1700000000\nx 3 1700000015\n# EOF\n';
    await expect(startPrometheus(text)).rejects.toThrow(/backfill kept 1 of 3 samples/);
  });
});
