import { createRoute, z } from '@hono/zod-openapi';
import { catalogChangesAfter } from '../../../catalog/catalog-changes-store.ts';
import { stockStatus } from '../../../domain/catalog-keys.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { invalidCursor } from '../../pagination.ts';
import { mallSecurity } from '../../schemas.ts';

const Change = z
  .object({
    skuId: z.string(),
    change: z.enum(['price', 'stock', 'listing']),
    at: z.string(),
    /** The item as it is now for this mall (read the item again for everything else). */
    points: z.number().int().nullable(),
    cashFen: z.number().int().nullable(),
    sellable: z.boolean(),
    stock: z.enum(['in_stock', 'low', 'out_of_stock']),
  })
  .openapi('CatalogChange');

const route = createRoute({
  method: 'get',
  path: '/v1/catalog/changes',
  operationId: 'listCatalogChanges',
  tags: ['Catalog'],
  summary: 'Price, stock and listing changes since a cursor, oldest first (kept 30 days)',
  description: '`nextCursor` is never null here: keep it and poll again with it (a `catalog.changed` webhook says when).',
  security: mallSecurity,
  request: {
    query: z.object({
      cursor: z.string().max(40).optional().openapi({ param: { name: 'cursor', in: 'query' } }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ param: { name: 'limit', in: 'query' } }),
    }),
  },
  responses: { 200: { description: 'Changes', content: { 'application/json': { schema: z.object({ items: z.array(Change), nextCursor: z.string() }) } } }, ...errorResponses(400, 401, 429) },
});

/** GET /v1/catalog/changes */
export function registerCatalogChanges(app: HubApp): void {
  app.openapi(route, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const after = cursor === undefined ? '0' : /^c\d{1,18}$/.test(cursor) ? cursor.slice(1) : null;
    if (after === null) throw invalidCursor();
    const rows = await catalogChangesAfter(c.get('em'), callerMallId(c), after, limit);
    const items = rows.map((r) => ({
      skuId: r.sku_id, change: r.change, at: new Date(r.at).toISOString(), points: r.points, cashFen: r.cash_fen,
      sellable: r.sellable ?? false, stock: stockStatus(r.stock_units, r.sellable ?? false),
    }));
    return c.json({ items, nextCursor: `c${rows.at(-1)?.id ?? after}` }, 200);
  });
}
