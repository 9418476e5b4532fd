import { Hono } from 'hono';
import { expect } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { loadConfig } from '../../src/config.ts';
import { json, startTestHub, type TestHub } from './hub.ts';
import { startLineWorkers } from './line-workers.ts';
import { settleUntil } from './settle.ts';

/**
 * A test hub with every supplier's sandbox served on loopback (calling back into the hub), their
 * catalogs synced and priced for one mall, and the workflow and inbound workers running: orders
 * and tickets go through the real connectors and wire formats, and time moves when a test says.
 */
export interface SandboxHub {
  hub: TestHub;
  sandboxClock: SandboxClock;
  mall: { mallId: string; apiKey: string };
  sandbox(id: string): Sandbox;
  sql<T extends object[]>(q: string, p?: unknown[]): Promise<T>;
  /** Places an order of one line of `item` (virtual lines get a recharge account), returning its id. */
  order(item: Item, opts?: { virtual?: boolean; quantity?: number }): Promise<string>;
  /**
   * A physical item only `source` sells, in stock there for the test address; `evenSku`: one whose
   * supplier SKU id is even (JD's sandbox splits two units of such a SKU into two child orders).
   */
  physicalItemFrom(source: string, opts?: { evenSku?: boolean }): Promise<Item>;
  /** A phone top-up. */
  virtualItem(): Promise<Item>;
  /** Moves both clocks on, relays the outbox and wakes due runs until `done` holds of what `read` returns (`settleUntil`, 80 rounds by default). */
  until<T>(read: () => Promise<T>, done: (v: T) => boolean, step: { hubMs: number; supplierMs: number; rounds?: number }): Promise<T>;
  /** The mall's view of an order. */
  orderView(orderId: string): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export interface Item {
  skuId: string;
  points: number;
  cashFen: number;
}

export const RECIPIENT = { name: '王五', phone: '13700137001', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 2 号' };

export async function startSandboxHub(opts: { env?: Record<string, string>; seed?: number; suppliers?: string[] } = {}): Promise<SandboxHub> {
  let target: ((req: Request) => Response | Promise<Response>) | null = null;
  const hubServer = await serveOnLoopback(new Hono().all('*', (c) => (target ? target(c.req.raw) : c.text('not yet', 503))));
  const sandboxClock = new SandboxClock();
  const sandboxes = createSandboxes({ clock: sandboxClock, seed: opts.seed ?? 77, skus: 120, hubUrl: hubServer.url, lifecycle: defaultLifecycle }, loadConfig({}).suppliers);
  const sandboxServer = await serveOnLoopback(createSandboxHost(sandboxes, sandboxClock));
  const hub = await startTestHub({
    supplierNow: () => new Date(),
    env: { HUB_SANDBOX_URL: sandboxServer.url, HUB_ISSUANCE_POLL_MS: '2000', HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '4000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_SUPPLIER_TIMEOUT_MS: '1500', ...opts.env },
  });
  target = (req) => hub.app.fetch(req);
  for (const id of opts.suppliers ?? ['topup-fulu', 'brand-acme', 'jd']) {
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, hub.deps.connectors.get(id) as SupplierConnector, { pageSize: 100 });
  }
  const mall = await hub.createMall('Sandbox mall');
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  const workers = startLineWorkers(hub);
  const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
  let n = 0;

  return {
    hub,
    sandboxClock,
    mall,
    sql,
    sandbox: (id) => sandboxes.find((s) => s.id === id) as Sandbox,
    async order(item, o = {}) {
      const quantity = o.quantity ?? 1;
      const res = await hub.call('POST', '/v1/orders', {
        token: mall.apiKey,
        headers: { 'idempotency-key': `sh-${++n}-${Date.now()}` },
        body: {
          mallOrderId: `SH-${n}-${Date.now()}`,
          member: { id: 'm-1' },
          ...(o.virtual ? {} : { recipient: RECIPIENT }),
          lines: [{ lineId: '1', skuId: item.skuId, quantity, pointsPaid: item.points * quantity, cashPaidFen: item.cashFen * quantity, ...(o.virtual ? { rechargeAccount: '13600136001' } : {}) }],
        },
      });
      expect(res.status).toBe(201);
      return (await json(res)).orderId as string;
    },
    async physicalItemFrom(source, pick = {}) {
      const rows = await sql<{ sku_id: string; points: number; cash_fen: number; supplier_sku_id: string }[]>(
        `select ci.sku_id, mi.points, mi.cash_fen, min(o.supplier_sku_id) supplier_sku_id from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? join catalog_offer o on o.item_id = ci.id
         where ci.kind = 'physical' and mi.sellable and o.on_shelf and o.removed_at is null
         group by ci.id, mi.points, mi.cash_fen having array_agg(o.supplier_id) = array[?]::text[] and bool_and(coalesce(o.stock, 100) > 20)
         order by ci.id limit 60`,
        [mall.mallId, source],
      );
      for (const r of rows) {
        if (pick.evenSku && Number(r.supplier_sku_id) % 2 !== 0) continue;
        const [live] = await (hub.deps.connectors.get(source) as SupplierConnector).getOffers([r.supplier_sku_id], RECIPIENT);
        if (live?.sellable && live.available && (live.stock === null || live.stock > 5)) return { skuId: r.sku_id, points: r.points, cashFen: r.cash_fen };
      }
      throw new Error(`no physical item only at ${source}`);
    },
    async virtualItem() {
      const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
        `select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ?
         where ci.kind = 'virtual' and mi.sellable and ci.match_key like 'v:phone_topup|%' order by ci.id limit 1`,
        [mall.mallId],
      );
      if (!row) throw new Error('no phone top-up item');
      return { skuId: row.sku_id, points: row.points, cashFen: row.cash_fen };
    },
    until: (read, done, step) => settleUntil({ hub, sandboxClock }, read, done, { ...step, rounds: step.rounds ?? 80, pauseMs: 120 }),
    orderView: async (orderId) => json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey })),
    async close() {
      await workers.close();
      await sandboxServer.close();
      await hubServer.close();
      await hub.close();
    },
  };
}
