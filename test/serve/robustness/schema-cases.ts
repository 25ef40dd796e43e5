/**
 * Bad request bodies derived from an operation's JSON Schema (as GET /openapi.json states it): an array
 * instead of the object, the empty object, each required field left out, each field — nested ones
 * too — of a type the schema does not allow, and an unknown extra field. Every body made here is one
 * the schema refuses, so a server that acts on it (or fails on it) is wrong: the answer must be a coded
 * 4xx. Bodies the schema accepts (an empty object when nothing is required, extra fields where they are
 * allowed) are not made: sent to a real server they would carry the operation out.
 *
 * Each bad body starts from an example the schema accepts, type for type, and breaks one thing, so that
 * the server's check of that one thing is reached.
 */

/** The part of JSON Schema (draft 2020-12, as zod writes it) the cases are derived from. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly minItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly exclusiveMaximum?: number;
}

export interface BadBody {
  /** What is wrong with it, e.g. `wrong type at inputs.0.shape`. */
  readonly name: string;
  readonly body: unknown;
}

/** Nested fields are broken down to this depth (infer's `inputs[0].shape[0]` is at 3). */
const MAX_DEPTH = 4;

/** An unknown field's name: no schema of the API has it. */
export const UNKNOWN_FIELD = 'no_such_field_robustness';

/** The JSON types a schema allows; undefined when it allows anything (`{}`). */
function typesOf(schema: JsonSchema): Set<string> | undefined {
  if (schema.anyOf !== undefined) {
    const all = new Set<string>();
    for (const kind of schema.anyOf) {
      const types = typesOf(kind);
      if (types === undefined) return undefined;
      for (const t of types) all.add(t);
    }
    return all;
  }
  if (schema.type === undefined) return schema.enum === undefined ? undefined : new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)));
  const types = new Set(typeof schema.type === 'string' ? [schema.type] : schema.type);
  if (types.has('integer')) types.add('number'); // a value's JSON type; 0.5 is checked as a wrong integer below
  return types;
}

/** A value of the schema's (first) type, within its bounds. */
export function exampleOf(schema: JsonSchema): unknown {
  if (schema.enum !== undefined) return schema.enum[0];
  if (schema.anyOf !== undefined) return schema.anyOf[0] === undefined ? null : exampleOf(schema.anyOf[0]);
  const type = typeof schema.type === 'string' ? schema.type : schema.type?.[0];
  switch (type) {
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
      return Math.max(1, schema.minimum ?? 1, (schema.exclusiveMinimum ?? 0) + 1);
    case 'number': {
      const low = schema.minimum ?? schema.exclusiveMinimum ?? 0;
      const high = schema.maximum ?? schema.exclusiveMaximum ?? low + 2;
      return (low + high) / 2;
    }
    case 'boolean':
      return true;
    case 'array':
      return schema.items === undefined ? [] : [exampleOf(schema.items)];
    case 'object': {
      const example: Record<string, unknown> = {};
      for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) example[field] = exampleOf(fieldSchema);
      return example;
    }
    case 'null':
      return null;
    default:
      return 'x';
  }
}

/** A value the schema refuses for its type (or, for an enum, for being none of its values); undefined when anything goes. */
function wrongTypeOf(schema: JsonSchema): unknown {
  const types = typesOf(schema);
  if (types === undefined) return undefined;
  // a number written as text first: the classic type confusion of query strings and form fields
  const candidates: readonly [string, unknown][] = [['string', '1'], ['number', 12345], ['boolean', true], ['object', {}], ['array', []], ['null', null]];
  const wrong = candidates.find(([type]) => !types.has(type));
  if (schema.enum !== undefined && types.has('string')) return 'no-such-value';
  return wrong?.[1];
}

/** Every bad body for an operation whose body has this schema, each `example` (by default one made from the schema) with one thing broken. */
export function badBodies(schema: JsonSchema, example: unknown = exampleOf(schema)): BadBody[] {
  const bodies: BadBody[] = [{ name: 'an array instead of the object', body: [example] }];
  if ((schema.required ?? []).length > 0) bodies.push({ name: 'an empty object', body: {} });
  bodies.push(...missingFields(schema, example, []));
  bodies.push(...wrongTypes(schema, example, [], 0));
  if (schema.additionalProperties === false) bodies.push({ name: `an unknown field ${UNKNOWN_FIELD}`, body: { ...(example as object), [UNKNOWN_FIELD]: 1 } });
  return bodies;
}

