import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { refreshItems } from '../../src/catalog/catalog-store.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { drainSearchBatch, rebuildMallSearch, repairLostSearch, searchIndexStatus } from '../../src/catalog/search-index-store.ts';
import { rarestGram } from '../../src/catalog/posting-count-store.ts';
import { readSearchPage, searchShape } from '../../src/catalog/search-page-store.ts';
import { loadConfig } from '../../src/config.ts';
import { relevanceOf } from '../../src/domain/catalog-search.ts';
import { lineageOf } from '../../src/domain/taxonomy.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHubWithWorker, type TestHub } from '../support/hub.ts';

// Issue 21, search at engine speed: the per-mall posting index (src/catalog/search-index-store.ts) must
// give exactly the answers of a brute-force scan, survive being lost, and follow the catalog within
// 5 s. A generated catalog (the sandbox suppliers, synced) and one mall; the hub's own worker runs
// the indexer, every 100 ms here. A mall with more than 200 queued items is rebuilt in bulk, so
// both ways of indexing run: the bulk build after pricing, the queue for single changes.

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let mall: { mallId: string; apiKey: string };

interface Row { item_id: string; sku_id: string; title: string; brand: string | null; search_text: string; points: number; kind: string; category_id: string | null; stock_units: number | null }
let rows: Row[] = [];

const em = () => hub.deps.orm.em.fork();
/** Whether the hub answers this search off the index (rather than the SQL path). */
async function usesIndex(q: string, sort: string): Promise<boolean> {
  const shape = searchShape(q, sort);
  return shape !== null && (await readSearchPage(em(), mall.mallId, shape, { leaves: [], desc: false, rows: 1 }, { columns: 'mi.item_id' })) !== null;
}
const loadRows = async () =>
  em().getConnection().execute<Row[]>(
    `select mi.item_id::text, ci.sku_id, ci.title, ci.brand, ci.search_text, mi.points, mi.kind, mi.category_id, mi.stock_units
     from mall_item mi join catalog_item ci on ci.id = mi.item_id where mi.mall_id = ? and mi.sellable`,
    [mall.mallId],
  );

