import { createRoute, z } from '@hono/zod-openapi';
import { catalogChangeHead, catalogChangesAfter } from '../../../catalog/catalog-changes-store.ts';
import { stockStatus } from '../../../domain/catalog-keys.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { invalidCursor } from '../../pagination.ts';
import { mallSecurity, queryParam, StockStatusSchema, Timestamp } from '../../schemas.ts';

const Change = z
  .object({
    skuId: z.string(),
    change: z.enum(['price', 'stock', 'listing']).openapi({ description: 'What changed: the price, the stock, or whether it is listed (listed, delisted, back on sale)' }),
    at: Timestamp.openapi({ description: 'When the catalog sync recorded the change' }),
    /** The item as it is now for this mall (read the item again for everything else). */
    points: z.number().int().nullable().openapi({ description: "Price of one unit in this mall's points now (null: not priced for this mall)" }),
    cashFen: z.number().int().nullable().openapi({ description: 'Cash part of the price now, in fen (null: not priced for this mall)' }),
    sellable: z.boolean().openapi({ description: 'Whether this mall sells it now' }),
    stock: StockStatusSchema,
  })
  .openapi('CatalogChange');

const route = createRoute({
  method: 'get',
  path: '/v1/catalog/changes',
  operationId: 'listCatalogChanges',
  tags: ['Catalog'],
  summary: 'Price, stock and listing changes since a cursor, oldest first (kept 30 days)',
  description:
    'Each change says what changed and describes the item as it is now for this mall. `nextCursor` is never null here: keep it and poll again with it (a `catalog.changed` webhook says when). Changes are kept 30 days.',
  security: mallSecurity,
  request: {
    query: z.object({
      cursor: queryParam('cursor', z.string().max(40).optional(), 'The `nextCursor` of the previous page, or the `cursor` of a `catalog.changed` event (`c…`); omit it to start at the oldest change kept. A cursor the hub did not make (altered, past the feed) is 400 `invalid_cursor`', 'c18234'),
      limit: queryParam('limit', z.coerce.number().int().min(1).max(200).default(50), 'Changes per page, 1 to 200 (default 50)', 50),
    }),
  },
  responses: {
    200: jsonResponse('Changes, oldest first', z.object({ items: z.array(Change), nextCursor: z.string().openapi({ description: 'Never null: poll again from it' }) }), {
      items: [
        { skuId: 'sku_fc6000a2826e48e5a1eb7ea27e3904f4', change: 'price', at: '2026-12-01T03:05:12.417Z', points: 115_890, cashFen: 0, sellable: true, stock: 'in_stock' },
        { skuId: 'sku_eac4a673d9cc4aa58e4410c8fdf51141', change: 'stock', at: '2026-12-01T03:05:12.417Z', points: 194_860, cashFen: 0, sellable: true, stock: 'low' },
      ],
      nextCursor: 'c18236',
    }),
    ...errorResponses(400),
  },
});

/** GET /v1/catalog/changes */
export function registerCatalogChanges(app: HubApp): void {
  app.openapi(route, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const after = cursor === undefined ? '0' : /^c\d{1,18}$/.test(cursor) ? cursor.slice(1) : null;
    if (after === null) throw invalidCursor();
    const rows = await catalogChangesAfter(c.get('em'), callerMallId(c), after, limit);
    // Nothing after it: a cursor past every change ever made was not made by the hub (forged, or
    // from another hub), and polling from it would wait for ever; say so rather than answer empty.
    if (rows.length === 0 && cursor !== undefined && BigInt(after) > BigInt(await catalogChangeHead(c.get('em')))) throw invalidCursor();
    const items = rows.map((r) => ({
      skuId: r.sku_id, change: r.change, at: new Date(r.at).toISOString(), points: r.points, cashFen: r.cash_fen,
      sellable: r.sellable ?? false, stock: stockStatus(r.stock_units, r.sellable ?? false),
    }));
    return c.json({ items, nextCursor: `c${rows.at(-1)?.id ?? after}` }, 200);
  });
}
