import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { loadConfig } from '../../src/config.ts';
import { normalizeText } from '../../src/domain/catalog-keys.ts';
import { BRAND_FACET_SIZE, matchesQuery, pinyinSearchKeys, pointsBandOf, POINTS_BANDS, relevanceOf } from '../../src/domain/catalog-search.ts';
import { categoriesNamed, lineageOf } from '../../src/domain/taxonomy.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

// Issue 21, what shoppers expect of search: pinyin, sorts with consistent cursors, facets.
// A generated catalog (the sandbox suppliers, synced), one mall; answers are compared with a
// brute-force scan in JS over the rows the sync wrote.

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let mall: { mallId: string; apiKey: string };

interface SeededRow {
  item_id: string; sku_id: string; title: string; brand: string | null; search_text: string; search_pinyin: string; search_initials: string;
  points: number; category_id: string | null;
}
let rows: SeededRow[] = [];

const loadRows = async () =>
  hub.deps.orm.em.fork().getConnection().execute<SeededRow[]>(
    `select mi.item_id::text, ci.sku_id, ci.title, ci.brand, ci.search_text, ci.search_pinyin, ci.search_initials, mi.points, mi.category_id
     from mall_item mi join catalog_item ci on ci.id = mi.item_id where mi.mall_id = ? and mi.sellable`,
    [mall.mallId],
  );

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 21, skus: 300, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['jd', 'brand-acme', 'topup-fulu']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  mall = await hub.createMall('Search mall', { pointsPerYuan: 100 });
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId, 200);
  rows = await loadRows();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

type Item = { skuId: string; title: string; brand: string | null; points: number };
interface Page { items: Item[]; nextCursor: string | null; facets?: Record<string, { count: number; id?: string; brand?: string; band?: string }[]> }
const get = async (query: string) => hub.call('GET', `/v1/catalog/items?${query}`, { token: mall.apiKey });
const page = async (query: string): Promise<Page> => {
  const res = await get(query);
  expect(res.status, query).toBe(200);
  return json(res) as Promise<Page>;
};
/** Every page of a listing, in order. */
async function all(query: string, limit = 200): Promise<Item[]> {
  const out: Item[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const p = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...p.items);
    cursor = p.nextCursor;
  }
  return out;
}
const expected = (needle: string) => rows.filter((r) => matchesQuery(needle, { searchText: r.search_text, pinyin: r.search_pinyin, initials: r.search_initials }));
const sorted = (xs: string[]) => [...xs].sort();

describe('pinyin keys', () => {
  it('are written by the sync for every item, once per title and brand', () => {
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) expect({ pinyin: r.search_pinyin, initials: r.search_initials }, r.title).toEqual(pinyinSearchKeys(r.title, r.brand));
  });

  it('find 冰箱 by bx and bingxiang, and 海尔 by hr and haier', () => {
    expect(pinyinSearchKeys('双开门冰箱', '海尔')).toEqual({ pinyin: 'shuangkaimenbingxiang|haier', initials: 'skmbx|he' });
    expect(pinyinSearchKeys('绿色', null).pinyin).toBe('lvse|');
  });

  it('keep runs of Chinese and of Latin letters or digits apart, so letters match within one', () => {
    expect(pinyinSearchKeys('特步（Xtep）T恤', '特步')).toEqual({ pinyin: 'tebu xtept xu|tebu', initials: 'tb xtept x|tb' });
    expect(pinyinSearchKeys('海尔BCD-470冰箱', 'Haier')).toEqual({ pinyin: 'haier bcd470 bingxiang|haier', initials: 'he bcd470 bx|haier' });
    // bx used to find the T-shirt (initials tbxteptx: 步, then the X of Xtep), and rank it first.
    const shirt = { title: '特步（Xtep）T恤', brand: '特步', searchText: normalizeText('特步（Xtep）T恤 特步'), ...pinyinSearchKeys('特步（Xtep）T恤', '特步') };
    expect(matchesQuery('bx', shirt)).toBe(false);
    expect(matchesQuery('xtep', shirt)).toBe(true);
    expect(matchesQuery('tebu', shirt)).toBe(true);
    const fridge = { title: '海尔冰箱', brand: '海尔', searchText: normalizeText('海尔冰箱 海尔'), ...pinyinSearchKeys('海尔冰箱', '海尔') };
    expect(matchesQuery('bx', fridge)).toBe(true);
    expect(relevanceOf('bx', fridge)).toEqual({ rank: 2, pos: 3 });
  });

  it('search by pinyin through the API', async () => {
    const fridges = rows.filter((r) => r.title.includes('冰箱')).map((r) => r.sku_id);
    expect(fridges.length).toBeGreaterThan(0);
    for (const q of ['bx', 'bingxiang']) {
      const found = (await all(`q=${q}`)).map((i) => i.skuId);
      for (const sku of fridges) expect(found, q).toContain(sku);
      expect(sorted(found)).toEqual(sorted(expected(q).map((r) => r.sku_id)));
    }
    // Each hit holds bx within one run of its keys (or its text), never across Chinese and Latin.
    const bySku = new Map(rows.map((r) => [r.sku_id, r]));
    for (const sku of (await all('q=bx')).map((i) => i.skuId)) {
      const r = bySku.get(sku) as SeededRow;
      const runs = `${r.search_pinyin} ${r.search_initials}`.split(/[ |]/);
      expect(runs.some((run) => run.includes('bx')) || r.search_text.includes('bx'), r.title).toBe(true);
    }
    // 尔 (er) has no consonant: its initial is e, so 海尔's initials are he (and haier in full).
    const haier = rows.filter((r) => r.brand === '海尔').map((r) => r.sku_id);
    expect(haier.length).toBeGreaterThan(0);
    for (const q of ['he', 'haier']) {
      const found = (await all(`q=${q}`)).map((i) => i.skuId);
      for (const sku of haier) expect(found, q).toContain(sku);
    }
  });
});

