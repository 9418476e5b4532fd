import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { priceItem, defaultPricingRule } from '../../src/domain/pricing.ts';
import { MallSchema } from '../../src/persistence/entities/mall.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { matchKey } from '../../src/domain/catalog-keys.ts';
import { upsertListings } from '../../src/catalog/catalog-store.ts';
import { ItemKeyCache } from '../../src/catalog/item-key-cache.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let a: { mallId: string; apiKey: string };
let b: { mallId: string; apiKey: string };

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 8, skus: 300, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['jd', 'brand-acme', 'topup-fulu']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  a = await hub.createMall('Mall A', { pointsPerYuan: 100 });
  b = await hub.createMall('Mall B', { pointsPerYuan: 50 });
  for (const m of await hub.deps.orm.em.fork().find(MallSchema, {})) await repriceMall(hub.deps.orm.em.fork(), m.id, 200);
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

const list = async (key: string, query = '') => json(await hub.call('GET', `/v1/catalog/items${query}`, { token: key }));

describe('GET /v1/catalog/items', () => {
  it('prices every item for the calling mall at its own rate', async () => {
    const pa = await list(a.apiKey, '?limit=200');
    const first = pa.items[0];
    const itemB = await json(await hub.call('GET', `/v1/catalog/items/${first.skuId}`, { token: b.apiKey }));
    const cost = (await hub.deps.orm.em.fork().getConnection().execute<{ c: number }[]>('select best_cost_fen c from catalog_item where sku_id = ?', [first.skuId]))[0]?.c ?? 0;
    expect(first.points).toBe(priceItem(cost, defaultPricingRule(100)).points);
    expect(itemB.points).toBe(priceItem(cost, defaultPricingRule(50)).points);
    expect(itemB.sources.length).toBeGreaterThan(0);
  });

  it('pages by points with an opaque cursor, every item once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let lastPoints = -1;
    while (cursor !== null) {
      const page = (await list(a.apiKey, `?limit=37${cursor ? `&cursor=${cursor}` : ''}`)) as { items: { skuId: string; points: number }[]; nextCursor: string | null };
      for (const i of page.items) {
        expect(i.points).toBeGreaterThanOrEqual(lastPoints);
        lastPoints = i.points;
        seen.push(i.skuId);
      }
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const sellable = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*)::text n from mall_item where mall_id = ? and sellable', [a.mallId]);
    expect(seen.length).toBe(Number(sellable[0]?.n));
  });

  it('filters by kind, points range, stock and a two-character Chinese query', async () => {
    const virtual = await list(a.apiKey, '?kind=virtual&limit=200');
    expect(virtual.items.length).toBeGreaterThan(0);
    expect(virtual.items.every((i: { kind: string }) => i.kind === 'virtual')).toBe(true);
    const ranged = await list(a.apiKey, '?pointsMin=1000&pointsMax=5000&limit=200');
    expect(ranged.items.every((i: { points: number }) => i.points >= 1000 && i.points <= 5000)).toBe(true);
    const all = await list(a.apiKey, '?limit=200');
    // Two Chinese characters: a query of Latin letters also matches by pinyin (search-features.test.ts).
    const word = /\p{Script=Han}{2}/u.exec(all.items.find((i: { kind: string; title: string }) => i.kind === 'physical' && /\p{Script=Han}{2}/u.test(i.title))?.title as string)?.[0] as string;
    const found = await list(a.apiKey, `?q=${encodeURIComponent(word)}&limit=200`);
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((i: { title: string; brand: string | null }) => `${i.title}${i.brand ?? ''}`.toLowerCase().replace(/\s/g, '').includes(word.toLowerCase()))).toBe(true);
    const inStock = await list(a.apiKey, '?inStock=true&limit=200');
    expect(inStock.items.every((i: { stock: string }) => i.stock !== 'out_of_stock')).toBe(true);
  });

  it('files every item under the canonical taxonomy and filters by a category id or name at any level', async () => {
    const unmapped = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*)::text n from catalog_item where category_id is null');
    expect(unmapped[0]?.n).toBe('0');
    const byName = await list(a.apiKey, `?category=${encodeURIComponent('大家电')}&limit=200`);
    const byId = await list(a.apiKey, '?category=large-appliance&limit=200');
    expect(byName.items.length).toBeGreaterThan(0);
    expect(byId.items.map((i: { skuId: string }) => i.skuId)).toEqual(byName.items.map((i: { skuId: string }) => i.skuId));
    expect(byId.items.every((i: { categoryPath: string[] }) => i.categoryPath[0] === '家用电器' && i.categoryPath[1] === '大家电')).toBe(true);
    const leafByName = await list(a.apiKey, `?category=${encodeURIComponent('冰箱')}&limit=200`);
    const leafById = await list(a.apiKey, '?category=fridge&limit=200');
    expect(leafByName.items.length).toBeGreaterThan(0);
    expect(leafById.items).toEqual(leafByName.items);
    expect(leafById.items.every((i: { categoryPath: string[] }) => i.categoryPath[2] === '冰箱')).toBe(true);
    const fridgeSearch = await list(a.apiKey, `?category=fridge&q=${encodeURIComponent(leafById.items[0].brand)}&limit=200`);
    expect(fridgeSearch.items.every((i: { brand: string; categoryPath: string[] }) => i.categoryPath[2] === '冰箱' && i.brand === leafById.items[0].brand)).toBe(true);
    const tree = await json(await hub.call('GET', '/v1/catalog/categories', { token: a.apiKey }));
    const appliances = tree.items.find((n: { id: string }) => n.id === 'home-appliances');
    expect(appliances.children.find((n: { id: string }) => n.id === 'large-appliance').children.map((n: { name: string }) => n.name)).toContain('冰箱');
  });

  it('finds a three-character query only where it stands as one substring', async () => {
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ title: string }[]>("select title from catalog_item where kind = 'physical' and sellable limit 50");
    const chinese = rows.map((r) => /\p{Script=Han}{4,}/u.exec(r.title)?.[0]).find((t) => t !== undefined) as string;
    const word = [...chinese].slice(0, 3).join('');
    const found = await list(a.apiKey, `?q=${encodeURIComponent(word)}&limit=200`);
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((i: { title: string; brand: string | null }) => `${i.title} ${i.brand ?? ''}`.replace(/[\s\p{P}\p{S}]/gu, '').includes(word))).toBe(true);
    // The same characters in another order share every bigram but one; they must not match it.
    const [x, y, z] = [...word];
    const shuffled = await list(a.apiKey, `?q=${encodeURIComponent(`${y}${z}${x}${y}`)}&limit=200`);
    expect(shuffled.items.every((i: { title: string }) => i.title.replace(/[\s\p{P}\p{S}]/gu, '').includes(`${y}${z}${x}${y}`))).toBe(true);
  });

  it('shows each item of a page as GET /v1/catalog/items/{skuId} does, and as its row says after it is written', async () => {
    const page = await list(a.apiKey, '?limit=20');
    for (const item of page.items.slice(0, 5)) {
      const { sellable, sources, ...one } = await json(await hub.call('GET', `/v1/catalog/items/${item.skuId}`, { token: a.apiKey }));
      expect([sellable, sources.length > 0]).toEqual([true, true]);
      expect(item).toEqual(one);
    }
    // The item's part of a page is written with the item (catalog_item_page). An item without it
    // is shown from its columns, text that needs escaping included.
    const target = page.items[0];
    const title = 'Quote " backslash \\ newline \n tab \t 冰箱 😀';
    const conn = hub.deps.orm.em.fork().getConnection();
    await conn.execute(
      `update catalog_item set title = ?, brand = null, images = '{}', attributes = '{"容量":"300 L","note":"a \\"b\\""}' where sku_id = ?`,
      [title, target.skuId],
    );
    await conn.execute('delete from catalog_item_page where item_id = (select id from catalog_item where sku_id = ?)', [target.skuId]);
    const shown = (await list(a.apiKey, '?limit=20')).items.find((i: { skuId: string }) => i.skuId === target.skuId);
    expect(shown).toEqual({ ...target, title, brand: null, images: [], attributes: { 容量: '300 L', note: 'a "b"' } });
  });

  it("writes an item's page JSON again when a later source fills in its category", async () => {
    const conn = hub.deps.orm.em.fork().getConnection();
    const [item] = await conn.execute<{ id: string; sku_id: string; gtin: string; title: string; brand: string | null; model: string | null; kind: 'physical'; supplier_category_id: string; supplier_category_path: string[] }[]>(
      `select ci.id, ci.sku_id, ci.gtin, ci.title, ci.brand, ci.model, ci.kind, o.supplier_category_id, o.supplier_category_path
       from catalog_item ci join catalog_offer o on o.item_id = ci.id and o.supplier_id = 'jd'
       join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? and mi.sellable
       where ci.gtin is not null and ci.category_id is not null limit 1`, [a.mallId]);
    if (!item) throw new Error('no JD item with a GTIN and a category');
    const before = await json(await hub.call('GET', `/v1/catalog/items/${item.sku_id}`, { token: a.apiKey }));
    // The item as a source without a mapped category left it: no category, none in its page JSON.
    await conn.execute("update catalog_item set category_id = null, category_ids = '{}', category_path = '{}' where id = ?", [item.id]);
    await conn.execute(
      `update catalog_item_page p set json = catalog_item_page_json(ci.sku_id, ci.title, ci.brand, ci.kind, ci.category_path, ci.images, ci.market_price_fen, ci.attributes)
       from catalog_item ci where ci.id = p.item_id and ci.id = ?`, [item.id]);
    const page = async () => (await list(a.apiKey, `?pointsMin=${before.points}&pointsMax=${before.points}&limit=200`)).items.find((i: { skuId: string }) => i.skuId === item.sku_id);
    expect((await page())?.categoryPath).toEqual([]);
    // A second source of the same GTIN, whose category maps, fills it in (catalog-store.ts), though
    // the sync's cache of item keys knows the item: as one without a category, so it is looked up again.
    const listing = {
      supplierSkuId: `second-${item.id}`, title: item.title, brand: item.brand, model: item.model, gtin: item.gtin, kind: item.kind,
      categoryPath: item.supplier_category_path, supplierCategoryId: item.supplier_category_id, images: [], attributes: {},
      marketPriceFen: null, costFen: 999_999_00, onShelf: true, stock: 1, virtual: null, updatedAt: null,
    };
    const key = matchKey({ supplierId: 'jd-second', ...listing });
    const itemKeys = new ItemKeyCache();
    itemKeys.remember(new Map([[key, { id: String(item.id), categorized: false }]]));
    const out = await upsertListings(hub.deps.orm.em.fork(), { supplierId: 'jd-second', supplierKind: 'jd', accountId: 'jd-second', runId: null, itemKeys }, [listing]);
    expect((await page())?.categoryPath).toEqual(before.categoryPath);
    // What the page learned for the cache: the item, categorized now.
    expect([...out.learned]).toEqual([[key, { id: String(item.id), categorized: true }]]);
  });

  it('rejects bad filters with validation_failed and an unknown sku with 404', async () => {
    for (const q of ['?kind=food', '?pointsMin=-1', '?q=x', '?q=%20-x-%20', '?category=%E7%8C%AB%E7%B2%AE', '?cursor=zzz', '?limit=500']) {
      const res = await hub.call('GET', `/v1/catalog/items${q}`, { token: a.apiKey });
      expect(res.status, q).toBe(400);
      expect((await json(res)).error.code).toBe('validation_failed');
    }
    expect((await hub.call('GET', '/v1/catalog/items/sku_nope', { token: a.apiKey })).status).toBe(404);
  });
});
