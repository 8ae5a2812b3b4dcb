// Bundles the CLI into dist/cli.mjs so `gitcanary` works right after `npm install`.

import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __gcRequire } from 'node:module'; const require = __gcRequire(import.meta.url);",
  },
});
chmodSync('dist/cli.mjs', 0o755);
