import { normalizeText } from '../../../domain/catalog-keys.ts';
import { categoriesNamed } from '../../../domain/taxonomy.ts';
import { createRoute, z } from '@hono/zod-openapi';
import { AppError, notFound } from '../../../domain/errors.ts';
import { type CatalogFilter, type CatalogKey, getMallCatalogItem, queryCatalogFacets, queryMallCatalog } from '../../../catalog/catalog-query.ts';
import { CATALOG_FACETS, CATALOG_SORTS, type CatalogFacet, type CatalogSort } from '../../../domain/catalog-search.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { callerMallId } from '../../caller.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { invalidCursor, PageQuery } from '../../pagination.ts';
import { ItemKindSchema, mallSecurity, pathParam, queryParam, StockStatusSchema } from '../../schemas.ts';

export const CatalogItem = z
  .object({
    skuId: z.string().openapi({ description: "The hub's own id of the item; it never changes", example: 'sku_fc6000a2826e48e5a1eb7ea27e3904f4' }),
    title: z.string(),
    brand: z.string().nullable(),
    kind: ItemKindSchema,
    categoryPath: z.array(z.string()).openapi({ description: 'Canonical category names, level 1 to 3' }),
    images: z.array(z.string()).openapi({ description: 'Image URLs, the main one first' }),
    points: z.number().int().openapi({ description: "Price of one unit in this mall's points" }),
    cashFen: z.number().int().openapi({ description: 'Cash part of the price of one unit, in fen (0 unless the mall sets `cashShareBp`)' }),
    marketPriceFen: z.number().int().nullable().openapi({ description: 'The market (list) price of one unit in fen, when a source gives one' }),
    stock: StockStatusSchema,
    attributes: z.record(z.string(), z.string()).openapi({ description: 'Specifications as the sources name them (品牌, 型号, …)' }),
  })
  .openapi('CatalogItem');
type CatalogItem = z.infer<typeof CatalogItem>;

const FRIDGE: CatalogItem = {
  skuId: 'sku_fc6000a2826e48e5a1eb7ea27e3904f4',
  title: '海尔（Haier）双开门冰箱 BCD-162KNEW 混冷',
  brand: '海尔',
  kind: 'physical',
  categoryPath: ['家用电器', '大家电', '冰箱'],
  images: ['https://img30.360buyimg.com/sku/jfs/t1/100958240184/1.jpg', 'https://img30.360buyimg.com/sku/jfs/t1/100958240184/2.jpg'],
  points: 117_730,
  cashFen: 0,
  marketPriceFen: 122_900,
  stock: 'in_stock',
  attributes: { 品牌: '海尔', 型号: 'BCD-162KNEW', 门款式: '双开门', 制冷方式: '混冷', 商品毛重: '66.06kg' },
};
const TOPUP: CatalogItem = {
  skuId: 'sku_31de02bbcac546e6b2b0610b1dd29d00',
  title: '中国移动话费充值 100元',
  brand: null,
  kind: 'virtual',
  categoryPath: ['虚拟商品', '话费流量', '话费充值'],
  images: [],
  points: 10_350,
  cashFen: 0,
  marketPriceFen: 10_000,
  stock: 'in_stock',
  attributes: { platform: 'CMCC' },
};

const CatalogFacets = z
  .object({
    category: z
      .array(z.object({ id: z.string(), name: z.string(), count: z.number().int() }))
      .optional()
      .openapi({ description: 'Items per category: the children of the filtered category (a filtered leaf counts under itself), or the top level without one; most first' }),
    brand: z.array(z.object({ brand: z.string(), count: z.number().int() })).optional().openapi({ description: 'The 20 most common brands, most first (items without a brand are not counted)' }),
    points: z
      .array(z.object({ band: z.string(), min: z.number().int(), max: z.number().int().nullable(), count: z.number().int() }))
      .optional()
      .openapi({ description: 'Items per fixed points band (min and max inclusive; max null: no upper bound), every band, in order' }),
  })
  .openapi('CatalogFacets', { description: 'Counts over the whole filtered result, for the facets asked for' });

