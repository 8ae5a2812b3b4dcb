/**
 * The README's commands the way a person runs them: the packed tarball installed into a new
 * folder and run through its symlinked bin (`npx gitcanary …`, `node_modules/.bin/gitcanary`),
 * and the README's first command line, read from README.md, in a fresh clone of this repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const base = mkdtempSync(join(tmpdir(), 'gitcanary-installed-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The environment of a person's shell: no test runner variables that change npm's behaviour. */
const userEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|NODE_OPTIONS$|INIT_CWD$)/i.test(k)) env[k] = v;
  }
  return env;
};

const sh = (cwd: string, line: string) =>
  spawnSync('bash', ['-o', 'pipefail', '-c', line], {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
    timeout: 280_000,
  });

/** The demo's lines that say both rollouts ended as they should. */
function expectDemo(stdout: string) {
  expect(stdout).toMatch(/Succeeded\s+weight\s+0\s+Promotion completed!/);
  expect(stdout).toMatch(
    /Failed\s+weight\s+0\s+Rolling back demo\/podinfo failed checks threshold reached 2/,
  );
}

describe('the packed tarball, installed', () => {
  let app = '';
  let files: string[] = [];
  beforeAll(() => {
    // --ignore-scripts: the bundle the test setup built is packed as it is (packing runs `prepare`,
    // which would rewrite dist/ under the other test files running the binary).
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', base], {
      cwd: root,
      env: userEnv(),
      encoding: 'utf8',
    });
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as [
      { filename: string; files: { path: string }[] },
    ];
    files = packed.files.map((f) => f.path).sort();
    app = join(base, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(base, packed.filename)], {
      cwd: app,
      env: userEnv(),
      encoding: 'utf8',
    });
  }, 280_000);

  it('holds the bundle, the builtin policies, the licence and the changelog, and no source maps', () => {
    expect(files).toContain('dist/cli.mjs');
    expect(files).toContain('LICENSE');
    expect(files).toContain('CHANGELOG.md');
    expect(files).toContain('schema/gitcanary.schema.json');
    expect(files).toContain('policies/builtin/istio.yaml');
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual(
      [],
    );
  });

  it('installs no runtime dependency: everything it runs is in the bundle', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/gitcanary/package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(readlinkSync(join(app, 'node_modules/.bin/gitcanary'))).toBe('../gitcanary/dist/cli.mjs');
  });

  it('`gitcanary --version` through the symlinked bin', () => {
    const r = sh(app, 'node_modules/.bin/gitcanary --version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`gitcanary ${pkg.version}\n`);
    expect(r.status).toBe(0);
  });

  it('`npx gitcanary demo` plays both rollouts', () => {
    const r = sh(app, 'npx gitcanary demo');
    expect(r.status).toBe(0);
    expectDemo(r.stdout);
  });

  it('output closed early (`| head -3`) ends quietly with status 0', () => {
    const r = sh(app, 'npx gitcanary demo | head -3');
    expect(r.stdout.replace(/\n$/, '').split('\n')).toHaveLength(3);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.status).toBe(0);
  });
});

describe("the README's first command line, in a fresh clone", () => {
  it('runs the demo', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /```sh\n([^\n]*)\n/.exec(readme);
    const line = block?.[1]?.replace(/\s+#.*$/, '').trim() ?? '';
    expect(line).toBe('npm install && npx gitcanary demo');
    const clone = join(base, 'clone');
    execFileSync('git', ['clone', '-q', '--no-hardlinks', root, clone]);
    // The commit under test, with the working tree's edits to tracked files when there are any.
    // Read-only git calls (no index lock): other test files run git in this repository meanwhile.
    const readOnly = {
      cwd: root,
      encoding: 'utf8' as const,
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    };
    for (const f of execFileSync('git', ['ls-files', '-m', '-z'], readOnly).split('\0').filter(Boolean)) {
      if (existsSync(join(root, f))) cpSync(join(root, f), join(clone, f));
      else rmSync(join(clone, f));
    }
    const r = sh(clone, line);
    expect(r.status, r.stderr).toBe(0);
    expectDemo(r.stdout);
  }, 300_000);
});
