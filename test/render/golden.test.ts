/**
 * Golden files: each case under fixtures/golden/<provider>/<case>/ is rendered and compared
 * byte for byte with expected/. Regenerate with `npx vitest run -u test/render` and review the diff.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/render/render.js';
import { appDir, loadCase } from './cases.js';

const root = resolve('fixtures/golden');
const cases = readdirSync(root).flatMap((provider) =>
  readdirSync(join(root, provider)).map((name) => ({ provider, name, dir: join(root, provider, name) })),
);

describe('golden renders', () => {
  it.each(cases)('$provider/$name', async ({ dir }) => {
    const files = render(loadCase(dir));
    for (const f of files) {
      expect(f.path.startsWith(`${appDir}/rendered/`)).toBe(true);
      await expect(f.content).toMatchFileSnapshot(join(dir, 'expected', basename(f.path)));
    }
    const expected = join(dir, 'expected');
    const rendered = new Set(files.map((f) => basename(f.path)));
    const stale = existsSync(expected) ? readdirSync(expected).filter((f) => !rendered.has(f)) : [];
    expect(stale, 'files in expected/ that are no longer rendered (delete them)').toEqual([]);
  });

  it('renders the same bytes twice', () => {
    const dir = join(root, 'istio', 'idle');
    expect(render(loadCase(dir))).toEqual(render(loadCase(dir)));
  });
});