/**
 * Bodies of the right types with extreme values: each string empty, a NUL, a path out of the server's
 * folders or 100,000 characters long; each number 0, negative, huge or beyond 2^53; each list empty or
 * of 10,000 items. The schema may accept them, so the server may too — but it must not fail on them.
 */
export function extremeBodies(schema: JsonSchema, example: unknown = exampleOf(schema)): BadBody[] {
  const bodies: BadBody[] = [];
  const visit = (path: readonly (string | number)[], depth: number): void => {
    const here = schemaAt(schema, path);
    const at = valueAt(example, path);
    if (here === undefined || depth > MAX_DEPTH) return;
    const types = typesOf(here);
    const values: unknown[] = [];
    if (path.length > 0 && here.enum === undefined && types !== undefined) {
      if (types.has('string')) values.push('', '\u0000', '../../../../../../etc/passwd', 'x'.repeat(100_000));
      if (types.has('number')) values.push(0, -1, 2 ** 53 + 2, 1e308, -1e308);
      if (types.has('array')) values.push([], Array.from({ length: 10_000 }, () => (Array.isArray(at) ? at[0] : 1)));
    }
    for (const value of values) {
      const shown = JSON.stringify(value);
      bodies.push({ name: `${path.join('.')} = ${shown.length > 40 ? `${shown.slice(0, 20)}… (${shown.length} characters)` : shown}`, body: withValueAt(example, path, value) });
    }
    if (isObject(at)) for (const field of Object.keys(here.properties ?? {})) visit([...path, field], depth + 1);
    if (Array.isArray(at) && at.length > 0) visit([...path, 0], depth + 1);
  };
  visit([], 0);
  return bodies;
}

/** The example without each required field in turn, at every depth. */
function missingFields(schema: JsonSchema, example: unknown, path: readonly (string | number)[]): BadBody[] {
  const bodies: BadBody[] = [];
  const at = valueAt(example, path);
  const here = schemaAt(schema, path);
  if (here === undefined || path.length > MAX_DEPTH) return bodies;
  for (const field of here.required ?? []) {
    const without = structuredClone(example);
    delete (valueAt(without, path) as Record<string, unknown>)[field];
    bodies.push({ name: `missing required ${[...path, field].join('.')}`, body: without });
  }
  if (isObject(at)) for (const field of Object.keys(here.properties ?? {})) bodies.push(...missingFields(schema, example, [...path, field]));
  if (Array.isArray(at) && at.length > 0) bodies.push(...missingFields(schema, example, [...path, 0]));
  return bodies;
}

/** The example with each field (and each array's first item), at every depth, of a wrong type. */
function wrongTypes(schema: JsonSchema, example: unknown, path: readonly (string | number)[], depth: number): BadBody[] {
  const bodies: BadBody[] = [];
  const here = schemaAt(schema, path);
  if (here === undefined || depth > MAX_DEPTH) return bodies;
  if (path.length > 0) {
    const wrong = wrongTypeOf(here);
    if (wrong !== undefined) bodies.push({ name: `wrong type at ${path.join('.')}: ${JSON.stringify(wrong)}`, body: withValueAt(example, path, wrong) });
    const isInteger = here.type === 'integer' || (Array.isArray(here.type) && here.type.includes('integer') && !here.type.includes('number'));
    if (isInteger) bodies.push({ name: `a fraction at ${path.join('.')}`, body: withValueAt(example, path, 1.5) });
  }
  const at = valueAt(example, path);
  if (isObject(at)) for (const field of Object.keys(here.properties ?? {})) bodies.push(...wrongTypes(schema, example, [...path, field], depth + 1));
  if (Array.isArray(at) && at.length > 0) bodies.push(...wrongTypes(schema, example, [...path, 0], depth + 1));
  // a map's values (e.g. tags: {key: "value" | null}): one entry of a wrong type
  const values = here.additionalProperties;
  if (isObject(at) && here.properties === undefined && typeof values === 'object') {
    const wrong = wrongTypeOf(values);
    if (wrong !== undefined) bodies.push({ name: `wrong type at ${[...path, 'key'].join('.')}: ${JSON.stringify(wrong)}`, body: withValueAt(example, [...path, 'key'], wrong) });
  }
  return bodies;
}

function schemaAt(schema: JsonSchema, path: readonly (string | number)[]): JsonSchema | undefined {
  let here: JsonSchema | undefined = schema;
  for (const step of path) here = typeof step === 'number' ? here?.items : here?.properties?.[step];
  return here;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let here = value;
  for (const step of path) here = (here as Record<string | number, unknown> | undefined)?.[step];
  return here;
}

function withValueAt(example: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(example);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) parent[last] = value;
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
