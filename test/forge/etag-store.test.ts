/**
 * The ETag store: what a file store keeps across processes, its bound, and that it is only ever
 * an optimisation (an unreadable file is an empty store; a write never leaves half a file).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { etagsFor, fileEtags, maxEntries, memoryEtags } from '../../src/forge/etag-store.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gitcanary-etags-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ETag stores', () => {
  it('a file store hands the next process what this one set, and forgets what it deleted', async () => {
    const path = join(tempDir(), 'sub', 'etags.json');
    const one = await fileEtags(path);
    await one.set('pulls', { etag: '"a"', value: [{ number: 1, body: 'é <!-- x -->' }] });
    await one.set('ref', { etag: '"b"', value: 'abc' });
    await one.delete('ref');
    const two = await fileEtags(path);
    expect(two.get('pulls')).toEqual({ etag: '"a"', value: [{ number: 1, body: 'é <!-- x -->' }] });
    expect(two.get('ref')).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..'))).toEqual(['etags.json']);
  });

  it(`keeps the ${maxEntries} most recently set entries`, async () => {
    const path = join(tempDir(), 'etags.json');
    const store = await fileEtags(path);
    await store.set('first', { etag: '"0"', value: 0 });
    for (let i = 1; i <= maxEntries; i++) await store.set(`k${i}`, { etag: `"${i}"`, value: i });
    const again = await fileEtags(path);
    expect(again.get('first')).toBeUndefined();
    expect(again.get('k1')).toEqual({ etag: '"1"', value: 1 });
    expect(again.get(`k${maxEntries}`)).toEqual({ etag: `"${maxEntries}"`, value: maxEntries });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).entries)).toHaveLength(maxEntries);
  });

  it('starts empty from a missing, broken or foreign file, and overwrites it', async () => {
    const dir = tempDir();
    for (const [name, text] of [
      ['missing.json', undefined],
      ['broken.json', '{"version":1,"entries":'],
      ['foreign.json', '{"version":2,"entries":{"k":{"etag":"\\"x\\"","value":1}}}'],
      [
        'bad-entry.json',
        '{"version":1,"entries":{"k":{"etag":7,"value":1},"ok":{"etag":"\\"y\\"","value":2}}}',
      ],
      ['null.json', 'null'],
    ] as const) {
      const path = join(dir, name);
      if (text !== undefined) writeFileSync(path, text);
      const store = await fileEtags(path);
      expect(store.get('k'), name).toBeUndefined();
      await store.set('k', { etag: '"z"', value: 3 });
      expect((await fileEtags(path)).get('k'), name).toEqual({ etag: '"z"', value: 3 });
    }
    const kept = JSON.parse(readFileSync(join(dir, 'bad-entry.json'), 'utf8')).entries;
    expect(kept.ok).toEqual({ etag: '"y"', value: 2 });
  });

  it('a write that cannot happen is ignored: the store still answers from memory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'not a folder');
    const store = await fileEtags(join(dir, 'file', 'etags.json'));
    await store.set('k', { etag: '"a"', value: 1 });
    expect(store.get('k')).toEqual({ etag: '"a"', value: 1 });
  });

  it('lives in .git/gitcanary for a clone, in .gitcanary for an API folder, in memory otherwise', async () => {
    const clone = tempDir();
    mkdirSync(join(clone, '.git'));
    await (await etagsFor(clone, 'git')).set('k', { etag: '"a"', value: 1 });
    expect(readdirSync(join(clone, '.git', 'gitcanary'))).toEqual(['etags.json']);
    expect(readdirSync(clone)).toEqual(['.git']);

    const folder = tempDir();
    await (await etagsFor(folder, 'api')).set('k', { etag: '"a"', value: 1 });
    expect(readdirSync(join(folder, '.gitcanary'))).toEqual(['etags.json']);

    const worktree = tempDir();
    writeFileSync(join(worktree, '.git'), 'gitdir: /elsewhere\n');
    await (await etagsFor(worktree, 'git')).set('k', { etag: '"a"', value: 1 });
    expect(readdirSync(worktree)).toEqual(['.git']);

    const memory = memoryEtags();
    await memory.set('k', { etag: '"a"', value: 1 });
    await memory.delete('k');
    expect(memory.get('k')).toBeUndefined();
  });
});