/** Waits until the mall's index is ready and nothing is queued, and returns how long that took. */
async function indexed(timeoutMs = 10_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const s = await searchIndexStatus(em());
    const m = s.malls.find((x) => x.mallId === mall.mallId);
    if (s.pending === 0 && m?.state === 'ready') return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`search index not ready after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // The worker's own scheduled syncs off: the catalog is the one these syncs write.
  hub = await startTestHubWithWorker({ HUB_SEARCH_INDEX_EVERY_MS: '100', HUB_SEARCH_REBUILD_ABOVE: '200', HUB_CATALOG_SYNC_SCHEDULE: 'false' });
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 21, skus: 300, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['jd', 'brand-acme', 'topup-fulu']) await runFullSync({ em: em(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  mall = await hub.createMall('Search index mall', { pointsPerYuan: 100 });
  await repriceMall(em(), mall.mallId, 200);
  await indexed(30_000);
  rows = await loadRows();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

type Item = { skuId: string; points: number };
const page = async (query: string): Promise<{ items: Item[]; nextCursor: string | null }> => {
  const res = await hub.call('GET', `/v1/catalog/items?${query}`, { token: mall.apiKey });
  expect(res.status, query).toBe(200);
  return json(res);
};
async function all(query: string, limit: number): Promise<Item[]> {
  const out: Item[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const p: { items: Item[]; nextCursor: string | null } = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...p.items);
    cursor = p.nextCursor;
  }
  return out;
}

interface Filter { needle: string; kind?: string; pointsMin?: number; pointsMax?: number; category?: string; inStock?: boolean; sort: 'points_asc' | 'points_desc' | 'relevance' }
const queryOf = (f: Filter) =>
  [
    `q=${encodeURIComponent(f.needle)}`,
    `sort=${f.sort}`,
    f.kind ? `kind=${f.kind}` : '',
    f.pointsMin !== undefined ? `pointsMin=${f.pointsMin}` : '',
    f.pointsMax !== undefined ? `pointsMax=${f.pointsMax}` : '',
    f.category ? `category=${encodeURIComponent(f.category)}` : '',
    f.inStock ? 'inStock=true' : '',
  ].filter(Boolean).join('&');
/** The brute-force answer: every sold item whose normalised text holds the needle and that passes the filters, in the sort's order. */
const expected = (f: Filter): string[] =>
  rows
    .filter((r) => r.search_text.includes(f.needle))
    .filter((r) => !f.kind || r.kind === f.kind)
    .filter((r) => f.pointsMin === undefined || r.points >= f.pointsMin)
    .filter((r) => f.pointsMax === undefined || r.points <= f.pointsMax)
    .filter((r) => !f.inStock || r.stock_units === null || r.stock_units > 0)
    .filter((r) => !f.category || (r.category_id !== null && lineageOf(r.category_id).some((n) => n.name === f.category)))
    .map((r) => ({ r, k: relevanceOf(f.needle, { title: r.title, brand: r.brand, searchText: r.search_text, pinyin: '', initials: '' }) }))
    .sort((a, b) =>
      f.sort === 'relevance'
        ? a.k.rank - b.k.rank || a.k.pos - b.k.pos || a.r.points - b.r.points || Number(a.r.item_id) - Number(b.r.item_id)
        : (f.sort === 'points_desc' ? -1 : 1) * (a.r.points - b.r.points || Number(a.r.item_id) - Number(b.r.item_id)))
    .map(({ r }) => r.sku_id);

describe('search read off the posting index', () => {
  it('is what the hub uses for a Chinese query once the mall is indexed', async () => {
    expect(await usesIndex('冰箱', 'points_asc')).toBe(true);
    expect(await usesIndex('洗衣机', 'points_desc')).toBe(true);
    // The SQL path stays for what the index does not hold: one character, letters (pinyin), relevance beyond two characters.
    expect(await usesIndex('冰', 'points_asc')).toBe(false);
    expect(await usesIndex('bx', 'points_asc')).toBe(false);
    expect(await usesIndex('冰箱', 'relevance')).toBe(true);
    expect(await usesIndex('洗衣机', 'relevance')).toBe(false);
  });

  it('finds exactly what a scan finds, with every filter, both orders, page by page (fast-check)', async () => {
    const rowArb = fc.integer({ min: 0, max: 1_000_000 }).map((i) => rows[i % rows.length] as Row);
    await fc.assert(
      fc.asyncProperty(
        rowArb, fc.nat(), fc.integer({ min: 2, max: 4 }),
        fc.record({ kind: fc.boolean(), range: fc.boolean(), category: fc.boolean(), inStock: fc.boolean(), sort: fc.constantFrom('points_asc' as const, 'points_desc' as const, 'relevance' as const) }),
        fc.integer({ min: 2, max: 15 }),
        async (row, start, len, use, limit) => {
          const chars = [...row.search_text];
          fc.pre(chars.length >= len);
          const from = start % (chars.length - len + 1);
          const needle = chars.slice(from, from + len).join('');
          fc.pre([...needle].some((c) => /\p{Script=Han}/u.test(c)));
          // Relevance off the index is for two characters (longer queries rank on the SQL path).
          const f: Filter = { needle, sort: use.sort === 'relevance' && len > 2 ? 'points_asc' : use.sort };
          if (use.kind) f.kind = row.kind;
          if (use.range) Object.assign(f, { pointsMin: Math.floor(row.points / 2), pointsMax: row.points * 2 });
          const category = row.category_id ? lineageOf(row.category_id)[1]?.name : undefined;
          if (use.category && category) f.category = category;
          if (use.inStock) f.inStock = true;
          const want = expected(f);
          expect(want, 'the row itself is a hit').toContain(row.sku_id);
          const got = await all(queryOf(f), limit);
          expect(got.map((i) => i.skuId), queryOf(f)).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("walks a longer query's rarest bigram, by counts this process takes again after a number of uses", async () => {
    const postings = async (gram: number) => Number((await em().getConnection().execute<{ n: string }[]>(
      'select count(*)::text n from search_posting where search_key = (select search_key from mall where id = ?) and gram = ?', [mall.mallId, gram]))[0]?.n);
    // Two bigrams of the catalog, one posted far more often than the other.
    const grams = (await em().getConnection().execute<{ gram: string; n: string }[]>(
      `select gram::text, count(*)::text n from search_posting where search_key = (select search_key from mall where id = ?)
       group by gram order by count(*) desc`, [mall.mallId])).map((r) => ({ gram: Number(r.gram), n: Number(r.n) }));
    const common = grams[0] as { gram: number; n: number };
    const rare = grams.find((g) => g.n < common.n / 4) as { gram: number; n: number };
    expect(await postings(rare.gram)).toBe(rare.n);
    // recountEvery 1: counted afresh whatever earlier searches of this process left.
    expect(await rarestGram(em(), mall.mallId, [common.gram, rare.gram], { recountEvery: 1 })).toBe(rare.gram);
    // The rare bigram becomes the common one (its postings copied to other items' ids); the
    // remembered count holds for its uses, then is taken again.
    await em().getConnection().execute(
      `insert into search_posting (search_key, gram, points, item_id, kind, category_id, in_stock, pos, whole)
       select search_key, ?, points, item_id + 1000000000, kind, category_id, in_stock, pos, whole from search_posting
       where search_key = (select search_key from mall where id = ?) and gram = ?`, [rare.gram, mall.mallId, common.gram]);
    try {
      expect(await rarestGram(em(), mall.mallId, [common.gram, rare.gram], { recountEvery: 3 })).toBe(rare.gram);
      expect(await rarestGram(em(), mall.mallId, [common.gram, rare.gram], { recountEvery: 3 })).toBe(rare.gram);
      expect(await rarestGram(em(), mall.mallId, [common.gram, rare.gram], { recountEvery: 3 })).toBe(common.gram);
    } finally {
      await em().getConnection().execute('delete from search_posting where item_id > 1000000000', []);
    }
    // A mall whose index is not ready has no counts to give: its searches take the SQL path.
    expect(await rarestGram(em(), 'mall_nope', [common.gram, rare.gram])).toBeNull();
  });
});

describe('paging while prices change underneath', () => {
  it('shows every hit once while the indexer re-posts the items that moved', async () => {
    // The commonest two-character run of the catalog: many pages.
    const counts = new Map<string, number>();
    for (const r of rows) for (const m of new Set(r.search_text.match(/(?=(\p{Script=Han}{2}))/gu) ? [...r.search_text.matchAll(/(?=(\p{Script=Han}{2}))/gu)].map((x) => x[1] as string) : [])) counts.set(m, (counts.get(m) ?? 0) + 1);
    const needle = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
    const conn = () => em().getConnection();
    try {
      for (const sort of ['points_asc', 'points_desc'] as const) {
        const hits = expected({ needle, sort });
        expect(hits.length, needle).toBeGreaterThan(20);
        const seen: Item[] = [];
        let cursor: string | null = '';
        for (let n = 0; cursor !== null; n++) {
          const p: { items: Item[]; nextCursor: string | null } = await page(`q=${encodeURIComponent(needle)}&sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...p.items);
          cursor = p.nextCursor;
          if (cursor === null || n > 4) continue;
          // Between pages: items already shown move behind the cursor, and some not yet shown
          // move further ahead; the indexer re-posts them meanwhile.
          const shown = p.items.slice(0, 3).map((i) => i.skuId);
          const last = p.items.at(-1) as Item;
          await conn().execute(`update mall_item mi set points = ${sort === 'points_asc' ? 'greatest(0, mi.points - 1)' : 'mi.points + 1'} from catalog_item ci where ci.id = mi.item_id and mi.mall_id = ? and ci.sku_id in (select jsonb_array_elements_text(?::jsonb))`, [mall.mallId, JSON.stringify(shown)]);
          await conn().execute(
            `update mall_item mi set points = ${sort === 'points_asc' ? 'mi.points + 7' : 'greatest(0, mi.points - 7)'}
             where mi.mall_id = ? and mi.sellable and mi.item_id in (
               select item_id from mall_item m join catalog_item ci on ci.id = m.item_id
               where m.mall_id = ? and m.sellable and strpos(ci.search_text, ?) > 0 and m.points ${sort === 'points_asc' ? '>' : '<'} ?
                 and ci.sku_id not in (select jsonb_array_elements_text(?::jsonb)) order by random() limit 3)`,
            // Not yet shown: one shown at the place it was indexed at, moved since and then moved past
            // the cursor, shows again (the contract says so of any item shown whose price moves past it).
            [mall.mallId, mall.mallId, needle, last.points, JSON.stringify(seen.map((i) => i.skuId))],
          );
          await new Promise((r) => setTimeout(r, 150));
        }
        const skus = seen.map((i) => i.skuId);
        expect(new Set(skus).size, sort).toBe(skus.length);
        expect([...skus].sort(), sort).toEqual([...hits].sort());
      }
    } finally {
      await repriceMall(em(), mall.mallId, 200);
      await indexed(30_000);
      rows = await loadRows();
    }
  }, 60_000);
});

