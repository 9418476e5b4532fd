import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ env: { HUB_BODY_LIMIT_BYTES: '2048' } });
});
afterAll(() => hub.close());

function expectContractError(body: any, code: string) {
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
}

async function mallCount(): Promise<number> {
  const rows = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*)::text as n from mall');
  return Number(rows[0]?.n);
}

describe('error bodies', () => {
  it('answers malformed JSON with 400 invalid_json and changes nothing', async () => {
    const before = await mallCount();
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, rawBody: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expectContractError(await json(res), 'invalid_json');
    expect(await mallCount()).toBe(before);
  });

  it('answers a zod failure with 400 validation_failed naming every failing field', async () => {
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: '', webhookUrl: 'not a url', pointsPerYuan: 1.5 } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expectContractError(body, 'validation_failed');
    const paths = body.error.details.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(['body.name', 'body.pointsPerYuan', 'body.webhookUrl']);
  });

  it('answers bad query parameters with validation_failed on the query field', async () => {
    const res = await hub.call('GET', '/admin/malls?limit=5000', { token: ADMIN_TOKEN });
    expect(res.status).toBe(400);
    const body = await json(res);
    expectContractError(body, 'validation_failed');
    expect(body.error.details.fields[0].path).toBe('query.limit');
  });

  it('answers a forged cursor with validation_failed, not a 500', async () => {
    const res = await hub.call('GET', '/admin/malls?cursor=%%%garbage', { token: ADMIN_TOKEN });
    expect(res.status).toBe(400);
    expectContractError(await json(res), 'validation_failed');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await hub.call('GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expectContractError(await json(res), 'not_found');
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: 'x'.repeat(5000), webhookUrl: 'http://127.0.0.1/x' } });
    expect(res.status).toBe(413);
    expectContractError(await json(res), 'payload_too_large');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expectContractError(await json(res), 'unsupported_media_type');
  });

  it('answers a missing body with validation_failed', async () => {
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN });
    expect(res.status).toBe(400);
    expectContractError(await json(res), 'validation_failed');
  });

  it('never answers 500 for hostile input', async () => {
    const inputs = ['null', '[]', '"x"', '1e309', '{"name": {"$gt": ""}, "webhookUrl": []}', '\u0000', '{"__proto__": {"x": 1}}'];
    for (const raw of inputs) {
      const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, rawBody: raw, headers: { 'content-type': 'application/json' } });
      expect(res.status, raw).toBeGreaterThanOrEqual(400);
      expect(res.status, raw).toBeLessThan(500);
      expect((await json(res)).error.code).toMatch(/^(invalid_json|validation_failed)$/);
    }
  });
});

describe('X-Request-Id', () => {
  it('echoes the caller’s id on success and on errors', async () => {
    for (const path of ['/healthz', '/v1/mall', '/nope']) {
      const res = await hub.call('GET', path, { headers: { 'x-request-id': 'mall-req-42' } });
      expect(res.headers.get('x-request-id')).toBe('mall-req-42');
    }
  });

  it('generates one when none (or a malformed one) is sent', async () => {
    const a = await hub.call('GET', '/healthz');
    const b = await hub.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces\n' } });
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});

// Served by Node, the API reads request bodies from the socket itself (json-body.ts): the same
// answers as in process, over a real connection that stays usable after a refusal.
describe('request bodies over HTTP', () => {
  let base: string;
  let server: ServerType;
  beforeAll(async () => {
    server = serve({ fetch: hub.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (path: string, body: string | Readable, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(`${base}${path}`, { method: 'POST', agent, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      });
      req.on('error', reject);
      if (typeof body === 'string') req.end(body);
      else body.pipe(req);
    });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  it('sends the request id and rate limit headers on answers over HTTP, errors included', async () => {
    const m = await hub.createMall('Headers over HTTP', { rateLimit: { perSec: 50, burst: 100 } });
    const ok = await fetch(`${base}/v1/mall`, { headers: { authorization: `Bearer ${m.apiKey}`, 'x-request-id': 'http-req-1' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('http-req-1');
    // The bucket holds the burst (100) and refills at 50/s; what remains never exceeds the bucket.
    expect(ok.headers.get('x-ratelimit-limit')).toBe('100');
    expect(ok.headers.get('x-ratelimit-policy')).toBe('50;w=1;burst=100');
    expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeLessThanOrEqual(100);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    const missing = await fetch(`${base}/v1/orders/ord_nope`, { headers: { authorization: `Bearer ${m.apiKey}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.headers.get('x-ratelimit-limit')).toBe('100');
    const unauthorized = await fetch(`${base}/v1/mall`, { headers: { authorization: 'Bearer nope' } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    expect(unauthorized.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const docs = await fetch(`${base}/openapi.json`, { headers: { 'x-request-id': 'http-req-2' } });
    expect(docs.headers.get('x-request-id')).toBe('http-req-2');
  });

  it('parses a JSON body and creates what it asks for', async () => {
    const res = await post('/admin/malls', JSON.stringify({ name: 'Over HTTP', webhookUrl: 'http://127.0.0.1:9/hook' }));
    expect(res.status).toBe(201);
    expect(res.body.mallId).toMatch(/^mall_/);
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ name: string }[]>("select name from mall where name = 'Over HTTP'");
    expect(rows).toHaveLength(1);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await post('/admin/malls', '{"name": "x",');
    expect(res.status).toBe(400);
    expectContractError(res.body, 'invalid_json');
  });

  it('answers a declared length over the limit with 413 before reading the body, and the connection serves the next request', async () => {
    const before = await mallCount();
    const res = await post('/admin/malls', JSON.stringify({ name: 'x'.repeat(5000), webhookUrl: 'http://127.0.0.1/x' }));
    expect(res.status).toBe(413);
    expectContractError(res.body, 'payload_too_large');
    const next = await post('/admin/malls', JSON.stringify({ name: 'After a 413', webhookUrl: 'http://127.0.0.1:9/hook' }));
    expect(next.status).toBe(201);
    expect(await mallCount()).toBe(before + 1);
  });

  it('answers a chunked body that grows over the limit with 413', async () => {
    const chunks = ['{"name": "', 'x'.repeat(1500), 'y'.repeat(1500), '", "webhookUrl": "http://127.0.0.1/x"}'];
    const res = await post('/admin/malls', Readable.from(chunks), { 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
    expectContractError(res.body, 'payload_too_large');
  });

  it('answers a form post with 415 and a missing body with validation_failed', async () => {
    const form = await post('/admin/malls', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expectContractError(form.body, 'unsupported_media_type');
    const empty = await post('/admin/malls', '');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toMatch(/^(invalid_json|validation_failed)$/);
  });
});
