/**
 * Write confinement: a run may only write each canary's `rendered/` folder, its status file and
 * its record of sent notifications.
 * Checked on every change before anything is committed, whatever a spec or config says.
 */
import { posix } from 'node:path';
import { TerminalError } from '../errors.js';
import type { FileChange } from '../git/port.js';
import type { LoadedCanary } from '../inputs/model.js';
import { notifiedPath } from '../notify/notified.js';
import { statusPath } from '../status/status-file.js';

/** Throws TerminalError naming the first change outside the allowed paths. */
export function assertConfined(changes: FileChange[], canaries: LoadedCanary[]): void {
  const renderedDirs = new Set(canaries.map((c) => (c.dir ? `${c.dir}/rendered` : 'rendered')));
  const statusFiles = new Set(
    canaries.flatMap((c) => [statusPath(c.dir, c.ref), notifiedPath(c.dir, c.ref)]),
  );
  for (const { path } of changes) {
    const normal = posix.normalize(path);
    const ok =
      normal === path &&
      !path.startsWith('/') &&
      !path.split('/').includes('..') &&
      !path.split('/').includes('.git') &&
      (statusFiles.has(path) || (renderedDirs.has(posix.dirname(path)) && /\.ya?ml$/.test(path)));
    if (!ok)
      throw new TerminalError(`refusing to write ${path}: outside the rendered folders and status files`);
  }
}