describe('an index lost and rebuilt', () => {
  it('gives the same answers, through the SQL path while it is rebuilt', async () => {
    const filters: Filter[] = [
      { needle: '冰箱', sort: 'points_asc' }, { needle: '手机', sort: 'points_desc' }, { needle: '洗衣机', sort: 'points_asc', inStock: true }, { needle: '手机', sort: 'relevance' },
      { needle: rows.map((r) => r.search_text.match(/\p{Script=Han}{3}/u)?.[0]).find(Boolean) ?? '洗衣机', sort: 'points_desc' },
    ];
    const before = await Promise.all(filters.map((f) => all(queryOf(f), 7)));
    for (const [i, f] of filters.entries()) expect(before[i]?.map((x) => x.skuId), f.needle).toEqual(expected(f));
    expect(before.some((b) => b.length > 0)).toBe(true);

    // Lost behind the indexer's back (a restore without it, a truncation): every posting and doc.
    await em().getConnection().execute('delete from search_posting; delete from search_doc');
    expect(await repairLostSearch(em())).toEqual([mall.mallId]);
    const during = await Promise.all(filters.map((f) => all(queryOf(f), 7)));
    expect(during).toEqual(before);

    // The worker rebuilds it from PostgreSQL (in bulk: the whole mall is queued).
    await indexed(30_000);
    const [{ n }] = (await em().getConnection().execute('select count(*)::int as n from search_posting')) as [{ n: number }];
    expect(n).toBeGreaterThan(rows.length);
    expect(await usesIndex('冰箱', 'points_asc')).toBe(true);
    const after = await Promise.all(filters.map((f) => all(queryOf(f), 7)));
    expect(after).toEqual(before);
    expect(await repairLostSearch(em()), 'a whole index is not rebuilt again').toEqual([]);
  });
});

