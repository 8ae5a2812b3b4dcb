/**
 * The Actions runtime protocol helpers: input variables, workflow-command escaping, the
 * GITHUB_OUTPUT heredoc format (parsed back), masks, markdown cells.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendOutputs,
  appendSummary,
  cell,
  command,
  escapeData,
  escapeProperty,
  inputVariable,
  markdownTable,
  maskCommands,
  outputEntry,
  parseOutputFile,
  readInput,
} from '../../src/action/io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), 'gitcanary-io-'));
  dirs.push(d);
  return join(d, name);
};

/** The runner's unescaping of a command's message and properties (ActionCommand.cs). */
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

/** Parses `::name k=v,k=v::message` the way the runner does. */
function parseCommand(line: string): { name: string; props: Record<string, string>; message: string } {
  const m = /^::([\w-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a command: ${line}`);
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    props[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1));
  }
  return { name: m[1]!, props, message: unescapeData(m[3]!) };
}

describe('inputs', () => {
  it('names the variable as the runner does: upper case, spaces to _, hyphens kept', () => {
    expect(inputVariable('metrics-server')).toBe('INPUT_METRICS-SERVER');
    expect(inputVariable('log level')).toBe('INPUT_LOG_LEVEL');
    expect(inputVariable('token')).toBe('INPUT_TOKEN');
  });
  it('trims and defaults to the empty string', () => {
    expect(readInput({ 'INPUT_DRY-RUN': ' true \n' }, 'dry-run')).toBe('true');
    expect(readInput({}, 'mode')).toBe('');
  });
});

describe('workflow commands', () => {
  it('escapes data: % first, then CR and LF', () => {
    expect(escapeData('100%\r\nnext')).toBe('100%25%0D%0Anext');
    expect(escapeData('%0A literal')).toBe('%250A literal');
  });
  it('escapes properties: also : and ,', () => {
    expect(escapeProperty('a,b:c%\n')).toBe('a%2Cb%3Ac%25%0A');
  });
  it('builds annotations the runner parses back to the same values', () => {
    const title = 'gitcanary: test/podinfo, 50%';
    const message = 'apps/x/canary.yaml:7: test/x: spec.analysis.stepWeight: expected number\nsecond line';
    const line = command('error', { file: 'gitops/apps/x/canary.yaml', line: 7, title }, message);
    expect(line).toBe(
      '::error file=gitops/apps/x/canary.yaml,line=7,title=gitcanary%3A test/podinfo%2C 50%25::apps/x/canary.yaml:7: test/x: spec.analysis.stepWeight: expected number%0Asecond line',
    );
    expect(parseCommand(line)).toEqual({
      name: 'error',
      props: { file: 'gitops/apps/x/canary.yaml', line: '7', title },
      message,
    });
  });
  it('leaves out empty properties', () => {
    expect(command('warning', { file: undefined, title: '' }, 'w')).toBe('::warning::w');
    expect(command('endgroup', {}, '')).toBe('::endgroup::');
  });
  it('masks each line of a multi-line secret once', () => {
    expect(maskCommands(['ghs_abc', 'line1\nline2\r\n', 'ghs_abc', ''])).toEqual([
      '::add-mask::ghs_abc',
      '::add-mask::line1',
      '::add-mask::line2',
    ]);
    expect(maskCommands(['50%\rx'])).toEqual(['::add-mask::50%25%0Dx']);
  });
});

describe('GITHUB_OUTPUT', () => {
  it('writes heredoc entries with a ghadelimiter_<uuid> delimiter', () => {
    const entry = outputEntry('canaries', '[{"a":1}]');
    expect(entry).toMatch(/^canaries<<(ghadelimiter_[0-9a-f-]{36})\n\[\{"a":1\}\]\n\1\n$/);
  });
  it('refuses a value containing the delimiter', () => {
    expect(() => outputEntry('x', 'a\nD\nb', 'D')).toThrow(/contains the delimiter/);
  });
  it('round-trips multi-line, empty and = values through the file', () => {
    const file = tempFile('output');
    const env = { GITHUB_OUTPUT: file };
    expect(appendOutputs(env, { 'commit-sha': '', canaries: 'a=b\nc<<d\n\nlast' })).toBe(true);
    expect(appendOutputs(env, { 'pull-requests': '[]' })).toBe(true);
    expect(parseOutputFile(readFileSync(file, 'utf8'))).toEqual({
      'commit-sha': '',
      canaries: 'a=b\nc<<d\n\nlast',
      'pull-requests': '[]',
    });
  });
  it('reads the legacy name=value form too, and fails on an unclosed heredoc', () => {
    expect(parseOutputFile('a=1\nb=x=y\n')).toEqual({ a: '1', b: 'x=y' });
    expect(() => parseOutputFile('a<<EOF\nvalue\n')).toThrow(/no closing delimiter/);
  });
  it('does nothing without GITHUB_OUTPUT or GITHUB_STEP_SUMMARY (a local run)', () => {
    expect(appendOutputs({}, { a: 'b' })).toBe(false);
    expect(appendSummary({}, '# x')).toBe(false);
  });
  it('appends the summary with a final newline', () => {
    const file = tempFile('summary');
    appendSummary({ GITHUB_STEP_SUMMARY: file }, 'one');
    appendSummary({ GITHUB_STEP_SUMMARY: file }, 'two\n');
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
  });
});

describe('markdown', () => {
  it('escapes | and newlines in cells', () => {
    expect(cell('a|b\nc\r\nd')).toBe('a\\|b<br>c<br>d');
    expect(cell('back\\slash')).toBe('back\\\\slash');
  });
  it('builds a table whose rows keep their column count', () => {
    const t = markdownTable(['A', 'B'], [['x|y', 'line\nbreak']]);
    expect(t).toBe('| A | B |\n| --- | --- |\n| x\\|y | line<br>break |');
    for (const row of t.split('\n')) expect(row.split(/(?<!\\)\|/).length).toBe(4);
  });
});
