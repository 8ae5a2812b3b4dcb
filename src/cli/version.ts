/**
 * The package version: embedded by scripts/build.mjs (`define`) in dist/cli.mjs; read from
 * package.json when the sources run unbundled (tests, `tsx`).
 */
import { readFileSync } from 'node:fs';

declare const __GITCANARY_VERSION__: string | undefined;

export function version(): string {
  if (typeof __GITCANARY_VERSION__ === 'string') return __GITCANARY_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
