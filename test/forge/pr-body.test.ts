/**
 * Pull-request bodies: golden files under fixtures/pr-body/ (regenerate with
 * `npx vitest run -u test/forge/pr-body.test.ts` and review the diff), plus the marker, hash,
 * comment and status helpers.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVerdict } from '../../src/core/compare.js';
import type { HistoryEntry, HookRecord, MetricVerdict, Phase, Verdict } from '../../src/core/types.js';
import { decimal, lineChart, uniqueLabels, yRange } from '../../src/forge/mermaid.js';
import {
  maxBodyLength,
  type PullRequestMarker,
  pullRequestBody,
  pullRequestTitle,
  readMarker,
  type StepEvidence,
  statusDescription,
  verdictComment,
  withClosedMarker,
} from '../../src/forge/pr-body.js';

const golden = resolve('fixtures/pr-body');
const t0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (minutes: number): string => new Date(t0 + minutes * 60_000).toISOString();

const successRate =
  'sum(rate(istio_requests_total{reporter="destination",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total[1m])) * 100';
const duration =
  'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket[1m])) by (le))';

function metrics(rate: number | undefined, latency: number | undefined): MetricVerdict[] {
  const ok = (v: number | undefined, min?: number, max?: number): boolean =>
    v !== undefined && !Number.isNaN(v) && (min === undefined || v >= min) && (max === undefined || v <= max);
  return [
    {
      name: 'request-success-rate',
      query: successRate,
      value: rate,
      min: 99,
      result: ok(rate, 99) ? 'pass' : 'fail',
      reason: ok(rate, 99) ? 'within range' : rate === undefined ? 'no values found' : 'below min 99',
    },
    {
      name: 'request-duration',
      query: duration,
      value: latency,
      max: 500,
      result: ok(latency, undefined, 500) ? 'pass' : 'fail',
      reason: ok(latency, undefined, 500)
        ? 'within range'
        : latency === undefined || Number.isNaN(latency)
          ? 'no values found'
          : 'above max 500',
    },
  ];
}

function verdictOf(ms: MetricVerdict[]): Verdict {
  const failed = ms.filter((m) => m.result === 'fail');
  return {
    result: failed.length === 0 ? 'pass' : 'fail',
    reason:
      failed.length === 0
        ? 'all metrics within range'
        : failed.map((m) => `${m.name} ${m.reason}`).join('; '),
    metrics: ms,
  };
}

function entry(
  minute: number,
  phase: Phase,
  weight: number,
  message: string,
  verdict?: Verdict,
): HistoryEntry {
  const h: HistoryEntry = { time: at(minute), phase, canaryWeight: weight, failedChecks: 0, message };
  if (verdict) h.verdict = verdict;
  return h;
}

const canary = { namespace: 'test', name: 'podinfo', file: 'apps/podinfo/canary.yaml' };
const planned = [10, 20, 30, 40, 50];

function firstStep(): StepEvidence {
  const v = verdictOf(metrics(99.87654, 123.456789));
  return {
    canary,
    revision: '5d8f7b9c4',
    from: { phase: 'Progressing', weight: 0 },
    to: { phase: 'Progressing', weight: 10 },
    message: 'Advance podinfo.test canary weight 10',
    failedChecks: 0,
    threshold: 5,
    plannedWeights: planned,
    verdict: v,
    history: [
      entry(0, 'Initialized', 0, 'Initialization done! podinfo.test'),
      entry(1, 'Progressing', 0, 'New revision detected! Scaling up podinfo.test'),
      entry(2, 'Progressing', 10, 'Advance podinfo.test canary weight 10', v),
    ],
    decidedAt: at(2),
    baseSha: '0123456789abcdef0123456789abcdef01234567',
  };
}

function promotion(): StepEvidence {
  const history: HistoryEntry[] = [
    entry(0, 'Initialized', 0, 'Initialization done! podinfo.test'),
    entry(1, 'Progressing', 0, 'New revision detected! Scaling up podinfo.test'),
  ];
  const values: [number, number][] = [
    [100, 110],
    [99.95, 121.5],
    [99.9, 118],
    [100, 130.25],
    [99.99, 125],
  ];
  values.forEach(([rate, latency], i) => {
    const w = planned[i]!;
    history.push(
      entry(
        i + 2,
        'Progressing',
        w,
        `Advance podinfo.test canary weight ${w}`,
        verdictOf(metrics(rate, latency)),
      ),
    );
  });
  const v = verdictOf(metrics(100, 119));
  history.push(entry(7, 'Promoting', 50, 'Copying podinfo.test template spec to podinfo-primary.test', v));
  return {
    ...firstStep(),
    from: { phase: 'Progressing', weight: 50 },
    to: { phase: 'Promoting', weight: 50 },
    message: 'Copying podinfo.test template spec to podinfo-primary.test',
    verdict: v,
    history,
    decidedAt: at(7),
  };
}

function scaleUp(): StepEvidence {
  const { verdict: _, ...e } = firstStep();
  return {
    ...e,
    revision: '7f6c9d8b5',
    from: { phase: 'Succeeded', weight: 0 },
    to: { phase: 'Progressing', weight: 0 },
    message: 'New revision detected! Scaling up podinfo.test',
    history: [
      entry(0, 'Initialized', 0, 'Initialization done! podinfo.test'),
      entry(1, 'Succeeded', 0, 'Promotion completed! Scaling down podinfo.test'),
      entry(30, 'Progressing', 0, 'New revision detected! Scaling up podinfo.test'),
    ],
    decidedAt: at(30),
  };
}

function noData(): StepEvidence {
  const tricky = 'sum(rate(http_requests_total{code=~"5..|429", path!~"`/health`"}[1m])) or ``vector(0)``';
  const ms = (errors: number | undefined): MetricVerdict[] => [
    ...metrics(undefined, Number.NaN),
    {
      name: 'error_rate',
      query: tricky,
      value: errors,
      max: 1,
      result: errors !== undefined && errors <= 1 ? 'pass' : 'fail',
      reason: errors === undefined ? 'HTTP 503 <html>Service | Unavailable</html>' : 'within range',
    },
  ];
  const v = verdictOf(ms(undefined));
  return {
    ...firstStep(),
    from: { phase: 'Progressing', weight: 20 },
    to: { phase: 'Progressing', weight: 20 },
    message: 'Halt podinfo.test advancement: request-success-rate no values found',
    failedChecks: 2,
    verdict: v,
    history: [
      entry(0, 'Progressing', 0, 'New revision detected! Scaling up podinfo.test'),
      entry(1, 'Progressing', 10, 'Advance podinfo.test canary weight 10', verdictOf(metrics(99.5, 200))),
      entry(
        2,
        'Progressing',
        20,
        'Advance podinfo.test canary weight 20',
        verdictOf([...metrics(99.7, 210), ...ms(0.25).slice(2)]),
      ),
      {
        ...entry(3, 'Progressing', 20, 'Halt podinfo.test advancement', verdictOf(ms(undefined))),
        failedChecks: 1,
      },
      { ...entry(4, 'Progressing', 20, 'Halt podinfo.test advancement', v), failedChecks: 2 },
    ],
    decidedAt: at(4),
  };
}

function longRun(): StepEvidence {
  const weights = Array.from({ length: 19 }, (_, i) => (i + 1) * 5);
  const history = Array.from({ length: 100 }, (_, i) => {
    const w = i === 99 ? 95 : Math.min(90, (i + 1) * 5);
    const v = verdictOf(metrics(99 + ((i * 37) % 100) / 100, 100 + ((i * 53) % 200)));
    return entry(i * 2, 'Progressing', w, `Advance podinfo.test canary weight ${w} (tick ${i})`, v);
  });
  const last = history[history.length - 1]!;
  return {
    ...firstStep(),
    from: { phase: 'Progressing', weight: 90 },
    to: { phase: 'Progressing', weight: 95 },
    message: last.message,
    plannedWeights: weights,
    verdict: last.verdict!,
    history,
    decidedAt: last.time,
  };
}

const cases: [string, () => StepEvidence][] = [
  ['first-weight-step', firstStep],
  ['promotion', promotion],
  ['scale-up', scaleUp],
  ['no-data', noData],
  ['long-run', longRun],
];

/** The Mermaid blocks of a body. */
function mermaidBlocks(body: string): string[] {
  return [...body.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

/**
 * Checks one xychart-beta block against the grammar we emit (mermaid's xychart.jison): quoted
 * texts without `"`, numbers without exponent, one value per x label, unique labels.
 */
function assertXyChart(block: string): void {
  const num = String.raw`[+-]?(?:\d+(?:\.\d+)?|\.\d+)`;
  const str = '"[^"`\\n]*"';
  const lines = block.split('\n');
  expect(lines[0]).toBe('xychart-beta');
  expect(lines[1]).toMatch(new RegExp(`^  title ${str}$`));
  const x = new RegExp(`^  x-axis ${str} \\[(${str}(?:, ${str})*)\\]$`).exec(lines[2]!);
  expect(x, lines[2]).not.toBeNull();
  const labels = x![1]!.split(', ');
  expect(new Set(labels).size).toBe(labels.length);
  const y = new RegExp(`^  y-axis ${str} (${num}) --> (${num})$`).exec(lines[3]!);
  expect(y, lines[3]).not.toBeNull();
  const [min, max] = [Number(y![1]), Number(y![2])];
  expect(min).toBeLessThan(max);
  expect(lines.length).toBeGreaterThan(4);
  for (const line of lines.slice(4)) {
    const m = new RegExp(`^  line \\[(${num}(?:, ${num})*)\\]$`).exec(line);
    expect(m, line).not.toBeNull();
    const values = m![1]!.split(', ').map(Number);
    expect(values).toHaveLength(labels.length);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(min);
      expect(v).toBeLessThanOrEqual(max);
    }
  }
  expect(block).not.toMatch(/%%/);
}

describe('pullRequestBody golden files', () => {
  it.each(cases)('%s', async (name, make) => {
    const e = make();
    const { body, hash } = pullRequestBody(e);
    await expect(body).toMatchFileSnapshot(resolve(golden, `${name}.md`));
    expect(body.length).toBeLessThan(maxBodyLength);
    expect(body.split('\n')[0]).toMatch(/^<!-- gitcanary:v1 \{.*\} -->$/);
    expect(readMarker(body)).toMatchObject({ canary: 'test/podinfo', hash, toPhase: e.to.phase });
    for (const block of mermaidBlocks(body)) assertXyChart(block);
    expect(pullRequestBody(e)).toEqual({ body, hash });
  });

  it('charts at most 30 points of a long run and keeps every history row', () => {
    const { body } = pullRequestBody(longRun());
    const blocks = mermaidBlocks(body);
    expect(blocks).toHaveLength(3);
    for (const block of blocks) expect(block.split('\n')[4]!.split(',')).toHaveLength(30);
    expect(body).toContain('The last 30 of 100 ticks');
    expect(body).toContain('History (100 entries)');
  });

  it('skips ticks without a value in a metric chart', () => {
    const { body } = pullRequestBody(noData());
    const blocks = mermaidBlocks(body);
    // weight (5 ticks), success rate and duration (2 values each: none or NaN later), error_rate (1 value).
    expect(blocks.map((b) => b.split('\n')[2])).toEqual([
      '  x-axis "time (UTC)" ["12:00", "12:01", "12:02", "12:03", "12:04"]',
      '  x-axis "time (UTC)" ["12:01", "12:02"]',
      '  x-axis "time (UTC)" ["12:01", "12:02"]',
    ]);
    expect(blocks.map((b) => b.split('\n')[4])).toEqual([
      '  line [0, 10, 20, 20, 20]',
      '  line [99.5, 99.7]',
      '  line [200, 210]',
    ]);
    expect(body).toContain('Fewer than 2 values to chart for error\\_rate.');
  });

  it('drops the oldest history rows first to stay under the size limit, and says so', () => {
    const e = longRun();
    const history = Array.from({ length: 600 }, (_, i) => ({
      ...e.history[i % 100]!,
      message: `${i} ${'x'.repeat(400)}`,
    }));
    const { body } = pullRequestBody({ ...e, history });
    expect(body.length).toBeLessThan(maxBodyLength);
    const left = /_(\d+) older entries left out to stay under GitHub’s size limit\._/.exec(body);
    expect(left).not.toBeNull();
    const kept = Number(/History \((\d+) entries\)/.exec(body)![1]);
    expect(kept + Number(left![1])).toBe(600);
    expect(body).toContain('| 599 x');
    expect(body).not.toContain('| 0 x');
    expect(mermaidBlocks(body)).toHaveLength(3);
  });

  it('never puts -- inside the marker and escapes markdown in free text', () => {
    const e = { ...firstStep(), revision: 'a--b-->c<!--', message: '@octocat **bold** | <img src=x>' };
    const { body } = pullRequestBody(e);
    const first = body.split('\n')[0]!;
    expect(first.slice(4, -3)).not.toContain('--');
    expect(readMarker(body)?.revision).toBe('a--b-->c<!--');
    expect(body).toContain('> @&#8203;octocat \\*\\*bold\\*\\* \\| \\<img src=x\\>');
  });
});

describe('hash', () => {
  it('is stable when only decidedAt and baseSha change', () => {
    const a = pullRequestBody(firstStep());
    const b = pullRequestBody({
      ...firstStep(),
      decidedAt: at(9),
      baseSha: 'fedcba9876543210fedcba9876543210fedcba98',
    });
    expect(b.hash).toBe(a.hash);
    expect(b.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.body).not.toBe(a.body);
  });

  it('changes when a value changes', () => {
    const e = firstStep();
    const changed = { ...e, verdict: verdictOf(metrics(99.5, 123.456789)) };
    expect(pullRequestBody(changed).hash).not.toBe(pullRequestBody(e).hash);
    expect(pullRequestBody({ ...e, failedChecks: 1 }).hash).not.toBe(pullRequestBody(e).hash);
  });
});

describe('readMarker', () => {
  const marker = (): PullRequestMarker => readMarker(pullRequestBody(firstStep()).body)!;

  it('reads back what pullRequestBody wrote', () => {
    const e = firstStep();
    const { body, hash } = pullRequestBody(e);
    expect(readMarker(body)).toEqual({
      canary: 'test/podinfo',
      hash,
      revision: '5d8f7b9c4',
      fromWeight: 0,
      toWeight: 10,
      toPhase: 'Progressing',
      decidedAt: e.decidedAt,
      baseSha: e.baseSha,
    });
  });

  it('survives a person editing the body around it and CRLF storage', () => {
    const { body } = pullRequestBody(firstStep());
    const [first, ...rest] = body.split('\n');
    const edited = `Please look at the latency first.\r\n\r\n${first}\r\n${rest.slice(0, 5).join('\r\n')}\r\nthanks`;
    expect(readMarker(edited)).toEqual(marker());
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['no marker', '## Some PR\n\nhello'],
    ['other tool', '<!-- renovate:v1 {"hash":"x"} -->'],
    ['broken JSON', '<!-- gitcanary:v1 {"canary":"a/b", -->'],
    ['not an object', '<!-- gitcanary:v1 {} -->'],
    ['missing field', '<!-- gitcanary:v1 {"canary":"a/b","hash":"h"} -->'],
    [
      'bad phase',
      '<!-- gitcanary:v1 {"canary":"a/b","hash":"h","revision":"r","fromWeight":0,"toWeight":10,"toPhase":"Dancing","decidedAt":"t","baseSha":"s"} -->',
    ],
    [
      'bad weight',
      '<!-- gitcanary:v1 {"canary":"a/b","hash":"h","revision":"r","fromWeight":"0","toWeight":10,"toPhase":"Progressing","decidedAt":"t","baseSha":"s"} -->',
    ],
    [
      'bad closedBy',
      '<!-- gitcanary:v1 {"canary":"a/b","hash":"h","revision":"r","fromWeight":0,"toWeight":10,"toPhase":"Progressing","decidedAt":"t","baseSha":"s","closedBy":"me"} -->',
    ],
  ])('gives undefined for %s', (_, body) => {
    expect(readMarker(body)).toBeUndefined();
  });

  it('takes the first well-formed marker', () => {
    const { body } = pullRequestBody(firstStep());
    expect(readMarker(`<!-- gitcanary:v1 {oops} -->\n${body}`)).toEqual(marker());
  });
});

describe('withClosedMarker', () => {
  it('marks the marker closedBy gitcanary and says why at the top, idempotently', () => {
    const { body, hash } = pullRequestBody(firstStep());
    const closed = withClosedMarker(body, 'Superseded by revision 7f6c9d8b5 (#12)');
    expect(readMarker(closed)).toEqual({ ...readMarker(body), closedBy: 'gitcanary', hash });
    const lines = closed.split('\n');
    expect(lines[0]).toMatch(/^<!-- gitcanary:v1 .*"closedBy":"gitcanary"\} -->$/);
    expect(lines[1]).toBe('> **Closed by gitcanary:** Superseded by revision 7f6c9d8b5 (\\#12)');
    expect(lines[2]).toBe('');
    expect(lines.slice(3).join('\n')).toBe(body.split('\n').slice(1).join('\n'));
    expect(closed.match(/gitcanary:v1/g)).toHaveLength(1);
    expect(withClosedMarker(closed, 'Superseded by revision 7f6c9d8b5 (#12)')).toBe(closed);
    const again = withClosedMarker(closed, 'halted');
    expect(again.split('\n')[1]).toBe('> **Closed by gitcanary:** halted');
    expect(again.match(/Closed by gitcanary/g)).toHaveLength(1);
  });

  it('only adds the line to a body without a marker', () => {
    expect(withClosedMarker('hello', 'halted')).toBe('> **Closed by gitcanary:** halted\n\nhello');
    expect(readMarker(withClosedMarker('hello', 'halted'))).toBeUndefined();
  });
});

