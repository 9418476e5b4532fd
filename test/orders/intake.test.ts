import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { intakeRate } from '../../src/redis/intake-load.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let mall: { mallId: string; apiKey: string };
let other: { mallId: string; apiKey: string };
type Item = { skuId: string; points: number; cashFen: number; kind: string; stock: string };
let goods: Item;
let topup: Item;

const recipient = { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号 2 单元 301' };

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 41, skus: 200, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['jd', 'brand-acme', 'topup-fulu']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  mall = await hub.createMall('Order mall');
  other = await hub.createMall('Other mall');
  for (const m of [mall, other]) await repriceMall(hub.deps.orm.em.fork(), m.mallId);
  const items = (await json(await hub.call('GET', '/v1/catalog/items?limit=200&inStock=true', { token: mall.apiKey }))).items as Item[];
  goods = items.find((i) => i.kind === 'physical' && i.stock === 'in_stock') as Item;
  // A phone top-up (recharged to a mobile number), not a voucher (which takes no account).
  const topups = await sql<{ sku_id: string }[]>("select sku_id from catalog_item where match_key like 'v:phone_topup|%'");
  topup = items.find((i) => i.kind === 'virtual' && topups.some((t) => t.sku_id === i.skuId)) as Item;
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

let n = 0;
const body = (over: Record<string, unknown> = {}) => ({
  mallOrderId: `M-${++n}`,
  member: { id: 'member-1', tier: 'gold' },
  recipient,
  lines: [
    { lineId: '1', skuId: goods.skuId, quantity: 2, pointsPaid: goods.points * 2, cashPaidFen: goods.cashFen * 2 },
    { lineId: '2', skuId: topup.skuId, quantity: 1, pointsPaid: topup.points, cashPaidFen: topup.cashFen, rechargeAccount: '13900139000' },
  ],
  ...over,
});
const post = (b: unknown, key: string | null = `key-${n}-${Math.random()}`, token = mall.apiKey) =>
  hub.call('POST', '/v1/orders', { token, body: b, headers: key ? { 'idempotency-key': key } : {} });
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const counts = async () =>
  (await sql<Record<string, string>[]>(
    `select (select count(*) from mall_order)::text o, (select count(*) from order_line)::text l, (select count(*) from ledger_entry)::text g,
            (select count(*) from workflow_run)::text w, (select count(*) from job_outbox)::text j, (select count(*) from mall_event where type = 'order.accepted')::text e`,
  ))[0];

describe('POST /v1/orders', () => {
  it('accepts an order and commits it with its lines, ledger, first event and workflow jobs', async () => {
    const res = await post(body());
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({ status: 'accepted', mallOrderId: `M-${n}`, member: { id: 'member-1', tier: 'gold' } });
    expect(order.lines.map((l: { lineId: string; status: string }) => [l.lineId, l.status])).toEqual([['1', 'pending'], ['2', 'pending']]);
    const ledger = await sql<{ entry: string; units: number; points: number; fen: number }[]>('select entry, units, points, fen from ledger_entry where order_id = ? order by id', [order.orderId]);
    expect(ledger).toEqual([
      { entry: 'settlement', units: 2, points: goods.points * 2, fen: goods.cashFen * 2 },
      { entry: 'settlement', units: 1, points: topup.points, fen: topup.cashFen },
    ]);
    const runs = await sql<{ workflow: string; status: string }[]>('select r.workflow, r.status from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ? order by l.line_id', [order.orderId]);
    expect(runs).toEqual([{ workflow: 'fulfil-line', status: 'pending' }, { workflow: 'issue-line', status: 'pending' }]);
    // The 201 is built from what was written without reading it back: it must be what GET returns.
    expect(await json(await hub.call('GET', `/v1/orders/${order.orderId}`, { token: mall.apiKey }))).toEqual(order);
    // The jobs were written with the order, then relayed to the queue right after the commit.
    await hub.deps.committedJobs.flush();
    const jobs = await sql<{ n: string; relayed: string }[]>(
      "select count(*)::text n, count(dispatched_at)::text relayed from job_outbox where queue = 'workflow' and payload->>'runId' in (select r.id from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?)",
      [order.orderId],
    );
    expect(jobs[0]).toEqual({ n: '2', relayed: '2' });
    const events = await sql<{ seq: number; type: string }[]>('select seq, type from mall_event where order_id = ?', [order.orderId]);
    expect(events).toEqual([{ seq: 1, type: 'order.accepted' }]);
  });

  it('keeps the recipient and recharge account encrypted, findable by a keyed hash of the phone tail, and out of the logs', async () => {
    const order = await json(await post(body()));
    const [row] = await sql<{ recipient: { keyId: string; data: string }; phone_tail_hash: string }[]>('select recipient, phone_tail_hash from mall_order where id = ?', [order.orderId]);
    const raw = JSON.stringify(row);
    for (const secret of ['张三', '13800138000', '8000', '建国路']) expect(raw).not.toContain(secret);
    expect(JSON.parse(hub.deps.crypto.open(row?.recipient as { keyId: string; data: string }))).toEqual(recipient);
    expect(row?.phone_tail_hash).toBe(hub.deps.crypto.keyedHash('8000').hash);
    const account = await sql<{ recharge_account: string }[]>("select recharge_account::text from order_line where order_id = ? and line_id = '2'", [order.orderId]);
    expect(account[0]?.recharge_account).not.toContain('13900139000');
    const sealed = await sql<{ recharge_account: { keyId: string; data: string } }[]>("select recharge_account from order_line where order_id = ? and line_id = '2'", [order.orderId]);
    expect(hub.deps.crypto.open(sealed[0]?.recharge_account as { keyId: string; data: string })).toBe('13900139000');
    for (const secret of ['张三', '13800138000', '13900139000', '建国路']) expect(hub.logs.text).not.toContain(secret);
  });

  it('answers a repeated request with the same order, and refuses another body or a reused mallOrderId', async () => {
    const b = body();
    const first = await post(b, 'same-key');
    expect(first.status).toBe(201);
    const again = await post(structuredClone(b), 'same-key');
    expect(again.status).toBe(200);
    expect((await json(again)).orderId).toBe((await json(first)).orderId);
    const changed = await post({ ...b, member: { id: 'member-2' } }, 'same-key');
    expect(changed.status).toBe(409);
    expect((await json(changed)).error.code).toBe('idempotency_conflict');
    const reused = await post(b, 'another-key');
    expect(reused.status).toBe(409);
    expect((await json(reused)).error.code).toBe('duplicate_mall_order');
  });

  it('answers a repeat of an accepted order with that order even after its price went up', async () => {
    const b = body();
    const first = await post(b, 'repeat-after-price-change');
    expect(first.status).toBe(201);
    const item = await sql<{ item_id: string; points: number }[]>('select mi.item_id, mi.points from mall_item mi join catalog_item ci on ci.id = mi.item_id where ci.sku_id = ? and mi.mall_id = ?', [goods.skuId, mall.mallId]);
    await sql('update mall_item set points = points + 1000 where item_id = ? and mall_id = ?', [item[0]?.item_id, mall.mallId]);
    try {
      const again = await post(structuredClone(b), 'repeat-after-price-change');
      expect(again.status).toBe(200);
      expect((await json(again)).orderId).toBe((await json(first)).orderId);
      // The same body under a new key is a new order, and is now underpaid.
      const fresh = await post({ ...structuredClone(b), mallOrderId: `M-fresh-${n}` }, 'new-key-after-price-change');
      expect(fresh.status).toBe(422);
      expect((await json(fresh)).error.code).toBe('price_changed');
    } finally {
      await sql('update mall_item set points = ? where item_id = ? and mall_id = ?', [item[0]?.points, item[0]?.item_id, mall.mallId]);
    }
  });

  it('creates one order from 50 concurrent requests with one key', async () => {
    const b = body();
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(b, 'storm-key')));
    expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array.from({ length: 49 }, () => 200)].sort());
    const ids = new Set(await Promise.all(answers.map(async (r) => (await json(r)).orderId)));
    expect(ids.size).toBe(1);
    const after = await counts();
    expect(Number(after?.o) - Number(before?.o)).toBe(1);
    expect(Number(after?.l) - Number(before?.l)).toBe(2);
  });

  it('marks the outbox rows of relayed jobs dispatched shortly after, several requests in one statement', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => post(body())));
    const ids = await Promise.all(answers.map(async (r) => (await json(r)).orderId as string));
    const relayed = async () => (await sql<{ n: string; relayed: string }[]>(
      `select count(*)::text n, count(dispatched_at)::text relayed from job_outbox where payload->>'runId' in
         (select r.id from workflow_run r join order_line l on l.id = r.subject_id where l.order_id in (select jsonb_array_elements_text(?::jsonb)))`,
      [JSON.stringify(ids)],
    ))[0];
    // No flush: the dispatcher's own timer marks them (HUB_OUTBOX_RELAY_MIN_AGE_MS keeps the relay off them meanwhile).
    const deadline = Date.now() + 5_000;
    while ((await relayed())?.relayed !== '6' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await relayed()).toEqual({ n: '6', relayed: '6' });
  });

  it('counts order requests for workers that yield to intake bursts', async () => {
    const { redis, config } = hub.deps;
    await hub.deps.intakeLoad.flush();
    const second = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 3; i++) await post(body());
    await hub.deps.intakeLoad.flush();
    // Read as a worker would in the next second (the count landed in this second or, at a boundary, the next).
    const counted = (await redis.mget(`${config.redisPrefix}:intake-load:${second}`, `${config.redisPrefix}:intake-load:${second + 1}`)).reduce((k, v) => k + Number(v ?? 0), 0);
    expect(counted).toBeGreaterThanOrEqual(3);
    const rateAfter = (s: number) => intakeRate(redis, config.redisPrefix, s * 1000 + 100);
    expect(Math.max(await rateAfter(second + 1), await rateAfter(second + 2))).toBeGreaterThan(0);
  });

  it('rejects a bad request with a clear 4xx and writes nothing', async () => {
    const before = await counts();
    const cases: [unknown, string | null, number, string][] = [
      [body(), null, 400, 'idempotency_key_required'],
      [body({ recipient: undefined }), 'k1', 400, 'validation_failed'],
      [body({ recipient: { ...recipient, phone: '12345' } }), 'k2', 400, 'validation_failed'],
      [body({ lines: [{ lineId: '1', skuId: topup.skuId, quantity: 1, pointsPaid: topup.points, cashPaidFen: topup.cashFen }] }), 'k3', 400, 'validation_failed'],
      [body({ lines: [{ lineId: '1', skuId: goods.skuId, quantity: 1, pointsPaid: goods.points, cashPaidFen: 0 }, { lineId: '1', skuId: goods.skuId, quantity: 1, pointsPaid: goods.points, cashPaidFen: 0 }] }), 'k4', 400, 'validation_failed'],
      [body({ surprise: true }), 'k5', 400, 'validation_failed'],
      [body({ lines: [{ lineId: '1', skuId: 'sku_nope', quantity: 1, pointsPaid: 1, cashPaidFen: 0 }] }), 'k6', 422, 'unknown_sku'],
      [body({ lines: [{ lineId: '1', skuId: goods.skuId, quantity: 2, pointsPaid: goods.points * 2 - 1, cashPaidFen: goods.cashFen * 2 }] }), 'k7', 422, 'price_changed'],
      [body({ recipient: { ...recipient, province: '火星' } }), 'k8', 422, 'address_unserviceable'],
    ];
    for (const [b, key, status, code] of cases) {
      const res = await post(b, key);
      const out = await json(res);
      expect([res.status, out.error?.code], JSON.stringify(b).slice(0, 120)).toEqual([status, code]);
    }
    const bad = await hub.call('POST', '/v1/orders', { token: mall.apiKey, rawBody: '{"mallOrderId":', headers: { 'idempotency-key': 'k9', 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('answers out_of_stock when no source has the item in stock', async () => {
    await sql('update mall_item set stock_units = 0 where mall_id = ? and item_id = (select id from catalog_item where sku_id = ?)', [mall.mallId, goods.skuId]);
    try {
      const res = await post(body());
      expect(res.status).toBe(422);
      expect(await json(res)).toMatchObject({ error: { code: 'out_of_stock', details: { lines: [{ lineId: '1', skuId: goods.skuId }] } } });
    } finally {
      await sql('update mall_item set stock_units = null where mall_id = ? and item_id = (select id from catalog_item where sku_id = ?)', [mall.mallId, goods.skuId]);
    }
  });
});

describe('GET /v1/orders', () => {
  it('reads an order by id or by mallOrderId, and another mall gets 404', async () => {
    const created = await json(await post(body()));
    const got = await json(await hub.call('GET', `/v1/orders/${created.orderId}`, { token: mall.apiKey }));
    expect(got).toEqual(created);
    const found = await json(await hub.call('GET', `/v1/orders?mallOrderId=${created.mallOrderId}`, { token: mall.apiKey }));
    expect(found).toEqual({ items: [created], nextCursor: null });
    expect((await hub.call('GET', `/v1/orders/${created.orderId}`, { token: other.apiKey })).status).toBe(404);
    expect(await json(await hub.call('GET', `/v1/orders?mallOrderId=${created.mallOrderId}`, { token: other.apiKey }))).toEqual({ items: [], nextCursor: null });
  });
});
