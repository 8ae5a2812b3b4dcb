/**
 * Checks the fake's REST traffic against GitHub's published OpenAPI description
 * (`@octokit/openapi`, api.github.com). The description loads once per process, on first use;
 * each operation's schemas compile once. OpenAPI 3.0's `nullable` becomes JSON Schema's
 * `null` type before ajv sees it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Operation['responses'] & object> };
}

let loaded: { spec: Description; ajv: Ajv } | undefined;
const compiled = new Map<string, ValidateFunction | null>();
const added = new Set<string>();
const componentUri = (name: string): string => `https://api.github.com/components/schemas/${name}`;

function load(): { spec: Description; ajv: Ajv } {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Description;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  loaded = { spec, ajv };
  return loaded;
}

/** Adds the component schemas `schema` refers to, transitively, each under its own URI. */
function addReferenced(schema: unknown): void {
  const { spec, ajv } = load();
  const pending = [schema];
  while (pending.length) {
    const node = pending.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref' || typeof value !== 'string') {
        pending.push(value);
        continue;
      }
      const name = value.split('/').pop() ?? '';
      if (added.has(name)) continue;
      added.add(name);
      const component = spec.components.schemas[name];
      ajv.addSchema(fixNullable(component), componentUri(name));
      pending.push(component);
    }
  }
}

/** OpenAPI 3.0 `nullable: true` as JSON Schema (ajv refuses `nullable` without `type`). */
function fixNullable(schema: unknown): Schema {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema as Schema;
  const out: Schema = { ...(schema as Schema) };
  if (typeof out.$ref === 'string') out.$ref = componentUri(out.$ref.split('/').pop() ?? '');
  const props = out.properties as Record<string, unknown> | undefined;
  if (props) out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fixNullable(v)]));
  if (out.items) out.items = fixNullable(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = fixNullable(out.additionalProperties);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(fixNullable);
  }
  if (out.not) out.not = fixNullable(out.not);
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  const composite = out.$ref || out.allOf || out.anyOf || out.oneOf;
  if (typeof out.type === 'string' && !composite) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function validator(key: string, schema: Schema | undefined): ValidateFunction | null {
  if (compiled.has(key)) return compiled.get(key) ?? null;
  if (schema) addReferenced(schema);
  const fn = schema ? load().ajv.compile(fixNullable(schema)) : null;
  compiled.set(key, fn);
  return fn;
}

function responseSchema(op: Operation, status: number): { schema?: Schema; declared: boolean } {
  const { spec } = load();
  let response = op.responses?.[String(status)];
  if (!response) return { declared: false };
  if (response.$ref) response = spec.components.responses[response.$ref.split('/').pop() ?? ''] ?? {};
  return { schema: response.content?.['application/json']?.schema, declared: true };
}

const describe = (fn: ValidateFunction): string =>
  (fn.errors ?? [])
    .slice(0, 3)
    .map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');

/**
 * Problems with one REST exchange, empty when it matches the description. `route` is the
 * path template (`/repos/{owner}/{repo}/pulls`). Bodies of undeclared error statuses are checked
 * against `basic-error`, GitHub's generic error.
 */
export function checkExchange(
  method: string,
  route: string,
  request: unknown,
  status: number,
  response: unknown,
): string[] {
  const op = load().spec.paths[route]?.[method.toLowerCase()];
  const where = `${method} ${route}`;
  if (!op) return [`${where}: no such operation in GitHub's description`];
  const problems: string[] = [];
  const requestSchema = op.requestBody?.content?.['application/json']?.schema;
  if (requestSchema && request !== undefined) {
    const fn = validator(`${where} request`, requestSchema);
    if (fn && !fn(request)) problems.push(`${where} request body: ${describe(fn)}`);
  }
  if (status === 304 || status === 204) return problems;
  const found = responseSchema(op, status);
  if (!found.declared && status < 400) problems.push(`${where}: status ${status} is not documented`);
  const schema = found.declared ? found.schema : { $ref: '#/components/schemas/basic-error' };
  const fn = validator(`${where} ${found.declared ? status : 'error'}`, schema);
  if (fn && !fn(response)) problems.push(`${where} ${status} response: ${describe(fn)}`);
  return problems;
}
