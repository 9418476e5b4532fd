import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector, SupplierSku } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createTaobaoSandbox, type TaobaoSandbox } from '../../connectors/sandbox/taobao/index.ts';
import { signedPushBody } from '../../connectors/sandbox/taobao/pushes.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { processInboundEvent } from '../../src/supplier-events/process-inbound.ts';
import { storeInboundEvent } from '../../src/supplier-events/inbound-events.ts';
import { processCatalogSync } from '../../src/queues/processors/catalog-sync.processor.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { startLineWorkers } from '../support/line-workers.ts';
import { seedPlacedLine } from './seed.ts';

let hub: TestHub;
let hubServer: { url: string; close: () => Promise<void> };
let sandboxServer: { url: string; close: () => Promise<void> };
let sandboxClock: SandboxClock;
let taobao: TaobaoSandbox;
let workers: { close: () => Promise<void> } | undefined;
let mallId: string;

beforeAll(async () => {
  // Taobao pushes to the hub: serve a stand-in first, and point it at the hub once it exists.
  let target: ((req: Request) => Response | Promise<Response>) | null = null;
  hubServer = await serveOnLoopback(new Hono().all('*', (c) => (target ? target(c.req.raw) : c.text('not yet', 503))));
  sandboxClock = new SandboxClock();
  const account = loadConfig({}).suppliers.taobao;
  taobao = createTaobaoSandbox({ clock: sandboxClock, seed: 33, skus: 200, hubUrl: hubServer.url, lifecycle: defaultLifecycle }, { ...account, pushRetryDelayMs: 10 });
  sandboxServer = await serveOnLoopback(createSandboxHost([taobao], sandboxClock));
  hub = await startTestHub({ supplierNow: () => new Date(), env: { HUB_SANDBOX_URL: sandboxServer.url, HUB_CATALOG_SYNC_OVERLAP_MS: '1000' } });
  target = (req) => hub.app.fetch(req);
  ({ mallId } = await hub.createMall('Reconcile mall'));
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await sandboxServer?.close();
  await hubServer?.close();
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const connector = () => hub.deps.connectors.get('taobao') as SupplierConnector;

/** Taobao's whole listing as it is now, read through the connector. */
async function listing(): Promise<Map<string, SupplierSku>> {
  const out = new Map<string, SupplierSku>();
  let cursor: string | null = null;
  do {
    const page = await connector().listCatalog({ cursor, limit: 100 });
    for (const s of page.items) out.set(s.supplierSkuId, s);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('stored supplier events reach where they belong', () => {
  it('a Taobao item push asks for the incremental catalog sync, which brings those SKUs up to date', async () => {
    // The hub's clock follows the supplier's (NTP in production): modified-since windows line up.
    hub.clock.set(sandboxClock.now());
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connector(), { pageSize: 100 });
    await sandboxClock.advance(60_000);
    hub.clock.set(sandboxClock.now());
    await taobao.reviseCatalog();
    const pushes = await sql<{ id: string; body: string }[]>("select id, body from inbound_event where supplier = 'taobao' and event_type in ('item_StockChanged', 'item_PriceChanged') and status = 'received'");
    expect(pushes.length).toBeGreaterThan(0);
    const pushed = new Set(pushes.flatMap((p) => (JSON.parse(JSON.parse(p.body).content) as { num_iids: number[] }).num_iids.map(String)));
    const stale = async () => {
      const want = await listing();
      const rows = await sql<{ supplier_sku_id: string; cost_fen: number; stock: number | null }[]>("select supplier_sku_id, cost_fen, stock from catalog_offer where supplier_id = 'taobao'");
      return rows.filter((r) => pushed.has(r.supplier_sku_id) && (want.get(r.supplier_sku_id)?.costFen !== r.cost_fen || want.get(r.supplier_sku_id)?.stock !== r.stock)).map((r) => r.supplier_sku_id);
    };
    expect((await stale()).length).toBeGreaterThan(0);

    const requested: string[] = [];
    // What the worker's requestCatalogSync leads to: the supplier's catalogSync job, incremental.
    const requestCatalogSync = async (supplierId: string) => {
      requested.push(supplierId);
      await processCatalogSync({ supplierId, mode: 'incremental' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors: hub.deps.connectors, overlapMs: 1_000, leaseMs: 60_000 });
    };
    for (const p of pushes) {
      expect(await processInboundEvent({ em: hub.deps.orm.em, clock: hub.clock, connectors: hub.deps.connectors, scheduleRun: async () => undefined, requestCatalogSync }, p.id)).toBe('processed');
    }
    expect(new Set(requested)).toEqual(new Set(['taobao']));
    expect(await stale()).toEqual([]);
    const left = await sql("select 1 from inbound_event where supplier = 'taobao' and event_type like 'item_%' and status <> 'processed'");
    expect(left).toEqual([]);
  });

  it('a stored event whose job Redis lost is queued again by the reconciler and applied once', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'taobao', supplierOrderId: '70001' });
    const body = signedPushBody(
      'fenxiao_OrderShipped',
      { fenxiao_id: '70001', status: 'WAIT_BUYER_CONFIRM_GOODS', logistics_company_code: 'ZTO', logistics_id: '770001', consign_time: '2026-11-23 10:00:00', modified: '2026-11-23 10:00:00', trace: [{ status_time: '2026-11-23 10:00:00', action: 'CONSIGN', status_desc: '卖家已发货' }] },
      'lost-job-1',
      sandboxClock.now(),
      { appSecret: hub.config.suppliers.taobao.appSecret, userId: 1, nick: 'hub' },
    );
    // Jobs run from here on (the first test applied its pushes by hand).
    workers = startLineWorkers(hub, { workflows: false, concurrency: 2 });
    // Stored (as the route does), but its job never reached Redis.
    const stored = await storeInboundEvent(hub.deps.orm.em.fork(), hub.clock, { supplier: 'taobao', eventId: 'lost-job-1', eventType: 'fenxiao_OrderShipped', body });
    const enqueueInbound = (id: string) => hub.deps.queues.add('inboundEvent', { task: 'process', inboundEventId: id }, { jobId: `ie-${id}` });
    const reconcile = () => processMaintenance({ task: 'requeue-inbound-events' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, enqueueInbound, inboundRequeueAfterMs: 60_000 });
    // Too young: its own job may still be on the way.
    expect((await reconcile()).affected).toBe(0);
    hub.clock.advance(2 * 60_000);
    expect((await reconcile()).affected).toBe(1);
    for (let i = 0; i < 50; i++) {
      const [row] = await sql<{ status: string }[]>('select status from inbound_event where id = ?', [stored.id]);
      if (row?.status !== 'received') break;
      await sleep(100);
    }
    const [row] = await sql<{ status: string }[]>('select status from inbound_event where id = ?', [stored.id]);
    expect(row?.status).toBe('processed');
    const [status] = await sql<{ status: string }[]>('select status from order_line where id = ?', [line.lineId]);
    expect(status?.status).toBe('shipped');
    // Once processed, the reconciler leaves it alone, and a second job for it changes nothing.
    hub.clock.advance(2 * 60_000);
    expect((await reconcile()).affected).toBe(0);
    expect(await processInboundEvent({ em: hub.deps.orm.em, clock: hub.clock, connectors: hub.deps.connectors, scheduleRun: async () => undefined }, stored.id)).toBe('skipped');
    const types = await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [line.orderId]);
    expect(types.map((t) => t.type)).toEqual(['line.shipped']);
  });
});