describe('q finds exactly the items whose normalised title holds it (fast-check against a scan)', () => {
  const rowArb = () => fc.integer({ min: 0, max: 1_000_000 }).map((i) => rows[i % rows.length] as SeededRow);

  it('Chinese substrings', async () => {
    await fc.assert(
      fc.asyncProperty(rowArb(), fc.nat(), fc.integer({ min: 2, max: 4 }), async (row, start, len) => {
        const han = [...normalizeText(row.title)].filter((c) => /\p{Script=Han}/u.test(c));
        fc.pre(han.length >= len);
        const chars = [...normalizeText(row.title)];
        // A run of characters of the title as normalised (Chinese, or mixed with Latin and digits).
        const from = start % Math.max(1, chars.length - len + 1);
        const needle = chars.slice(from, from + len).join('');
        fc.pre([...needle].some((c) => /\p{Script=Han}/u.test(c)));
        const found = await all(`q=${encodeURIComponent(needle)}&sort=points_asc`);
        expect(sorted(found.map((i) => i.skuId)), needle).toEqual(sorted(expected(needle).map((r) => r.sku_id)));
      }),
      { numRuns: 25 },
    );
  });

  it('full pinyin and initials', async () => {
    await fc.assert(
      fc.asyncProperty(rowArb(), fc.boolean(), fc.nat(), fc.integer({ min: 2, max: 8 }), async (row, full, start, len) => {
        const key = (full ? row.search_pinyin : row.search_initials).split('|')[0] ?? '';
        const runs = key.match(/[a-z]{2,}/g) ?? [];
        fc.pre(runs.length > 0);
        const run = runs[start % runs.length] as string;
        const n = Math.min(len, run.length);
        const from = start % (run.length - n + 1);
        const needle = run.slice(from, from + n);
        const found = await all(`q=${needle}&sort=points_asc`);
        expect(sorted(found.map((i) => i.skuId)), needle).toEqual(sorted(expected(needle).map((r) => r.sku_id)));
      }),
      { numRuns: 25 },
    );
  });
});