describe('verdictComment', () => {
  const ctx = { canary: 'test/podinfo', failedChecks: 1, threshold: 5, time: '2026-03-01T12:05:00.000Z' };
  const pass = verdictOf(metrics(99.9, 120));
  const slow = verdictOf(metrics(99.9, 620));
  const slowAndFailing = verdictOf(metrics(95, 620));

  it('says nothing when nothing changed', () => {
    expect(verdictComment(pass, verdictOf(metrics(99.5, 130)), ctx)).toBeUndefined();
    expect(verdictComment(slow, verdictOf(metrics(99.5, 700)), ctx)).toBeUndefined();
    expect(verdictComment(undefined, pass, ctx)).toBeUndefined();
  });

  it('comments on pass → fail with the flipped metric in bold', () => {
    expect(verdictComment(pass, slow, ctx)).toBe(
      [
        '### gitcanary: analysis fails now for `test/podinfo`',
        '',
        'request-duration above max 500. Failed checks: **1 / 5** (2026-03-01T12:05:00.000Z).',
        '',
        '| Metric | Value | Range | Before | Now |',
        '| --- | --- | --- | --- | --- |',
        '| request-success-rate | 99.9 | ≥ 99 | ✅ pass | ✅ pass |',
        '| **request-duration** | 620 | ≤ 500 | ✅ pass | ❌ fail: above max 500 |',
      ].join('\n'),
    );
  });

  it('comments on fail → pass', () => {
    expect(verdictComment(slow, pass, ctx)).toContain('analysis passes now');
  });

  it('comments when a metric flips while the result stays fail', () => {
    const c = verdictComment(slow, slowAndFailing, ctx);
    expect(c).toContain('| **request-success-rate** | 95 | ≥ 99 | ✅ pass | ❌ fail: below min 99 |');
    expect(c).toContain('| request-duration | 620 | ≤ 500 | ❌ fail | ❌ fail: above max 500 |');
  });

  it('comments on a first verdict only when it fails', () => {
    expect(verdictComment(undefined, slow, ctx)).toContain(
      '| request-duration | 620 | ≤ 500 | — | ❌ fail: above max 500 |',
    );
  });
});

