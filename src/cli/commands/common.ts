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

/** A flag's values as a list (a `multiple` flag gives a list, a plain one a string). */
export const list = (v: FlagValues, k: string): string[] => {
  const x = v[k];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
};

const hostPart = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i;
const portOk = (p: string): boolean => /^[0-9]{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;

/**
 * `--hook-host HOST=HOST:PORT` (repeatable, or comma-separated) as the run's `hookHosts`, or
 * undefined when not given. The left side is a host, optionally with its port, as in the hook URL.
 * @example parseHookHosts(['flagger-loadtester.flagger-system=127.0.0.1:9090'])
 * // { 'flagger-loadtester.flagger-system': '127.0.0.1:9090' }
 */
export function parseHookHosts(values: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const item of values.flatMap((v) => v.split(',')).map((s) => s.trim())) {
    if (!item) continue;
    const [from = '', to = '', ...rest] = item.split('=');
    const [fromHost = '', fromPort, ...fromRest] = from.split(':');
    const [toHost = '', toPort = '', ...toRest] = to.split(':');
    const fine =
      rest.length === 0 &&
      fromRest.length === 0 &&
      toRest.length === 0 &&
      hostPart.test(fromHost) &&
      (fromPort === undefined || portOk(fromPort)) &&
      hostPart.test(toHost) &&
      portOk(toPort);
    if (!fine)
      throw new ConfigurationError(
        `--hook-host must be HOST=HOST:PORT (e.g. flagger-loadtester.flagger-system=127.0.0.1:9090), got ${item}`,
      );
    out[from.toLowerCase()] = `${toHost.toLowerCase()}:${toPort}`;
  }
  return Object.keys(out).length > 0 ? out : undefined;
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