describe('sort orders and cursor paging', () => {
  it('points_asc, points_desc and relevance page every item once, in order', async () => {
    const bySku = new Map(rows.map((r) => [r.sku_id, r]));
    const asc = await all('sort=points_asc', 23);
    const desc = await all('sort=points_desc', 23);
    expect(new Set(asc.map((i) => i.skuId)).size).toBe(rows.length);
    expect(sorted(desc.map((i) => i.skuId))).toEqual(sorted(asc.map((i) => i.skuId)));
    for (let i = 1; i < asc.length; i++) expect((asc[i] as Item).points).toBeGreaterThanOrEqual((asc[i - 1] as Item).points);
    for (let i = 1; i < desc.length; i++) expect((desc[i] as Item).points).toBeLessThanOrEqual((desc[i - 1] as Item).points);
    // The category path (one index range per leaf, merged) and the search path, both directions.
    const appliances = rows.filter((r) => r.category_id !== null && lineageOf(r.category_id).some((n) => n.name === '大家电'));
    for (const [query, subset] of [[`category=${encodeURIComponent('大家电')}`, appliances], ['q=bx', expected('bx')]] as const) {
      for (const sort of ['points_asc', 'points_desc'] as const) {
        const got = await all(`${query}&sort=${sort}`, 4);
        expect(got.map((i) => i.skuId), `${query} ${sort}`).toEqual(
          [...subset].sort((a, b) => (sort === 'points_asc' ? a.points - b.points || Number(a.item_id) - Number(b.item_id) : b.points - a.points || Number(b.item_id) - Number(a.item_id))).map((r) => r.sku_id),
        );
      }
    }
    // Relevance by the definition in JS: (rank, pos, points) never goes down across pages.
    for (const q of ['冰箱', 'bx', 'he', '手机']) {
      const needle = normalizeText(q);
      const found = await all(`q=${encodeURIComponent(q)}`, 3);
      expect(new Set(found.map((i) => i.skuId)).size).toBe(found.length);
      expect(sorted(found.map((i) => i.skuId))).toEqual(sorted(expected(needle).map((r) => r.sku_id)));
      const keys = found.map((i) => {
        const r = bySku.get(i.skuId) as SeededRow;
        const k = relevanceOf(needle, { title: r.title, brand: r.brand, searchText: r.search_text, pinyin: r.search_pinyin, initials: r.search_initials });
        return [k.rank, k.pos, r.points];
      });
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1] as number[], keys[i] as number[]];
        const cmp = (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || (a[2] as number) - (b[2] as number);
        expect(cmp, `${q}: ${JSON.stringify(a)} then ${JSON.stringify(b)}`).toBeLessThanOrEqual(0);
      }
    }
  });

  it('no item repeats while prices change between pages', async () => {
    const conn = hub.deps.orm.em.fork().getConnection();
    try {
      for (const sort of ['points_asc', 'points_desc'] as const) {
        const seen: string[] = [];
        const changed = new Set<string>();
        let cursor: string | null = '';
        for (let n = 0; cursor !== null; n++) {
          const p: Page = await page(`sort=${sort}&limit=25${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...p.items.map((i) => i.skuId));
          cursor = p.nextCursor;
          if (cursor === null || n > 6) continue;
          // Between pages: items already shown move further back in the order (behind the cursor),
          // and some not yet shown get new prices ahead of it.
          const shown = p.items.slice(0, 3).map((i) => i.skuId);
          const last = p.items.at(-1) as Item;
          await conn.execute(`update mall_item mi set points = ${sort === 'points_asc' ? 'greatest(0, mi.points - 1)' : 'mi.points + 1'} from catalog_item ci where ci.id = mi.item_id and mi.mall_id = ? and ci.sku_id in (select jsonb_array_elements_text(?::jsonb))`, [mall.mallId, JSON.stringify(shown)]);
          const ahead = (await conn.execute<{ sku_id: string }[]>(
            `update mall_item mi set points = ${sort === 'points_asc' ? 'mi.points + 7' : 'greatest(0, mi.points - 7)'} from catalog_item ci
             where ci.id = mi.item_id and mi.mall_id = ? and mi.sellable and mi.item_id in (
               select item_id from mall_item where mall_id = ? and sellable and points ${sort === 'points_asc' ? '>' : '<'} ? order by random() limit 4)
             returning ci.sku_id`,
            [mall.mallId, mall.mallId, last.points],
          ));
          for (const r of ahead) changed.add(r.sku_id);
        }
        expect(new Set(seen).size, sort).toBe(seen.length);
        // Every item is still shown once: those moved ahead of the cursor too.
        expect(seen.length, sort).toBe(rows.length);
        expect(changed.size).toBeGreaterThan(0);
      }
    } finally {
      // Back to the prices the other tests compare with.
      await repriceMall(hub.deps.orm.em.fork(), mall.mallId, 200);
      rows = await loadRows();
    }
  });
});

describe('facets', () => {
  const direct = (subset: SeededRow[], level: number) => {
    const category = new Map<string, number>();
    const brand = new Map<string, number>();
    const band = new Map<string, number>();
    for (const r of subset) {
      const chain = r.category_id ? lineageOf(r.category_id) : [];
      const node = chain[Math.min(level, chain.length - 1)];
      if (node) category.set(node.id, (category.get(node.id) ?? 0) + 1);
      if (r.brand !== null) brand.set(r.brand, (brand.get(r.brand) ?? 0) + 1);
      band.set(pointsBandOf(r.points), (band.get(pointsBandOf(r.points)) ?? 0) + 1);
    }
    return { category, brand, band };
  };

  it('count the whole filtered result, as counted directly', async () => {
    const cases: { query: string; subset: SeededRow[]; level: number }[] = [
      { query: '', subset: rows, level: 0 },
      { query: `category=${encodeURIComponent('大家电')}`, subset: rows.filter((r) => r.category_id !== null && lineageOf(r.category_id).some((n) => n.name === '大家电')), level: 2 },
      { query: 'pointsMin=1000&pointsMax=30000', subset: rows.filter((r) => r.points >= 1000 && r.points <= 30_000), level: 0 },
      { query: 'q=bx', subset: expected('bx'), level: 0 },
      { query: `q=${encodeURIComponent('手机')}`, subset: expected('手机'), level: 0 },
    ];
    expect(categoriesNamed('大家电')[0]?.level).toBe(2);
    for (const c of cases) {
      const p = await page(`${c.query}&facets=category,brand,points&limit=5`);
      const d = direct(c.subset, c.level);
      const facets = p.facets as NonNullable<Page['facets']>;
      expect(Object.fromEntries((facets.category ?? []).map((x) => [x.id, x.count])), c.query).toEqual(Object.fromEntries(d.category));
      const topBrands = [...d.brand].sort((a, b) => b[1] - a[1]);
      const brands = facets.brand ?? [];
      expect(brands.length).toBe(Math.min(BRAND_FACET_SIZE, d.brand.size));
      for (const b of brands) expect(b.count, `${c.query} ${b.brand}`).toBe(d.brand.get(b.brand as string));
      // The 20 listed are the most common: none left out counts more than the least listed.
      const least = brands.at(-1)?.count ?? 0;
      expect(topBrands.filter(([name]) => !brands.some((b) => b.brand === name)).every(([, n]) => n <= least)).toBe(true);
      expect((facets.points ?? []).map((x) => [x.band, x.count])).toEqual(POINTS_BANDS.map((b) => [b.key, d.band.get(b.key) ?? 0]));
      // The same on a later page.
      if (p.nextCursor) expect((await page(`${c.query}&facets=category,brand,points&limit=5&cursor=${p.nextCursor}`)).facets).toEqual(p.facets);
    }
    const only = await page('facets=brand&limit=1');
    expect(Object.keys(only.facets ?? {})).toEqual(['brand']);
    expect((await page('limit=1')).facets).toBeUndefined();
  });
});

describe('validation', () => {
  it('400 for a bad sort or facets value, relevance without q, or a cursor from another sort', async () => {
    const asc = (await page('sort=points_asc&limit=2')).nextCursor as string;
    const rel = (await page('q=bx&limit=2')).nextCursor as string;
    expect(rel).not.toBeNull();
    for (const q of [
      'sort=cheapest', 'facets=colour', 'facets=category,colour', 'sort=relevance',
      `sort=points_desc&cursor=${asc}`, `q=bx&cursor=${asc}`, `cursor=${rel}`, `q=bx&sort=points_asc&cursor=${rel}`,
    ]) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      expect((await json(res)).error.code).toBe('validation_failed');
    }
    // A cursor issued before sorts existed reads as points_asc.
    const legacy = Buffer.from(JSON.stringify({ points: 0, itemId: '0' })).toString('base64url');
    expect((await get(`cursor=${legacy}`)).status).toBe(200);
    expect((await get(`sort=points_asc&cursor=${asc}`)).status).toBe(200);
  });
});