describe('titles and statuses', () => {
  it('names the step', () => {
    expect(pullRequestTitle(firstStep())).toBe('gitcanary: test/podinfo canary weight 0% → 10%');
    expect(pullRequestTitle(promotion())).toBe('gitcanary: promote test/podinfo');
    expect(pullRequestTitle(scaleUp())).toBe(
      'gitcanary: test/podinfo scale up canary for revision 7f6c9d8b5',
    );
    expect(pullRequestTitle({ ...firstStep(), to: { phase: 'Failed', weight: 0 } })).toBe(
      'gitcanary: roll back test/podinfo (revision 5d8f7b9c4)',
    );
  });

  it('keeps titles within 256 characters', () => {
    const long = { ...canary, name: 'p'.repeat(300) };
    const title = pullRequestTitle({ ...firstStep(), canary: long });
    expect(Array.from(title)).toHaveLength(256);
    expect(title.endsWith('…')).toBe(true);
  });

  it('keeps status descriptions within 140 characters', () => {
    expect(statusDescription('Progressing', 20, 1, 5)).toBe('Progressing: canary at 20%, failed checks 1/5');
    const phases: Phase[] = ['Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion'];
    for (const p of [...phases, 'Promoting', 'Finalising', 'Succeeded', 'Failed'] as Phase[]) {
      const d = statusDescription(p, 1e300, 1e300, 1e300);
      expect(d.length).toBeLessThanOrEqual(140);
      expect(d.startsWith(`${p}: `)).toBe(true);
    }
  });
});

