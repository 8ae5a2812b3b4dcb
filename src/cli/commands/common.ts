/** Helpers the command implementations share: flag values, ids, and printing a result. */
import type { DeliveryMode } from '../../delivery/types.js';
import { ConfigurationError } from '../../errors.js';
import type { GitRepo } from '../../git/port.js';
import { type AccessFlags, githubAccess } from '../forge.js';
import type { FlagValues } from './context.js';

export const str = (v: FlagValues, k: string): string | undefined =>
  typeof v[k] === 'string' ? (v[k] as string) : undefined;

/** The flags that say how to reach the repository. */
export function accessFlags(v: FlagValues): AccessFlags {
  return {
    repo: str(v, 'repo') ?? '.',
    'commit-via': str(v, 'commit-via'),
    'github-repository': str(v, 'github-repository'),
    'github-api-url': str(v, 'github-api-url'),
    branch: str(v, 'branch'),
  };
}

/** With `--commit-via api`, the repository read through the API into --repo; else undefined. */
export async function apiRepo(v: FlagValues): Promise<GitRepo | undefined> {
  const flags = accessFlags(v);
  return (flags['commit-via'] ?? 'git') === 'git' ? undefined : (await githubAccess(flags)).git;
}

export function canaryId(s: string | undefined): string {
  if (!s || !/^[a-z0-9.-]+\/[a-z0-9.-]+$/.test(s))
    throw new ConfigurationError(`expected NAMESPACE/NAME, got ${s ?? 'nothing'}`);
  return s;
}

export function parseMode(s: string | undefined): DeliveryMode | undefined {
  if (s === undefined) return undefined;
  if (s === 'commit' || s === 'pull-request') return s;
  throw new ConfigurationError(`--mode must be commit or pull-request, got ${s}`);
}

export function parseNow(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    throw new ConfigurationError(`--now must be an RFC3339 time such as 2026-01-01T12:00:00Z, got ${s}`);
  }
  return d;
}

/**
 * Prints a result in the `-o` format: `json` and `yaml` print `data`, the text formats `text()`.
 */
export async function printResult(
  format: string | undefined,
  out: (s: string) => void,
  data: unknown,
  text: () => string | Promise<string>,
): Promise<void> {
  if (format === 'json') out(JSON.stringify(data, null, 2));
  else if (format === 'yaml') {
    const { stringify } = await import('yaml');
    out(stringify(data).trimEnd());
  } else out(await text());
}