const Query = PageQuery.extend({
  kind: queryParam('kind', ItemKindSchema.optional(), 'Only items of this kind', 'physical'),
  category: queryParam(
    'category',
    z.string().max(100).refine((v) => categoriesNamed(v).length > 0, 'not a category of GET /v1/catalog/categories').optional(),
    'A canonical category id (fridge, large-appliance) or name at any level (冰箱, 大家电), from GET /v1/catalog/categories; an unknown one is 400',
    '冰箱',
  ),
  pointsMin: queryParam('pointsMin', z.coerce.number().int().min(0).optional(), 'Only items priced at this many points or more', 10_000),
  pointsMax: queryParam('pointsMax', z.coerce.number().int().min(0).optional(), 'Only items priced at this many points or fewer', 500_000),
  q: queryParam(
    'q',
    z.string().trim().min(2).max(50).refine((v) => [...normalizeText(v)].length >= 2, 'needs two letters or characters besides spaces and punctuation').optional(),
    'A substring of the title, brand or model, two characters or more (`冰箱` matches 海尔冰箱 BCD-470). Letters alone also match the full pinyin or the initials of the title or brand (`bingxiang` or `bx` matches 冰箱, `haier` or `he` matches 海尔), within one run of Chinese characters or of Latin letters and digits',
    '海尔',
  ),
  inStock: queryParam('inStock', z.enum(['true', 'false']).optional(), '`true`: only items whose synced listing stock is above 0', 'true'),
  sort: queryParam(
    'sort',
    z.enum(CATALOG_SORTS).optional(),
    'The order: `points_asc` (the default without `q`), `points_desc`, or `relevance` (the default with `q`, and only with one): the query as the whole title or brand first, then titles that start with it, then by where the query stands in the title, then by points. Ties go by item, so pages never overlap; a cursor carries its sort, and one from another sort is 400 `invalid_cursor`',
    'relevance',
  ),
  facets: queryParam(
    'facets',
    z
      .string()
      .max(50)
      .transform((v) => [...new Set(v.split(',').map((x) => x.trim()))])
      .refine((v) => v.every((x) => (CATALOG_FACETS as readonly string[]).includes(x)), 'a comma-separated list of category, brand, points')
      .optional(),
    'Counts over the whole filtered result (every page), comma-separated: `category` (by the level below the filtered category, or the top level), `brand` (the 20 most common), `points` (fixed bands). Asked on a later page too, they count the same result',
    'category,brand,points',
  ),
});