describe('mermaid helpers', () => {
  it('formats plain decimals', () => {
    expect([99.876543, 0.000123456, 2e21, -0, 1e-7, 120, -3.5, 0.99999].map(decimal)).toEqual([
      '99.8765',
      '0.0001235',
      '2000000000000000000000',
      '0',
      '0.0000001',
      '120',
      '-3.5',
      '1',
    ]);
  });

  it('picks y ranges that include every value', () => {
    expect(yRange([99.5, 99.9, 100, 99])).toEqual([98.9, 100.1]);
    expect(yRange([120, 140, 500])).toEqual([80, 540]);
    expect(yRange([0, 0])).toEqual([0, 1]);
    expect(yRange([-5, 5])).toEqual([-6, 6]);
    expect(yRange([0.0012, 0.0013])).toEqual([0.00119, 0.00131]);
  });

  it('makes labels unique and texts safe', () => {
    expect(uniqueLabels(['12:00', '12:00', '12:01', '12:00'])).toEqual([
      '12:00',
      '12:00 #2',
      '12:01',
      '12:00 #3',
    ]);
    expect(uniqueLabels(['a', 'a #2', 'a'])).toEqual(['a', 'a #2', 'a #3']);
    const chart = lineChart({
      title: 'say "hi" %% `x`\nnow',
      xTitle: 't',
      labels: ['12:00', '12:00'],
      yTitle: 'v',
      yRange: [0, 1],
      lines: [[0.5, 1e-9]],
    });
    expect(chart).toBe(
      '```mermaid\nxychart-beta\n  title "say hi % x now"\n  x-axis "t" ["12:00", "12:00 #2"]\n  y-axis "v" 0 --> 1\n  line [0.5, 0.000000001]\n```',
    );
    assertXyChart(chart.slice('```mermaid\n'.length, -'\n```'.length));
  });
});

