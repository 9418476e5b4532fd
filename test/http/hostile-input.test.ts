import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { changedTables, snapshotDb } from '../fuzz/db-snapshot.ts';
import { type Operation, operationsOf } from '../fuzz/openapi-operations.ts';
import { fillPath, pathValue, type RequestContext, validBody, validRequest } from '../fuzz/valid-requests.ts';
import { webhookSigner } from '../fuzz/webhook-bodies.ts';
import { closeWire, send, type WireRequest, type WireResponse } from '../fuzz/wire.ts';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let ops: Operation[];
let ctx: RequestContext;
beforeAll(async () => {
  hub = await startTestHub();
  server = await serveOnLoopback(hub.app as never);
  const mall = await hub.createMall('Hostile input mall');
  ops = operationsOf(JSON.parse((await send(server.url, { method: 'GET', target: '/openapi.json', headers: {} })).body));
  ctx = {
    apiKey: mall.apiKey,
    adminToken: ADMIN_TOKEN,
    ids: { mallId: mall.mallId, orderId: 'ord_x', mallOrderId: 'M-1', lineId: '1', skuId: 'sku_x', eventId: 'evt_x', tokenId: 'tok_x', runId: 'run_x', deliveryId: 'wd_x', ticketId: 'ast_x' },
    webhooks: webhookSigner(hub.config, () => hub.clock.now()),
  };
});
afterAll(async () => {
  closeWire();
  await server.close();
  await hub.close();
});

const call = (req: WireRequest) => send(server.url, req);
const db = () => snapshotDb(hub.deps.orm.em.fork());

/** The answer is 400 `validation_failed` naming exactly `fields`. */
function expectRefused(res: WireResponse, fields: string[], what: string) {
  expect(res.status, `${what}: ${res.body.slice(0, 300)}`).toBe(400);
  const { error } = JSON.parse(res.body) as { error: { code: string; details: { fields: { path: string }[] } } };
  expect(error.code, what).toBe('validation_failed');
  expect(error.details.fields.map((f) => f.path), what).toEqual(fields);
}

describe('NUL in a path parameter', () => {
  it('is refused with 400 validation_failed naming path.<param> on every route with one, and nothing changes', async () => {
    const before = await db();
    let routes = 0;
    for (const op of ops) {
      for (const param of op.params.filter((p) => p.in === 'path')) {
        const req = validRequest(op, ctx);
        const values = Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name, encodeURIComponent(pathValue(op, p.name, ctx.ids))]));
        values[param.name] = `a%00${values[param.name]}`;
        expectRefused(await call({ ...req, target: fillPath(op, values) + (req.target.includes('?') ? req.target.slice(req.target.indexOf('?')) : '') }), [`path.${param.name}`], `${op.method} ${op.path}`);
      }
      routes += op.params.some((p) => p.in === 'path') ? 1 : 0;
    }
    expect(routes).toBeGreaterThanOrEqual(15);
    expect(changedTables(before, await db())).toEqual([]);
  });
});