describe('indexers and rebuilds at the same time', () => {
  it('leave every sold item posted once, at its current price', async () => {
    const conn = () => em().getConnection();
    const stop = Date.now() + 2_500;
    const busy = async (fn: () => Promise<unknown>) => {
      while (Date.now() < stop) await fn();
    };
    // Prices move while two rebuilds and two more drainers run beside the worker's own indexer.
    await Promise.all([
      busy(() => conn().execute("update mall_item set points = points + 1 where mall_id = ? and item_id in (select item_id from mall_item where mall_id = ? and sellable order by random() limit 5)", [mall.mallId, mall.mallId])),
      busy(() => rebuildMallSearch(em(), mall.mallId)),
      busy(() => rebuildMallSearch(em(), mall.mallId)),
      busy(() => drainSearchBatch(em(), 3)),
      busy(() => drainSearchBatch(em(), 3)),
    ]);
    await indexed(30_000);
    const [check] = (await conn().execute(
      `select
         (select count(*)::int from (select 1 from search_posting group by search_key, gram, item_id having count(*) > 1) d) as twice,
         (select count(*)::int from mall_item mi join mall m on m.id = mi.mall_id
            left join search_doc d on d.search_key = m.search_key and d.item_id = mi.item_id
            where mi.mall_id = ? and mi.sellable and d.points is distinct from mi.points) as stale_docs,
         (select count(*)::int from search_posting p join mall m on m.search_key = p.search_key
            join mall_item mi on mi.mall_id = m.id and mi.item_id = p.item_id where m.id = ? and p.points <> mi.points) as stale_postings,
         (select count(*)::int from search_posting p join mall m on m.search_key = p.search_key where m.id = ?) as postings,
         (select count(*)::int from mall_item mi join catalog_item ci on ci.id = mi.item_id cross join unnest(ci.search_grams) g
            where mi.mall_id = ? and mi.sellable) as expected`,
      [mall.mallId, mall.mallId, mall.mallId, mall.mallId],
    )) as [{ twice: number; stale_docs: number; stale_postings: number; postings: number; expected: number }];
    expect(check).toMatchObject({ twice: 0, stale_docs: 0, stale_postings: 0 });
    expect(check.postings).toBe(check.expected);
    rows = await loadRows();
  }, 60_000);
});

describe('a change queued while the item is already queued', () => {
  it('is not lost to an indexer that takes the queue before the change commits', async () => {
    const r = rows[5] as Row;
    const docPoints = async () => ((await em().getConnection().execute(
      'select d.points from search_doc d join mall m on m.search_key = d.search_key where m.id = ? and d.item_id = ?', [mall.mallId, r.item_id],
    )) as { points: number }[])[0]?.points;
    // A first change, committed: the item is queued.
    await em().getConnection().execute('update mall_item set points = points + 1 where mall_id = ? and item_id = ?', [mall.mallId, r.item_id]);
    let second = 0;
    await em().transactional(async (tx) => {
      // A second change, not yet committed, finds the item queued.
      const [row] = (await tx.getConnection().execute(
        'update mall_item set points = points + 100 where mall_id = ? and item_id = ? returning points', [mall.mallId, r.item_id], 'all', tx.getTransactionContext(),
      )) as [{ points: number }];
      second = row.points;
      // Indexers run meanwhile: whatever they index, they cannot have seen the second change.
      for (let i = 0; i < 3; i++) await drainSearchBatch(em(), 1_000);
      expect(await docPoints()).not.toBe(second);
    });
    await indexed();
    expect(await docPoints()).toBe(second);
    rows = await loadRows();
  });
});

