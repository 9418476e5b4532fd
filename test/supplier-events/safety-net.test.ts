import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { startLineWorkers } from '../support/line-workers.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';
import { settleOrder } from '../support/settle.ts';

let hub: TestHub;
let sandboxServer: { url: string; close: () => Promise<void> };
let hubServer: { url: string; close: () => Promise<void> };
let sandboxes: Sandbox[];
let sandboxClock: SandboxClock;
let workers: { close: () => Promise<void> } | undefined;
let mall: { mallId: string; apiKey: string };

const recipient = { name: '王五', phone: '13700137001', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 2 号' };

beforeAll(async () => {
  // The sandboxes call back to the hub: serve a stand-in first, and point it at the hub once it exists.
  let target: ((req: Request) => Response | Promise<Response>) | null = null;
  hubServer = await serveOnLoopback(new Hono().all('*', (c) => (target ? target(c.req.raw) : c.text('not yet', 503))));
  sandboxClock = new SandboxClock();
  sandboxes = createSandboxes({ clock: sandboxClock, seed: 77, skus: 120, hubUrl: hubServer.url, lifecycle: defaultLifecycle }, loadConfig({}).suppliers);
  sandboxServer = await serveOnLoopback(createSandboxHost(sandboxes, sandboxClock));
  hub = await startTestHub({
    supplierNow: () => new Date(),
    // Issuance is polled rarely: only a callback (or a lot of time) issues a top-up quickly.
    env: { HUB_SANDBOX_URL: sandboxServer.url, HUB_ISSUANCE_POLL_MS: '600000', HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '4000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_SUPPLIER_TIMEOUT_MS: '1500' },
  });
  target = (req) => hub.app.fetch(req);
  for (const id of ['topup-fulu', 'topup-yike', 'brand-acme', 'jd']) {
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, hub.deps.connectors.get(id) as SupplierConnector, { pageSize: 100 });
  }
  mall = await hub.createMall('Safety-net mall');
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  workers = startLineWorkers(hub);
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await sandboxServer?.close();
  await hubServer?.close();
  await hub?.close();
});

const sandbox = (id: string) => sandboxes.find((s) => s.id === id) as Sandbox;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (orderId: string) => sql<{ type: string; data: Record<string, any> }[]>('select type, data from mall_event where order_id = ? order by seq', [orderId]);

async function virtualItem() {
  const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
    `select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ?
     where ci.kind = 'virtual' and mi.sellable and ci.match_key like 'v:phone_topup|%' order by ci.id limit 1`,
    [mall.mallId],
  );
  if (!row) throw new Error('no phone top-up item');
  return { skuId: row.sku_id, points: row.points, cashFen: row.cash_fen };
}

async function physicalItemFrom(source: string, opts: { evenSku?: boolean } = {}) {
  const rows = await sql<{ sku_id: string; points: number; cash_fen: number; supplier_sku_id: string }[]>(
    `select ci.sku_id, mi.points, mi.cash_fen, min(o.supplier_sku_id) supplier_sku_id from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? join catalog_offer o on o.item_id = ci.id
     where ci.kind = 'physical' and mi.sellable and o.on_shelf and o.removed_at is null and coalesce(o.stock, 100) > 20
     group by ci.id, mi.points, mi.cash_fen having array_agg(o.supplier_id) = array[?]::text[] limit 60`,
    [mall.mallId, source],
  );
  for (const r of rows) {
    if (opts.evenSku && Number(r.supplier_sku_id) % 2 !== 0) continue;
    const [live] = await (hub.deps.connectors.get(source) as SupplierConnector).getOffers([r.supplier_sku_id], recipient);
    if (live?.sellable && live.available && (live.stock === null || live.stock > 5)) return { skuId: r.sku_id, points: r.points, cashFen: r.cash_fen };
  }
  throw new Error(`no physical item only at ${source}`);
}

let n = 0;
async function order(item: { skuId: string; points: number; cashFen: number }, virtual: boolean, quantity = 1) {
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': `sn-${++n}` },
    body: {
      mallOrderId: `SN-${n}`,
      member: { id: 'm-1' },
      ...(virtual ? {} : { recipient }),
      lines: [{ lineId: '1', skuId: item.skuId, quantity, pointsPaid: item.points * quantity, cashPaidFen: item.cashFen * quantity, ...(virtual ? { rechargeAccount: '13600136001' } : {}) }],
    },
  });
  expect(res.status).toBe(201);
  return (await json(res)).orderId as string;
}

