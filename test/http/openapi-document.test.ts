import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_GROUPS } from '../../src/http/openapi-conventions.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

/*
 * Issue 18: the served /openapi.json is complete enough that a generated client needs no
 * hand-written types, and /docs shows no empty sample. Every check walks every operation (those
 * of other areas included as they are added) and lists each operation and field that breaks it.
 * The conventions are in src/http/openapi-conventions.ts.
 */

type Schema = Record<string, any>;
interface Operation {
  id: string;
  method: string;
  path: string;
  op: Record<string, any>;
}

let hub: TestHub;
let doc: Record<string, any>;
let ops: Operation[];
beforeAll(async () => {
  hub = await startTestHub();
  const res = await hub.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = await json(res);
  ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path} (${op.operationId})`, method, path, op })),
  );
});
afterAll(() => hub.close());

/** A schema with its `$ref` followed (components only: the document has no other kind). */
function resolve(s: Schema | undefined, depth = 0): Schema {
  if (!s || depth > 20) return {};
  if (typeof s.$ref === 'string') return resolve(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')], depth + 1);
  return s;
}

/** Keys that describe a schema without constraining it (zod-to-openapi adds them beside a `$ref` in an `allOf`). */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly']);
const annotationOnly = (s: Schema) => Object.keys(s).every((k) => ANNOTATIONS.has(k));

/** The branches of a schema that accept a string (through anyOf / oneOf / allOf and refs). */
function stringBranches(s: Schema | undefined, depth = 0): Schema[] {
  const r = resolve(s);
  if (depth > 20) return [];
  const nested = [...(r.anyOf ?? []), ...(r.oneOf ?? []), ...((r.allOf ?? []) as Schema[]).filter((b) => !annotationOnly(b))] as Schema[];
  if (nested.length) return nested.flatMap((b) => stringBranches(b, depth + 1));
  const types = Array.isArray(r.type) ? r.type : r.type === undefined ? [] : [r.type];
  if (types.includes('string')) return [r];
  if (types.length === 0 && Array.isArray(r.enum) && r.enum.some((v: unknown) => typeof v === 'string')) return [r];
  if (types.length === 0 && typeof r.const === 'string') return [r];
  // No type, no union: it accepts anything, a string included.
  if (types.length === 0 && r.enum === undefined && r.const === undefined && r.properties === undefined && r.items === undefined) return [r];
  return [];
}

/** Every `[where, name, schema]` of a property of an object schema anywhere in `node` (examples skipped: they are data). */
function properties(node: unknown, where: string, out: [string, string, Schema][] = []): [string, string, Schema][] {
  if (Array.isArray(node)) node.forEach((n, i) => properties(n, `${where}[${i}]`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'example' || k === 'examples') continue;
      if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [name, schema] of Object.entries(v as Record<string, Schema>)) out.push([where, name, schema]);
      }
      properties(v, `${where}.${k}`, out);
    }
  }
  return out;
}

/** Every parameter of every operation, with the operation it belongs to. */
const parameters = () => ops.flatMap((o) => ((o.op.parameters ?? []) as Schema[]).map((p) => ({ o, p })));

/** Fields that name a state out of a fixed list; a free string there makes clients guess. */
const STATUS_LIKE = /^(status|state|kind|role|phase|mode|change|stock|result|carrier|dependency|actorType)$|Status$/;
/** Fields that hold an instant. */
const TIMESTAMP = /(At|Since)$|^(at|since|created)$/;

/** Public routes: the process probes, the reference, and supplier callbacks (verified by their own signatures). */
const isPublic = (path: string) => !path.startsWith('/v1/') && !path.startsWith('/admin/');
/** Operations that reach neither PostgreSQL nor Redis. */
const WITHOUT_DEPENDENCIES = new Set(['getHealthz', 'getMetrics', 'getDocs', 'getOpenApiDocument']);

const hasExample = (media: Schema | undefined) => media !== undefined && (media.example !== undefined || (media.examples && Object.keys(media.examples).length > 0));

describe('GET /openapi.json, operation by operation', () => {
  it('serves every operation of every area', () => {
    expect(ops.length).toBeGreaterThan(40);
    for (const prefix of ['/v1/', '/admin/', '/webhooks/', '/healthz', '/readyz', '/metrics', '/docs', '/openapi.json']) {
      expect(ops.some((o) => o.path.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('gives every operation a summary and a description', () => {
    const missing = ops.filter((o) => !o.op.summary?.trim() || !o.op.description?.trim()).map((o) => o.id);
    expect(missing, `operations without a summary or description:\n${missing.join('\n')}`).toEqual([]);
  });

  it('gives every request body and every response body an example', () => {
    const missing: string[] = [];
    for (const o of ops) {
      for (const [type, media] of Object.entries((o.op.requestBody?.content ?? {}) as Record<string, Schema>)) if (!hasExample(media)) missing.push(`${o.id}: request ${type}`);
      for (const [status, response] of Object.entries(o.op.responses as Record<string, Schema>)) {
        for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Schema>)) if (!hasExample(media)) missing.push(`${o.id}: ${status} ${type}`);
      }
    }
    expect(missing, `bodies without an example:\n${missing.join('\n')}`).toEqual([]);
  });

  it('describes every parameter and gives it an example, so /docs samples have no empty values', () => {
    const missing = parameters()
      .filter(({ p }) => !p.description?.trim() || [p.example, p.examples, p.schema?.example, p.schema?.examples, p.schema?.default, p.schema?.enum?.[0]].every((v) => v === undefined))
      .map(({ o, p }) => `${o.id}: ${p.in} ${p.name}${p.description?.trim() ? '' : ' (no description)'}`);
    expect(missing, `parameters without a description or an example:\n${missing.join('\n')}`).toEqual([]);
  });

  it('declares 500 on every operation, and 503 with Retry-After on every one that reaches PostgreSQL or Redis', () => {
    const missing: string[] = [];
    for (const o of ops) {
      if (!o.op.responses['500']) missing.push(`${o.id}: no 500`);
      if (!WITHOUT_DEPENDENCIES.has(o.op.operationId) && !o.op.responses['503']) missing.push(`${o.id}: no 503`);
      for (const status of ['429', '503']) {
        if (o.op.responses[status] && !o.op.responses[status].headers?.['Retry-After']) missing.push(`${o.id}: ${status} without Retry-After`);
      }
      if (!Object.keys(o.op.responses).some((s) => s.startsWith('4'))) missing.push(`${o.id}: no 4xx`);
    }
    expect(missing, missing.join('\n')).toEqual([]);
  });

  it('declares X-Request-Id on every response, and the rate-limit headers on the mall API', () => {
    const missing: string[] = [];
    for (const o of ops) {
      for (const [status, response] of Object.entries(o.op.responses as Record<string, Schema>)) {
        if (!response.headers?.['X-Request-Id']) missing.push(`${o.id}: ${status} without X-Request-Id`);
        if (o.path.startsWith('/v1/') && !['401', '413', '415'].includes(status)) {
          for (const h of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Policy']) if (!response.headers?.[h]) missing.push(`${o.id}: ${status} without ${h}`);
        }
      }
    }
    expect(missing, missing.join('\n')).toEqual([]);
    for (const h of ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Policy', 'Retry-After']) expect(doc.components.headers[h]?.description, h).toBeTruthy();
  });

  it('marks public routes `security: []` and the others with the credential of their area', () => {
    const wrong = ops
      .filter((o) => {
        const security = JSON.stringify(o.op.security);
        if (isPublic(o.path)) return security !== '[]';
        return security !== JSON.stringify([{ [o.path.startsWith('/v1/') ? 'mallApiKey' : 'staffToken']: [] }]);
      })
      .map((o) => `${o.id}: ${JSON.stringify(o.op.security)}`);
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('tags every operation with a described tag of exactly one group, keeping suppliers, operations and admin apart from the mall API', () => {
    const declared = new Map((doc.tags as { name: string; description?: string }[]).map((t) => [t.name, t.description]));
    const groups = doc['x-tagGroups'] as { name: string; tags: string[] }[];
    expect(groups.map((g) => g.name)).toEqual(['Mall API', 'Admin', 'Supplier callbacks', 'Operations']);
    const groupOf = (tag: string) => groups.filter((g) => g.tags.includes(tag)).map((g) => g.name);
    const problems: string[] = [];
    for (const [name, description] of declared) {
      if (!description?.trim()) problems.push(`tag ${name}: no description`);
      if (groupOf(name).length !== 1) problems.push(`tag ${name}: in ${groupOf(name).length} groups`);
    }
    for (const o of ops) {
      const tags = (o.op.tags ?? []) as string[];
      if (tags.length !== 1) problems.push(`${o.id}: ${tags.length} tags`);
      for (const t of tags) if (!declared.has(t)) problems.push(`${o.id}: tag ${t} is not declared (add it to TAG_GROUPS)`);
      const group = tags.flatMap(groupOf)[0];
      const expected = o.path.startsWith('/v1/') ? 'Mall API' : o.path.startsWith('/admin/') ? 'Admin' : o.path.startsWith('/webhooks/') ? 'Supplier callbacks' : 'Operations';
      if (group !== expected) problems.push(`${o.id}: in group ${group}, expected ${expected}`);
    }
    for (const [type, webhook] of Object.entries((doc.webhooks ?? {}) as Record<string, Record<string, Schema>>)) {
      for (const op of Object.values(webhook)) for (const t of (op.tags ?? []) as string[]) if (!declared.has(t)) problems.push(`webhook ${type}: tag ${t} is not declared (add it to TAG_GROUPS)`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(TAG_GROUPS.flatMap((g) => g.tags.map((t) => t.name))).toEqual([...declared.keys()]);
  });
});

describe('GET /openapi.json, schemas', () => {
  it('closes every status-like field: an enum, never an open string', () => {
    const open: string[] = [];
    const check = (where: string, name: string, schema: Schema) => {
      if (!STATUS_LIKE.test(name)) return;
      for (const b of stringBranches(schema)) if (b.enum === undefined && b.const === undefined) open.push(`${where}: ${name}`);
    };
    for (const [where, name, schema] of properties(doc, '#')) check(where, name, schema);
    for (const { o, p } of parameters()) check(`${o.id} ${p.in}`, p.name, p.schema);
    expect(open, `open strings where a closed enum belongs:\n${open.join('\n')}`).toEqual([]);
  });

  it('gives every timestamp `format: date-time`', () => {
    const untyped: string[] = [];
    for (const [where, name, schema] of properties(doc, '#')) {
      if (!TIMESTAMP.test(name)) continue;
      const strings = stringBranches(schema);
      if (strings.length === 0 || strings.some((b) => b.format !== 'date-time')) untyped.push(`${where}: ${name}`);
    }
    expect(untyped, `timestamps without format: date-time:\n${untyped.join('\n')}`).toEqual([]);
  });

  it('types error details as the union of the shapes the hub writes', () => {
    const details = doc.components.schemas.Error.properties.error.properties.details;
    const union = resolve(details);
    const branches = (union.anyOf ?? union.oneOf ?? []) as Schema[];
    expect(branches.length).toBeGreaterThanOrEqual(8);
    const required = branches.map((b) => (resolve(b).required as string[] | undefined)?.join(','));
    // Each shape is told apart by its required keys.
    expect(required.every(Boolean)).toBe(true);
    expect(new Set(required).size).toBe(required.length);
    expect(required).toEqual(expect.arrayContaining(['fields', 'lines', 'province', 'dependency', 'undecided,decided', 'failed,checks', 'reason']));
  });
});
