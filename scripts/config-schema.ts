/**
 * Writes schema/gitcanary.schema.json, the JSON Schema of `gitcanary.yaml`, from the zod schema
 * that reads it (src/inputs/config.ts), so editors validate and complete the file
 * (`# yaml-language-server: $schema=…`).
 *   node --import tsx scripts/config-schema.ts           write it
 *   node --import tsx scripts/config-schema.ts --check   exit 1 when the committed file differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../src/inputs/config.js';

const file = 'schema/gitcanary.schema.json';
const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
const schema = {
  ...generated,
  $id: 'https://github.com/gitcanary/gitcanary/raw/main/schema/gitcanary.schema.json',
  title: 'gitcanary.yaml',
  description: "gitcanary's repository config (every field optional; flags given on the command line win)",
};
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {}
  if (committed !== text) {
    console.error(`${file} is out of date: run npm run schema and commit it`);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
}
