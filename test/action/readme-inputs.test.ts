/**
 * The README's inputs and outputs tables say what action.yml declares: the same names, defaults
 * and descriptions, in both directions. Also pins what action.yml must keep (node24, the bundle).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The rows of the first table after `heading` inside the "## GitHub Action" section. */
function table(heading: string): string[][] {
  const section = readme.slice(readme.indexOf('\n## GitHub Action\n'));
  const start = section.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md: no "${heading}" in the "## GitHub Action" section`);
  const lines = section.slice(start + heading.length + 2).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
  }
  return rows;
}

const code = (cell: string | undefined) => (cell ?? '').replace(/^`(.*)`$/, '$1');

describe('README "## GitHub Action" tables match action.yml', () => {
  it('inputs: same names, defaults and descriptions', () => {
    const rows = table('### Inputs');
    const fromReadme = Object.fromEntries(
      rows.map(([name, def, description]) => [code(name), { default: code(def), description }]),
    );
    const fromAction = Object.fromEntries(
      Object.entries(action.inputs).map(([name, i]) => [
        name,
        { default: String(i.default ?? ''), description: i.description },
      ]),
    );
    expect(fromReadme).toEqual(fromAction);
    expect(rows.map(([name]) => code(name))).toEqual(Object.keys(action.inputs));
  });

  it('outputs: same names and descriptions', () => {
    const rows = table('### Outputs');
    expect(Object.fromEntries(rows.map(([name, description]) => [code(name), description]))).toEqual(
      Object.fromEntries(Object.entries(action.outputs).map(([name, o]) => [name, o.description])),
    );
  });

  it('shows a workflow that parses, with the triggers, concurrency and permissions it explains', () => {
    const section = readme.slice(readme.indexOf('\n## GitHub Action\n'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    const workflow = parse(block ?? '') as {
      on: Record<string, unknown>;
      concurrency: unknown;
      permissions: unknown;
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
    };
    expect(workflow.on).toEqual({
      schedule: [{ cron: '*/5 * * * *' }],
      workflow_dispatch: null,
      repository_dispatch: null,
    });
    expect(workflow.concurrency).toEqual({ group: 'gitcanary', 'cancel-in-progress': false });
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', statuses: 'write' });
    const steps = Object.values(workflow.jobs)[0]!.steps;
    expect(steps.map((s) => s.uses?.replace(/@.*/, ''))).toEqual([
      'actions/create-github-app-token',
      'actions/checkout',
      'actions/cache',
      'gitcanary/gitcanary',
      undefined,
    ]);
    // The cache step keeps the ETag store where a run on the checkout looks for it.
    expect(steps[2]?.with?.['path']).toBe('.git/gitcanary');
    for (const name of Object.keys(steps[3]?.with ?? {})) expect(Object.keys(action.inputs)).toContain(name);
  });

  it('runs the committed bundle on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action.mjs' });
  });
});
