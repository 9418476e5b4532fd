import { normalizeText } from '../../../domain/catalog-keys.ts';
import { categoriesNamed } from '../../../domain/taxonomy.ts';
import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { getMallCatalogItem, queryMallCatalog } from '../../../catalog/catalog-query.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { callerMallId } from '../../caller.ts';
import { invalidCursor, PageQuery } from '../../pagination.ts';
import { mallSecurity } from '../../schemas.ts';

export const CatalogItem = z
  .object({
    skuId: z.string().openapi({ example: 'sku_4f1c2a9e0b7d4c3e8a6f5b1d2c3e4f5a' }),
    title: z.string(),
    brand: z.string().nullable(),
    kind: z.enum(['physical', 'virtual', 'service']).or(z.string()),
    categoryPath: z.array(z.string()),
    images: z.array(z.string()),
    points: z.number().int(),
    cashFen: z.number().int(),
    marketPriceFen: z.number().int().nullable(),
    stock: z.enum(['in_stock', 'low', 'out_of_stock']),
    attributes: z.record(z.string(), z.string()),
  })
  .openapi('CatalogItem');

const Query = PageQuery.extend({
  kind: z.enum(['physical', 'virtual', 'service']).optional().openapi({ param: { name: 'kind', in: 'query' } }),
  category: z.string().max(100).refine((v) => categoriesNamed(v).length > 0, 'not a category of GET /v1/catalog/categories').optional().openapi({ param: { name: 'category', in: 'query' }, example: '冰箱', description: 'A canonical category id (fridge, large-appliance) or name at any level (冰箱, 大家电)' }),
  pointsMin: z.coerce.number().int().min(0).optional().openapi({ param: { name: 'pointsMin', in: 'query' } }),
  pointsMax: z.coerce.number().int().min(0).optional().openapi({ param: { name: 'pointsMax', in: 'query' } }),
  q: z.string().trim().min(2).max(50).refine((v) => [...normalizeText(v)].length >= 2, 'needs two letters or characters besides spaces and punctuation').optional().openapi({ param: { name: 'q', in: 'query' }, example: '冰箱', description: 'Substring of two characters or more' }),
  inStock: z.enum(['true', 'false']).optional().openapi({ param: { name: 'inStock', in: 'query' } }),
});

const list = createRoute({
  method: 'get',
  path: '/v1/catalog/items',
  operationId: 'listCatalogItems',
  tags: ['Catalog'],
  summary: 'The calling mall’s catalog, priced in its points, ordered by points',
  security: mallSecurity,
  request: { query: Query },
  responses: {
    200: { description: 'A page of items', content: { 'application/json': { schema: z.object({ items: z.array(CatalogItem), nextCursor: z.string().nullable() }) } } },
    ...errorResponses(400, 401, 429),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/catalog/items/{skuId}',
  operationId: 'getCatalogItem',
  tags: ['Catalog'],
  summary: 'One item with its current sources (supplier names)',
  security: mallSecurity,
  request: { params: z.object({ skuId: z.string().min(1).max(64).openapi({ param: { name: 'skuId', in: 'path' } }) }) },
  responses: {
    200: { description: 'The item', content: { 'application/json': { schema: CatalogItem.extend({ sellable: z.boolean(), sources: z.array(z.string()) }) } } },
    ...errorResponses(401, 404, 429),
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
