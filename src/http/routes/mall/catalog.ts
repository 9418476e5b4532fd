import { normalizeText } from '../../../domain/catalog-keys.ts';
import { categoriesNamed } from '../../../domain/taxonomy.ts';
import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { getMallCatalogItem, queryMallCatalog } from '../../../catalog/catalog-query.ts';
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
    'A substring of the title, brand or model, two characters or more (`冰箱` matches 海尔冰箱 BCD-470)',
    '海尔',
  ),
  inStock: queryParam('inStock', z.enum(['true', 'false']).optional(), '`true`: only items whose synced listing stock is above 0', 'true'),
});

const list = createRoute({
  method: 'get',
  path: '/v1/catalog/items',
  operationId: 'listCatalogItems',
  tags: ['Catalog'],
  summary: 'The calling mall’s catalog, priced in its points, ordered by points',
  description:
    'The items this mall sells (its catalog selection), lowest points first, with the price of one unit in its points. `stock` is the synced listing stock, not a promise for an address: ask POST /v1/catalog/availability for that.',
  security: mallSecurity,
  request: { query: Query },
  responses: {
    200: jsonResponse('A page of items', z.object({ items: z.array(CatalogItem), nextCursor: z.string().nullable().openapi({ description: 'Pass it as `cursor` for the next page; null: the last page' }) }), {
      items: [TOPUP, FRIDGE],
      nextCursor: 'eyJwb2ludHMiOjExNzczMCwiaXRlbUlkIjoiMTM3In0',
    }),
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

const encode = (k: { points: number; itemId: string }) => Buffer.from(JSON.stringify(k)).toString('base64url');
function decode(cursor: string | undefined): { points: number; itemId: string } | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { points?: unknown; itemId?: unknown };
    if (Number.isInteger(v.points) && typeof v.itemId === 'string' && /^\d+$/.test(v.itemId)) return { points: v.points as number, itemId: v.itemId };
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** GET /v1/catalog/items, GET /v1/catalog/items/{skuId} */
export function registerCatalogRoutes(app: HubApp): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await queryMallCatalog(c.get('em'), callerMallId(c), {
      kind: q.kind, category: q.category, pointsMin: q.pointsMin, pointsMax: q.pointsMax, q: q.q, inStock: q.inStock === 'true', limit: q.limit, after: decode(q.cursor),
    });
    return c.json({ items: page.items as z.infer<typeof CatalogItem>[], nextCursor: page.last ? encode(page.last) : null }, 200);
  });
  app.openapi(get, async (c) => {
    const item = await getMallCatalogItem(c.get('em'), callerMallId(c), c.req.valid('param').skuId);
    if (!item) throw notFound('catalog item');
    return c.json(item as z.infer<typeof CatalogItem> & { sellable: boolean; sources: string[] }, 200);
  });
}