const list = createRoute({
  method: 'get',
  path: '/v1/catalog/items',
  operationId: 'listCatalogItems',
  tags: ['Catalog'],
  summary: 'The calling mall’s catalog, priced in its points: search, sort, facets',
  description:
    'The items this mall sells (its catalog selection), lowest points first (or as `sort` says), with the price of one unit in its points. A `q` of letters also finds titles and brands by full pinyin or initials (`bingxiang` or `bx` finds 冰箱). `facets` adds counts over the whole result. `stock` is the synced listing stock, not a promise for an address: ask POST /v1/catalog/availability for that.',
  security: mallSecurity,
  request: { query: Query },
  responses: {
    200: jsonResponse(
      'A page of items, with the facets asked for',
      z.object({
        items: z.array(CatalogItem),
        nextCursor: z.string().nullable().openapi({ description: 'Pass it as `cursor` for the next page (same filters and sort); null: the last page' }),
        facets: CatalogFacets.optional(),
      }),
      {
        items: [TOPUP, FRIDGE],
        nextCursor: 'eyJzb3J0IjoicG9pbnRzX2FzYyIsInBvaW50cyI6MTE3NzMwLCJpdGVtSWQiOiIxMzcifQ',
        facets: {
          category: [
            { id: 'home-appliances', name: '家用电器', count: 1 },
            { id: 'virtual-goods', name: '虚拟商品', count: 1 },
          ],
          brand: [{ brand: '海尔', count: 1 }],
          points: [
            { band: '0-999', min: 0, max: 999, count: 0 },
            { band: '1000-4999', min: 1000, max: 4999, count: 0 },
            { band: '5000-19999', min: 5000, max: 19_999, count: 1 },
            { band: '20000-49999', min: 20_000, max: 49_999, count: 0 },
            { band: '50000+', min: 50_000, max: null, count: 1 },
          ],
        },
      },
    ),
    ...errorResponses(400),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/catalog/items/{skuId}',
  operationId: 'getCatalogItem',
  tags: ['Catalog'],
  summary: 'One item with its current sources (supplier names)',
  description: 'The item as the list shows it, plus whether this mall sells it now and the suppliers listing it, cheapest first. 404 when the item is not in the mall’s catalog.',
  security: mallSecurity,
  request: { params: z.object({ skuId: pathParam('skuId', z.string().min(1).max(64), 'The item’s id (`sku_…`)', FRIDGE.skuId) }) },
  responses: {
    200: jsonResponse(
      'The item',
      CatalogItem.extend({
        sellable: z.boolean().openapi({ description: 'Whether this mall sells it now (in its selection, and some source sells it)' }),
        sources: z.array(z.string()).openapi({ description: 'Supplier ids listing it now, cheapest first' }),
      }),
      { ...FRIDGE, sellable: true, sources: ['jd', 'taobao'] },
    ),
    ...errorResponses(404),
  },
});

// A cursor is the last row's key in its sort, with the sort: a page 2 asked in another order
// would skip or repeat rows, so it is refused. A cursor without a sort was issued before sorts
// existed and is points_asc.
const encode = (sort: CatalogSort, k: CatalogKey) => Buffer.from(JSON.stringify({ sort, ...k })).toString('base64url');
function decode(cursor: string | undefined, sort: CatalogSort): CatalogKey | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sort?: unknown; points?: unknown; itemId?: unknown; rank?: unknown; pos?: unknown };
    const keyOk = Number.isInteger(v.points) && typeof v.itemId === 'string' && /^\d{1,19}$/.test(v.itemId);
    const relevanceOk = sort !== 'relevance' || (Number.isInteger(v.rank) && Number.isInteger(v.pos));
    if (keyOk && relevanceOk && (v.sort ?? 'points_asc') === sort) {
      return { points: v.points as number, itemId: v.itemId as string, ...(sort === 'relevance' ? { rank: v.rank as number, pos: v.pos as number } : {}) };
    }
  } catch {
    // fall through
  }
  throw invalidCursor();
}

const relevanceNeedsQuery = () =>
  new AppError('validation_failed', 'sort=relevance needs a q', { details: { fields: [{ path: 'query.sort', message: 'relevance needs a q', code: 'invalid_value' }] } });

/** GET /v1/catalog/items, GET /v1/catalog/items/{skuId} */
export function registerCatalogRoutes(app: HubApp): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const sort: CatalogSort = q.sort ?? (q.q ? 'relevance' : 'points_asc');
    if (sort === 'relevance' && !q.q) throw relevanceNeedsQuery();
    const filter: CatalogFilter = {
      kind: q.kind, category: q.category, pointsMin: q.pointsMin, pointsMax: q.pointsMax, q: q.q, inStock: q.inStock === 'true', limit: q.limit, sort, after: decode(q.cursor, sort),
    };
    const em = c.get('em');
    const page = await queryMallCatalog(em, callerMallId(c), filter);
    const facets = q.facets ? await queryCatalogFacets(em, callerMallId(c), filter, q.facets as CatalogFacet[]) : undefined;
    // The items come as JSON from PostgreSQL (catalog-query.ts): joined in, not parsed and written again.
    const rest = JSON.stringify({ nextCursor: page.last ? encode(sort, page.last) : null, ...(facets ? { facets } : {}) });
    // Encoded to UTF-8 once, here: given a string, the server measures its UTF-8 length, then encodes it again on the socket.
    return c.body(Buffer.from(`{"items":${page.itemsJson},${rest.slice(1)}`), 200, { 'Content-Type': 'application/json' }) as never;
  });
  app.openapi(get, async (c) => {
    const item = await getMallCatalogItem(c.get('em'), callerMallId(c), c.req.valid('param').skuId);
    if (!item) throw notFound('catalog item');
    return c.json(item as z.infer<typeof CatalogItem> & { sellable: boolean; sources: string[] }, 200);
  });
}
