import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector, SupplierSku } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { GOODS_SUPPLIERS, goodsSku } from '../../fixtures/catalog/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../support/hub.ts';

const SKUS = 300;
const SEED = 21;
let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let connectors: Map<string, SupplierConnector>;
// The share of SKUs the sandbox serves with prices 5 % up (what changes "overnight" before a re-sync).
const drift = { share: 0 };

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  const base = loadConfig({});
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: SEED, skus: SKUS, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle, drift }, base.suppliers), clock, drift));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
// One page per transaction, so the checkpoint moves page by page.
const sync = (c: SupplierConnector) => runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, c, { pageSize: 100, writeBatch: 100 });
const get = (id: string) => connectors.get(id) as SupplierConnector;

/** A connector whose catalog call fails after `okCalls` pages (a crash mid-sync). */
function crashingAfter(inner: SupplierConnector, okCalls: number): SupplierConnector {
  let calls = 0;
  return Object.assign(Object.create(inner) as SupplierConnector, {
    id: inner.id,
    listCatalog: (q: Parameters<SupplierConnector['listCatalog']>[0]) => (++calls > okCalls ? Promise.reject(new Error('worker killed')) : inner.listCatalog(q)),
  });
}

describe('full catalog sync', () => {
  it('syncs every goods supplier into one item per GTIN with one offer per source', async () => {
    for (const id of ['jd', 'brand-acme', 'brand-lumen']) expect((await sync(get(id))).seen).toBe(SKUS);
    // Taobao is synced by the resume test below.
    const gtins = new Set<string>();
    for (const s of ['jd', 'brand-acme', 'brand-lumen'] as const) for (let i = 0; i < SKUS; i++) gtins.add(goodsSku(s, i, { seed: SEED, size: SKUS }).gtin);
    const items = await sql<{ n: string }[]>('select count(*)::text n from catalog_item');
    expect(Number(items[0]?.n)).toBe(gtins.size);
    const offers = await sql<{ n: string }[]>('select count(*)::text n from catalog_offer');
    expect(Number(offers[0]?.n)).toBe(3 * SKUS);
  });

  it('resumes a sync killed halfway from its checkpoint, writing nothing twice', async () => {
    const taobao = get('taobao');
    await expect(sync(crashingAfter(taobao, 2))).rejects.toThrow('worker killed');
    const [run] = await sql<{ status: string; pages: number; seen: number; last_error: string }[]>("select status, pages, seen, last_error from catalog_sync_run where supplier_id = 'taobao'");
    expect(run).toMatchObject({ status: 'running', pages: 2, seen: 200, last_error: 'worker killed' });
    const resumed = await sync(taobao);
    expect(resumed).toMatchObject({ resumed: true, status: 'succeeded', pages: 3, seen: SKUS, removed: 0 });
    const offers = await sql<{ n: string; d: string }[]>("select count(*)::text n, count(distinct supplier_sku_id)::text d from catalog_offer where supplier_id = 'taobao'");
    expect(offers[0]).toEqual({ n: String(SKUS), d: String(SKUS) });
  });

  it('makes the same GTIN from three suppliers one item with three offers', async () => {
    const rows = await sql<{ gtin: string; sources: string[] }[]>(
      `select ci.gtin, array_agg(o.supplier_id order by o.supplier_id) sources from catalog_item ci join catalog_offer o on o.item_id = ci.id
       group by ci.id, ci.gtin having count(*) >= 3 limit 1`,
    );
    expect(rows.length).toBe(1);
    const gtin = rows[0]?.gtin ?? '';
    const carriers = GOODS_SUPPLIERS.filter((s) => Array.from({ length: SKUS }, (_, i) => goodsSku(s, i, { seed: SEED, size: SKUS }).gtin).includes(gtin));
    expect(rows[0]?.sources).toEqual([...carriers].sort());
  });

  it('re-syncs by writing only the offers that changed: their items, change-feed rows and prices, nothing else', async () => {
    type Item = { id: string; best_cost_fen: number | null; sellable: boolean; stock_units: number | null };
    const items = async () => new Map((await sql<Item[]>('select id::text, best_cost_fen, sellable, stock_units from catalog_item')).map((i) => [i.id, i]));
    const offers = async () => sql<{ supplier_sku_id: string; cost_fen: number; updated_at: string; removed: boolean }[]>(
      "select supplier_sku_id, cost_fen, updated_at::text, removed_at is not null removed from catalog_offer where supplier_id = 'jd' order by supplier_sku_id");
    const prices = async () => new Map((await sql<{ item_id: string; updated_at: string }[]>('select item_id::text, updated_at::text from mall_item')).map((p) => [p.item_id, p.updated_at]));
    // A re-sync of an unchanged catalog writes no offer; a mall whose prices lag its settings (here:
    // just created, its reprice job not run) still gets every item the pages hold priced.
    const { mallId } = await hub.createMall('Re-sync mall');
    const same = await sync(get('jd'));
    expect(same).toMatchObject({ status: 'succeeded', seen: SKUS, written: 0, removed: 0 });
    const [{ priced, jdItems } = { priced: '', jdItems: '-' }] = await sql<{ priced: string; jdItems: string }[]>(
      `select (select count(*)::text from mall_item where mall_id = ?) priced,
              (select count(distinct item_id)::text from catalog_offer where supplier_id = 'jd') "jdItems"`, [mallId]);
    expect(priced).toBe(jdItems);
    await hub.deps.orm.em.fork().getConnection().execute('update mall set priced_version = pricing_version'); // as after its reprice job
    const [itemsBefore, offersBefore, pricesBefore] = [await items(), await offers(), await prices()];
    const [{ n: changesBefore } = { n: '0' }] = await sql<{ n: string }[]>('select count(*)::text n from catalog_change');

    drift.share = 0.1;
    const drifted = new Set<string>();
    for (let i = 0; i < SKUS; i++) {
      const [now, was] = [goodsSku('jd', i, { seed: SEED, size: SKUS, drift: 0.1 }), goodsSku('jd', i, { seed: SEED, size: SKUS })];
      if (now.costFen !== was.costFen) drifted.add(now.supplierSkuId);
    }
    expect(drifted.size).toBeGreaterThan(10);
    const out = await sync(get('jd'));
    drift.share = 0;
    expect(out).toMatchObject({ status: 'succeeded', seen: SKUS, written: drifted.size, removed: 0 });
    const [run] = await sql<{ written: number; seen: number }[]>('select written, seen from catalog_sync_run where id = ?', [out.runId]);
    expect(run).toEqual({ written: drifted.size, seen: SKUS });

    // Every offer counts as seen by the run (none is removed, and the run's seen rows are gone with its end); only the drifted ones were rewritten.
    const offersAfter = await offers();
    expect(offersAfter.filter((o) => o.removed)).toEqual([]);
    expect(await sql('select run_id from catalog_sync_seen')).toEqual([]);
    const rewritten = offersAfter.filter((o, i) => String(o.updated_at) !== String(offersBefore[i]?.updated_at)).map((o) => o.supplier_sku_id);
    expect(new Set(rewritten)).toEqual(drifted);
    // The change feed holds exactly the items whose best cost or listing changed, and only repriced items have new prices.
    const itemsAfter = await items();
    const moved = [...itemsAfter.values()].filter((i) => {
      const b = itemsBefore.get(i.id);
      return b && (b.best_cost_fen !== i.best_cost_fen || b.sellable !== i.sellable);
    }).map((i) => i.id);
    expect(moved.length).toBeGreaterThan(0);
    const changed = await sql<{ item_id: string; change: string }[]>('select item_id::text, change from catalog_change order by id offset ?', [Number(changesBefore)]);
    expect(new Set(changed.map((c) => c.item_id))).toEqual(new Set(moved.filter((id) => itemsBefore.get(id)?.sellable || itemsAfter.get(id)?.sellable)));
    const pricesAfter = await prices();
    const repriced = [...pricesAfter].filter(([id, at]) => pricesBefore.get(id) !== at).map(([id]) => id);
    expect(repriced.every((id) => moved.includes(id))).toBe(true);
  });

  it('prices an item at its best live cost and stops selling an offer the next full sync no longer sees', async () => {
    const acme = get('brand-acme');
    const [victim] = (await acme.listCatalog({ limit: 1 })).items;
    const hiding: SupplierConnector = Object.assign(Object.create(acme) as SupplierConnector, {
      id: acme.id,
      listCatalog: async (q: Parameters<SupplierConnector['listCatalog']>[0]) => {
        const page = await acme.listCatalog(q);
        return { ...page, items: page.items.filter((i) => i.supplierSkuId !== victim?.supplierSkuId) };
      },
    });
    const out = await sync(hiding);
    expect(out.removed).toBe(1);
    const rows = await sql<{ removed_at: Date | null; best: number | null; others: string }[]>(
      `select o.removed_at, ci.best_cost_fen best,
              (select count(*)::text from catalog_offer x where x.item_id = ci.id and x.removed_at is null and x.on_shelf) others
       from catalog_offer o join catalog_item ci on ci.id = o.item_id where o.supplier_id = 'brand-acme' and o.supplier_sku_id = ?`,
      [victim?.supplierSkuId],
    );
    expect(rows[0]?.removed_at).not.toBeNull();
    // Support can see why: the admin view names the removed source.
    const sku = await sql<{ sku_id: string }[]>("select ci.sku_id from catalog_item ci join catalog_offer o on o.item_id = ci.id where o.supplier_id = 'brand-acme' and o.supplier_sku_id = ?", [victim?.supplierSkuId]);
    const explained = await (await hub.call('GET', `/admin/catalog/items/${sku[0]?.sku_id}`, { token: ADMIN_TOKEN })).json() as { offers: { supplierId: string; sellable: boolean; reason?: string }[] };
    expect(explained.offers.find((o) => o.supplierId === 'brand-acme')).toMatchObject({ sellable: false, reason: 'removed_by_supplier' });
    expect((await hub.call('GET', '/admin/catalog/items/sku_nope', { token: ADMIN_TOKEN })).status).toBe(404);
    if (rows[0]?.others === '0') expect(rows[0]?.best).toBeNull();
    // Best cost is the minimum over the live, in-stock offers of every item.
    const wrong = await sql<{ n: string }[]>(
      `select count(*)::text n from catalog_item ci where ci.best_cost_fen is distinct from
         (select min(cost_fen) from catalog_offer o where o.item_id = ci.id and o.on_shelf and o.removed_at is null and coalesce(o.stock, 1) > 0)`,
    );
    expect(wrong[0]?.n).toBe('0');
  });

  it('compares a full run in memory with the digest stored with each offer; an offer without one, or removed meanwhile, is written again', async () => {
    const acme = get('brand-acme');
    expect((await sync(acme)).written).toBeLessThanOrEqual(1); // the SKU the test above hid, listed again
    const live = await sql<{ supplier_sku_id: string }[]>("select supplier_sku_id from catalog_offer where supplier_id = 'brand-acme' and removed_at is null order by supplier_sku_id limit 4");
    const [gone, ...bare] = live.map((o) => o.supplier_sku_id);
    // Three offers as written before digests were stored, and one removed since (as an incremental page removes one).
    await sql("update catalog_offer set listing_hash = null where supplier_id = 'brand-acme' and supplier_sku_id in (?)", [bare]);
    await sql("update catalog_offer set removed_at = now() where supplier_id = 'brand-acme' and supplier_sku_id = ?", [gone]);
    const before = new Map((await sql<{ supplier_sku_id: string; updated_at: string }[]>(
      "select supplier_sku_id, updated_at::text from catalog_offer where supplier_id = 'brand-acme'")).map((o) => [o.supplier_sku_id, o.updated_at]));
    const out = await sync(acme);
    expect(out).toMatchObject({ status: 'succeeded', seen: SKUS, written: 4, removed: 0 });
    const after = await sql<{ supplier_sku_id: string; updated_at: string; removed: boolean; hashed: boolean }[]>(
      "select supplier_sku_id, updated_at::text, removed_at is not null removed, listing_hash is not null hashed from catalog_offer where supplier_id = 'brand-acme'");
    expect(new Set(after.filter((o) => o.updated_at !== before.get(o.supplier_sku_id)).map((o) => o.supplier_sku_id))).toEqual(new Set([gone, ...bare]));
    expect(after.filter((o) => o.removed || !o.hashed)).toEqual([]);
    // Each stored digest is its listing's: the next run finds nothing to write.
    expect(await sync(acme)).toMatchObject({ status: 'succeeded', seen: SKUS, written: 0, removed: 0 });
  });

  it('goes on fetching pages while a batch waits for its write, and still commits batches in page order', async () => {
    const lumen = get('brand-lumen');
    let calls = 0;
    let locked!: () => void;
    const lockHeld = new Promise<void>((r) => (locked = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const counting = Object.assign(Object.create(lumen) as SupplierConnector, {
      id: lumen.id,
      listCatalog: async (q: Parameters<SupplierConnector['listCatalog']>[0]) => {
        // The run row exists once the first page is asked for: another transaction takes it before
        // the page is answered, so the first batch's checkpoint (its write's last statement) waits.
        if (++calls === 1) {
          void hub.deps.orm.em.fork().transactional(async (tx) => {
            await tx.getConnection().execute("select id from catalog_sync_run where supplier_id = 'brand-lumen' and status = 'running' for update", [], 'all', tx.getTransactionContext());
            locked();
            await released;
          });
          await lockHeld;
        }
        return lumen.listCatalog(q);
      },
    });
    const run = runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, counting, { pageSize: 50, writeBatch: 50 });
    try {
      await lockHeld;
      // Batch 1 waits for its write; batch 2 waits behind it; page 3 fills batch 3 and page 4 is asked for.
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThanOrEqual(4);
      const [held] = await sql<{ pages: number }[]>("select pages from catalog_sync_run where supplier_id = 'brand-lumen' and status = 'running'");
      expect(held?.pages).toBe(0);
    } finally {
      release();
    }
    expect(await run).toMatchObject({ status: 'succeeded', pages: SKUS / 50, seen: SKUS });
    const [last] = await sql<{ pages: number; seen: number; cursor: string | null }[]>("select pages, seen, cursor from catalog_sync_run where supplier_id = 'brand-lumen' order by id desc limit 1");
    expect(last).toEqual({ pages: SKUS / 50, seen: SKUS, cursor: null });
  });

  it('rewrites a mall price row only when the stock a mall sees changes: 500 to 480 units writes none, to 7 writes it', async () => {
    const { mallId, apiKey } = await hub.createMall('Stock mall');
    await hub.deps.orm.em.fork().getConnection().execute('update mall set priced_version = pricing_version'); // as after its reprice job
    let stock: number | null = 500;
    const one = Object.assign(Object.create(get('brand-lumen')) as SupplierConnector, {
      id: 'brand-stock',
      listCatalog: async () => ({
        items: [{
          supplierSkuId: 'ST-1', title: '库存测试 保温杯', brand: null, model: null, gtin: null, kind: 'physical', categoryPath: ['测试'], supplierCategoryId: null,
          images: [], attributes: {}, marketPriceFen: null, costFen: 5_000, onShelf: true, stock, virtual: null, updatedAt: null,
        } satisfies SupplierSku],
        nextCursor: null,
      }),
    });
    type Row = { item_stock: number | null; mall_stock: number | null; mall_at: string; changes: string };
    const state = async () => (await sql<Row[]>(
      `select ci.stock_units item_stock, mi.stock_units mall_stock, mi.updated_at::text mall_at,
              (select count(*)::text from catalog_change c where c.item_id = ci.id) changes
       from catalog_offer o join catalog_item ci on ci.id = o.item_id join mall_item mi on mi.item_id = ci.id and mi.mall_id = ?
       where o.supplier_id = 'brand-stock'`, [mallId]))[0];
    await sync(one);
    const first = await state();
    expect(first).toMatchObject({ item_stock: 500, mall_stock: 11 });
    stock = 480;
    expect(await sync(one)).toMatchObject({ written: 1 });
    // The item holds the units; the mall's row, which shows "in stock" either way, is not written.
    expect(await state()).toEqual({ ...first, item_stock: 480 });
    stock = 7;
    await sync(one);
    const low = await state();
    expect(low).toMatchObject({ item_stock: 7, mall_stock: 7 });
    expect(low?.mall_at).not.toBe(first?.mall_at);
    expect(Number(low?.changes)).toBe(Number(first?.changes) + 1); // the feed's stock change: in stock to low
    const page = (await (await hub.call('GET', '/v1/catalog/items?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF', { token: apiKey })).json()) as { items: { title: string; stock: string }[] };
    expect(page.items.find((i) => i.title === '库存测试 保温杯')?.stock).toBe('low');
    stock = 0;
    await sync(one);
    expect(await state()).toMatchObject({ item_stock: 0, mall_stock: 0 });
  });

  it('compares SKU ids that name members of a JavaScript object (constructor, __proto__) like any other', async () => {
    const ids = ['constructor', '__proto__', 'toString', 'hasOwnProperty', '0'];
    let cost = 10_000;
    const listing = (id: string, i: number): SupplierSku => ({
      supplierSkuId: id, title: `测试商品 ${i}`, brand: null, model: null, gtin: null, kind: 'physical', categoryPath: ['测试'], supplierCategoryId: null,
      images: [], attributes: {}, marketPriceFen: null, costFen: cost + i, onShelf: true, stock: 5, virtual: null, updatedAt: null,
    });
    const odd = Object.assign(Object.create(get('brand-lumen')) as SupplierConnector, {
      id: 'brand-odd-ids',
      listCatalog: async () => ({ items: ids.map(listing), nextCursor: null }),
    });
    expect(await sync(odd)).toMatchObject({ status: 'succeeded', seen: ids.length, written: ids.length });
    // Unchanged: every id's stored digest is found, none is taken for a change.
    expect(await sync(odd)).toMatchObject({ status: 'succeeded', seen: ids.length, written: 0, removed: 0 });
    cost = 20_000;
    expect(await sync(odd)).toMatchObject({ status: 'succeeded', seen: ids.length, written: ids.length, removed: 0 });
    const offers = await sql<{ supplier_sku_id: string; cost_fen: number }[]>("select supplier_sku_id, cost_fen from catalog_offer where supplier_id = 'brand-odd-ids' order by supplier_sku_id");
    expect(offers.map((o) => o.supplier_sku_id)).toEqual([...ids].sort());
    expect(offers.every((o) => o.cost_fen >= 20_000)).toBe(true);
  });

  it('keys virtual goods so the two top-up providers are two offers of one item', async () => {
    await sync(get('topup-fulu'));
    await sync(get('topup-yike'));
    const rows = await sql<{ n: string }[]>("select count(*)::text n from catalog_item ci where ci.kind = 'virtual' and (select count(*) from catalog_offer o where o.item_id = ci.id) = 2");
    expect(Number(rows[0]?.n)).toBeGreaterThan(100);
  });
});