describe('canary against primary in the evidence', () => {
  it('a comparison row shows the numbers and why; an inconclusive one says the analysis held', () => {
    const comparison = compareVerdict({
      spec: {
        name: 'error-rate',
        method: 'rate-ratio',
        tolerance: 1.5,
        minRequests: 50,
        minSamples: 0,
        confidence: 0.95,
        scale: 'linear',
        maxErrorRate: 0.01,
      },
      window: { start: at(1), end: at(2) },
      samples: {
        method: 'rate-ratio',
        canary: { requests: 69, errors: 1 },
        primary: { requests: 2353, errors: 16 },
      },
    });
    const base = firstStep();
    const verdict = { ...base.verdict!, metrics: [...base.verdict!.metrics, comparison] };
    verdict.reason = `inconclusive: ${comparison.reason}`;
    const { body } = pullRequestBody({ ...base, verdict });
    expect(body).toContain('Analysis **held**: inconclusive: error-rate: error rate 2.13× primary');
    expect(body).toMatch(
      /\| error-rate \| .* \| 2\.1313 \| ≤ 1\.5 \| ⏸ inconclusive: error-rate: error rate 2\.13× primary \(95% CI 0\.0508–13\.7\) spans tolerance 1\.5/,
    );
  });
});

describe('webhook evidence', () => {
  const hooks = (durationMs: number): HookRecord[] => [
    { name: 'load-test', type: 'rollout', ok: true, status: 202, snippet: '', attempts: 1, durationMs },
    {
      name: 'qa | <b>gate</b>',
      type: 'confirm-traffic-increase',
      ok: false,
      status: 403,
      snippet: 'Forbidden @octocat',
      attempts: 2,
      durationMs,
    },
    {
      name: 'smoke',
      type: 'pre-rollout',
      ok: false,
      snippet: 'timed out after 10s',
      attempts: 3,
      durationMs,
    },
  ];

  it('lists every call of the step with its status, result, attempts and answer, escaped', () => {
    const { body } = pullRequestBody({ ...firstStep(), hooks: hooks(12) });
    const lines = body.split('\n');
    const head = lines.indexOf('| Webhook | Type | Status | Result | Attempts | Answer |');
    expect(head).toBeGreaterThan(lines.indexOf('### Evidence'));
    expect(lines.slice(head + 2, head + 5)).toEqual([
      '| load-test | rollout | 202 | ✅ pass | 1 | — |',
      '| qa \\| \\<b\\>gate\\</b\\> | confirm-traffic-increase | 403 | ❌ fail | 2 | Forbidden @&#8203;octocat |',
      '| smoke | pre-rollout | no answer | ❌ fail | 3 | timed out after 10s |',
    ]);
  });

  it('has no webhook table without calls, and a hash that ignores durations', () => {
    expect(pullRequestBody(firstStep()).body).not.toContain('| Webhook |');
    const a = pullRequestBody({ ...firstStep(), hooks: hooks(12) });
    expect(pullRequestBody({ ...firstStep(), hooks: hooks(9_876) }).hash).toBe(a.hash);
    const answered = hooks(12).map((h) =>
      h.type === 'confirm-traffic-increase' ? { ...h, ok: true, status: 200 } : h,
    );
    expect(pullRequestBody({ ...firstStep(), hooks: answered }).hash).not.toBe(a.hash);
  });
});
