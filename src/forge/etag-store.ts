/**
 * Where the GitHub adapter keeps the ETags of its GETs with the answers they validate. GitHub
 * does not count a conditional request answered `304 Not Modified` against the primary rate
 * limit, so a store that outlives the process (a file in the clone's `.git` folder, or in the
 * `--commit-via api` folder) turns the reads a run repeats from the previous one — the step PR
 * listing, the branch head — into free 304s.
 *
 * The store is only ever an optimisation: every entry is revalidated by the server before it is
 * used, an unreadable file is an empty store, and a failed write is ignored.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** An answer and the ETag GitHub sent with it. `value` must survive JSON. */
export interface EtagEntry {
  etag: string;
  value: unknown;
}

export interface EtagStore {
  get(key: string): EtagEntry | undefined;
  /** Records an answer (written through for a file store). */
  set(key: string, entry: EtagEntry): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Entries a file store keeps (the most recently set); older ones are dropped first. */
export const maxEntries = 256;

/** A store for one process. */
export function memoryEtags(): EtagStore {
  const entries = new Map<string, EtagEntry>();
  return {
    get: (key) => entries.get(key),
    set: async (key, entry) => {
      entries.set(key, entry);
    },
    delete: async (key) => {
      entries.delete(key);
    },
  };
}

interface StoreFile {
  version: 1;
  entries: Record<string, EtagEntry>;
}

/**
 * A store persisted in `path` (JSON, written whole through a temporary file and a rename, so a
 * reader never sees half a file). A missing, unreadable or foreign file starts empty.
 */
export async function fileEtags(path: string): Promise<EtagStore> {
  const entries = new Map<string, EtagEntry>(Object.entries(await readStore(path)));
  let writing = Promise.resolve();
  const save = () => {
    writing = writing.then(() => writeStore(path, entries)).catch(() => {});
    return writing;
  };
  return {
    get: (key) => entries.get(key),
    set: (key, entry) => {
      entries.delete(key); // re-inserted last: Map order is the eviction order
      entries.set(key, entry);
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
      return save();
    },
    delete: (key) => (entries.delete(key) ? save() : Promise.resolve()),
  };
}

async function readStore(path: string): Promise<Record<string, EtagEntry>> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<StoreFile> | null;
    if (parsed?.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) return {};
    const out: Record<string, EtagEntry> = {};
    for (const [key, e] of Object.entries(parsed.entries)) {
      if (typeof e?.etag === 'string' && e.value !== undefined) out[key] = { etag: e.etag, value: e.value };
    }
    return out;
  } catch {
    return {};
  }
}

async function writeStore(path: string, entries: Map<string, EtagEntry>): Promise<void> {
  const body: StoreFile = { version: 1, entries: Object.fromEntries(entries) };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(body), { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * The store for a run on `dir`: with `--commit-via api`, a file in the folder's `.gitcanary/`;
 * with git, a file in the clone's `.git/gitcanary/` (never in the working tree, so never
 * committed); in memory when `dir` has no `.git` folder (a worktree, a submodule).
 */
export async function etagsFor(dir: string, via: 'git' | 'api'): Promise<EtagStore> {
  if (via === 'api') return fileEtags(join(dir, '.gitcanary', 'etags.json'));
  const gitDir = join(dir, '.git');
  const isDir = await stat(gitDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isDir ? fileEtags(join(gitDir, 'gitcanary', 'etags.json')) : memoryEtags();
}
