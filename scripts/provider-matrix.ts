/**
 * Prints the README's provider matrix, generated from src/routers/capabilities.ts; with `--write`,
 * replaces the section of README.md between `<!-- provider-matrix:start -->` and
 * `<!-- provider-matrix:end -->` with it.
 *
 *   npx tsx scripts/provider-matrix.ts           # print
 *   npx tsx scripts/provider-matrix.ts --write   # update README.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { providerMatrixSection } from '../src/routers/capabilities.js';

const section = providerMatrixSection();
if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const markers = /<!-- provider-matrix:start -->[\s\S]*?<!-- provider-matrix:end -->/g;
  const found = readme.match(markers)?.length ?? 0;
  if (found !== 1) {
    console.error(`README.md must hold the provider-matrix markers exactly once (found ${found})`);
    process.exit(1);
  }
  writeFileSync(
    'README.md',
    readme.replace(markers, () => section),
  );
  console.log('README.md: provider matrix updated');
} else {
  console.log(section);
}
