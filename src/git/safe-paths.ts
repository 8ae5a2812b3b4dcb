/**
 * Confinement of the files a commit writes: every path must stay inside the working tree, out
 * of `.git`, and must not pass through a symlink (git itself refuses paths "beyond a symbolic
 * link", and following one could write anywhere). Checked for every path before anything is
 * written, so a refused batch writes nothing.
 */
import { lstat } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { TerminalError } from '../errors.js';
import type { FileChange } from './port.js';

/** The lexical problem with a repo-relative path, or null when it is acceptable. */
export function pathProblem(path: string): string | null {
  if (typeof path !== 'string' || path === '') return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.includes('\\')) return 'it contains a backslash (use / as separator)';
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return 'it is absolute';
  const segments = path.split('/');
  if (segments.includes('..')) return 'it contains a .. segment';
  if (segments.some((s) => s === '' || s === '.')) return 'it is not normalised (empty or . segment)';
  if (segments.some((s) => /^\.git[. ]*$/i.test(s))) return 'it points into .git';
  return null;
}

/**
 * Checks every change against the working tree at `top` (a real path, symlinks resolved) and
 * returns them unchanged. Throws TerminalError naming the first refused path.
 */
export async function confineChanges(top: string, changes: FileChange[]): Promise<FileChange[]> {
  const seen = new Set<string>();
  const checkedDirs = new Map<string, Promise<string | null>>();
  for (const change of changes) {
    const problem = pathProblem(change.path);
    if (problem) throw refused(change.path, problem);
    if (seen.has(change.path)) throw refused(change.path, 'it appears twice in one commit');
    seen.add(change.path);
  }
  for (const change of changes) {
    const segments = change.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      let check = checkedDirs.get(dir);
      if (!check) {
        check = dirProblem(posix.join(top, dir), dir);
        checkedDirs.set(dir, check);
      }
      const problem = await check;
      if (problem === 'missing') break;
      if (problem) throw refused(change.path, problem);
    }
    const leaf = await kind(posix.join(top, change.path));
    if (leaf === 'dir') throw refused(change.path, 'it is a folder');
    if (leaf === 'symlink' && !('delete' in change)) throw refused(change.path, 'it is a symlink');
  }
  return changes;
}

async function dirProblem(abs: string, rel: string): Promise<string | null> {
  const k = await kind(abs);
  if (k === 'missing') return 'missing';
  if (k === 'symlink') return `${rel} is a symlink`;
  if (k === 'file') return `${rel} is a file, not a folder`;
  return null;
}

async function kind(abs: string): Promise<'missing' | 'symlink' | 'dir' | 'file'> {
  try {
    const st = await lstat(abs);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
}

const refused = (path: string, why: string): TerminalError =>
  new TerminalError(`refusing to write ${JSON.stringify(path)}: ${why}`);
