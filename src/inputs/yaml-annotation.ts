/**
 * Canary annotations that hold a YAML document (`gitcanary.dev/compare`,
 * `gitcanary.dev/metric-policies`): gitcanary's own settings kept where Flagger's schema stays
 * valid. One parser, so every such annotation reports its problems the same way.
 */
import { parse } from 'yaml';
import type { z } from 'zod';
import { type LoadedCanary, refId, type SpecIssue } from './model.js';

/** An error at `path` (dotted, '' for the whole value) inside annotation `key` of `c`. */
export const annotationIssue = (c: LoadedCanary, key: string, path: string, message: string): SpecIssue => ({
  file: c.origin.file,
  line: c.origin.line,
  object: refId(c.ref),
  path: `metadata.annotations.${key}${path ? `.${path}` : ''}`,
  message,
  severity: 'error',
});

/**
 * Annotation `key` of `c` parsed as YAML and checked by `schema`: its value, undefined without
 * the annotation, or its problems (file, object, key).
 */
export function readYamlAnnotation<T>(
  c: LoadedCanary,
  key: string,
  schema: z.ZodType<T>,
): T | undefined | SpecIssue[] {
  const text = c.canary.metadata.annotations?.[key];
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return [annotationIssue(c, key, '', `not YAML: ${first}`)];
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success)
    return parsed.error.issues.map((i) => annotationIssue(c, key, i.path.join('.'), i.message));
  return parsed.data;
}
