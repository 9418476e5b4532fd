/** A JSON Schema node of the hub's OpenAPI 3.1 document (only what the fuzzer reads). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
  minLength?: number;
  maximum?: number;
  minimum?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

/** One operation (path + method) of the document, as the fuzzer needs it. */
export interface Operation {
  id: string;
  method: string;
  /** The templated path, e.g. `/v1/orders/{orderId}`. */
  path: string;
  params: Parameter[];
  body: { required: boolean; schema: Schema } | null;
  auth: 'mall' | 'staff' | 'none';
  /** Anything but GET: must never succeed on hostile input. */
  mutating: boolean;
}

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };

/** Every operation of the document, with `$ref`s and `allOf`s of their schemas resolved. */
export function operationsOf(doc: Doc): Operation[] {
  const resolve = (s: Schema | undefined, seen = 0): Schema => resolveSchema(doc, s, seen);
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const security = JSON.stringify(op.security ?? []);
      const json = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      out.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: resolve(p.schema) })),
        body: json ? { required: Boolean(op.requestBody.required), schema: resolve(json) } : null,
        auth: security.includes('mallApiKey') ? 'mall' : security.includes('staffToken') ? 'staff' : 'none',
        mutating: method !== 'get',
      });
    }
  }
  return out;
}

/** A schema with its `$ref` followed and `allOf` merged, recursively (to a bounded depth). */
export function resolveSchema(doc: Doc, s: Schema | undefined, depth = 0): Schema {
  if (!s || depth > 12) return {};
  if (s.$ref) return resolveSchema(doc, doc.components.schemas[s.$ref.replace('#/components/schemas/', '')], depth + 1);
  let out: Schema = { ...s };
  if (s.allOf) {
    delete out.allOf;
    for (const part of s.allOf) out = { ...out, ...resolveSchema(doc, part, depth + 1) };
  }
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]));
  if (out.items) out.items = resolveSchema(doc, out.items, depth + 1);
  for (const key of ['anyOf', 'oneOf'] as const) if (out[key]) out[key] = out[key].map((b) => resolveSchema(doc, b, depth + 1));
  return out;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** The JSON types a schema accepts, or null when it accepts anything (no `type`, no union). */
export function typesOf(s: Schema): Set<JsonType> | null {
  if (s.anyOf || s.oneOf) {
    const all = new Set<JsonType>();
    for (const b of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
      const t = typesOf(b);
      if (!t) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  if (s.type === undefined) {
    if (s.enum) return new Set(s.enum.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType))));
    return s.properties ? new Set(['object']) : null;
  }
  const types = new Set((Array.isArray(s.type) ? s.type : [s.type]) as JsonType[]);
  // An integer is a number to JSON: a number schema accepts integers too.
  if (types.has('number')) types.add('integer');
  return types;
}

/** The schema of the value at `path` (object keys and array indexes) under `root`, or null if unknown. */
export function schemaAt(root: Schema, path: (string | number)[]): Schema | null {
  let s: Schema | undefined = root;
  for (const step of path) {
    if (!s) return null;
    if (typeof step === 'number') s = s.items;
    else s = s.properties?.[step];
  }
  return s ?? null;
}
