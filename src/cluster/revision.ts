/**
 * Flux artifact revisions as every Flux version has written them, reduced to the commit:
 * `main@sha1:<sha>` (RFC-0005, Flux ≥ 0.40), `refs/heads/main@sha1:<sha>`, `sha1:<sha>` (a pinned
 * commit), and the older `main/<sha>`, `feature/x/<sha>`, `HEAD/<sha>`. Pure.
 */

export interface FluxRevision {
  /** The named pointer (branch, tag, ref), or undefined when the revision names only a commit. */
  pointer?: string;
  /** The commit, lower-case hex (40 for SHA-1, 64 for SHA-256). */
  sha: string;
}

const hex = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * @example parseFluxRevision('main@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0')
 *   // { pointer: 'main', sha: '450796dd…' }
 * @example parseFluxRevision('feature/x/450796ddb2ab6724ee1cc32a4be56da032d1cca0')
 *   // { pointer: 'feature/x', sha: '450796dd…' }
 * @example parseFluxRevision('latest@sha256:…') // undefined unless the digest is a Git commit
 */
export function parseFluxRevision(revision: string | undefined): FluxRevision | undefined {
  if (!revision) return undefined;
  const at = revision.lastIndexOf('@');
  let pointer: string | undefined;
  let rest: string;
  if (at >= 0) {
    pointer = revision.slice(0, at);
    rest = revision.slice(at + 1);
  } else if (/^sha(1|256):/.test(revision)) {
    rest = revision;
  } else {
    const slash = revision.lastIndexOf('/');
    if (slash < 0) return undefined;
    pointer = revision.slice(0, slash);
    rest = revision.slice(slash + 1);
  }
  const sha = rest.replace(/^sha(1|256):/, '').toLowerCase();
  if (!hex.test(sha)) return undefined;
  if (pointer === 'HEAD' || pointer === '') pointer = undefined;
  return pointer === undefined ? { sha } : { pointer, sha };
}

/** Whether a Flux pointer tracks the branch gitcanary writes to (`main`, `refs/heads/main`). */
export const pointerIsBranch = (pointer: string | undefined, branch: string): boolean =>
  pointer === undefined || pointer === branch || pointer === `refs/heads/${branch}`;
