import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { badPercent, expandDeep, hostileJson, hostileNumber, hostileString, hostileText, invalidUtf8, prototypeKeyed, storableJson, storableText, unstorableText } from './hostile-values.ts';
import { copyJson, deletePath, jsonTypeOf, type JsonPath, nodesOf, setOwn, setPath } from './json-paths.ts';
import { type JsonType, type Operation, schemaAt, typesOf } from './openapi-operations.ts';
import { malformation, rawBytes } from './raw-http.ts';
import { authHeader, fillPath, pathValue, type RequestContext, validBody } from './valid-requests.ts';
import type { WireRequest } from './wire.ts';

/** A generated request and the name of the one flaw that makes the hub certain to refuse it (if any). */
export interface HostileRequest {
  req: WireRequest;
  poison: string | null;
}

/** What a request is built from before it is written out; poisons edit it. */
interface Draft {
  path: Record<string, string>;
  query: string[];
  headers: Record<string, string>;
  /** The JSON body (undefined: none). */
  body: unknown;
  /** Replaces the serialised body (byte-level poisons). */
  bytes?: (json: Buffer) => Buffer;
}
type Poison = [name: string, apply: (d: Draft) => void];

/** Percent-encodes every byte but the unreserved ones (a lone surrogate becomes U+FFFD: URLs are UTF-8). */
export function encodePart(s: string): string {
  let out = '';
  for (const b of Buffer.from(s.toWellFormed(), 'utf8')) out += b < 0x80 && /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** node:http sends header values as latin1 and refuses control characters: keep the rest. */
const headerSafe = (s: string) => [...s].map((ch) => (/^[\t\x20-\x7e\u0080-\u00ff]$/.test(ch) ? ch : '?')).join('');
const headerValue = fc.oneof({ weight: 4, arbitrary: hostileText.map(headerSafe) }, { weight: 1, arbitrary: fc.constantFrom(2_000, 9_000).map((n) => 'h'.repeat(n)) });
const headerName = fc.constantFrom('x-request-id', 'accept', 'accept-language', 'accept-encoding', 'user-agent', 'x-forwarded-for', 'if-none-match', 'origin', 'cookie', 'range', 'expect-ct', 'x-brand-signature');

/** A cursor the hub did not issue: base64url JSON shaped like its own, holding anything. */
const forgedCursor = fc.oneof(hostileString.map((k) => ({ k })), hostileJson).map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined').toString('base64url'));

/** Values for a declared query parameter: near-valid ones, edge numbers, forged cursors, anything. */
function queryValue(name: string, seeded: string | undefined): fc.Arbitrary<string> {
  const near = fc.constantFrom('1', '0', '-1', '200', '201', '1e3', '1.5', 'abc', '99999999999999999999', 'true', 'full', 'physical', 'line.shipped', '冰箱');
  return fc.oneof(
    { weight: 3, arbitrary: near },
    { weight: 3, arbitrary: storableText },
    { weight: 1, arbitrary: hostileNumber.map(String) },
    { weight: name === 'cursor' ? 4 : 0, arbitrary: forgedCursor },
    { weight: seeded ? 4 : 0, arbitrary: fc.constant(seeded ?? '') },
  );
}

/** The flaws that guarantee a refusal for `op`, each with the part of the request it spoils. */
function poisonsOf(op: Operation, ctx: RequestContext, sample: unknown, bodyLimit: number): fc.Arbitrary<Poison>[] {
  const out: fc.Arbitrary<Poison>[] = [];
  const pathParams = op.params.filter((p) => p.in === 'path');
  if (pathParams.length) {
    const param = fc.constantFrom(...pathParams.map((p) => p.name));
    out.push(fc.tuple(param, unstorableText).map(([n, v]): Poison => ['path: NUL or lone surrogate', (d) => (d.path[n] = encodePart(v.replace(/[\ud800-\udfff]/g, '\u0000')))]));
    out.push(fc.tuple(param, hostileText, badPercent).map(([n, a, b]): Poison => ['path: bad percent-encoding', (d) => (d.path[n] = encodePart(a) + b)]));
    out.push(fc.tuple(param, fc.stringMatching(/^[a-z0-9_]{3,40}$/)).map(([n, v]): Poison => ['path: unknown id', (d) => (d.path[n] = `zz${v}`)]));
  }
  out.push(fc.tuple(hostileText, badPercent).map(([k, b]): Poison => ['query: bad percent-encoding', (d) => d.query.push(`${encodePart(k) || 'k'}=${b}`)]));
  out.push(fc.tuple(hostileText, unstorableText).map(([k, v]): Poison => ['query: NUL', (d) => d.query.push(`${encodePart(k) || 'k'}=${encodePart(v.replace(/[\ud800-\udfff]/g, '\u0000'))}`)]));
  out.push(fc.constantFrom(17_000, 40_000).map((n): Poison => ['header: too large', (d) => (d.headers['x-padding'] = 'p'.repeat(n))]));
  if (op.auth !== 'none') out.push(hostileText.map((t): Poison => ['auth: invalid credentials', (d) => (d.headers.authorization = headerSafe(`Bearer ${t}x`))]));
  if (op.id === 'createOrder') {
    out.push(fc.constant<Poison>(['header: no Idempotency-Key', (d) => delete d.headers['idempotency-key']]));
    out.push(fc.constantFrom(201, 5_000).map((n): Poison => ['header: Idempotency-Key too long', (d) => (d.headers['idempotency-key'] = 'k'.repeat(n))]));
    // Refused by the intake itself, after validation: hostile (valid) values in the rest reach it.
    out.push(fc.stringMatching(/^[a-z0-9]{4,20}$/).map((v): Poison => ['order: unknown SKU', (d) => (d.body = setPath(d.body, ['lines', 0, 'skuId'], `zz-${v}`))]));
    out.push(fc.constant<Poison>(['order: mallOrderId taken by the seeded order', (d) => (d.body = setPath(d.body, ['mallOrderId'], ctx.ids.mallOrderId))]));
    out.push(fc.constant<Poison>(['order: seeded Idempotency-Key with another body', (d) => (d.headers['idempotency-key'] = 'fuzz-seed-order')]));
  }
  if (op.body && op.auth !== 'none') out.push(...bodyPoisons(op, sample, bodyLimit));
  return out;
}

/** Flaws in a JSON body that its schema (or the edge) must refuse. */
function bodyPoisons(op: Operation, sample: unknown, bodyLimit: number): fc.Arbitrary<Poison>[] {
  const schema = op.body?.schema ?? {};
  const nodes = nodesOf(sample).filter((n) => n.path.length > 0);
  const strings = nodes.filter((n) => typeof n.value === 'string');
  const out: fc.Arbitrary<Poison>[] = [];
  const at = <T>(list: T[]) => fc.constantFrom(...list);
  if (strings.length) {
    out.push(fc.tuple(at(strings), unstorableText).map(([n, v]): Poison => [`body: NUL or lone surrogate at ${n.path.join('.')}`, (d) => (d.body = setPath(d.body, n.path, v))]));
    const bounded = strings.filter((n) => schemaAt(schema, n.path)?.maxLength !== undefined);
    if (bounded.length) {
      out.push(fc.tuple(at(bounded), hostileText).map(([n, t]): Poison => {
        const max = schemaAt(schema, n.path)?.maxLength as number;
        return [`body: too long at ${n.path.join('.')}`, (d) => (d.body = setPath(d.body, n.path, `${'x'.repeat(max + 1)}${t}`))];
      }));
    }
  }
  const typed = nodes.map((n) => ({ ...n, types: typesOf(schemaAt(schema, n.path) ?? {}) })).filter((n): n is typeof n & { types: Set<JsonType> } => n.types !== null);
  if (typed.length) {
    out.push(fc.tuple(at(typed), hostileJson).filter(([n, v]) => !n.types.has(jsonTypeOf(v))).map(([n, v]): Poison => [`body: wrong type at ${n.path.join('.')}`, (d) => (d.body = setPath(d.body, n.path, v))]));
  }
  const required = nodes.filter((n) => {
    const parent = schemaAt(schema, n.path.slice(0, -1));
    return typeof n.path.at(-1) === 'string' && parent?.required?.includes(n.path.at(-1) as string);
  });
  if (required.length) out.push(at(required).map((n): Poison => [`body: missing ${n.path.join('.')}`, (d) => deletePath(d.body, n.path)]));
  out.push(fc.oneof(hostileString, hostileNumber, fc.constantFrom(null, true, [], [{}])).map((v): Poison => ['body: not an object', (d) => (d.body = v)]));
  out.push(fc.tuple(fc.nat(), fc.constantFrom('', '}', ',', ']', "'", 'NaN', 'undefined', '\u0000', '{"a":1}{')).map(([cut, junk]): Poison => ['body: not JSON', (d) => (d.bytes = (json) => notJson(json, cut, junk))]));
  out.push(fc.tuple(fc.nat(), invalidUtf8).map(([pos, bad]): Poison => ['body: not UTF-8', (d) => (d.bytes = (json) => notUtf8(json, pos, bad))]));
  out.push(fc.constant<Poison>(['body: over the size limit', (d) => (d.bytes = (json) => Buffer.concat([json.subarray(0, -1), Buffer.from(`,"pad":"${'x'.repeat(bodyLimit)}"}`)]))]));
  out.push(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset').map((t): Poison => [`body: sent as ${t}`, (d) => (d.headers['content-type'] = t)]));
  return out;
}

/** `json` cut at some point, with junk after: never JSON (checked, since a cut can land on a valid prefix). */
function notJson(json: Buffer, cut: number, junk: string): Buffer {
  const text = json.toString('utf8');
  for (const candidate of [text.slice(0, cut % text.length) + junk, `${text}${junk}x`, `{${text}`]) {
    try {
      JSON.parse(candidate);
    } catch {
      return Buffer.from(candidate);
    }
  }
  return Buffer.from('{');
}

/** `json` with `bad` inserted at some byte: never UTF-8 (checked: bytes around an insertion can complete a sequence). */
function notUtf8(json: Buffer, pos: number, bad: readonly number[]): Buffer {
  const i = pos % (json.length + 1);
  const out = Buffer.concat([json.subarray(0, i), Buffer.from(bad), json.subarray(i)]);
  return isUtf8(out) ? Buffer.concat([out, Buffer.from([0xff])]) : out;
}

/** Webhook flaws: the hub must refuse whatever a supplier's signature does not cover, and anything it cannot store. */
function webhookPoisons(op: Operation, ctx: RequestContext): fc.Arbitrary<Poison>[] {
  const signer = op.id === 'receiveBrandWebhook' ? ctx.webhooks.brand : op.id === 'receiveTaobaoPush' ? ctx.webhooks.taobao : ctx.webhooks.topup;
  const fields = fc.record({ id: fc.oneof(hostileText, fc.constant('evt-1')), type: fc.oneof(hostileText, fc.constant('success')), note: hostileText });
  const sign = (d: Draft, f: { id: string; type: string; note: string }) => {
    const delivery = signer(f);
    d.body = JSON.parse(delivery.body);
    Object.assign(d.headers, delivery.headers);
  };
  return [
    fc.tuple(fields, fc.constantFrom('id', 'type', 'note'), unstorableText).map(([f, key, bad]): Poison => [`signed, with unstorable ${key}`, (d) => sign(d, { ...f, [key]: bad })]),
    fc.tuple(fields, hostileJson).map(([f, v]): Poison => ['signed, then tampered', (d) => {
      sign(d, f);
      // A field the signature covers, changed to anything but what was signed.
      const key = op.id === 'receiveTaobaoPush' ? 'topic' : op.id === 'receiveTopupCallback' ? 'order_id' : 'id';
      const signed = (d.body as Record<string, unknown>)[key];
      d.body = setPath(d.body, [key], JSON.stringify(v) === JSON.stringify(signed) ? `${String(signed)}-tampered` : v);
    }]),
    fc.tuple(hostileJson, fc.option(headerValue)).map(([body, sig]): Poison => ['unsigned', (d) => {
      d.body = body;
      if (sig !== null) d.headers['x-brand-signature'] = sig;
    }]),
  ];
}

/**
 * Hostile requests to `op`: path parameters, query strings, headers and bodies from the hostile
 * generators, mostly around a valid request so handlers are reached. A mutating operation always
 * gets one poison (a flaw the hub must refuse), so every answer to it must be a 4xx; a read may
 * get none. About one request in eight is written raw, with its HTTP framing broken.
 */
export function hostileRequests(op: Operation, ctx: RequestContext, opts: { bodyLimit: number; order: { points: number; cashFen: number } }): fc.Arbitrary<HostileRequest> {
  const webhook = op.path.startsWith('/webhooks/');
  const sample = webhook ? undefined : validBody(op, ctx, opts.order);
  const poisons = webhook ? webhookPoisons(op, ctx) : poisonsOf(op, ctx, sample, opts.bodyLimit);
  const pathArbs = Object.fromEntries(
    op.params.filter((p) => p.in === 'path').map((p) => {
      const seeded = encodePart(pathValue(op, p.name, ctx.ids));
      return [p.name, fc.oneof({ weight: 5, arbitrary: fc.constant(seeded) }, { weight: 3, arbitrary: storableText.map(encodePart) })];
    }),
  );
  const declared = op.params.filter((p) => p.in === 'query');
  const pair = fc.oneof(
    ...declared.map((p) => queryValue(p.name, p.name === 'mallOrderId' ? ctx.ids.mallOrderId : undefined).map((v) => `${p.name}=${encodePart(v)}`)),
    fc.tuple(storableText, storableText).map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`),
  );
  const required = declared.filter((p) => p.required).map((p) => `${p.name}=${encodePart(p.name === 'mallOrderId' ? ctx.ids.mallOrderId : 'x')}`);
  // Mostly values a valid request could hold, so the handlers see them; the rest NUL and all.
  const mutation = fc.tuple(fc.nat(), fc.oneof({ weight: 3, arbitrary: storableJson }, { weight: 1, arbitrary: hostileJson }));
  const sometimes = <T>(arb: fc.Arbitrary<T>, share: number) => fc.oneof({ weight: Math.round(1 / share) - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
  // A read may go unpoisoned (most do, so handlers answer 200 and 404 too); a write never does.
  const poison = op.mutating ? fc.oneof(...poisons).map((p) => p as Poison | null) : sometimes(fc.oneof(...poisons), 1 / 3);
  return fc
    .record({
      path: fc.record(pathArbs),
      query: fc.array(pair, { maxLength: 3 }),
      headers: fc.dictionary(headerName, headerValue, { maxKeys: 2 }),
      mutations: fc.array(mutation, { maxLength: webhook ? 0 : 2 }),
      proto: sometimes(prototypeKeyed, 1 / 4),
      poison,
      raw: sometimes(malformation, 1 / 8),
      seq: fc.nat(),
    })
    .map(({ path, query, headers, mutations, proto, poison: p, raw, seq }): HostileRequest => {
      const d: Draft = { path: { ...path }, query: [...required, ...query], headers: { ...headers, ...authHeader(op, ctx) }, body: copyJson(sample) };
      if (op.id === 'createOrder') d.headers['idempotency-key'] = `fuzz-${seq}-${Date.now()}`;
      if (d.body !== undefined) {
        const nodes = nodesOf(d.body).filter((n) => n.path.length > 0);
        for (const [i, v] of mutations) if (nodes.length) d.body = setPath(d.body, (nodes[i % nodes.length] as { path: JsonPath }).path, v);
        if (proto && d.body !== null && typeof d.body === 'object' && !Array.isArray(d.body)) for (const [k, v] of Object.entries(proto)) setOwn(d.body, k, v);
      }
      p?.[1](d);
      const json = d.body === undefined ? undefined : Buffer.from(expandDeep(JSON.stringify(d.body) ?? 'null'));
      const body = json && d.bytes ? d.bytes(json) : json;
      if (body) d.headers['content-type'] ??= 'application/json';
      const q = d.query.join('&');
      const req: WireRequest = { method: op.method, target: fillPath(op, d.path) + (q ? `?${q}` : ''), headers: d.headers, ...(body ? { body } : {}) };
      if (raw) req.raw = rawBytes(req, raw);
      return { req, poison: p?.[0] ?? null };
    });
}

/** A short, printable account of a request for a failure message. */
export function describeRequest(r: HostileRequest): string {
  const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const body = r.req.body ? (isUtf8(r.req.body) ? JSON.stringify(cut(r.req.body.toString('utf8'))) : `<${r.req.body.length} bytes, not UTF-8>`) : '-';
  return [`${r.req.method} ${cut(r.req.target)}${r.req.raw ? ' (raw, malformed)' : ''}`, `poison: ${r.poison ?? 'none'}`, `headers: ${cut(JSON.stringify(r.req.headers))}`, `body: ${body}`].join('\n  ');
}