const settle = (orderId: string, done: (o: Record<string, any>) => boolean, step: { hubMs: number; supplierMs: number }) =>
  settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, done, { ...step, rounds: 80 });

describe('top-up outcomes: callback and polling, one path', () => {
  it('issues a top-up when its result callback arrives, once, by waking the line’s run', async () => {
    const orderId = await order(await virtualItem(), true);
    const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: 1_000, supplierMs: 60_000 });
    const source = done.lines[0].source as string;
    // 80 s of hub time at most: the 10-minute poll never came; the callback did it.
    const stored = await sql<{ status: string }[]>("select status from inbound_event where supplier = ? and event_type like 'order.%'", [source]);
    expect(stored.map((s) => s.status)).toContain('processed');
    await sleep(500);
    const types = (await events(orderId)).map((e) => e.type);
    expect(types.filter((t) => t === 'line.issued' || t === 'line.failed').length).toBeLessThanOrEqual(1);
    if (done.lines[0].status === 'issued') expect(types.filter((t) => t === 'line.issued')).toHaveLength(1);
  });

  it('recovers a top-up whose callback is lost by polling the provider', async () => {
    for (const id of ['topup-fulu', 'topup-yike']) sandbox(id).faults.set({ callbacks: { dropRate: 1 } });
    try {
      const before = Number((await sql<{ n: string }[]>("select count(*) n from inbound_event where supplier like 'topup-%'"))[0]?.n);
      const orderId = await order(await virtualItem(), true);
      const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: 120_000, supplierMs: 60_000 });
      expect(['issued', 'failed']).toContain(done.lines[0].status);
      // Nothing came back from the provider: polling alone settled it.
      expect(Number((await sql<{ n: string }[]>("select count(*) n from inbound_event where supplier like 'topup-%'"))[0]?.n)).toBe(before);
      const types = (await events(orderId)).map((e) => e.type);
      if (done.lines[0].status === 'issued') expect(types.filter((t) => t === 'line.issued')).toHaveLength(1);
    } finally {
      for (const id of ['topup-fulu', 'topup-yike']) sandbox(id).faults.reset();
    }
  });
});

describe('drop-ship safety net', () => {
  it('builds the timeline by polling when every supplier callback is lost', async () => {
    sandbox('brand-acme').faults.set({ callbacks: { dropRate: 1 } });
    try {
      const orderId = await order(await physicalItemFrom('brand-acme'), false);
      const done = await settle(orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 5_000, supplierMs: 3 * 3600_000 });
      expect(done.lines[0].status).toBe('delivered');
      expect(done.lines[0].shipments.length).toBeGreaterThan(0);
      expect(done.lines[0].shipments[0].status).toBe('delivered');
      const stamps = done.lines[0].shipments[0].events.map((e: { at: string }) => e.at);
      expect(stamps).toEqual([...stamps].sort());
      expect(await sql("select 1 from inbound_event where supplier = 'brand-acme'")).toHaveLength(0);
      const types = (await events(orderId)).map((e) => e.type);
      expect(types.filter((t) => t === 'line.shipped')).toHaveLength(1);
      expect(types.filter((t) => t === 'line.delivered')).toHaveLength(1);
    } finally {
      sandbox('brand-acme').faults.reset();
    }
  });

  it('splits a JD line into one shipment per child order, read by polling', async () => {
    // JD's sandbox splits two units of an even SKU id into two child orders, each with its own waybill.
    const orderId = await order(await physicalItemFrom('jd', { evenSku: true }), false, 2);
    const done = await settle(orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 5_000, supplierMs: 3 * 3600_000 });
    expect(done.lines[0].status).toBe('delivered');
    const [attempt] = await sql<{ supplier_order_id: string }[]>('select a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq desc limit 1', [orderId]);
    const split = await sql<{ child_order_ids: string[] }[]>("select child_order_ids from order_split where supplier_id = 'jd' and supplier_order_id = ?", [attempt?.supplier_order_id]);
    expect(split[0]?.child_order_ids).toHaveLength(2);
    expect(done.lines[0].shipments).toHaveLength(2);
    expect(new Set(done.lines[0].shipments.map((s: { trackingNo: string }) => s.trackingNo)).size).toBe(2);
    expect(done.lines[0].quantityFulfilled).toBe(2);
    for (const s of done.lines[0].shipments) expect(s).toMatchObject({ carrier: 'JD', status: 'delivered' });
  });
});
