import { describe, expect, it } from 'vitest';
import { TerminalError } from '../../src/errors.js';
import { formatMessage, parseTrailers, type Trailer, trailerValues } from '../../src/git/trailers.js';

const groups: Trailer[] = [
  ['Canary', 'demo/podinfo'],
  ['Canary-Phase', 'Progressing'],
  ['Canary-Weight', '15'],
  ['Canary', 'demo/frontend'],
  ['Canary-Phase', 'Succeeded'],
  ['Canary-Weight', '0'],
];

describe('formatMessage', () => {
  it('lays out subject, body and trailers', () => {
    const msg = formatMessage(
      'gitcanary: 2 canaries stepped',
      ['Evaluated at 2026-01-01T00:00:00.000Z.', ''],
      groups,
    );
    expect(msg).toBe(
      [
        'gitcanary: 2 canaries stepped',
        '',
        'Evaluated at 2026-01-01T00:00:00.000Z.',
        '',
        'Canary: demo/podinfo',
        'Canary-Phase: Progressing',
        'Canary-Weight: 15',
        'Canary: demo/frontend',
        'Canary-Phase: Succeeded',
        'Canary-Weight: 0',
        '',
      ].join('\n'),
    );
  });

  it('omits empty sections', () => {
    expect(formatMessage('subject', [], [])).toBe('subject\n');
    expect(formatMessage('subject', [], [['Canary', 'a/b']])).toBe('subject\n\nCanary: a/b\n');
    expect(formatMessage('subject', ['', 'body', '', ''], [])).toBe('subject\n\nbody\n');
  });

  it('makes the subject one line of at most 72 characters', () => {
    expect(formatMessage('two\nlines', [], [])).toBe('two lines\n');
    const long = `gitcanary: ${'x'.repeat(100)}`;
    const subject = formatMessage(long, [], []).split('\n')[0]!;
    expect(Array.from(subject)).toHaveLength(72);
    expect(subject.endsWith('…')).toBe(true);
    expect(formatMessage('y'.repeat(72), [], [])).toBe(`${'y'.repeat(72)}\n`);
  });

  it('normalises the body: trailing spaces, blank runs, embedded newlines', () => {
    expect(formatMessage('s', ['a  ', '', '', 'b\nc', ''], [])).toBe('s\n\na\n\nb\nc\n');
  });

  it('collapses newlines in trailer values', () => {
    expect(formatMessage('s', [], [['Canary-Reason', 'line one\n  line two']])).toBe(
      's\n\nCanary-Reason: line one line two\n',
    );
  });

  it.each([
    ['empty key', ''],
    ['space', 'Canary Weight'],
    ['colon', 'Canary:'],
    ['leading digit', '1Canary'],
    ['underscore', 'Canary_Weight'],
  ])('rejects an invalid key (%s)', (_, key) => {
    expect(() => formatMessage('s', [], [[key, 'v']])).toThrow(TerminalError);
  });

  it('rejects empty values and empty subjects', () => {
    expect(() => formatMessage('s', [], [['Canary', '  \n ']])).toThrow(/empty value/);
    expect(() => formatMessage(' \n ', [], [])).toThrow(/subject is empty/);
  });
});

describe('parseTrailers', () => {
  it('round-trips repeated groups in order', () => {
    const msg = formatMessage(
      'gitcanary: 2 canaries stepped',
      ['demo/podinfo: advance', 'demo/frontend: promoted'],
      groups,
    );
    expect(parseTrailers(msg)).toEqual(groups);
    expect(trailerValues(parseTrailers(msg), 'canary-weight')).toEqual(['15', '0']);
  });

  it.each<[string, Trailer[]]>([
    ['one trailer', [['Canary', 'a/b']]],
    [
      'values with colons and spaces',
      [
        ['Canary-Reason', 'request-success-rate 97.1 < 99: failed'],
        ['Canary', 'x/y'],
      ],
    ],
  ])('round-trips: %s', (_, trailers) => {
    expect(parseTrailers(formatMessage('subject', ['body line'], trailers))).toEqual(trailers);
  });

  it('finds nothing in a message without a trailer paragraph', () => {
    expect(parseTrailers('Canary: a/b\n')).toEqual([]);
    expect(parseTrailers('subject\n\njust a body\n')).toEqual([]);
    expect(parseTrailers('subject\n\nCanary: a/b\nnot a trailer\n')).toEqual([]);
    expect(parseTrailers('')).toEqual([]);
  });

  it('only reads the last paragraph', () => {
    expect(parseTrailers('s\n\nCanary: old/one\n\nbody after\n\nCanary: a/b\n')).toEqual([['Canary', 'a/b']]);
  });

  it('joins indented continuation lines and accepts CRLF', () => {
    expect(parseTrailers('s\r\n\r\nCanary-Reason: first\r\n  second\r\nCanary: a/b\r\n')).toEqual([
      ['Canary-Reason', 'first second'],
      ['Canary', 'a/b'],
    ]);
  });

  it('reads trailers as git writes them (git interpret-trailers style, blank line with spaces)', () => {
    expect(parseTrailers('subject\n\nbody\n   \nSigned-off-by: A <a@b>\nCanary: a/b\n\n')).toEqual([
      ['Signed-off-by', 'A <a@b>'],
      ['Canary', 'a/b'],
    ]);
  });
});