describe('the admin API', () => {
  it("shows each mall's index and rebuilds one on request", async () => {
    const res = await hub.call('GET', '/admin/catalog/search', { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.malls).toContainEqual({ mallId: mall.mallId, state: 'ready', pending: 0, items: rows.length });
    expect(body.lagSeconds).toBe(0);
    expect((await hub.call('POST', '/admin/catalog/search/mall_nope/rebuild', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await hub.call('POST', `/admin/catalog/search/${mall.mallId}/rebuild`, { token: mall.apiKey })).status).toBe(401);
    const queued = await hub.call('POST', `/admin/catalog/search/${mall.mallId}/rebuild`, { token: ADMIN_TOKEN });
    expect(queued.status).toBe(202);
    expect(await json(queued)).toEqual({ mallId: mall.mallId, state: 'building' });
    await indexed(30_000);
    const metrics = await (await hub.call('GET', '/metrics')).text();
    expect(metrics).toMatch(/^hub_search_index_pending_items 0$/m);
    expect(metrics).toMatch(/^hub_search_index_building_malls 0$/m);
    expect(metrics).toMatch(/^hub_search_index_lag_seconds 0$/m);
  });
});

describe('a change shows in search within 5 s', () => {
  const needleOf = (r: Row) => r.search_text.match(/\p{Script=Han}{2}/u)?.[0] ?? '';
  const findable = () => rows.find((r) => /\p{Script=Han}{2}/u.test(r.search_text)) as Row;
  /** Polls the search until `ok` holds; returns the milliseconds it took. */
  async function until(query: string, ok: (items: Item[]) => boolean): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      if (ok(await all(query, 50))) return Date.now() - t0;
      if (Date.now() - t0 > 5_000) throw new Error(`not visible in search within 5 s: ${query}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  /** What a sync page does when a supplier's offer changes: the offers, then refreshItems (best cost, stock, every mall's prices). */
  async function supplierChange(itemId: string, set: string) {
    await em().transactional(async (tx) => {
      await tx.getConnection().execute(`update catalog_offer set ${set} where item_id = ?`, [itemId], 'all', tx.getTransactionContext());
      await refreshItems(tx, [itemId]);
    });
  }

  it('a new price', async () => {

    const r = findable();
    await supplierChange(r.item_id, 'cost_fen = cost_fen * 3');
    const [{ points }] = (await em().getConnection().execute('select points from mall_item where mall_id = ? and item_id = ?', [mall.mallId, r.item_id])) as [{ points: number }];
    expect(points).toBeGreaterThan(r.points);
    const ms = await until(`q=${encodeURIComponent(needleOf(r))}&pointsMin=${points}&pointsMax=${points}&sort=points_asc`, (items) => items.some((i) => i.skuId === r.sku_id && i.points === points));
    expect(ms).toBeLessThan(5_000);
  });

  it('stock running out and coming back', async () => {
    const r = findable();
    const q = `q=${encodeURIComponent(needleOf(r))}&sort=points_asc`;
    await supplierChange(r.item_id, 'stock = 0');
    expect(await until(q, (items) => !items.some((i) => i.skuId === r.sku_id))).toBeLessThan(5_000);
    await supplierChange(r.item_id, 'stock = 50');
    expect(await until(q, (items) => items.some((i) => i.skuId === r.sku_id))).toBeLessThan(5_000);
  });

  it("the mall's selection", async () => {
    const r = rows.find((x) => /\p{Script=Han}{2}/u.test(x.search_text) && x.sku_id !== findable().sku_id) as Row;
    const q = `q=${encodeURIComponent(needleOf(r))}&sort=points_desc`;
    const patch = async (catalogSelection: object) => {
      const res = await hub.call('PATCH', `/admin/malls/${mall.mallId}`, { token: ADMIN_TOKEN, body: { catalogSelection } });
      expect(res.status).toBe(200);
    };
    await patch({ excludedSkuIds: [r.sku_id] });
    expect(await until(q, (items) => !items.some((i) => i.skuId === r.sku_id))).toBeLessThan(5_000);
    await patch({});
    expect(await until(q, (items) => items.some((i) => i.skuId === r.sku_id))).toBeLessThan(5_000);
  });
});