describe('NUL in a query string', () => {
  it('is refused naming query.<param>, declared by the route or not', async () => {
    let checked = 0;
    for (const op of ops.filter((o) => !o.mutating)) {
      const req = validRequest(op, ctx);
      const names = [...op.params.filter((p) => p.in === 'query').map((p) => p.name), 'undeclared'];
      for (const name of names) {
        const target = `${req.target}${req.target.includes('?') ? '&' : '?'}${name}=x%00y`;
        const res = await call({ ...req, target });
        // A required parameter given twice is refused for NUL, never accepted.
        expectRefused(res, [`query.${name}`], `${op.method} ${target}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});

describe('NUL and lone surrogates in JSON bodies', () => {
  const post = (op: string, body: string, headers: Record<string, string> = {}) => {
    const o = ops.find((x) => x.id === op) as Operation;
    const req = validRequest(o, ctx);
    return call({ ...req, headers: { ...req.headers, ...headers }, body: Buffer.from(body) });
  };

  it('are refused naming body.<field> on every route with a body, before anything is written', async () => {
    const before = await db();
    const cases: [string, (b: any) => void, string][] = [
      ['createMall', (b) => (b.name = 'Mall\u0000'), 'body.name'],
      ['updateMall', (b) => (b.name = 'x\ud800y'), 'body.name'],
      ['updateOwnMall', (b) => (b.catalogSelection = { brands: ['ok', 'b\u0000d'] }), 'body.catalogSelection.brands.1'],
      ['createOrder', (b) => (b.recipient.address = '88 号\u0000'), 'body.recipient.address'],
      ['cancelOrder', (b) => (b.reason = '\u0000'), 'body.reason'],
      ['checkAvailability', (b) => (b.region.city = '北京\udc00'), 'body.region.city'],
      ['createStaffToken', (b) => (b.name = 'agent\u0000'), 'body.name'],
    ];
    for (const [id, poison, field] of cases) {
      const body = validBody(ops.find((o) => o.id === id) as Operation, ctx) as Record<string, unknown>;
      poison(body);
      expectRefused(await post(id, JSON.stringify(body)), [field], id);
    }
    expect(changedTables(before, await db())).toEqual([]);
  });

  it('are refused in a signed supplier webhook, which then stores nothing', async () => {
    const before = await db();
    for (const [id, delivery] of [
      ['receiveBrandWebhook', ctx.webhooks.brand({ id: 'evt\u0000', type: 'order.shipped', note: 'x' })],
      ['receiveTaobaoPush', ctx.webhooks.taobao({ id: 'msg-1', type: 'fenxiao_OrderShipped', note: 'nick\ud800' })],
      ['receiveTopupCallback', ctx.webhooks.topup({ id: 'TP-1', type: 'success', note: 'done\u0000' })],
    ] as const) {
      const res = await post(id, delivery.body, delivery.headers);
      expect(res.status, `${id}: ${res.body}`).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('validation_failed');
    }
    expect(changedTables(before, await db())).toEqual([]);
  });

  it('are refused inside an opaque cursor too (it is decoded after validation)', async () => {
    const cursor = Buffer.from(JSON.stringify({ k: 'mall_\u0000' })).toString('base64url');
    const res = await call({ method: 'GET', target: `/admin/malls?cursor=${cursor}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status, res.body).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('validation_failed');
    // Refused when the cursor is decoded, before PostgreSQL (its last-resort 400 logs a warning).
    expect(hub.logs.lines.filter((l) => l.includes('edge checks missed'))).toHaveLength(0);
  });
});

describe('broken encodings', () => {
  it('answer 400 for invalid percent-encoding in the path or the query', async () => {
    const auth = { authorization: `Bearer ${ctx.apiKey}` };
    for (const [target, field] of [
      ['/v1/orders/%zz', 'path'],
      ['/v1/orders/%E0%A4%A', 'path'],
      ['/v1/orders/ord%ED%A0%80', 'path'],
      ['/v1/orders?mallOrderId=%E0%A4%A', 'query.mallOrderId'],
      ['/v1/events?cursor=%zz', 'query.cursor'],
      ['/v1/events?%C0%80=1', 'query.%C0%80'],
    ] as [string, string][]) {
      expectRefused(await call({ method: 'GET', target, headers: auth }), [field], target);
    }
  });

  it('answer 400 invalid_json for a body that is not UTF-8, and write nothing', async () => {
    const before = await db();
    const op = ops.find((o) => o.id === 'createMall') as Operation;
    const req = validRequest(op, ctx);
    const json = (req.body as Buffer).toString('utf8');
    const at = json.indexOf('Another') + 3;
    const res = await call({ ...req, body: Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xc0, 0x80]), Buffer.from(json.slice(at))]) });
    expect(res.status, res.body).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('invalid_json');
    expect(changedTables(before, await db())).toEqual([]);
  });

  it('answer 415, not 500, for a JSON media type the route does not take', async () => {
    const op = ops.find((o) => o.id === 'createMall') as Operation;
    const req = validRequest(op, ctx);
    const res = await call({ ...req, headers: { ...req.headers, 'content-type': 'application/json; charset' } });
    expect(res.status, res.body).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe('unsupported_media_type');
  });
});
